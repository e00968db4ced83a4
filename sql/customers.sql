-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION customers" to load this file. \quit

-- The owner of a schema can drop any object in it, so schema customers must
-- belong to the role that creates the extension, or to a superuser. A
-- schema left by an earlier install or created beforehand by another role
-- stops CREATE EXTENSION here.
DO $$
DECLARE
	schema_owner pg_catalog.name;
	ext_owner pg_catalog.name;
BEGIN
	SELECT r.rolname, o.rolname INTO schema_owner, ext_owner
	FROM pg_catalog.pg_namespace n
	JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) n.nspowner
	JOIN pg_catalog.pg_extension e ON e.extname OPERATOR(pg_catalog.=) 'customers'
	JOIN pg_catalog.pg_roles o ON o.oid OPERATOR(pg_catalog.=) e.extowner
	WHERE n.nspname OPERATOR(pg_catalog.=) 'customers'
	  AND n.nspowner OPERATOR(pg_catalog.<>) e.extowner AND NOT r.rolsuper;
	IF schema_owner IS NOT NULL THEN
		RAISE EXCEPTION 'schema "customers" is owned by role "%"', schema_owner
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'The owner of a schema can drop any object in it, so schema customers must belong to the extension''s owner or to a superuser.',
				  HINT = pg_catalog.format('Run ALTER SCHEMA customers OWNER TO %I, or drop the schema, and try again.', ext_owner);
	END IF;
END
$$;

-- The customer store. Every key starts with tenant_id so the tables can be
-- distributed by tenant. The stored document is the canonical document as
-- returned by the API; the typed columns beside it are what queries filter
-- and sort on.
CREATE TABLE customers.customer (
	tenant_id text NOT NULL,
	id text COLLATE "C" NOT NULL,
	external_id text,
	name text NOT NULL,
	email text,
	business_name text,
	status text NOT NULL,
	status_before_archive text,
	created_at timestamptz NOT NULL,
	updated_at timestamptz NOT NULL,
	archived_at timestamptz,
	version bigint NOT NULL,
	doc jsonb NOT NULL,
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, external_id),
	CHECK (status IN ('ACTIVE', 'INACTIVE', 'ARCHIVED')),
	CHECK ((status = 'ARCHIVED') = (archived_at IS NOT NULL)),
	CHECK (version >= 1)
);

SELECT pg_catalog.pg_extension_config_dump('customers.customer', '');

-- One index per sort key, each ending in id for the keyset's ties. Email is
-- stored lower-cased, so sorting and comparing it ignores case.
CREATE INDEX customer_name_idx ON customers.customer (tenant_id, name, id);
CREATE INDEX customer_email_idx ON customers.customer (tenant_id, email, id);
CREATE INDEX customer_business_name_idx ON customers.customer (tenant_id, business_name, id);
CREATE INDEX customer_status_idx ON customers.customer (tenant_id, status, id);
CREATE INDEX customer_created_at_idx ON customers.customer (tenant_id, created_at, id);
CREATE INDEX customer_updated_at_idx ON customers.customer (tenant_id, updated_at, id);
-- Sort keys and equality filters read from the document (src/query_filter.h
-- spells the same expressions).
CREATE INDEX customer_currency_idx ON customers.customer (tenant_id, (doc ->> 'currency'), id);
CREATE INDEX customer_country_code_idx ON customers.customer
	(tenant_id, ((doc -> 'address') ->> 'countryCode'), id);

-- "contain" is ILIKE '%…%', served by trigram indexes; customData.contains
-- by a jsonb_path_ops index. btree_gin puts tenant_id first in both.
CREATE INDEX customer_name_trgm_idx ON customers.customer
	USING gin (tenant_id, name gin_trgm_ops);
CREATE INDEX customer_email_trgm_idx ON customers.customer
	USING gin (tenant_id, email gin_trgm_ops);
CREATE INDEX customer_business_name_trgm_idx ON customers.customer
	USING gin (tenant_id, business_name gin_trgm_ops);
CREATE INDEX customer_custom_data_idx ON customers.customer
	USING gin (tenant_id, (doc -> 'customData') jsonb_path_ops);
-- taxIds.value is [{"value": …}] contained in the tax ids
CREATE INDEX customer_tax_ids_idx ON customers.customer
	USING gin (tenant_id, (doc -> 'taxIds') jsonb_path_ops);

-- search (docs/api.md §4.1): the six fields it reads, folded (accents and
-- case), in one text a trigram index covers. Immutable, as an index needs.
-- PUBLIC keeps EXECUTE: every write of the table evaluates it, also a
-- confined role's direct one, and it only folds the text it is given.
CREATE FUNCTION customers.search_text(name text, email text, business_name text,
									  external_id text, id text, city text)
RETURNS text
AS 'MODULE_PATHNAME', 'customers_search_text'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE INDEX customer_search_idx ON customers.customer
	USING gin (tenant_id, customers.search_text(name, email, business_name, external_id, id,
												doc -> 'address' ->> 'city') gin_trgm_ops);

-- contain of 1 or 2 characters, and externalId's (src/contain_grams.c):
-- each customer's 1- and 2-character grams of name, email and business
-- name and 1- to 3-character grams of external id, lower-cased as ILIKE
-- compares, tagged by field and keyed by a hash of the tenant, in an array
-- a GIN index covers; contain_keys gives the keys a pattern's matches hold.
-- Immutable, as an index needs; PUBLIC keeps EXECUTE, as for search_text:
-- every write of the table evaluates contain_grams, and both only fold the
-- text they are given. The pending list of new entries, which every scan
-- reads whole, is kept to 256 kB (at the default 4 MB a scan of a small
-- tenant read 488 pages and was priced above reading the tenant).
CREATE FUNCTION customers.contain_grams(tenant_id text, name text, email text,
										business_name text, external_id text)
RETURNS text[]
AS 'MODULE_PATHNAME', 'customers_contain_grams'
LANGUAGE C IMMUTABLE PARALLEL SAFE COST 10;
CREATE FUNCTION customers.contain_keys(tenant_id text, tag "char", pattern text)
RETURNS text[]
AS 'MODULE_PATHNAME', 'customers_contain_keys'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE INDEX customer_contain_grams_idx ON customers.customer
	USING gin (customers.contain_grams(tenant_id, name, email, business_name, external_id))
	WITH (gin_pending_list_limit = 256);

-- Class labels and segments (Tight's classes). A segment's path is the ids
-- from its root down to itself, kept on every save, so a subtree is
-- "path && ARRAY[ids]" through a GIN index: no recursion per customer.
CREATE TABLE customers.class_label (
	tenant_id text NOT NULL,
	id text COLLATE "C" NOT NULL,
	name text NOT NULL,
	requiredness text NOT NULL,
	tree_version bigint NOT NULL DEFAULT 0,
	created_at timestamptz NOT NULL,
	updated_at timestamptz NOT NULL,
	PRIMARY KEY (tenant_id, id),
	CHECK (requiredness IN ('REQUIRED', 'NOT_REQUIRED'))
);

CREATE TABLE customers.class_segment (
	tenant_id text NOT NULL,
	id text COLLATE "C" NOT NULL,
	label_id text COLLATE "C" NOT NULL,
	name text NOT NULL,
	parent_id text COLLATE "C",
	path text[] NOT NULL,
	created_at timestamptz NOT NULL,
	updated_at timestamptz NOT NULL,
	PRIMARY KEY (tenant_id, id),
	-- a label's segments, and the target of the same-label references below
	UNIQUE (tenant_id, label_id, id),
	FOREIGN KEY (tenant_id, label_id) REFERENCES customers.class_label (tenant_id, id),
	-- a parent has the same label; checked at commit, so a restore may load
	-- a child before its parent
	FOREIGN KEY (tenant_id, label_id, parent_id)
		REFERENCES customers.class_segment (tenant_id, label_id, id)
		DEFERRABLE INITIALLY DEFERRED,
	-- the path ends in the segment itself and is at most 32 levels deep
	CONSTRAINT class_segment_depth CHECK (pg_catalog.cardinality(path) BETWEEN 1 AND 32),
	CONSTRAINT class_segment_path_ends_in_id
		CHECK (path[pg_catalog.cardinality(path)] OPERATOR(pg_catalog.=) id)
);
CREATE INDEX class_segment_parent_idx ON customers.class_segment (tenant_id, parent_id);
CREATE INDEX class_segment_path_idx ON customers.class_segment USING gin (tenant_id, path);

-- Which segment a customer holds under each label: at most one per label.
CREATE TABLE customers.customer_segment (
	tenant_id text NOT NULL,
	customer_id text COLLATE "C" NOT NULL,
	label_id text COLLATE "C" NOT NULL,
	segment_id text COLLATE "C" NOT NULL,
	PRIMARY KEY (tenant_id, customer_id, label_id),
	FOREIGN KEY (tenant_id, customer_id) REFERENCES customers.customer (tenant_id, id) ON DELETE CASCADE,
	-- label_id is the segment's own label
	FOREIGN KEY (tenant_id, label_id, segment_id)
		REFERENCES customers.class_segment (tenant_id, label_id, id)
);
CREATE INDEX customer_segment_segment_idx ON customers.customer_segment (tenant_id, segment_id, customer_id);

SELECT pg_catalog.pg_extension_config_dump('customers.class_label', '');
SELECT pg_catalog.pg_extension_config_dump('customers.class_segment', '');
SELECT pg_catalog.pg_extension_config_dump('customers.customer_segment', '');

-- The key that signs query cursors: made here from PostgreSQL's strong
-- random source, and dumped with the data so cursors survive a dump and
-- restore. A restore runs this script (one new key) and then loads the
-- dumped key; the oldest key is the one in use, so the dumped one wins. Each
-- tenant's cursors are signed with a key derived from it and the tenant id.
-- Only the extension owner and roles that bypass row level security read it
-- (its policy, below, raises for everyone else).
CREATE TABLE customers.cursor_key (
	key_id uuid PRIMARY KEY DEFAULT pg_catalog.gen_random_uuid(),
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	key bytea NOT NULL CHECK (pg_catalog.length(key) OPERATOR(pg_catalog.=) 32)
);
INSERT INTO customers.cursor_key (key)
SELECT pg_catalog.decode(pg_catalog.replace(
		pg_catalog.gen_random_uuid()::text || pg_catalog.gen_random_uuid()::text, '-', ''), 'hex');
SELECT pg_catalog.pg_extension_config_dump('customers.cursor_key', '');
ALTER TABLE customers.cursor_key ENABLE ROW LEVEL SECURITY;
ALTER TABLE customers.cursor_key FORCE ROW LEVEL SECURITY;

-- The tenant of the current call: customers.tenant_id, or 'default' when
-- it is unset and customers.require_tenant is off.
CREATE FUNCTION customers.current_tenant()
RETURNS text
AS 'MODULE_PATHNAME', 'customers_current_tenant'
LANGUAGE C STABLE PARALLEL SAFE;

-- Direct access to the tables sees one tenant only. The extension's own
-- functions run their statements as the extension owner with an explicit
-- tenant_id condition, so they keep their indexes.
ALTER TABLE customers.customer ENABLE ROW LEVEL SECURITY;
ALTER TABLE customers.customer FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON customers.customer
	USING (tenant_id OPERATOR(pg_catalog.=) customers.current_tenant())
	WITH CHECK (tenant_id OPERATOR(pg_catalog.=) customers.current_tenant());
ALTER TABLE customers.class_label ENABLE ROW LEVEL SECURITY;
ALTER TABLE customers.class_label FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON customers.class_label
	USING (tenant_id OPERATOR(pg_catalog.=) customers.current_tenant())
	WITH CHECK (tenant_id OPERATOR(pg_catalog.=) customers.current_tenant());
ALTER TABLE customers.class_segment ENABLE ROW LEVEL SECURITY;
ALTER TABLE customers.class_segment FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON customers.class_segment
	USING (tenant_id OPERATOR(pg_catalog.=) customers.current_tenant())
	WITH CHECK (tenant_id OPERATOR(pg_catalog.=) customers.current_tenant());
ALTER TABLE customers.customer_segment ENABLE ROW LEVEL SECURITY;
ALTER TABLE customers.customer_segment FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON customers.customer_segment
	USING (tenant_id OPERATOR(pg_catalog.=) customers.current_tenant())
	WITH CHECK (tenant_id OPERATOR(pg_catalog.=) customers.current_tenant());

CREATE FUNCTION customers.save(request jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'customers_save_idempotent'
LANGUAGE C VOLATILE;

CREATE FUNCTION customers.save_class_labels(request jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'customers_save_class_labels_idempotent'
LANGUAGE C VOLATILE;

CREATE FUNCTION customers.save_class_segments(request jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'customers_save_class_segments_idempotent'
LANGUAGE C VOLATILE;

CREATE FUNCTION customers.class_segments(request jsonb DEFAULT '{}')
RETURNS jsonb
AS 'MODULE_PATHNAME', 'customers_class_segments'
LANGUAGE C STABLE;

CREATE FUNCTION customers.delete_class_segment(id text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'customers_delete_class_segment_idempotent'
LANGUAGE C VOLATILE;

CREATE FUNCTION customers.query(request jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'customers_query'
LANGUAGE C STABLE;

-- customData path filters (docs/api.md §4.1) read the value at a path
-- through these, which indexes cover (src/custom_data_index.c): the time an
-- RFC 3339 string names, a JSON number, a JSON string (NULL for any other
-- value), and every key path of an object, for "exists". Immutable, as an
-- index needs; PUBLIC keeps EXECUTE, as for search_text: every write of
-- the table evaluates the indexed ones, and they only read their argument.
CREATE FUNCTION customers.custom_data_time(value jsonb)
RETURNS timestamptz
AS 'MODULE_PATHNAME', 'customers_custom_data_time'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION customers.custom_data_number(value jsonb)
RETURNS numeric
AS 'MODULE_PATHNAME', 'customers_custom_data_number'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION customers.custom_data_text(value jsonb)
RETURNS text
AS 'MODULE_PATHNAME', 'customers_custom_data_text'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION customers.custom_data_keys(custom_data jsonb)
RETURNS text[]
AS 'MODULE_PATHNAME', 'customers_custom_data_keys'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 10;
CREATE INDEX customer_custom_data_keys_idx ON customers.customer
	USING gin (tenant_id, customers.custom_data_keys(doc -> 'customData'));
-- The statements that declare an index for ranges or contain at one path
-- (CREATE INDEX CONCURRENTLY, then ANALYZE), for the owner to run; it runs
-- nothing itself.
CREATE FUNCTION customers.custom_data_index(path text[], kind text)
RETURNS SETOF text
AS 'MODULE_PATHNAME', 'customers_custom_data_index'
LANGUAGE C STABLE;
REVOKE ALL ON FUNCTION customers.custom_data_index(text[], text) FROM PUBLIC;

CREATE FUNCTION customers.get(id text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'customers_get'
LANGUAGE C STABLE;

CREATE FUNCTION customers.patch(id text, patch jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'customers_patch_idempotent'
LANGUAGE C VOLATILE;

CREATE FUNCTION customers.archive(id text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'customers_archive_idempotent'
LANGUAGE C VOLATILE;

CREATE FUNCTION customers.restore(id text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'customers_restore_idempotent'
LANGUAGE C VOLATILE;

-- The event store: one row per change of a tenant's objects (customers,
-- payment methods, users, class labels and segments), written by the same
-- call in one set-based statement. It is both the change feed
-- (customers.events, in the order of xid, then id) and the customers'
-- history (customers.history reads the rows that have a version). xid is
-- the writing transaction's id: a reader hands out only the events of
-- transactions older than its snapshot's xmin, so a transaction that
-- commits late can never land behind a cursor already handed out
-- (docs/design.md#the-event-feed). changed_fields and version belong to
-- customer events; data is the object after the change (NULL for history
-- from before 0.2.0 and for erased personal data).
-- No foreign key to customers.customer: its check is one more query per
-- row on the batch save path, and a backend that planned it while the table
-- was small keeps a sequential scan (saves of 100 took 10 times as long
-- until the next ANALYZE). Rows are written only with their customer, and a
-- statement trigger deletes them with it, as ON DELETE CASCADE would.
CREATE TABLE customers.event (
	tenant_id text NOT NULL,
	xid xid8 NOT NULL,
	id text COLLATE "C" NOT NULL,
	type text NOT NULL,
	object_id text COLLATE "C" NOT NULL,
	customer_id text COLLATE "C",
	version bigint,
	actor text NOT NULL,
	created_at timestamptz NOT NULL,
	changed_fields text[],
	data jsonb,
	PRIMARY KEY (tenant_id, xid, id),
	CHECK (version >= 1),
	CHECK ((version IS NULL) = (changed_fields IS NULL))
);
-- a customer's history, by version
CREATE UNIQUE INDEX event_history_idx ON customers.event (tenant_id, object_id, version)
	WHERE version IS NOT NULL;
-- a customer's events, which go with it (delete, erase, and on Citus the
-- foreign key's cascade): without it each removal would read every event
CREATE INDEX event_customer_idx ON customers.event (tenant_id, customer_id)
	WHERE customer_id IS NOT NULL;
-- one object's events in feed order (customers.events with "objectId"):
-- without it such a page read the feed from the cursor on
CREATE INDEX event_object_idx ON customers.event (tenant_id, object_id, xid, id);
-- retention finds old events by time, in whole block ranges: nearly free to
-- keep up on an append-only table (tenant_id first, as in every key)
CREATE INDEX event_created_at_idx ON customers.event USING brin (tenant_id, created_at);

-- Payment methods (seed 002): what the provider returns about a card or a
-- bank account, never card data. isDefault lives in is_default; the partial
-- unique index allows one default per customer.
CREATE TABLE customers.payment_method (
	tenant_id text NOT NULL,
	customer_id text COLLATE "C" NOT NULL,
	id text COLLATE "C" NOT NULL,
	is_default boolean NOT NULL,
	created_at timestamptz NOT NULL,
	doc jsonb NOT NULL,
	PRIMARY KEY (tenant_id, customer_id, id),
	FOREIGN KEY (tenant_id, customer_id) REFERENCES customers.customer (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX payment_method_one_default_idx ON customers.payment_method (tenant_id, customer_id)
	WHERE is_default;

-- Customer users (seed 002). email is the lower-cased address: unique per
-- customer ignoring case.
CREATE TABLE customers.customer_user (
	tenant_id text NOT NULL,
	customer_id text COLLATE "C" NOT NULL,
	id text COLLATE "C" NOT NULL,
	email text NOT NULL,
	created_at timestamptz NOT NULL,
	doc jsonb NOT NULL,
	PRIMARY KEY (tenant_id, customer_id, id),
	UNIQUE (tenant_id, customer_id, email),
	FOREIGN KEY (tenant_id, customer_id) REFERENCES customers.customer (tenant_id, id) ON DELETE CASCADE
);

-- Deleting or truncating customers (never done by the API) takes their
-- events (their history) with them: one statement per deleting statement, over its
-- transition table, as the extension owner and past row level security,
-- as a foreign key's cascade would be.
CREATE FUNCTION customers.delete_customer_history()
RETURNS trigger
AS 'MODULE_PATHNAME', 'customers_delete_customer_history'
LANGUAGE C;
CREATE TRIGGER customer_history_delete AFTER DELETE ON customers.customer
	REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT
	EXECUTE FUNCTION customers.delete_customer_history();
CREATE TRIGGER customer_history_truncate AFTER TRUNCATE ON customers.customer
	FOR EACH STATEMENT EXECUTE FUNCTION customers.delete_customer_history();
-- Only its own triggers run it: no one may attach it to another table.
REVOKE EXECUTE ON FUNCTION customers.delete_customer_history() FROM PUBLIC;

SELECT pg_catalog.pg_extension_config_dump('customers.event', '');
SELECT pg_catalog.pg_extension_config_dump('customers.payment_method', '');
SELECT pg_catalog.pg_extension_config_dump('customers.customer_user', '');

ALTER TABLE customers.event ENABLE ROW LEVEL SECURITY;
ALTER TABLE customers.event FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON customers.event
	USING (tenant_id OPERATOR(pg_catalog.=) customers.current_tenant())
	WITH CHECK (tenant_id OPERATOR(pg_catalog.=) customers.current_tenant());
ALTER TABLE customers.payment_method ENABLE ROW LEVEL SECURITY;
ALTER TABLE customers.payment_method FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON customers.payment_method
	USING (tenant_id OPERATOR(pg_catalog.=) customers.current_tenant())
	WITH CHECK (tenant_id OPERATOR(pg_catalog.=) customers.current_tenant());
ALTER TABLE customers.customer_user ENABLE ROW LEVEL SECURITY;
ALTER TABLE customers.customer_user FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON customers.customer_user
	USING (tenant_id OPERATOR(pg_catalog.=) customers.current_tenant())
	WITH CHECK (tenant_id OPERATOR(pg_catalog.=) customers.current_tenant());

CREATE FUNCTION customers.history(id text, request jsonb DEFAULT '{}')
RETURNS jsonb
AS 'MODULE_PATHNAME', 'customers_history'
LANGUAGE C STABLE;

-- The change feed (docs/api.md §3.10): a tenant's events after a cursor.
CREATE FUNCTION customers.events(request jsonb DEFAULT '{}')
RETURNS jsonb
AS 'MODULE_PATHNAME', 'customers_events'
LANGUAGE C STABLE;

-- Retention: removes one batch of events older than customers.event_retention,
-- of every tenant. The operator's, like distribute(): not PUBLIC's.
CREATE FUNCTION customers.purge_events(batch_size integer DEFAULT 1000)
RETURNS bigint
AS 'MODULE_PATHNAME', 'customers_purge_events'
LANGUAGE C VOLATILE;
REVOKE ALL ON FUNCTION customers.purge_events(integer) FROM PUBLIC;

CREATE FUNCTION customers.save_payment_method(customer_id text, method jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'customers_save_payment_method_idempotent'
LANGUAGE C VOLATILE;

CREATE FUNCTION customers.payment_methods(customer_id text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'customers_payment_methods'
LANGUAGE C STABLE;

CREATE FUNCTION customers.payment_method(customer_id text, id text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'customers_payment_method'
LANGUAGE C STABLE;

CREATE FUNCTION customers.detach_payment_method(customer_id text, id text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'customers_detach_payment_method_idempotent'
LANGUAGE C VOLATILE;

CREATE FUNCTION customers.create_user(customer_id text, "user" jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'customers_create_user_idempotent'
LANGUAGE C VOLATILE;

CREATE FUNCTION customers.users(customer_id text, request jsonb DEFAULT '{}')
RETURNS jsonb
AS 'MODULE_PATHNAME', 'customers_users'
LANGUAGE C STABLE;

-- Removes a customer for good, with its payment methods, users, segments
-- (the foreign keys' cascades) and history (the trigger above).
CREATE FUNCTION customers.delete(id text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'customers_delete_idempotent'
LANGUAGE C VOLATILE;

-- What row level security does not cover. TRUNCATE ignores the policies, so
-- each table refuses it to a role they confine (it would empty every
-- tenant). And a confined role that reads the cursor key (which signs every
-- tenant's cursors), pg_dump --enable-row-security among them, gets an
-- error from the key's policy instead of a silently empty table.
CREATE FUNCTION customers.refuse_confined_truncate()
RETURNS trigger
AS 'MODULE_PATHNAME', 'customers_refuse_confined_truncate'
LANGUAGE C;
REVOKE EXECUTE ON FUNCTION customers.refuse_confined_truncate() FROM PUBLIC;
CREATE TRIGGER refuse_confined_truncate BEFORE TRUNCATE ON customers.customer
	FOR EACH STATEMENT EXECUTE FUNCTION customers.refuse_confined_truncate();
CREATE TRIGGER refuse_confined_truncate BEFORE TRUNCATE ON customers.class_label
	FOR EACH STATEMENT EXECUTE FUNCTION customers.refuse_confined_truncate();
CREATE TRIGGER refuse_confined_truncate BEFORE TRUNCATE ON customers.class_segment
	FOR EACH STATEMENT EXECUTE FUNCTION customers.refuse_confined_truncate();
CREATE TRIGGER refuse_confined_truncate BEFORE TRUNCATE ON customers.customer_segment
	FOR EACH STATEMENT EXECUTE FUNCTION customers.refuse_confined_truncate();
CREATE TRIGGER refuse_confined_truncate BEFORE TRUNCATE ON customers.cursor_key
	FOR EACH STATEMENT EXECUTE FUNCTION customers.refuse_confined_truncate();
CREATE TRIGGER refuse_confined_truncate BEFORE TRUNCATE ON customers.event
	FOR EACH STATEMENT EXECUTE FUNCTION customers.refuse_confined_truncate();
CREATE TRIGGER refuse_confined_truncate BEFORE TRUNCATE ON customers.payment_method
	FOR EACH STATEMENT EXECUTE FUNCTION customers.refuse_confined_truncate();
CREATE TRIGGER refuse_confined_truncate BEFORE TRUNCATE ON customers.customer_user
	FOR EACH STATEMENT EXECUTE FUNCTION customers.refuse_confined_truncate();

-- The policy's function must be executable by the roles it refuses, and it
-- only raises.
CREATE FUNCTION customers.cursor_key_guard()
RETURNS boolean
AS 'MODULE_PATHNAME', 'customers_cursor_key_guard'
LANGUAGE C VOLATILE;
CREATE POLICY owner_only ON customers.cursor_key
	USING (customers.cursor_key_guard())
	WITH CHECK (customers.cursor_key_guard());
-- Idempotency keys (docs/api.md §3.8): the first result of a writing call
-- made under customers.idempotency_key, replayed to its retries until it
-- expires. fingerprint is the SHA-256 of the function and its arguments;
-- customer_ref the customer argument as given (erase scrubs its results).
CREATE TABLE customers.idempotency_key (
	tenant_id text NOT NULL,
	key text NOT NULL,
	function text NOT NULL,
	fingerprint bytea NOT NULL,
	customer_ref text,
	response jsonb,
	created_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL,
	PRIMARY KEY (tenant_id, key)
);
-- a tenant's expired keys, deleted by its own keyed calls (every key
-- starts with tenant_id; customers.purge_idempotency_keys() reads the table)
CREATE INDEX idempotency_key_expires_idx ON customers.idempotency_key (tenant_id, expires_at);
SELECT pg_catalog.pg_extension_config_dump('customers.idempotency_key', '');
ALTER TABLE customers.idempotency_key ENABLE ROW LEVEL SECURITY;
ALTER TABLE customers.idempotency_key FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON customers.idempotency_key
	USING (tenant_id OPERATOR(pg_catalog.=) customers.current_tenant())
	WITH CHECK (tenant_id OPERATOR(pg_catalog.=) customers.current_tenant());
CREATE TRIGGER refuse_confined_truncate BEFORE TRUNCATE ON customers.idempotency_key
	FOR EACH STATEMENT EXECUTE FUNCTION customers.refuse_confined_truncate();

-- Deletes up to batch expired keys of every tenant: an administrator's
-- schedule calls it (not PUBLIC's).
CREATE FUNCTION customers.purge_idempotency_keys(batch integer DEFAULT 1000)
RETURNS integer
AS 'MODULE_PATHNAME', 'customers_purge_idempotency_keys'
LANGUAGE C VOLATILE;
REVOKE ALL ON FUNCTION customers.purge_idempotency_keys(integer) FROM PUBLIC;

-- Erased customers (docs/api.md §3.9): the tombstone that proves an
-- erasure and refuses the id (and a kept externalId) to later writes. It
-- holds no personal data: the id, the externalId only when the caller asked
-- to keep it, when and by whom.
CREATE TABLE customers.erased_customer (
	tenant_id text NOT NULL,
	id text COLLATE "C" NOT NULL,
	external_id text,
	erased_at timestamptz NOT NULL,
	erased_by text NOT NULL,
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, external_id)
);
SELECT pg_catalog.pg_extension_config_dump('customers.erased_customer', '');
ALTER TABLE customers.erased_customer ENABLE ROW LEVEL SECURITY;
ALTER TABLE customers.erased_customer FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON customers.erased_customer
	USING (tenant_id OPERATOR(pg_catalog.=) customers.current_tenant())
	WITH CHECK (tenant_id OPERATOR(pg_catalog.=) customers.current_tenant());
CREATE TRIGGER refuse_confined_truncate BEFORE TRUNCATE ON customers.erased_customer
	FOR EACH STATEMENT EXECUTE FUNCTION customers.refuse_confined_truncate();

-- Erases a customer's personal data for good and keeps its tombstone.
CREATE FUNCTION customers.erase(id text, options jsonb DEFAULT '{}')
RETURNS jsonb
AS 'MODULE_PATHNAME', 'customers_erase_idempotent'
LANGUAGE C VOLATILE;

-- Citus: one step that distributes every table by tenant_id, colocated with
-- customers.customer, and replicates the cursor key to every node. Run on
-- the coordinator after CREATE EXTENSION (Citus's hooks are off inside
-- extension scripts). Citus refuses tables with triggers: the history
-- statement triggers give way to a foreign key that deletes a customer's
-- history with it, as they did, and the triggers that refuse TRUNCATE to
-- confined roles go (on Citus, grant no role TRUNCATE on these tables).
-- Running it again changes nothing.
CREATE FUNCTION customers.distribute()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	t text;
BEGIN
	IF NOT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus') THEN
		RAISE EXCEPTION 'Citus is not installed in this database'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'customers.distribute() distributes the tables of customers with Citus.',
				  HINT = 'Add citus to shared_preload_libraries, run CREATE EXTENSION citus and add the workers with citus_add_node() first.';
	END IF;
	DROP TRIGGER IF EXISTS customer_history_delete ON customers.customer;
	DROP TRIGGER IF EXISTS customer_history_truncate ON customers.customer;
	FOREACH t IN ARRAY ARRAY['customer', 'class_label', 'class_segment', 'customer_segment',
							 'event', 'payment_method', 'customer_user', 'idempotency_key',
							 'erased_customer', 'cursor_key'] LOOP
		EXECUTE format('DROP TRIGGER IF EXISTS refuse_confined_truncate ON customers.%I', t);
	END LOOP;
	-- referenced tables first
	FOREACH t IN ARRAY ARRAY['customer', 'class_label', 'class_segment', 'customer_segment',
							 'event', 'payment_method', 'customer_user', 'idempotency_key',
							 'erased_customer'] LOOP
		IF NOT EXISTS (SELECT FROM pg_dist_partition
					   WHERE logicalrelid = format('customers.%I', t)::regclass) THEN
			PERFORM create_distributed_table(format('customers.%I', t), 'tenant_id',
											 colocate_with => CASE t WHEN 'customer' THEN 'default'
															  ELSE 'customers.customer' END);
		END IF;
	END LOOP;
	IF NOT EXISTS (SELECT FROM pg_constraint
				   WHERE conrelid = 'customers.event'::regclass
					 AND conname = 'event_customer_fkey') THEN
		ALTER TABLE customers.event ADD CONSTRAINT event_customer_fkey
			FOREIGN KEY (tenant_id, customer_id) REFERENCES customers.customer (tenant_id, id)
			ON DELETE CASCADE;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_dist_partition
				   WHERE logicalrelid = 'customers.cursor_key'::regclass) THEN
		PERFORM create_reference_table('customers.cursor_key');
	END IF;
END
$$;
REVOKE ALL ON FUNCTION customers.distribute() FROM PUBLIC;
