'use strict';
// The routes: each one is a single SQL statement around one call of an
// extension function, with the request's values as $n parameters.
//
// Request and response documents pass through as text: the body is checked
// with JSON.parse but sent to PostgreSQL as the client wrote it ($n::jsonb),
// and results come back as ::text, so numbers in customData keep every digit
// (JSON.parse would round 12345678901234567890 to a double).

const { HttpError } = require('./errors');
const { webhookRoutes } = require('./webhook_routes');

// Query parameters of the seed 002 list (docs/api.md §9.2), and the query
// filter each becomes. Both ends of the created-at range are inclusive;
// company_name is a case-insensitive substring of the name or of the legal
// name (businessName): an "or" of the fields in anyOf.
const LIST_FILTERS = [
	{ param: 'created_at_start', field: 'createdDateTime', operator: 'greaterThanEqual' },
	{ param: 'created_at_end', field: 'createdDateTime', operator: 'lessThanEqual' },
	{ param: 'company_name', anyOf: ['name', 'businessName'], operator: 'contain' },
];

// The filter paths of a list filter, as query errors name them
function filterPaths({ field, anyOf, operator }) {
	return anyOf ? anyOf.map((f, i) => `filter.or[${i}].${f}.${operator}`) : [`filter.${field}.${operator}`];
}
const PAGE_PARAMS = ['limit', 'after', 'before'];

// The single value of query parameter name, or undefined; refuses repeats.
function single(search, name) {
	const values = search.getAll(name);
	if (values.length > 1)
		throw new HttpError(400, `query parameter "${name}" is given more than once`, { param: name, hint: 'Give it once.' });
	return values.length ? values[0] : undefined;
}

// limit/after/before as {request: {limit, cursor}, cursorParam}, the
// request keys only when given; refuses parameters not in allowed.
function pageOf(search, allowed) {
	for (const name of search.keys())
		if (!allowed.includes(name))
			throw new HttpError(400, `unrecognized query parameter "${name}"`, {
				param: name, hint: `Use only ${allowed.map((a) => `"${a}"`).join(', ')}.`,
			});
	const page = { request: {} };
	const limit = single(search, 'limit');
	if (limit !== undefined) {
		if (!/^[0-9]{1,9}$/.test(limit))
			throw new HttpError(400, `query parameter "limit" must be an integer, not "${limit}"`, {
				param: 'limit', hint: 'Give the number of items per page, e.g. limit=50.',
			});
		page.request.limit = Number(limit);
	}
	const after = single(search, 'after');
	const before = single(search, 'before');
	if (after !== undefined && before !== undefined)
		throw new HttpError(400, 'query parameters "after" and "before" cannot be given together', {
			param: 'before', hint: 'Send "end_cursor" as "after" for the next page, or "start_cursor" as "before" for the previous one.',
		});
	if (after !== undefined || before !== undefined) {
		page.request.cursor = after !== undefined ? after : before;
		page.cursorParam = after !== undefined ? 'after' : 'before';
	}
	return page;
}

// The customers.query request of a seed 002 list: newest first.
function listRequest(search) {
	const page = pageOf(search, [...PAGE_PARAMS, ...LIST_FILTERS.map((f) => f.param)]);
	const request = { ...page.request, sort: { orderBy: 'CREATED_DATE_TIME', direction: 'DESC' }, filter: {} };
	for (const { param, field, anyOf, operator } of LIST_FILTERS) {
		const value = single(search, param);
		if (value !== undefined && anyOf)
			request.filter.or = anyOf.map((f) => ({ [f]: { [operator]: value } }));
		else if (value !== undefined)
			(request.filter[field] = request.filter[field] || {})[operator] = value;
	}
	return { request, cursorParam: page.cursorParam };
}

// The request of a list of one customer's items (users, history): oldest
// first for users, newest first for history, as the extension orders them.
function childListRequest(search) {
	return pageOf(search, PAGE_PARAMS);
}

// The JSON path a query error names, as Tight's "param": the message's
// first quoted word (docs/api.md §4.1), as in '"limit" must be ...',
// 'unrecognized operator "filter.name.like"' or 'operator "filter.id.equal"
// does not apply to field "id"'.
function queryParamOf(err) {
	const path = /^(?:unrecognized \w+ |operator )?"([^"]+)"/.exec(err.message);
	if (path)
		return path[1];
	return err.message === 'invalid cursor' ? 'cursor' : null;
}

// A list's errors speak of its query parameters, not of the filter.
function explainListError(err, cursorParam) {
	if (err.code !== '22023')
		return err;
	const path = queryParamOf(err);
	const filter = LIST_FILTERS.find((f) => filterPaths(f).includes(path));
	if (filter) {
		err.param = filter.param;
		err.message = err.message.replace(`"${path}"`, `query parameter "${filter.param}"`);
	} else if (path === 'cursor') {
		err.param = cursorParam;
		err.hint = 'Send "end_cursor" back as "after" or "start_cursor" as "before" exactly as a list returned it, ' +
			'with the same filters, or leave both out for the first page.';
	} else if (path === 'limit') {
		err.param = 'limit';
	}
	return err;
}

// A create's body: one JSON object without the field that would make the
// call an update ("version" for a customer: the statement adds "version": 0,
// "must not exist yet"; "id" for a payment method).
function requireNewObject(field, hint) {
	return (req) => {
		if (req.body === null || typeof req.body !== 'object' || Array.isArray(req.body))
			throw new HttpError(400, 'request body must be a JSON object', {
				hint: 'Send the fields of one object.',
			});
		if (Object.prototype.hasOwnProperty.call(req.body, field))
			throw new HttpError(400, `"${field}" cannot be given on create`, { param: field, hint });
	};
}

// A customer that does not exist (get returns NULL rather than raising).
function notFound(params) {
	if (params.externalId !== undefined)
		return new HttpError(404, `customer with externalId "${params.externalId}" does not exist`, {
			hint: 'Check the externalId, and that the token belongs to the customer\'s tenant.',
		});
	return new HttpError(404, `customer "${params.id}" does not exist`, {
		hint: 'Check the id, and that the token belongs to the customer\'s tenant.',
	});
}

// A customer's routes take its id, /customers/{id}/…, or its externalId,
// /customers/external_id/{externalId}/… (docs/api.md §3.6). No customer id
// is "external_id", and the externalId routes come first where both match
// (GET /customers/external_id/users is the customer whose externalId is "users").
const customerPath = (rest) =>
	new RegExp(`^/customers/(?:external_id/(?<externalId>[^/]+)|(?<id>[^/]+))${rest}$`);

// The customer argument of a call: the id, or the reference {"externalId": …}.
const customerOf = (params) =>
	(params.externalId !== undefined ? JSON.stringify({ externalId: params.externalId }) : params.id);

const ok = (text) => ({ status: 200, text });
const created = (text, location) => ({ status: 201, text, headers: location ? { location } : undefined });
const path = (...parts) => parts.map((p) => `/${encodeURIComponent(p)}`).join('');
const customerUrl = (params) =>
	(params.externalId !== undefined ? path('customers', 'external_id', params.externalId) : path('customers', params.id));

// The save envelope's single item as HTTP: 201 and the customer, or the
// item's own status and errors.
const SAVE_ONE = `
	SELECT r #>> '{data,0,statusCode}' AS status,
	       (r #> '{data,0,data}')::text AS customer,
	       (r #> '{data,0,error}')::text AS errors
	FROM customers.save(pg_catalog.jsonb_build_object('data',
	     pg_catalog.jsonb_build_array($1::jsonb || '{"version": 0}'))) AS r`;

// A paginated call's response ({"result", "data", "cursor"}) as a list page.
const listPage = (call) => `
	SELECT pg_catalog.jsonb_build_object(
	         'data', q -> 'data',
	         'start_cursor', q #> '{cursor,before}',
	         'end_cursor', q #> '{cursor,after}',
	         'has_previous_page', q -> 'cursor' ? 'before',
	         'has_next_page', q -> 'cursor' ? 'after')::text AS body
	FROM ${call} AS q`;

// A list of one customer's items: limit, after, before.
const childList = (call) => ({
	method: 'GET', readOnly: true,
	prepare: (req) => { req.list = childListRequest(req.url.searchParams); },
	sql: listPage(call),
	values: (req) => [customerOf(req.params), JSON.stringify(req.list.request)],
	respond: (row) => ok(row.body),
	explain: (err, req) => explainListError(err, req.list.cursorParam),
});

const routes = [
	// Tight v6 (seeds 000 and 001, docs/api.md §9.0, §9.1): the envelope as the extension returns it;
	// 200 whenever the batch was processed, each item carries its statusCode.
	{
		method: 'POST', path: /^\/v6\/customers$/, body: true,
		sql: 'SELECT customers.save($1::jsonb)::text AS body',
		values: (req) => [req.bodyText],
		respond: (row) => ok(row.body),
	},
	{
		method: 'POST', path: /^\/v6\/customers\/query$/, body: true, readOnly: true,
		sql: 'SELECT customers.query($1::jsonb)::text AS body',
		values: (req) => [req.bodyText],
		respond: (row) => ok(row.body),
		explain: (err) => (err.code === '22023' ? Object.assign(err, { param: queryParamOf(err) }) : err),
	},

	// The REST API of seed 002.
	{
		method: 'GET', path: /^\/customers$/, readOnly: true,
		prepare: (req) => { req.list = listRequest(req.url.searchParams); },
		sql: listPage('customers.query($1::jsonb)'),
		values: (req) => [JSON.stringify(req.list.request)],
		respond: (row) => ok(row.body),
		explain: (err, req) => explainListError(err, req.list.cursorParam),
	},
	{
		method: 'POST', path: /^\/customers$/, body: true,
		prepare: requireNewObject('version', 'Leave "version" out: a new customer starts at version 1.'),
		sql: SAVE_ONE,
		values: (req) => [req.bodyText],
		respond: (row) => {
			const status = Number(row.status);
			if (status === 200)
				return created(row.customer, path('customers', JSON.parse(row.customer).id));
			return { status, text: `{"result": "FAILURE", "error": ${row.errors}}` };
		},
	},
	{
		method: 'GET', path: customerPath(''), readOnly: true,
		sql: 'SELECT customers.get($1)::text AS body',
		values: (req) => [customerOf(req.params)],
		respond: (row, req) => {
			if (row.body === null)
				throw notFound(req.params);
			return ok(row.body);
		},
	},
	{
		method: 'PATCH', path: customerPath(''), body: true,
		sql: 'SELECT customers.patch($1, $2::jsonb)::text AS body',
		values: (req) => [customerOf(req.params), req.bodyText],
		respond: (row) => ok(row.body),
	},
	{
		method: 'DELETE', path: customerPath(''),
		sql: 'SELECT customers.archive($1)::text AS body',
		values: (req) => [customerOf(req.params)],
		respond: (row) => ok(row.body),
	},
	{
		method: 'POST', path: customerPath('/restore'),
		sql: 'SELECT customers.restore($1)::text AS body',
		values: (req) => [customerOf(req.params)],
		respond: (row) => ok(row.body),
	},

	// A customer's payment methods: seed 002 lists and gets them; POST
	// (attach) and DELETE (detach) are this server's, so that an
	// application can manage them without SQL.
	{
		method: 'GET', path: customerPath('/payment-methods'), readOnly: true,
		sql: `SELECT pg_catalog.jsonb_build_object('data', r -> 'data')::text AS body
		      FROM customers.payment_methods($1) AS r`,
		values: (req) => [customerOf(req.params)],
		respond: (row) => ok(row.body),
	},
	{
		method: 'POST', path: customerPath('/payment-methods'), body: true,
		prepare: requireNewObject('id', 'Leave "id" out: the server sets it.'),
		sql: 'SELECT customers.save_payment_method($1, $2::jsonb)::text AS body',
		values: (req) => [customerOf(req.params), req.bodyText],
		respond: (row, req) => created(row.body, customerUrl(req.params) + path('payment-methods', JSON.parse(row.body).id)),
	},
	{
		method: 'GET', path: customerPath('/payment-methods/(?<method>[^/]+)'), readOnly: true,
		sql: 'SELECT customers.payment_method($1, $2)::text AS body',
		values: (req) => [customerOf(req.params), req.params.method],
		respond: (row) => ok(row.body),
	},
	{
		method: 'DELETE', path: customerPath('/payment-methods/(?<method>[^/]+)'),
		sql: 'SELECT customers.detach_payment_method($1, $2)::text AS body',
		values: (req) => [customerOf(req.params), req.params.method],
		respond: (row) => ok(row.body),
	},

	// A customer's users (seed 002), and its history (this server's).
	{ ...childList('customers.users($1, $2::jsonb)'), path: customerPath('/users') },
	{
		method: 'POST', path: customerPath('/users'), body: true,
		sql: 'SELECT customers.create_user($1, $2::jsonb)::text AS body',
		values: (req) => [customerOf(req.params), req.bodyText],
		respond: (row) => created(row.body), // no route reads one user: no Location
	},
	{ ...childList('customers.history($1, $2::jsonb)'), path: customerPath('/history') },

	// Webhooks: endpoints, deliveries, attempts, replay (lib/webhook_routes.js).
	...webhookRoutes,
];

module.exports = { routes, listRequest, childListRequest, queryParamOf };
