-- customers 0.1.0 -> 0.2.0
-- Every schema change of 0.2.0 adds its statements here, in the order they
-- appear in sql/customers.sql; test/t/004_upgrade.pl compares the result
-- with a fresh install of 0.2.0.
\echo Use "ALTER EXTENSION customers UPDATE TO '0.2.0'" to load this file. \quit

-- The owner of a schema can drop any object in it, so schema customers must
-- belong to the role that creates the extension, or to a superuser. A
-- schema left by an earlier install or created beforehand by another role
-- stops CREATE EXTENSION here (and this update).
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

-- 0.1.0's history becomes the customer events, in the order it was written
-- (ids that sort before any new one); each customer's latest version gets its
-- stored document, older versions have none.
INSERT INTO customers.event (tenant_id, xid, id, type, object_id, customer_id, version, actor,
	created_at, changed_fields, data)
SELECT h.tenant_id, pg_catalog.pg_current_xact_id(),
	'evt_' OPERATOR(pg_catalog.||) pg_catalog.lpad((pg_catalog.row_number() OVER (
		ORDER BY h.changed_at, h.tenant_id, h.customer_id, h.version))::text, 26, '0'),
	CASE h.action WHEN 'CREATE' THEN 'customer.created' WHEN 'UPDATE' THEN 'customer.updated'
		WHEN 'PATCH' THEN 'customer.patched' WHEN 'ARCHIVE' THEN 'customer.archived'
		ELSE 'customer.restored' END,
	h.customer_id, h.customer_id, h.version, h.actor, h.changed_at, h.changed_fields,
	CASE WHEN c.version OPERATOR(pg_catalog.=) h.version THEN c.doc END
FROM customers.customer_history h
LEFT JOIN customers.customer c ON c.tenant_id OPERATOR(pg_catalog.=) h.tenant_id
	AND c.id OPERATOR(pg_catalog.=) h.customer_id;
-- out of the extension first, which also takes it from the tables pg_dump
-- dumps (DROP TABLE alone leaves it there)
ALTER EXTENSION customers DROP TABLE customers.customer_history;
DROP TABLE customers.customer_history;
SELECT pg_catalog.pg_extension_config_dump('customers.event', '');
ALTER TABLE customers.event ENABLE ROW LEVEL SECURITY;
ALTER TABLE customers.event FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON customers.event
	USING (tenant_id OPERATOR(pg_catalog.=) customers.current_tenant())
	WITH CHECK (tenant_id OPERATOR(pg_catalog.=) customers.current_tenant());

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

-- Only its own triggers run it: no one may attach it to another table.
REVOKE EXECUTE ON FUNCTION customers.delete_customer_history() FROM PUBLIC;

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
-- The writing functions run under their idempotency key (src/idempotency.c).
CREATE OR REPLACE FUNCTION customers.save(request jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'customers_save_idempotent'
LANGUAGE C VOLATILE;
CREATE OR REPLACE FUNCTION customers.patch(id text, patch jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'customers_patch_idempotent'
LANGUAGE C VOLATILE;
CREATE OR REPLACE FUNCTION customers.archive(id text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'customers_archive_idempotent'
LANGUAGE C VOLATILE;
CREATE OR REPLACE FUNCTION customers.restore(id text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'customers_restore_idempotent'
LANGUAGE C VOLATILE;
CREATE OR REPLACE FUNCTION customers.save_payment_method(customer_id text, method jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'customers_save_payment_method_idempotent'
LANGUAGE C VOLATILE;
CREATE OR REPLACE FUNCTION customers.detach_payment_method(customer_id text, id text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'customers_detach_payment_method_idempotent'
LANGUAGE C VOLATILE;
CREATE OR REPLACE FUNCTION customers.create_user(customer_id text, "user" jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'customers_create_user_idempotent'
LANGUAGE C VOLATILE;
CREATE OR REPLACE FUNCTION customers.save_class_labels(request jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'customers_save_class_labels_idempotent'
LANGUAGE C VOLATILE;
CREATE OR REPLACE FUNCTION customers.save_class_segments(request jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'customers_save_class_segments_idempotent'
LANGUAGE C VOLATILE;
CREATE OR REPLACE FUNCTION customers.delete_class_segment(id text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'customers_delete_class_segment_idempotent'
LANGUAGE C VOLATILE;

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

-- A customer's EIN is a us_ein tax id in 0.2.0's documents (docs/api.md §2):
-- the documents of 0.1.0 that hold "ein" are converted (they hold no
-- taxIds); version and times stay, as the customer did not change.
UPDATE customers.customer
SET doc = (doc OPERATOR(pg_catalog.-) 'ein'::text) OPERATOR(pg_catalog.||)
	pg_catalog.jsonb_build_object('taxIds', pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object(
		'type', 'us_ein', 'value', doc OPERATOR(pg_catalog.->) 'ein')))
WHERE doc OPERATOR(pg_catalog.?) 'ein';

-- Filters and sorts on currency, address.countryCode and taxIds.value
-- (docs/api.md §4.1), each served by an index on its expression.
CREATE INDEX customer_currency_idx ON customers.customer (tenant_id, (doc ->> 'currency'), id);
CREATE INDEX customer_country_code_idx ON customers.customer
	(tenant_id, ((doc -> 'address') ->> 'countryCode'), id);
CREATE INDEX customer_tax_ids_idx ON customers.customer
	USING gin (tenant_id, (doc -> 'taxIds') jsonb_path_ops);

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
-- the statistics of the key paths, which "exists" is planned with
ANALYZE customers.customer;

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
-- the statistics of its grams, which a short contain is planned with
ANALYZE customers.customer;
