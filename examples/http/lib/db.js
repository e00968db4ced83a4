'use strict';
// One request, one transaction, one tenant.
//
// Every request borrows a pooled connection and runs:
//   BEGIN [READ ONLY]
//   SELECT set_config('customers.tenant_id', $1, true), set_config('customers.actor', $2, true),
//          set_config('customers.idempotency_key', $3, true)   (the Idempotency-Key header, or '')
//   <the one statement that calls the extension, values as $n parameters>
//   COMMIT                      (ROLLBACK on any error)
// set_config(..., true) is the parameterized SET LOCAL: the settings end with
// the transaction, so the next request on the same connection starts with
// no tenant (and customers.require_tenant, which the administrator turns on
// for the application's role with ALTER ROLE ... SET, makes a call without
// one fail rather than act for the tenant "default"). Values
// travel in the extended protocol (Parse/Bind/Execute, unnamed statements),
// so nothing from a request is ever spliced into SQL text, and the unnamed
// statements also work through a transaction-pooling proxy.

const pg = require('pg');

// A pool configured from the usual PG* environment variables (PGHOST may be
// a Unix socket directory), and overrides such as another host and port.
function createPool(max, overrides = {}) {
	return new pg.Pool({
		max,
		application_name: 'customers-http-example',
		...overrides,
	});
}

// Run sql with values for principal in one transaction, under an
// idempotency key ('' for none); resolves to the first row.
async function callAs(pool, principal, readOnly, sql, values, idempotencyKey = '') {
	const client = await pool.connect();
	let broken;
	// A connection that dies mid-request (the backend was terminated) also
	// emits "error" on the client: without a listener that would end the
	// process. The query in flight fails on its own; the client is dropped.
	const onError = (err) => { broken = broken || err; };
	client.on('error', onError);
	try {
		await client.query(readOnly ? 'BEGIN READ ONLY' : 'BEGIN');
		await client.query(
			"SELECT pg_catalog.set_config('customers.tenant_id', $1, true), " +
			"pg_catalog.set_config('customers.actor', $2, true), " +
			"pg_catalog.set_config('customers.idempotency_key', $3, true)",
			[principal.tenant, principal.actor, idempotencyKey]);
		const result = await client.query(sql, values);
		await client.query('COMMIT');
		return result.rows[0];
	} catch (err) {
		try {
			await client.query('ROLLBACK');
		} catch (rollbackError) {
			broken = rollbackError; // the connection is unusable: drop it from the pool
		}
		throw err;
	} finally {
		client.removeListener('error', onError);
		client.release(broken);
	}
}

module.exports = { createPool, callAs };
