'use strict';
// The HTTP side: authenticate, read the body, find the route, run its one
// statement in the tenant's transaction, write JSON.

const crypto = require('node:crypto');
const http = require('node:http');

const { callAs } = require('./db');
const { HttpError, failureBody, toResponse } = require('./errors');
const { routes } = require('./routes');
const { principalOf } = require('./tokens');

// Larger bodies are refused with 413 (1000 seed-sized customers take ~1 MB).
const MAX_BODY_BYTES = 8 * 1024 * 1024;

// The request body as text; rejects over MAX_BODY_BYTES. Past it the rest
// is read and dropped before the 413 is sent: answered while the client
// still sends, the close resets the connection under its writes (EPIPE) and
// it may never see the answer. Node's requestTimeout bounds the wait.
function readBody(req) {
	return new Promise((resolve, reject) => {
		let chunks = [];
		let size = 0;
		req.on('data', (chunk) => {
			size += chunk.length;
			if (size <= MAX_BODY_BYTES)
				chunks.push(chunk);
			else
				chunks = [];
		});
		req.on('end', () => {
			if (size <= MAX_BODY_BYTES)
				return resolve(Buffer.concat(chunks).toString('utf8'));
			reject(new HttpError(413, `request body exceeds ${MAX_BODY_BYTES} bytes`, {
				hint: 'Split the batch into smaller requests.', headers: { connection: 'close' },
			}));
		});
		req.on('error', reject);
	});
}

// The route for method and path, with decoded path parameters.
function findRoute(method, pathname) {
	const allowed = [];
	for (const route of routes) {
		const match = route.path.exec(pathname);
		if (!match)
			continue;
		if (route.method !== method) {
			allowed.push(route.method);
			continue;
		}
		const params = {};
		for (const [name, raw] of Object.entries(match.groups || {})) {
			if (raw === undefined) // the other branch of an alternative
				continue;
			try {
				params[name] = decodeURIComponent(raw);
			} catch {
				throw new HttpError(400, `path parameter "${name}" is not valid percent-encoding`, { param: name });
			}
		}
		return { route, params };
	}
	if (allowed.length)
		throw new HttpError(405, `method ${method} is not allowed on ${pathname}`, {
			hint: `Use ${allowed.join(' or ')}.`, headers: { allow: allowed.join(', ') },
		});
	throw new HttpError(404, `no route for ${method} ${pathname}`, { hint: 'See examples/http/README.md for the routes.' });
}

// The Idempotency-Key header of a writing request, or '' (docs/api.md §3.8):
// a retry with the same key and request gets the first response replayed.
// Reading routes ignore it, as they change nothing.
function idempotencyKeyOf(headers) {
	const key = headers['idempotency-key'];
	if (key === undefined)
		return '';
	if (key.length < 1 || key.length > 255)
		throw new HttpError(400, 'header "Idempotency-Key" must be 1 to 255 characters long', {
			param: 'Idempotency-Key', hint: 'Send a unique value per request, such as a UUID, and the same one with its retries.',
		});
	return key;
}

// Parse a JSON body (kept as text too); the media type must be JSON.
async function jsonBody(req) {
	const type = (req.headers['content-type'] || 'application/json').split(';')[0].trim().toLowerCase();
	if (type !== 'application/json')
		throw new HttpError(415, `content type "${type}" is not supported`, { hint: 'Send the body as application/json.' });
	const text = await readBody(req);
	try {
		return { text, value: JSON.parse(text) };
	} catch {
		throw new HttpError(400, 'request body is not valid JSON', { param: 'body', hint: 'Send one JSON value.' });
	}
}

// Handle one request; resolves to {status, text | body, headers, log}.
// Reading routes go to pools.replica when there is one.
async function handle(pools, tokens, req) {
	const url = new URL(req.url, 'http://localhost');
	const { route, params } = findRoute(req.method, url.pathname);
	const principal = principalOf(tokens, req.headers.authorization);
	if (!principal)
		throw new HttpError(401, 'missing or unrecognized bearer token', {
			hint: 'Send "Authorization: Bearer <token>" with a token the server knows.',
			headers: { 'www-authenticate': 'Bearer' },
		});
	const ctx = { url, params };
	if (route.body) {
		const body = await jsonBody(req);
		ctx.bodyText = body.text;
		ctx.body = body.value;
	}
	if (route.prepare)
		route.prepare(ctx);
	const idempotencyKey = route.readOnly ? '' : idempotencyKeyOf(req.headers);
	let row;
	try {
		const pool = route.readOnly && pools.replica ? pools.replica : pools.primary;
		row = await callAs(pool, principal, Boolean(route.readOnly), route.sql, route.values(ctx), idempotencyKey);
	} catch (err) {
		throw route.explain ? route.explain(err, ctx) : err;
	}
	return route.respond(row, ctx);
}

// Write a response: text passes through, body is serialized.
function send(res, requestId, { status, text, body, headers = {} }) {
	const payload = text !== undefined ? text : JSON.stringify(body);
	res.writeHead(status, {
		'content-type': 'application/json; charset=utf-8',
		'content-length': Buffer.byteLength(payload),
		'x-request-id': requestId,
		...headers,
	});
	res.end(payload);
}

// A request node's parser refuses (headers over 16 kB, malformed HTTP)
// still gets the error shape, then the connection closes.
function onClientError(err, socket) {
	if (!socket.writable || err.code === 'ECONNRESET')
		return socket.destroy();
	const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
	const payload = JSON.stringify(failureBody(status,
		status === 431 ? 'request headers are too large' : 'malformed HTTP request', null));
	socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n` +
		'content-type: application/json; charset=utf-8\r\n' +
		`content-length: ${Buffer.byteLength(payload)}\r\nconnection: close\r\n\r\n${payload}`);
}

// An http.Server serving the routes with pools ({primary, replica}: a
// replica, if given, serves the reading routes), authenticating with tokens.
function createServer(pools, tokens, log = console.error) {
	const server = http.createServer((req, res) => {
		const requestId = crypto.randomUUID();
		handle(pools, tokens, req)
			.then((response) => send(res, requestId, response))
			.catch((err) => {
				const response = toResponse(err, requestId);
				if (response.log)
					log(response.log);
				send(res, requestId, response);
			});
	});
	server.on('clientError', onClientError);
	return server;
}

module.exports = { createServer, MAX_BODY_BYTES };
