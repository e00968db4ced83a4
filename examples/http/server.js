'use strict';
// The example server: the seed REST and Tight v6 customer endpoints over the
// customers extension. Configuration (environment):
//   HOST, PORT          where to listen (default 127.0.0.1:3000; PORT=0 picks a free port)
//   CUSTOMERS_TOKENS    path of the token file (see lib/tokens.js), required
//   POOL_MAX            connections in the pool (default 10)
//   PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD
//                       the database, as for psql; PGHOST may be a socket directory
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
	const pool = createPool(Number(process.env.POOL_MAX || 10));
	// An idle connection that breaks (server restart) is dropped, not fatal.
	pool.on('error', (err) => console.error(`idle connection: ${err.message}`));

	const server = createServer(pool, tokens);
	const host = process.env.HOST || '127.0.0.1';
	server.listen(Number(process.env.PORT || 3000), host, () => {
		console.log(`listening on http://${host}:${server.address().port}`);
	});

	const stop = () => {
		server.close(() => pool.end().then(() => process.exit(0)));
		server.closeIdleConnections?.();
	};
	process.on('SIGTERM', stop);
	process.on('SIGINT', stop);
}

main();
