'use strict';
// The SQLSTATE to HTTP mapping, on errors shaped as node-postgres makes them
// (the end-to-end tests reach each status through the real server too).

const assert = require('node:assert/strict');
const { test } = require('node:test');

const { statusOfSqlstate, toResponse } = require('../lib/errors');
const { childListRequest, listRequest } = require('../lib/routes');

// An error as node-postgres reports one from the server.
function databaseError(code, message, fields = {}) {
	return Object.assign(new Error(message), { code, severity: 'ERROR', ...fields });
}

test('SQLSTATEs map to statuses: the extension\'s own, class 22, else 500', () => {
	const cases = {
		'22023': 400, '22P02': 400, '22021': 400, 'P0002': 404, '23505': 409, '40001': 409, '55000': 409,
		'28000': 403, '42501': 403, '42P01': 500, '57014': 500, 'XX000': 500, '23503': 500, 'P0001': 500,
	};
	for (const [code, status] of Object.entries(cases))
		assert.equal(statusOfSqlstate(code), status, code);
	assert.equal(statusOfSqlstate(undefined), 500, 'an error without a SQLSTATE (a broken socket)');
});

test('a client error passes on the extension\'s message, detail and hint', () => {
	const err = databaseError('22023', 'invalid cursor', { detail: 'The cursor is too short.', hint: 'Send it back.' });
	assert.deepEqual(toResponse(err, 'r1'), {
		status: 400,
		body: {
			result: 'FAILURE',
			error: [{ type: 'VALIDATION_ERROR', message: 'invalid cursor', param: null, detail: 'The cursor is too short.', hint: 'Send it back.' }],
		},
	});
});

test('a raw constraint violation is a 409 without the constraint or key values', () => {
	const err = databaseError('23505', 'duplicate key value violates unique constraint "customer_tenant_id_external_id_key"', {
		constraint: 'customer_tenant_id_external_id_key', detail: 'Key (tenant_id, external_id)=(acme, x) already exists.',
	});
	const response = toResponse(err, 'r2');
	assert.deepEqual({ ...response, log: undefined }, {
		status: 409,
		log: undefined,
		body: {
			result: 'FAILURE',
			error: [{ type: 'CONFLICT', message: 'the request conflicts with a concurrent change', param: null, hint: 'Retry the request.' }],
		},
	});
	assert.match(response.log, /^request r2: SQLSTATE 23505: Error: duplicate key value/);
});

test('a 500 says nothing but the request id; the log has the rest', () => {
	const err = databaseError('XX000', 'cache lookup failed for relation 16384', { detail: 'internal', hint: 'internal' });
	const response = toResponse(err, 'r3');
	assert.equal(response.status, 500);
	assert.deepEqual(response.body, {
		result: 'FAILURE', error: [{ type: 'UNKNOWN_ERROR', message: 'internal error (request r3)', param: null }],
	});
	assert.match(response.log, /^request r3: SQLSTATE XX000: Error: cache lookup failed for relation 16384\n/);
	const plain = toResponse(new TypeError('x is undefined'), 'r4');
	assert.equal(plain.status, 500);
	assert.match(plain.log, /^request r4: TypeError: x is undefined\n/);
});

test('list parameters become the query request', () => {
	const search = new URLSearchParams('limit=5&after=abc&created_at_start=2023-01-01T00:00:00Z' +
		'&created_at_end=2023-12-31T23:59:59Z&company_name=Acme');
	assert.deepEqual(listRequest(search), {
		cursorParam: 'after',
		request: {
			sort: { orderBy: 'CREATED_DATE_TIME', direction: 'DESC' },
			filter: {
				createdDateTime: { greaterThanEqual: '2023-01-01T00:00:00Z', lessThanEqual: '2023-12-31T23:59:59Z' },
				or: [{ name: { contain: 'Acme' } }, { businessName: { contain: 'Acme' } }],
			},
			limit: 5,
			cursor: 'abc',
		},
	});
	assert.deepEqual(listRequest(new URLSearchParams('')), {
		cursorParam: undefined, request: { sort: { orderBy: 'CREATED_DATE_TIME', direction: 'DESC' }, filter: {} },
	});
});

test('a customer\'s list (users, history) takes limit, after and before only', () => {
	assert.deepEqual(childListRequest(new URLSearchParams('limit=2&before=xyz')), {
		cursorParam: 'before', request: { limit: 2, cursor: 'xyz' },
	});
	assert.throws(() => childListRequest(new URLSearchParams('company_name=x')),
		{ status: 400, message: 'unrecognized query parameter "company_name"', param: 'company_name' });
});
