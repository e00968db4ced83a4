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
