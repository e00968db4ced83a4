'use strict';
// End to end: the webhook dispatcher (dispatcher.js) sends the change feed
// of two tenants to a real HTTP receiver on 127.0.0.1, through endpoints
// registered with the server's routes. Every event arrives, signed, in
// order per customer; a receiver answering 500 for a while gets retries;
// a dispatcher killed (SIGKILL) mid-delivery and restarted loses nothing
// and repeats only the delivery that was in flight; a delivery that
// exhausts its attempts fails, does not hold back its customer's later
// events, and is delivered when replayed. Deliveries and attempts are
// listed per tenant.

const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const http = require('node:http');
const path = require('node:path');
const { after, before, test } = require('node:test');

const h = require('./harness');
const { verify, SIGNATURE_HEADER } = require('../lib/webhooks');

let db;
let tokenDir;
let server;
let dispatcher;
let receiver;
const received = []; // every request the receiver got, in arrival order
let answer = () => 200; // how the receiver answers a request: a status, or 'hold'
const held = [];

function startReceiver() {
	return new Promise((resolve) => {
		const srv = http.createServer((req, res) => {
			const chunks = [];
			req.on('data', (c) => chunks.push(c));
			req.on('end', () => {
				const body = Buffer.concat(chunks).toString('utf8');
				const event = JSON.parse(body);
				const secret = srv.secrets[req.url];
				const hit = {
					path: req.url, event, eventId: req.headers['customers-event-id'],
					deliveryId: req.headers['customers-delivery-id'],
					signed: verify(secret, req.headers[SIGNATURE_HEADER], body),
				};
				const status = answer(hit);
				hit.status = status;
				received.push(hit);
				if (status === 'hold')
					held.push(res);
				else {
					res.writeHead(status);
					res.end();
				}
			});
		});
		srv.secrets = {};
		srv.listen(0, '127.0.0.1', () => resolve(srv));
	});
}

function startDispatcher() {
	const child = spawn(process.execPath, [path.join(__dirname, '..', 'dispatcher.js')], {
		env: {
			...process.env, PGUSER: h.APP_ROLE, PGDATABASE: h.DATABASE,
			WEBHOOK_BASE_DELAY_MS: '100', WEBHOOK_MAX_DELAY_MS: '400', WEBHOOK_MAX_ATTEMPTS: '4',
			WEBHOOK_TIMEOUT_MS: '1000', WEBHOOK_POLL_MS: '100',
		},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const proc = { child, log: '' };
	child.stderr.on('data', (c) => { proc.log += c; });
	process.on('exit', () => child.kill('SIGKILL'));
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`dispatcher did not start:\n${proc.log}`)), 15000);
		child.stdout.on('data', (c) => {
			if (/dispatching/.test(c)) {
				clearTimeout(timer);
				resolve(proc);
			}
		});
		child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`dispatcher exited with ${code}:\n${proc.log}`)); });
	});
}

function stopDispatcher(proc, signal = 'SIGTERM') {
	if (proc.child.exitCode !== null || proc.child.signalCode !== null)
		return Promise.resolve();
	return new Promise((resolve) => {
		proc.child.removeAllListeners('exit');
		proc.child.on('exit', () => resolve());
		proc.child.kill(signal);
	});
}

async function until(what, predicate, ms = 20000) {
	const end = Date.now() + ms;
	while (!(await predicate())) {
		if (Date.now() > end)
			throw new Error(`timed out waiting for ${what}; received ${JSON.stringify(received.map((r) => [r.event.type, r.event.objectId, r.status]))}\n${dispatcher ? dispatcher.log : ''}`);
		await new Promise((r) => setTimeout(r, 50));
	}
}

// Run SQL for a tenant as the database's owner
async function asTenant(tenant, sql, values = []) {
	await db.query('BEGIN');
	await db.query("SELECT set_config('customers.tenant_id', $1, true)", [tenant]);
	const result = await db.query(sql, values);
	await db.query('COMMIT');
	return result.rows;
}

// The ids of every event of a tenant's feed, of the given types
async function feedIds(tenant, types = null) {
	const rows = await asTenant(tenant, `SELECT e ->> 'id' AS id FROM jsonb_array_elements(
		customers.events(jsonb_build_object('limit', 1000, 'types', $1::text[])) -> 'data') AS e`, [types]);
	return rows.map((r) => r.id);
}

const deliveredIds = (p) => new Set(received.filter((r) => r.path === p && r.status === 200).map((r) => r.eventId));

// every customer's events reached the receiver in version order (first successful receipts)
function assertOrderPerCustomer(p) {
	const last = new Map();
	const seen = new Set();
	for (const r of received.filter((x) => x.path === p && x.status === 200)) {
		if (seen.has(r.eventId) || r.event.objectVersion === null)
			continue;
		seen.add(r.eventId);
		const before = last.get(r.event.objectId) || 0;
		assert.ok(r.event.objectVersion > before, `${r.event.objectId} version ${r.event.objectVersion} after ${before}`);
		last.set(r.event.objectId, r.event.objectVersion);
	}
}

let acme;
let globex;

before(async () => {
	db = await h.createDatabase();
	await db.query(`GRANT CREATE ON DATABASE ${h.DATABASE} TO ${h.APP_ROLE}`);
	tokenDir = h.writeTokenFile();
	receiver = await startReceiver();
	dispatcher = await startDispatcher(); // creates schema webhooks
	server = await h.startServer(tokenDir.file);
});

after(async () => {
	for (const res of held.splice(0))
		res.destroy();
	if (dispatcher)
		await stopDispatcher(dispatcher);
	if (server)
		await h.stopServer(server);
	receiver?.close();
	await db?.end();
	require('node:fs').rmSync(tokenDir.dir, { recursive: true, force: true });
});

test('endpoints are registered per tenant, and get only the events written after', async () => {
	await asTenant('acme', `SELECT customers.save('{"data": [{"id": "cus_before", "name": "Before"}]}')`);
	const base = `http://127.0.0.1:${receiver.address().port}`;
	let res = await h.request(server.port, 'POST', '/webhook-endpoints', { token: 'acme', json: { url: `${base}/acme` } });
	assert.equal(res.status, 201, res.text);
	acme = res.body;
	assert.match(acme.secret, /^whsec_[0-9a-f]{64}$/);
	receiver.secrets['/acme'] = acme.secret;
	res = await h.request(server.port, 'POST', '/webhook-endpoints', {
		token: 'globex', json: { url: `${base}/globex`, types: ['customer.created'], secret: 'globex-secret-0123456789' },
	});
	assert.equal(res.status, 201, res.text);
	globex = res.body;
	receiver.secrets['/globex'] = 'globex-secret-0123456789';
	res = await h.request(server.port, 'POST', '/webhook-endpoints', { token: 'acme', json: { url: 'ftp://x' } });
	assert.equal(res.status, 400);
	res = await h.request(server.port, 'POST', '/webhook-endpoints', { token: 'acme', json: { url: base, types: ['customer.exploded'] } });
	assert.equal(res.status, 400);
	assert.match(res.text, /unrecognized event type/);
	res = await h.request(server.port, 'GET', '/webhook-endpoints', { token: 'globex' });
	assert.deepEqual(res.body.data.map((e) => e.id), [globex.id]);
	assert.equal(res.body.data[0].secret, undefined);
});

test('every event arrives once, signed, in order per customer; types filter', async () => {
	await asTenant('acme', `SELECT customers.save('{"data": [{"id": "cus_a", "name": "A"}, {"id": "cus_b", "name": "B"}]}')`);
	for (let i = 1; i <= 5; i++) {
		await asTenant('acme', "SELECT customers.patch('cus_a', jsonb_build_object('name', 'A' || $1::text))", [i]);
		await asTenant('acme', "SELECT customers.patch('cus_b', jsonb_build_object('name', 'B' || $1::text))", [i]);
	}
	await asTenant('acme', `SELECT customers.create_user('cus_a', '{"email": "a@example.com"}')`);
	await asTenant('globex', `SELECT customers.save('{"data": [{"id": "cus_g", "name": "G"}]}')`);
	await asTenant('globex', "SELECT customers.patch('cus_g', '{\"name\": \"G2\"}')");
	const acmeIds = (await feedIds('acme')).slice(1); // all but cus_before's
	await until('acme and globex events', () => deliveredIds('/acme').size === acmeIds.length && deliveredIds('/globex').size === 1);
	assert.deepEqual([...deliveredIds('/acme')].sort(), [...acmeIds].sort());
	assert.deepEqual([...deliveredIds('/globex')], await feedIds('globex', ['customer.created']));
	assert.ok(received.every((r) => r.signed), 'every delivery is signed with its endpoint\'s secret');
	assert.equal(received.filter((r) => r.event.objectId === 'cus_before').length, 0);
	assertOrderPerCustomer('/acme');
});

test('a receiver answering 500 for a while gets retries; attempts are listed', async () => {
	let failures = 0;
	answer = (hit) => (hit.event.objectId === 'cus_r' && failures++ < 2 ? 500 : 200);
	await asTenant('acme', `SELECT customers.save('{"data": [{"id": "cus_r", "name": "R"}]}')`);
	await asTenant('acme', "SELECT customers.patch('cus_r', '{\"name\": \"R2\"}')");
	await until('cus_r delivered', () => received.filter((r) => r.event.objectId === 'cus_r' && r.status === 200).length === 2);
	answer = () => 200;
	const hits = received.filter((r) => r.event.objectId === 'cus_r');
	assert.deepEqual(hits.map((r) => [r.event.objectVersion, r.status]), [[1, 500], [1, 500], [1, 200], [2, 200]]);
	let res;
	await until('the success recorded', async () => (res = await h.request(server.port, 'GET',
		`/webhook-deliveries/${hits[0].deliveryId}`, { token: 'acme' })).body?.delivery?.status === 'succeeded');
	assert.equal(res.status, 200, res.text);
	assert.deepEqual(res.body.data.map((a) => [a.n, a.statusCode]), [[1, 500], [2, 500], [3, 200]]);
	// another tenant sees none of it
	const other = await h.request(server.port, 'GET', `/webhook-deliveries/${hits[0].deliveryId}`, { token: 'globex' });
	assert.equal(other.status, 404);
	const list = await h.request(server.port, 'GET', `/webhook-endpoints/${acme.id}/deliveries`, { token: 'globex' });
	assert.deepEqual(list.body.data, []);
});

test('a dispatcher killed mid-delivery and restarted loses no event; only the one in flight repeats', async () => {
	let holding = false;
	answer = (hit) => (hit.event.objectId === 'cus_k' && !holding ? ((holding = true), 'hold') : 200);
	await asTenant('acme', `SELECT customers.save('{"data": [{"id": "cus_k", "name": "K"}]}')`);
	await until('the held delivery', () => holding);
	await stopDispatcher(dispatcher, 'SIGKILL');
	held.splice(0).forEach((res) => { res.writeHead(200); res.end(); });
	// written while no dispatcher runs
	await asTenant('acme', "SELECT customers.patch('cus_k', '{\"name\": \"K2\"}')");
	await asTenant('acme', `SELECT customers.save('{"data": [{"id": "cus_k2", "name": "K two"}]}')`);
	dispatcher = await startDispatcher();
	const acmeIds = (await feedIds('acme')).slice(1);
	await until('every acme event after the restart', () => deliveredIds('/acme').size === acmeIds.length);
	const counts = new Map();
	for (const r of received.filter((x) => x.path === '/acme' && x.status !== 500))
		counts.set(r.eventId, (counts.get(r.eventId) || 0) + 1);
	const repeated = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
	const kEvent = received.find((r) => r.event.objectId === 'cus_k').eventId;
	assert.deepEqual(repeated, [kEvent], 'only the delivery in flight when the dispatcher died is sent twice');
	assertOrderPerCustomer('/acme');
});

test('a delivery that exhausts its attempts fails, frees its customer\'s later events, and is replayed', async () => {
	answer = (hit) => (hit.event.objectId === 'cus_f' && hit.event.objectVersion === 1 ? 500 : 200);
	await asTenant('acme', `SELECT customers.save('{"data": [{"id": "cus_f", "name": "F"}]}')`);
	await asTenant('acme', "SELECT customers.patch('cus_f', '{\"name\": \"F2\"}')");
	await until('cus_f version 2 after version 1 failed',
		() => received.some((r) => r.event.objectId === 'cus_f' && r.event.objectVersion === 2 && r.status === 200));
	assert.equal(received.filter((r) => r.event.objectId === 'cus_f' && r.event.objectVersion === 1).length, 4);
	let res = await h.request(server.port, 'GET', `/webhook-endpoints/${acme.id}/deliveries?status=failed`, { token: 'acme' });
	assert.equal(res.status, 200, res.text);
	assert.equal(res.body.data.length, 1);
	const failed = res.body.data[0];
	assert.deepEqual([failed.type, failed.attempts, failed.status], ['customer.created', 4, 'failed']);
	res = await h.request(server.port, 'POST', `/webhook-deliveries/${failed.id}/replay`, { token: 'globex' });
	assert.equal(res.status, 409);
	answer = () => 200;
	res = await h.request(server.port, 'POST', `/webhook-deliveries/${failed.id}/replay`, { token: 'acme' });
	assert.equal(res.status, 200, res.text);
	assert.equal(res.body.status, 'pending');
	await until('the replayed delivery',
		() => received.some((r) => r.event.objectId === 'cus_f' && r.event.objectVersion === 1 && r.status === 200));
	// the receiver answered; the dispatcher records it right after
	await until('the replay recorded', async () => (res = await h.request(server.port, 'GET',
		`/webhook-deliveries/${failed.id}`, { token: 'acme' })).body.delivery.status === 'succeeded');
	assert.deepEqual(res.body.data.map((a) => a.statusCode), [500, 500, 500, 500, 200]);
	res = await h.request(server.port, 'POST', `/webhook-deliveries/${failed.id}/replay`, { token: 'acme' });
	assert.equal(res.status, 409, 'a delivered one is not replayed');
});
