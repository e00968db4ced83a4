'use strict';
// The webhook dispatcher: the tenants' change feeds (customers.events) sent
// to their endpoints (webhooks/schema.sql), signed, retried, in order per
// customer, at least once.
//
// Two loops, each step a short transaction of its own, so no transaction
// stays open across an HTTP request (an open transaction that has written
// would hold back every tenant's feed: docs/design.md, The event feed):
// - ingest: per endpoint, read the feed after the endpoint's cursor and, in
//   the same transaction, insert one delivery per event and store the new
//   cursor. A crash before COMMIT reads the same page again; after it, the
//   deliveries exist. No event is skipped and none gets two deliveries.
// - deliver: claim due deliveries, the oldest pending one of each customer
//   only (a later event of a customer waits while an earlier one is
//   pending), by pushing their next attempt past the request timeout (a
//   lease: if the dispatcher dies, the delivery is due again when it runs
//   out); POST each, then record the attempt and the outcome. A dispatcher
//   killed after the receiver answered but before the outcome is recorded
//   sends that delivery again: the one place a receiver sees a duplicate
//   (deduplicate by Customers-Event-Id).
// Failures retry with exponential backoff (base * 2^(attempt-1), capped)
// until maxAttempts, then the delivery is failed; a failed delivery no
// longer holds back its customer's later ones, and can be replayed.

const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const path = require('node:path');

const SIGNATURE_HEADER = 'customers-signature';

// "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the secret>",
// as Stripe-Signature
function sign(secret, timestamp, body) {
	const mac = crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
	return `t=${timestamp},v1=${mac}`;
}

// Whether header signs body under secret, within toleranceSeconds of now
function verify(secret, header, body, toleranceSeconds = 300, now = Date.now() / 1000) {
	const parts = Object.fromEntries(String(header || '').split(',').map((p) => p.split('=', 2)));
	const t = Number(parts.t);
	if (!Number.isInteger(t) || !parts.v1 || Math.abs(now - t) > toleranceSeconds)
		return false;
	const expected = Buffer.from(sign(secret, t, body).split('v1=')[1], 'hex');
	const given = Buffer.from(parts.v1, 'hex');
	return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

// Run fn(client) in a transaction acting for tenant (or none)
async function inTransaction(pool, tenant, fn) {
	const client = await pool.connect();
	let broken;
	const onError = (err) => { broken = broken || err; };
	client.on('error', onError);
	try {
		await client.query('BEGIN');
		if (tenant !== null)
			await client.query("SELECT pg_catalog.set_config('customers.tenant_id', $1, true)", [tenant]);
		const result = await fn(client);
		await client.query('COMMIT');
		return result;
	} catch (err) {
		try {
			await client.query('ROLLBACK');
		} catch (rollbackError) {
			broken = rollbackError;
		}
		throw err;
	} finally {
		client.removeListener('error', onError);
		client.release(broken);
	}
}

// Create the webhooks schema when it is missing
async function ensureSchema(pool) {
	const sql = fs.readFileSync(path.join(__dirname, '..', 'webhooks', 'schema.sql'), 'utf8');
	await inTransaction(pool, null, async (client) => {
		await client.query("SELECT pg_catalog.pg_advisory_xact_lock(hashtext('webhooks.schema'))");
		await client.query(sql);
	});
}

// Register an endpoint for tenant: {url, types?, secret?}; it gets the events
// written from now on. Resolves to the endpoint with its secret.
async function createEndpoint(pool, tenant, { url, types = null, secret = null }) {
	return inTransaction(pool, tenant, async (client) => (await client.query(
		'SELECT webhooks.create_endpoint($1, $2, $3) AS endpoint', [url, types, secret])).rows[0].endpoint);
}

class Dispatcher {
	// options: baseDelayMs (1000), maxDelayMs (3,600,000), maxAttempts (12),
	// timeoutMs (10,000), pollMs (1000), batch (50), log (console.error)
	constructor(pool, options = {}) {
		this.pool = pool;
		this.baseDelayMs = options.baseDelayMs ?? 1000;
		this.maxDelayMs = options.maxDelayMs ?? 3600 * 1000;
		this.maxAttempts = options.maxAttempts ?? 12;
		this.timeoutMs = options.timeoutMs ?? 10000;
		this.pollMs = options.pollMs ?? 1000;
		this.batch = options.batch ?? 50;
		this.log = options.log ?? ((msg) => console.error(msg));
		this.running = false;
		this.inFlight = new Set();
		this.wake = null;
	}

	// The delay before attempt n + 1, after n failed ones
	backoff(n) {
		return Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (n - 1));
	}

	// Turn every endpoint's new events into deliveries; resolves to how many
	async ingest() {
		const { rows: endpoints } = await this.pool.query('SELECT id, tenant FROM webhooks.endpoint ORDER BY id');
		let total = 0;
		for (const { id, tenant } of endpoints) {
			for (;;) {
				const added = await inTransaction(this.pool, tenant, async (client) => {
					// one ingester per endpoint at a time
					const { rows } = await client.query(
						'SELECT cursor, types FROM webhooks.endpoint WHERE id = $1 FOR UPDATE SKIP LOCKED', [id]);
					if (rows.length === 0)
						return 0;
					const request = { limit: 200 };
					if (rows[0].cursor)
						request.cursor = rows[0].cursor;
					if (rows[0].types)
						request.types = rows[0].types;
					const page = (await client.query('SELECT customers.events($1::jsonb) AS page',
						[JSON.stringify(request)])).rows[0].page;
					if (page.data.length === 0)
						return 0;
					await client.query(
						`INSERT INTO webhooks.delivery (endpoint_id, event_id, order_key, event)
						 SELECT $1, e ->> 'id', coalesce(e ->> 'customerId', e ->> 'objectId'), e
						 FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS t(e, n) ORDER BY n
						 ON CONFLICT (endpoint_id, event_id) DO NOTHING`, [id, JSON.stringify(page.data)]);
					await client.query('UPDATE webhooks.endpoint SET cursor = $2 WHERE id = $1', [id, page.cursor.after]);
					return page.data.length;
				});
				total += added;
				if (added < 200)
					break;
			}
		}
		return total;
	}

	// Claim the due deliveries: the oldest pending one of each customer of
	// each endpoint, leased for the request timeout
	async claim() {
		const { rows } = await this.pool.query(
			`UPDATE webhooks.delivery d SET next_attempt_at = now() + $2::int * interval '1 millisecond'
			 FROM webhooks.endpoint e
			 WHERE e.id = d.endpoint_id AND d.id IN (
				SELECT d.id FROM webhooks.delivery d
				WHERE d.status = 'pending' AND d.next_attempt_at <= now()
				  AND NOT EXISTS (SELECT FROM webhooks.delivery p
								  WHERE p.endpoint_id = d.endpoint_id AND p.order_key = d.order_key
									AND p.status = 'pending' AND p.id < d.id)
				ORDER BY d.id LIMIT $1::int FOR UPDATE OF d SKIP LOCKED)
			 RETURNING d.id, d.event, d.event_id, d.attempts, e.url, e.secret`,
			[this.batch, this.timeoutMs + 5000]);
		return rows;
	}

	// POST one delivery; resolves to {statusCode} or {error}
	post(delivery) {
		const body = JSON.stringify(delivery.event);
		const url = new URL(delivery.url);
		const headers = {
			'content-type': 'application/json',
			'content-length': Buffer.byteLength(body),
			'user-agent': 'customers-webhooks/0.1',
			[SIGNATURE_HEADER]: sign(delivery.secret, Math.floor(Date.now() / 1000), body),
			'customers-event-id': delivery.event_id,
			'customers-delivery-id': String(delivery.id),
		};
		return new Promise((resolve) => {
			const request = (url.protocol === 'https:' ? https : http).request(url,
				{ method: 'POST', headers, timeout: this.timeoutMs }, (response) => {
					response.resume();
					response.on('end', () => resolve({ statusCode: response.statusCode }));
					response.on('error', (err) => resolve({ statusCode: response.statusCode, error: err.message }));
				});
			request.on('timeout', () => request.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
			request.on('error', (err) => resolve({ error: err.message }));
			request.end(body);
		});
	}

	// Send one claimed delivery and record the attempt and its outcome
	async deliver(delivery) {
		const started = new Date();
		const result = await this.post(delivery);
		const ok = !result.error && result.statusCode >= 200 && result.statusCode < 300;
		const n = delivery.attempts + 1;
		const delay = this.backoff(n);
		await inTransaction(this.pool, null, async (client) => {
			await client.query(
				`INSERT INTO webhooks.attempt (delivery_id, n, started_at, finished_at, status_code, error)
				 SELECT $1::bigint, coalesce(max(n), 0) + 1, $2::timestamptz, now(), $3::int, $4::text
				 FROM webhooks.attempt WHERE delivery_id = $1::bigint`,
				[delivery.id, started, result.statusCode ?? null,
					result.error ?? (ok ? null : `HTTP ${result.statusCode}`)]);
			await client.query(
				`UPDATE webhooks.delivery SET attempts = $2::int,
					status = CASE WHEN $3::boolean THEN 'succeeded' WHEN $2::int >= $4::int THEN 'failed' ELSE 'pending' END,
					delivered_at = CASE WHEN $3::boolean THEN now() END,
					next_attempt_at = now() + $5::int * interval '1 millisecond'
				 WHERE id = $1::bigint`, [delivery.id, n, ok, this.maxAttempts, delay]);
		});
		if (!ok)
			this.log(`delivery ${delivery.id} (${delivery.event_id}) attempt ${n} failed: ` +
				`${result.error || `HTTP ${result.statusCode}`}`);
	}

	// One round: ingest, then send what is due; resolves to the number sent
	async round() {
		await this.ingest();
		const due = await this.claim();
		await Promise.all(due.map((d) => this.deliver(d)));
		return due.length;
	}

	// Run rounds until stop(): at once again while there is work, else on a
	// notification (LISTEN customers_changes) or after pollMs
	async start() {
		this.running = true;
		this.listener = await this.pool.connect();
		this.listener.on('notification', () => this.wakeUp());
		this.listener.on('error', (err) => this.log(`listener: ${err.message}`));
		await this.listener.query('LISTEN customers_changes');
		this.loop = (async () => {
			while (this.running) {
				let sent = 0;
				try {
					sent = await this.round();
				} catch (err) {
					this.log(`round failed: ${err.message}`);
				}
				if (sent === 0 && this.running)
					await new Promise((resolve) => {
						this.wake = resolve;
						this.timer = setTimeout(resolve, Math.min(this.pollMs, this.baseDelayMs));
					});
			}
		})();
	}

	wakeUp() {
		if (this.wake) {
			clearTimeout(this.timer);
			const wake = this.wake;
			this.wake = null;
			wake();
		}
	}

	async stop() {
		this.running = false;
		this.wakeUp();
		await this.loop;
		if (this.listener) {
			await this.listener.query('UNLISTEN *').catch(() => {});
			this.listener.release();
		}
	}
}

module.exports = { Dispatcher, createEndpoint, ensureSchema, sign, verify, inTransaction, SIGNATURE_HEADER };
