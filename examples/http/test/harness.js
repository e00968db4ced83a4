'use strict';
// What the end-to-end tests share: a fresh database with the extension and
// an ordinary application role, the server started as its own process on
// 127.0.0.1 with a free port, real HTTP requests, and masking of generated
// ids and times.
//
// The database is reached through the PG* variables of a superuser session
// (scripts/test.sh exports those of its throwaway cluster).

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

const pg = require('pg');

const { digestOf } = require('../lib/tokens');

const DATABASE = 'customers_http_e2e';
const APP_ROLE = 'customers_http_app';

// Two API keys of two tenants.
const TOKENS = {
	acme: { token: 'test-token-acme', tenant: 'acme', actor: 'acme-api-key' },
	globex: { token: 'test-token-globex', tenant: 'globex', actor: 'globex-api-key' },
};

// A fresh database with the extension, the role the server logs in as (not
// superuser, not the owner, only USAGE on schema customers,
// customers.require_tenant on), and an admin
// client connected to it.
async function createDatabase() {
	const admin = new pg.Client();
	await admin.connect();
	await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
	await admin.query(`DROP ROLE IF EXISTS ${APP_ROLE}`);
	await admin.query(`CREATE ROLE ${APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS`);
	// the application cannot set this itself: only an administrator can
	await admin.query(`ALTER ROLE ${APP_ROLE} SET customers.require_tenant = on`);
	await admin.query(`CREATE DATABASE ${DATABASE}`);
	await admin.end();

	const db = new pg.Client({ database: DATABASE });
	await db.connect();
	await db.query('CREATE EXTENSION customers CASCADE');
	await db.query(`GRANT USAGE ON SCHEMA customers TO ${APP_ROLE}`);
	return db;
}

// The token file the server reads, in a new temporary directory.
function writeTokenFile() {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'customers-http-'));
	const file = path.join(dir, 'tokens.json');
	const entries = {};
	for (const { token, tenant, actor } of Object.values(TOKENS))
		entries[digestOf(token)] = { tenant, actor };
	fs.writeFileSync(file, JSON.stringify(entries, null, 2));
	return { dir, file };
}

// Start server.js as a child process; resolves once it prints its address.
// Its stderr is kept in .log (the tests read what it logs for a 500).
// env adds to the environment (READ_PGHOST, READ_PGPORT).
function startServer(tokenFile, env = {}) {
	const child = spawn(process.execPath, [path.join(__dirname, '..', 'server.js')], {
		env: {
			...process.env,
			PGUSER: APP_ROLE,
			PGDATABASE: DATABASE,
			HOST: '127.0.0.1',
			PORT: '0',
			POOL_MAX: '2', // few connections, so requests of both tenants share them
			CUSTOMERS_TOKENS: tokenFile,
			...env,
		},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const server = { child, log: '', port: null };
	child.stderr.on('data', (chunk) => { server.log += chunk; });
	process.on('exit', () => child.kill('SIGKILL')); // never outlive the tests
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`server did not start:\n${server.log}`)), 15000);
		let out = '';
		child.stdout.on('data', (chunk) => {
			out += chunk;
			const match = /^listening on http:\/\/127\.0\.0\.1:(\d+)$/m.exec(out);
			if (match && server.port === null) {
				server.port = Number(match[1]);
				clearTimeout(timer);
				resolve(server);
			}
		});
		child.on('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`server exited with ${code}:\n${server.log}`));
		});
	});
}

// Stop the server with SIGTERM and wait for it to exit.
function stopServer(server) {
	if (server.child.exitCode !== null)
		return Promise.resolve(server.child.exitCode);
	return new Promise((resolve) => {
		server.child.removeAllListeners('exit');
		server.child.on('exit', (code) => resolve(code));
		server.child.kill('SIGTERM');
	});
}

// One HTTP request. options: token (a TOKENS key or a raw string), json (a
// value to send), text (a raw body), headers. Resolves to {status, headers,
// text, body} with body parsed when the response is JSON.
function request(port, method, pathname, options = {}) {
	const headers = { ...options.headers };
	if (options.token)
		headers.authorization = `Bearer ${TOKENS[options.token] ? TOKENS[options.token].token : options.token}`;
	let payload;
	if (options.json !== undefined)
		payload = JSON.stringify(options.json);
	else if (options.text !== undefined)
		payload = options.text;
	if (payload !== undefined) {
		headers['content-type'] = headers['content-type'] || 'application/json';
		headers['content-length'] = Buffer.byteLength(payload);
	}
	return new Promise((resolve, reject) => {
		const req = http.request({ host: '127.0.0.1', port, method, path: pathname, headers }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				const isJson = /^application\/json/.test(res.headers['content-type'] || '');
				resolve({ status: res.statusCode, headers: res.headers, text, body: isJson ? JSON.parse(text) : undefined });
			});
		});
		req.on('error', reject);
		if (payload !== undefined)
			req.write(payload);
		req.end();
	});
}

const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const GENERATED_ID = /^(cus|pm|cuu)_[0-9A-HJKMNP-TV-Z]{26}$/;

// Replace server-set times and generated ids with placeholders, only when
// they have exactly the documented format (anything else stays and shows up
// in the assertion's diff).
function mask(value) {
	if (Array.isArray(value))
		return value.map(mask);
	if (value === null || typeof value !== 'object')
		return value;
	const out = {};
	for (const [key, v] of Object.entries(value)) {
		if (/DateTime$/.test(key) && typeof v === 'string' && TIME.test(v))
			out[key] = '<time>';
		else if ((key === 'id' || key === 'customerId') && typeof v === 'string' && GENERATED_ID.test(v))
			out[key] = `<generated ${v.slice(0, v.indexOf('_'))} id>`;
		else
			out[key] = mask(v);
	}
	return out;
}

module.exports = {
	APP_ROLE, DATABASE, TOKENS,
	createDatabase, writeTokenFile, startServer, stopServer, request, mask,
};
