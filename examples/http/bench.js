'use strict';
// Latency of the server against the driver alone (README, "What it costs").
// Bounded: 5,000 requests per case to 127.0.0.1 after 200 of warm-up.
//   PGHOST=... PGUSER=<superuser> node bench.js
// It (re)creates the test database of test/harness.js and starts the server.

const http = require('node:http');

const pg = require('pg');

const { callAs } = require('./lib/db');
const h = require('./test/harness');

const N = 5000;
const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });

// One GET with a kept-alive connection; resolves to the status.
function get(port, path) {
	return new Promise((resolve, reject) => {
		http.get({ host: '127.0.0.1', port, path, agent, headers: { authorization: `Bearer ${h.TOKENS.acme.token}` } }, (res) => {
			res.resume();
			res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${path}: ${res.statusCode}`))));
		}).on('error', reject);
	});
}

// Run fn n times over conc concurrent loops; print latency and throughput.
async function measure(label, conc, fn) {
	for (let i = 0; i < 200; i++)
		await fn(i);
	const start = process.hrtime.bigint();
	let next = 0;
	await Promise.all(Array.from({ length: conc }, async () => {
		while (next < N)
			await fn(next++);
	}));
	const ms = Number(process.hrtime.bigint() - start) / 1e6;
	console.log(`${label}: ${(ms / N * conc).toFixed(3)} ms latency, ${Math.round(N / ms * 1000)} requests/s`);
}

async function main() {
	const db = await h.createDatabase();
	const tokens = h.writeTokenFile();
	const server = await h.startServer(tokens.file);
	const customers = Array.from({ length: 100 }, (_, i) => ({ id: `cus_bench${i}`, name: `Bench ${i}`, email: `b${i}@example.com` }));
	await h.request(server.port, 'POST', '/v6/customers', { token: 'acme', json: { data: customers } });
	const id = (i) => `cus_bench${i % 100}`;

	const pool = new pg.Pool({ user: h.APP_ROLE, database: h.DATABASE, max: 1 });
	const client = await pool.connect();
	await client.query("SET customers.tenant_id = 'acme'");
	await measure('SELECT customers.get($1) alone', 1, (i) => client.query('SELECT customers.get($1)::text', [id(i)]));
	client.release();
	const principal = { tenant: 'acme', actor: 'bench' };
	await measure('the same in the request transaction (callAs)', 1,
		(i) => callAs(pool, principal, true, 'SELECT customers.get($1)::text', [id(i)]));
	await pool.end();

	await measure('GET /customers/{id}, 1 client', 1, (i) => get(server.port, `/customers/${id(i)}`));
	await measure('GET /customers/{id}, 2 clients', 2, (i) => get(server.port, `/customers/${id(i)}`));
	await measure('GET /customers?limit=50, 1 client', 1, () => get(server.port, '/customers?limit=50'));

	agent.destroy();
	await h.stopServer(server);
	await db.end();
	require('node:fs').rmSync(tokens.dir, { recursive: true, force: true });
}

main().catch((err) => {
	console.error(err);
	process.exit(1);
});
