'use strict';
// The webhook dispatcher (lib/webhooks.js): sends every tenant's events to
// the endpoints registered for them. Configuration (environment):
//   PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD
//                        the database, as for psql (the role needs USAGE on
//                        schema customers, and owns schema webhooks, which
//                        it creates when missing)
//   WEBHOOK_BASE_DELAY_MS  the first retry's delay, doubled for each next one (1000)
//   WEBHOOK_MAX_DELAY_MS   the longest delay between two attempts (3600000)
//   WEBHOOK_MAX_ATTEMPTS   attempts before a delivery fails (12: about 34 hours at the defaults)
//   WEBHOOK_TIMEOUT_MS     how long a receiver may take to answer (10000)
//   WEBHOOK_POLL_MS        how often it looks for events without a notification (1000)
// Prints "dispatching" once it runs; SIGTERM or SIGINT stops it after the
// deliveries in flight.

const { createPool } = require('./lib/db');
const { Dispatcher, ensureSchema } = require('./lib/webhooks');

async function main() {
	const pool = createPool(Number(process.env.POOL_MAX || 10), { application_name: 'customers-webhooks' });
	pool.on('error', (err) => console.error(`idle connection: ${err.message}`));
	await ensureSchema(pool);
	const number = (name, fallback) => (process.env[name] ? Number(process.env[name]) : fallback);
	const dispatcher = new Dispatcher(pool, {
		baseDelayMs: number('WEBHOOK_BASE_DELAY_MS', 1000),
		maxDelayMs: number('WEBHOOK_MAX_DELAY_MS', 3600 * 1000),
		maxAttempts: number('WEBHOOK_MAX_ATTEMPTS', 12),
		timeoutMs: number('WEBHOOK_TIMEOUT_MS', 10000),
		pollMs: number('WEBHOOK_POLL_MS', 1000),
	});
	await dispatcher.start();
	console.log('dispatching');
	const stop = () => dispatcher.stop().then(() => pool.end()).then(() => process.exit(0));
	process.on('SIGTERM', stop);
	process.on('SIGINT', stop);
}

main().catch((err) => {
	console.error(err.message);
	process.exit(1);
});
