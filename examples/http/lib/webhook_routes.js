'use strict';
// The webhook routes (README.md, "Webhooks"): a tenant registers endpoints,
// lists their deliveries and a delivery's attempts, and replays a failed
// delivery. Each is one statement calling one function of the dispatcher's
// schema (webhooks/schema.sql), for the token's tenant; the dispatcher
// (dispatcher.js) creates that schema and does the sending.

const { HttpError } = require('./errors');

const ok = (text) => ({ status: 200, text });
const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'];

// {url, types?, secret?} of a new endpoint, checked
function endpointOf(body) {
	const hint = 'Send {"url": "https://…", "types": ["customer.created", …], "secret": "…"}; types and secret are optional.';
	if (body === null || typeof body !== 'object' || Array.isArray(body))
		throw new HttpError(400, 'the endpoint must be a JSON object', { hint });
	for (const key of Object.keys(body))
		if (!['url', 'types', 'secret'].includes(key))
			throw new HttpError(400, `unrecognized field "${key}"`, { param: key, hint });
	let url;
	try {
		url = new URL(body.url);
	} catch {
		url = null;
	}
	if (typeof body.url !== 'string' || !url || !['http:', 'https:'].includes(url.protocol))
		throw new HttpError(400, '"url" must be an http or https URL', { param: 'url', hint });
	if (body.types !== undefined && body.types !== null &&
		(!Array.isArray(body.types) || body.types.length === 0 || body.types.some((t) => typeof t !== 'string')))
		throw new HttpError(400, '"types" must be a non-empty array of event types', { param: 'types', hint });
	if (body.secret !== undefined && body.secret !== null && (typeof body.secret !== 'string' || body.secret.length < 16))
		throw new HttpError(400, '"secret" must be a string of at least 16 characters', { param: 'secret', hint });
	return { url: body.url, types: body.types ?? null, secret: body.secret ?? null };
}

function notFound(what, id) {
	return new HttpError(404, `${what} "${id}" does not exist`, {
		hint: 'Check the id, and that the token belongs to its tenant.',
	});
}

const webhookRoutes = [
	{
		method: 'POST', path: /^\/webhook-endpoints$/, body: true,
		prepare: (req) => { req.endpoint = endpointOf(req.body); },
		// the types are checked against the extension's list by reading the feed with them
		sql: `SELECT webhooks.create_endpoint($1, $2, $3)::text AS body
		      FROM customers.events(pg_catalog.jsonb_build_object('limit', 1, 'types', $2::text[])) AS checked
		      WHERE $2 IS NULL OR checked IS NOT NULL`,
		values: (req) => [req.endpoint.url, req.endpoint.types, req.endpoint.secret],
		respond: (row) => ({ status: 201, text: row.body }),
	},
	{
		method: 'GET', path: /^\/webhook-endpoints$/, readOnly: true,
		sql: 'SELECT webhooks.endpoints()::text AS body',
		values: () => [],
		respond: (row) => ok(row.body),
	},
	{
		method: 'GET', path: /^\/webhook-endpoints\/(?<id>[^/]+)\/deliveries$/, readOnly: true,
		prepare: (req) => {
			const status = req.url.searchParams.get('status');
			if (status !== null && !DELIVERY_STATUSES.includes(status))
				throw new HttpError(400, `query parameter "status" must be one of ${DELIVERY_STATUSES.join(', ')}`, {
					param: 'status', hint: 'Leave it out for every delivery.',
				});
			req.status = status;
		},
		sql: 'SELECT webhooks.deliveries($1, $2, 100)::text AS body',
		values: (req) => [req.params.id, req.status],
		respond: (row) => ok(row.body),
	},
	{
		method: 'GET', path: /^\/webhook-deliveries\/(?<id>[0-9]{1,18})$/, readOnly: true,
		sql: 'SELECT webhooks.attempts($1::bigint)::text AS body',
		values: (req) => [req.params.id],
		respond: (row, req) => {
			if (row.body === null)
				throw notFound('delivery', req.params.id);
			return ok(row.body);
		},
	},
	{
		method: 'POST', path: /^\/webhook-deliveries\/(?<id>[0-9]{1,18})\/replay$/,
		sql: 'SELECT webhooks.replay($1::bigint)::text AS body',
		values: (req) => [req.params.id],
		respond: (row, req) => {
			if (row.body === null)
				throw new HttpError(409, `delivery "${req.params.id}" is not a failed delivery of this tenant`, {
					hint: 'Only a failed delivery can be replayed; list them with ?status=failed.',
				});
			return ok(row.body);
		},
	},
];

module.exports = { webhookRoutes };
