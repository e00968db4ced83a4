'use strict';
// The example server: the seed REST and Tight v6 customer endpoints over the
// customers extension. Configuration (environment):
//   HOST, PORT          where to listen (default 127.0.0.1:3000; PORT=0 picks a free port)
//   CUSTOMERS_TOKENS    path of the token file (see lib/tokens.js), required
//   POOL_MAX            connections in each pool (default 10)
//   PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD
//                       the database, as for psql; PGHOST may be a socket directory
//   READ_PGHOST, READ_PGPORT
//                       optional: a hot standby for the reading routes (get,
//                       query, lists); database, role and password as above
// Prints "listening on http://HOST:PORT" once it accepts requests; SIGTERM or
// SIGINT stops it after the requests in flight.

const { createServer } = require('./lib/app');
const { createPool } = require('./lib/db');
const { loadTokens } = require('./lib/tokens');

function main() {
	if (!process.env.CUSTOMERS_TOKENS) {
		console.error('CUSTOMERS_TOKENS must name the token file');
		process.exit(2);
	}
	const tokens = loadTokens(process.env.CUSTOMERS_TOKENS);
	const max = Number(process.env.POOL_MAX || 10);
	const pools = { primary: createPool(max) };
	if (process.env.READ_PGHOST)
		pools.replica = createPool(max, {
			host: process.env.READ_PGHOST,
			port: Number(process.env.READ_PGPORT || process.env.PGPORT || 5432),
		});
	// An idle connection that breaks (server restart) is dropped, not fatal.
	for (const pool of Object.values(pools))
		pool.on('error', (err) => console.error(`idle connection: ${err.message}`));

	const server = createServer(pools, tokens);
	const host = process.env.HOST || '127.0.0.1';
	server.listen(Number(process.env.PORT || 3000), host, () => {
		console.log(`listening on http://${host}:${server.address().port}`);
	});

	const stop = () => {
		server.close(() => Promise.all(Object.values(pools).map((pool) => pool.end())).then(() => process.exit(0)));
		server.closeIdleConnections?.();
	};
	process.on('SIGTERM', stop);
	process.on('SIGINT', stop);
}

main();
