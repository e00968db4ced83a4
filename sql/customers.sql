-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION customers" to load this file. \quit

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

-- The key that signs query cursors: made here from PostgreSQL's strong
-- random source, and dumped with the data so cursors survive a dump and
-- restore. A restore runs this script (one new key) and then loads the
-- dumped key; the oldest key is the one in use, so the dumped one wins. Each
-- tenant's cursors are signed with a key derived from it and the tenant id.
-- Only the extension owner reads it (row level security with no policy).
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

CREATE FUNCTION customers.save(request jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'customers_save'
LANGUAGE C VOLATILE;

CREATE FUNCTION customers.query(request jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'customers_query'
LANGUAGE C STABLE;

CREATE FUNCTION customers.get(id text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'customers_get'
LANGUAGE C STABLE;

CREATE FUNCTION customers.patch(id text, patch jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'customers_patch'
LANGUAGE C VOLATILE;

CREATE FUNCTION customers.archive(id text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'customers_archive'
LANGUAGE C VOLATILE;

CREATE FUNCTION customers.restore(id text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'customers_restore'
LANGUAGE C VOLATILE;
