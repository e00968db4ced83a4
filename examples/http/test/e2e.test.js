'use strict';
// End to end: the server as its own process on 127.0.0.1, real HTTP, a
// database role that is neither superuser nor owner. Every seed example
// request (docs/api.md §9; "seed 00N" below is §9.N), tenant isolation,
// cursors both ways, and every error mapping.
// Tests run in order and build on each other's data.

const assert = require('node:assert/strict');
const { after, before, test } = require('node:test');

const pg = require('pg');

const h = require('./harness');
const seeds = require('./seeds');

let db; // admin connection to the test database
let server;
let tokenDir;
const call = (method, path, options) => h.request(server.port, method, path, options);

before(async () => {
	db = await h.createDatabase();
	tokenDir = h.writeTokenFile();
	server = await h.startServer(tokenDir.file);
});

after(async () => {
	if (server)
		assert.equal(await h.stopServer(server), 0, 'the server exits cleanly on SIGTERM');
	if (db)
		await db.end();
	if (tokenDir)
		require('node:fs').rmSync(tokenDir.dir, { recursive: true, force: true });
});

// What a customer saved through a token looks like: server-set fields masked.
const savedBy = (token, fields) => ({
	...fields,
	version: fields.version || 1,
	createdBy: h.TOKENS[token].actor,
	updatedBy: h.TOKENS[token].actor,
	createdDateTime: '<time>',
	updatedDateTime: '<time>',
});

// One error body as the server writes it.
const failure = (type, message, param = null, extra = {}) => ({ result: 'FAILURE', error: [{ type, message, param, ...extra }] });

// invoiceSettings of a customer created without any: every show* true.
const DEFAULT_INVOICE_SETTINGS = {
	showAdditionalContactName: true, showBusinessName: true, showName: true, showEmail: true, showAddress: true,
	showPhoneWork: true,
};

// The hint of an invalid cursor on a list route.
const CURSOR_HINT = 'Send "end_cursor" back as "after" or "start_cursor" as "before" exactly as a list returned it, ' +
	'with the same filters, or leave both out for the first page.';

// The seed customer as acme stored it (seed 000's response item).
const SEED_CUSTOMER = savedBy('acme', seeds.SAVE_RESPONSE.data[0].data);

test('the server logs in as an ordinary role: not superuser, not owner, no table privileges', async () => {
	const { rows } = await db.query(`
		SELECT r.rolsuper, r.rolbypassrls,
		       pg_catalog.pg_has_role($1, n.nspowner, 'MEMBER') AS owns_schema,
		       pg_catalog.has_schema_privilege($1, 'customers', 'USAGE') AS schema_usage,
		       pg_catalog.has_table_privilege($1, 'customers.customer', 'SELECT') AS table_select
		FROM pg_catalog.pg_roles r, pg_catalog.pg_namespace n
		WHERE r.rolname = $1 AND n.nspname = 'customers'`, [h.APP_ROLE]);
	assert.deepEqual(rows, [{ rolsuper: false, rolbypassrls: false, owns_schema: false, schema_usage: true, table_select: false }]);
});

test('every key starts with tenant_id, and customers.distribute() distributes every table by it', async () => {
	// distribute()'s list of tables, and its reference table.
	const { rows: [{ src }] } = await db.query(
		"SELECT prosrc AS src FROM pg_catalog.pg_proc WHERE oid = 'customers.distribute()'::pg_catalog.regprocedure");
	// the loop that calls create_distributed_table (an earlier loop drops triggers)
	const distributedLoop = src.match(/FOREACH t IN ARRAY ARRAY\[([^\]]*)\] LOOP(?:(?!END LOOP)[\s\S])*create_distributed_table/);
	const distributed = [...distributedLoop[1].matchAll(/'(\w+)'/g)].map((m) => m[1]).sort();
	const referenced = [...src.matchAll(/create_reference_table\('customers\.(\w+)'\)/g)].map((m) => m[1]).sort();
	const { rows: tables } = await db.query(`
		SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'customers' AND c.relkind IN ('r', 'p') ORDER BY c.relname COLLATE "C"`);
	assert.deepEqual([...distributed, ...referenced].sort(), tables.map((t) => t.relname),
		'customers.distribute(): name every table of the extension in its list of distributed tables ' +
		'(by tenant_id, colocated) or in a create_reference_table call');
	assert.deepEqual(referenced, ['cursor_key']);
	// Keys and indexes of the distributed tables whose first column is not tenant_id.
	const { rows: offenders } = await db.query(`
		SELECT c.conrelid::regclass::text AS relation, c.conname AS name
		FROM pg_catalog.pg_constraint c
		WHERE c.connamespace = 'customers'::regnamespace AND c.contype IN ('p', 'u', 'f', 'x')
		  AND c.conrelid <> 'customers.cursor_key'::regclass
		  AND (SELECT a.attname FROM pg_catalog.pg_attribute a
		       WHERE a.attrelid = c.conrelid AND a.attnum = c.conkey[1]) <> 'tenant_id'
		UNION ALL
		SELECT i.indrelid::regclass::text, i.indexrelid::regclass::text
		FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class t ON t.oid = i.indrelid
		WHERE t.relnamespace = 'customers'::regnamespace AND i.indrelid <> 'customers.cursor_key'::regclass
		  -- the short grams index begins each of its keys with a hash of tenant_id
		  AND i.indexrelid <> 'customers.customer_contain_grams_idx'::regclass
		  AND (i.indkey[0] = 0 OR (SELECT a.attname FROM pg_catalog.pg_attribute a
		       WHERE a.attrelid = i.indrelid AND a.attnum = i.indkey[0]) <> 'tenant_id')`);
	assert.deepEqual(offenders, []);
	// and foreign keys reference tenant_id first too
	const { rows: foreign } = await db.query(`
		SELECT c.conname FROM pg_catalog.pg_constraint c
		WHERE c.connamespace = 'customers'::regnamespace AND c.contype = 'f'
		  AND (SELECT a.attname FROM pg_catalog.pg_attribute a
		       WHERE a.attrelid = c.confrelid AND a.attnum = c.confkey[1]) <> 'tenant_id'`);
	assert.deepEqual(foreign, []);
});

test('seed 000: POST /v6/customers saves the seed customer', async () => {
	const res = await call('POST', '/v6/customers', { token: 'acme', json: seeds.SAVE_REQUEST });
	assert.equal(res.status, 200);
	// The seed's response, with error [] where it shows a placeholder error.
	assert.deepEqual(h.mask(res.body), {
		result: 'SUCCESS',
		data: [{ result: 'SUCCESS', statusCode: 200, data: SEED_CUSTOMER, error: [] }],
		error: [],
	});
});

test('seed 000: saving the same request again changes nothing', async () => {
	const res = await call('POST', '/v6/customers', { token: 'acme', json: seeds.SAVE_REQUEST });
	assert.equal(res.status, 200);
	assert.deepEqual(h.mask(res.body).data[0].data, SEED_CUSTOMER);
});

test('seed 000: a batch with an invalid item is 200, the item carries its 400', async () => {
	const res = await call('POST', '/v6/customers', {
		token: 'acme', json: { data: [{ name: 'Valid Co' }, { name: 'Bad Co', email: 'not an email' }] },
	});
	assert.equal(res.status, 200);
	assert.deepEqual(h.mask(res.body), {
		result: 'FAILURE',
		data: [
			{
				result: 'SUCCESS', statusCode: 200, error: [],
				data: savedBy('acme', {
					id: '<generated cus id>', name: 'Valid Co', status: 'ACTIVE', address: { countryCode: 'USA' },
					ccEmails: [], bccEmails: [], customData: {}, invoiceSettings: DEFAULT_INVOICE_SETTINGS,
				}),
			},
			{
				result: 'FAILURE', statusCode: 400, data: null,
				error: [{ type: 'VALIDATION_ERROR', message: '"email" is not a valid email address', param: 'email' }],
			},
		],
		error: [{ type: 'VALIDATION_ERROR', message: '"email" is not a valid email address', param: 'data[1].email' }],
	});
});

test('seed 001: the request verbatim is refused for its placeholder cursor', async () => {
	const res = await call('POST', '/v6/customers/query', { token: 'acme', json: seeds.QUERY_REQUEST });
	assert.equal(res.status, 400);
	assert.deepEqual(res.body, failure('VALIDATION_ERROR', 'invalid cursor', 'cursor', {
		detail: 'The cursor is not base64url text.',
		hint: 'Send back cursor.after or cursor.before exactly as a query returned it, with the same filter and sort, ' +
			'or leave "cursor" out for the first page.',
	}));
});

test('seed 001: the request verbatim without its cursor matches nothing (its filters contradict)', async () => {
	const { cursor, ...request } = seeds.QUERY_REQUEST;
	assert.equal(cursor, '<string>');
	const res = await call('POST', '/v6/customers/query', { token: 'acme', json: request });
	assert.equal(res.status, 200);
	assert.deepEqual(res.body, { result: 'SUCCESS', data: [], cursor: {} });
});

test('seed 001: the seed filter returns the seed customer with its segment chain expanded', async () => {
	// The seed's classes, made by the operator; PATCH assigns the segment.
	await db.query('BEGIN');
	await db.query("SELECT pg_catalog.set_config('customers.tenant_id', 'acme', true)");
	await db.query(`SELECT customers.save_class_labels('{"data": [{"id": "cll_4521", "name": "Region", "requiredness": "NOT_REQUIRED"}]}')`);
	await db.query(`SELECT customers.save_class_segments('{"data": [
		{"id": "cls_593051", "label": "cll_4521", "name": "Mid-Atlantic"},
		{"id": "cls_593052", "label": "cll_4521", "name": "Washington DC", "parent": "cls_593051"}]}')`);
	await db.query('COMMIT');
	const patched = await call('PATCH', '/customers/cus_28868401', { token: 'acme', json: { classSegments: ['cls_593052'] } });
	assert.equal(patched.status, 200);
	assert.deepEqual(h.mask(patched.body), { ...SEED_CUSTOMER, version: 2, classSegments: [{ id: 'cls_593052' }] });

	const res = await call('POST', '/v6/customers/query', {
		token: 'acme',
		json: {
			limit: 123,
			sort: { orderBy: 'NAME', direction: 'ASC' },
			filter: {
				name: { equal: 'Acme Corp' },
				status: { in: ['ACTIVE'] },
				email: { contain: 'ACME' },
				classSegments: { expand: true, id: { in: ['cls_593051'] } },
			},
		},
	});
	assert.equal(res.status, 200);
	// The seed's response item; the chain ends in "child": null where the
	// seed shows "<unknown>", and one page holds it all, so no cursors.
	const expected = structuredClone(seeds.QUERY_RESPONSE.data[0]);
	assert.equal(expected.classSegments[0].child.child, '<unknown>');
	expected.classSegments[0].child.child = null;
	assert.deepEqual(h.mask(res.body), {
		result: 'SUCCESS',
		data: [{ ...savedBy('acme', expected), version: 2 }],
		cursor: {},
	});
});

// The seed 002 create body: every field it lists, with the patch example's values.
const REST_CREATE = {
	name: 'Globex Corporation',
	legal_name: 'Globex Corporation LLC',
	ein: '987654321',
	email: 'AP@Globex.example',
	external_id: 'globex-001',
	street_address: '1 Cypress Creek Pkwy',
	sub_premise: 'Floor 3',
	city: 'Cypress Creek',
	state: 'OR',
	postal_code: '97000',
	country: 'us',
};
const REST_CREATED = savedBy('acme', {
	id: '<generated cus id>',
	name: 'Globex Corporation',
	businessName: 'Globex Corporation LLC',
	taxIds: [{ type: 'us_ein', value: '98-7654321' }], // the seed's ein
	email: 'AP@Globex.example',
	externalId: 'globex-001',
	status: 'ACTIVE',
	address: {
		address1: '1 Cypress Creek Pkwy', address2: 'Floor 3', city: 'Cypress Creek', state: 'OR', zip: '97000',
		countryCode: 'USA',
	},
	ccEmails: [],
	bccEmails: [],
	customData: {},
	invoiceSettings: DEFAULT_INVOICE_SETTINGS,
});
let restId;

test('seed 002: POST /customers creates a customer from the seed fields', async () => {
	const res = await call('POST', '/customers', { token: 'acme', json: REST_CREATE });
	assert.equal(res.status, 201);
	assert.deepEqual(h.mask(res.body), REST_CREATED);
	restId = res.body.id;
	assert.equal(res.headers.location, `/customers/${restId}`);
});

test('seed 002: GET /customers/{id} returns it', async () => {
	const res = await call('GET', `/customers/${restId}`, { token: 'acme' });
	assert.equal(res.status, 200);
	assert.deepEqual(h.mask(res.body), REST_CREATED);
	assert.equal(res.body.id, restId);
});

const REST_PATCHED = {
	...REST_CREATED,
	name: 'Acme Corp',
	businessName: 'Acme Corporation Inc.',
	taxIds: [{ type: 'us_ein', value: '12-3456789' }],
	address: {
		address1: '123 Main St, New York, NY 10001', address2: 'Apt 1', city: 'New York', state: 'NY', zip: '10001',
		countryCode: 'USA',
	},
	version: 2,
};

test('seed 002: PATCH /customers/{id} with the seed example', async () => {
	const res = await call('PATCH', `/customers/${restId}`, { token: 'acme', json: seeds.REST_PATCH_EXAMPLE });
	assert.equal(res.status, 200);
	assert.deepEqual(h.mask(res.body), REST_PATCHED);
});

test('seed 002: DELETE /customers/{id} archives; again returns it unchanged', async () => {
	const archived = { ...REST_PATCHED, status: 'ARCHIVED', archivedDateTime: '<time>', version: 3 };
	for (let i = 0; i < 2; i++) {
		const res = await call('DELETE', `/customers/${restId}`, { token: 'acme' });
		assert.equal(res.status, 200);
		assert.deepEqual(h.mask(res.body), archived);
	}
	const res = await call('GET', `/customers/${restId}`, { token: 'acme' });
	assert.deepEqual(h.mask(res.body), archived);
});

test('seed 002: GET /customers leaves archived customers out', async () => {
	const res = await call('GET', '/customers?company_name=acme', { token: 'acme' });
	assert.equal(res.status, 200);
	assert.deepEqual(res.body.data.map((c) => c.id), ['cus_28868401']);
});

test('seed 002: POST /customers/{id}/restore brings back the status', async () => {
	const res = await call('POST', `/customers/${restId}/restore`, { token: 'acme' });
	assert.equal(res.status, 200);
	assert.deepEqual(h.mask(res.body), { ...REST_PATCHED, version: 4 });
	const list = await call('GET', '/customers?company_name=acme', { token: 'acme' });
	assert.deepEqual(list.body.data.map((c) => c.id), [restId, 'cus_28868401']); // newest first
});

test('customers by externalId: /customers/external_id/{externalId}/… reaches the customer its id reaches', async () => {
	const created = await call('POST', '/customers', { token: 'acme', json: { name: 'By Ext', external_id: 'acme org/1' } });
	assert.equal(created.status, 201);
	const id = created.body.id;
	const base = `/customers/external_id/${encodeURIComponent('acme org/1')}`;
	const got = await call('GET', base, { token: 'acme' });
	assert.equal(got.status, 200);
	assert.deepEqual(got.body, created.body);
	const patched = await call('PATCH', base, { token: 'acme', json: { email: 'ext@example.com' } });
	assert.equal(patched.status, 200);
	assert.equal(patched.body.id, id);
	assert.equal((await call('DELETE', base, { token: 'acme' })).body.status, 'ARCHIVED');
	assert.equal((await call('POST', `${base}/restore`, { token: 'acme' })).body.status, 'ACTIVE');
	const method = await call('POST', `${base}/payment-methods`, {
		token: 'acme', json: { type: 'BANK_ACCOUNT', bankAccount: { last4: '1111' } },
	});
	assert.equal(method.status, 201);
	assert.equal(method.headers.location, `${base}/payment-methods/${method.body.id}`);
	assert.equal((await call('GET', method.headers.location, { token: 'acme' })).body.id, method.body.id);
	assert.deepEqual((await call('GET', `${base}/payment-methods`, { token: 'acme' })).body.data.map((m) => m.id), [method.body.id]);
	assert.equal((await call('POST', `${base}/users`, { token: 'acme', json: { email: 'u@ext.example' } })).body.customerId, id);
	assert.deepEqual((await call('GET', `${base}/users`, { token: 'acme' })).body.data.map((u) => u.email), ['u@ext.example']);
	assert.deepEqual((await call('GET', `${base}/history`, { token: 'acme' })).body.data.map((e) => e.action),
		['RESTORE', 'ARCHIVE', 'PATCH', 'CREATE']);
	assert.equal((await call('DELETE', `${base}/payment-methods/${method.body.id}`, { token: 'acme' })).status, 200);
	// unknown externalIds are 404s, and another tenant's externalId is unknown
	const missing = await call('GET', '/customers/external_id/nope', { token: 'acme' });
	assert.equal(missing.status, 404);
	assert.deepEqual(missing.body, failure('NOT_FOUND', 'customer with externalId "nope" does not exist', null, {
		hint: 'Check the externalId, and that the token belongs to the customer\'s tenant.',
	}));
	assert.equal((await call('PATCH', base, { token: 'globex', json: { name: 'Stolen' } })).status, 404);
	assert.equal((await call('GET', base, { token: 'globex' })).status, 404);
});

test('Idempotency-Key: a retried create replays the first response; another request with the key is a 422', async () => {
	const headers = { 'idempotency-key': 'create-retry-1' };
	const first = await call('POST', '/customers', { token: 'acme', json: { name: 'Retried Create' }, headers });
	assert.equal(first.status, 201);
	const retry = await call('POST', '/customers', { token: 'acme', json: { name: 'Retried Create' }, headers });
	assert.equal(retry.status, 201);
	assert.equal(retry.text, first.text);
	assert.equal(retry.headers.location, first.headers.location);
	const other = await call('POST', '/customers', { token: 'acme', json: { name: 'Another Create' }, headers });
	assert.equal(other.status, 422);
	assert.equal(other.body.error[0].type, 'IDEMPOTENCY_ERROR');
	assert.equal(other.body.error[0].message, 'idempotency key "create-retry-1" was used for another request');
	// the key is the tenant's: another tenant's request with it runs
	const globex = await call('POST', '/customers', { token: 'globex', json: { name: 'Retried Create' }, headers });
	assert.equal(globex.status, 201);
	assert.notEqual(globex.body.id, first.body.id);
	const rows = await db.query("SELECT count(*)::int AS n FROM customers.customer WHERE name = 'Retried Create'");
	assert.equal(rows.rows[0].n, 2);
	// reading routes ignore the header; an over-long key is a 400
	assert.equal((await call('GET', `/customers/${first.body.id}`, { token: 'acme', headers })).status, 200);
	const long = await call('PATCH', `/customers/${first.body.id}`, {
		token: 'acme', json: { name: 'X' }, headers: { 'idempotency-key': 'k'.repeat(256) },
	});
	assert.equal(long.status, 400);
	assert.equal(long.body.error[0].param, 'Idempotency-Key');
	// the later tests list acme's customers: these go again
	await db.query("DELETE FROM customers.customer WHERE name = 'Retried Create'");
});

test('GET /customers/{id}/history lists every change, newest first', async () => {
	const res = await call('GET', `/customers/${restId}/history`, { token: 'acme' });
	assert.equal(res.status, 200);
	const entry = (version, action, changedFields) => ({
		version, action, actor: h.TOKENS.acme.actor, changedDateTime: '<time>', changedFields,
	});
	assert.deepEqual(h.mask(res.body), {
		data: [
			entry(4, 'RESTORE', ['status']),
			entry(3, 'ARCHIVE', ['status']), // the second DELETE changed nothing
			entry(2, 'PATCH', ['address', 'businessName', 'name', 'taxIds']),
			entry(1, 'CREATE', ['address', 'bccEmails', 'businessName', 'ccEmails', 'customData', 'email',
				'externalId', 'invoiceSettings', 'name', 'status', 'taxIds']),
		],
		start_cursor: null, end_cursor: null, has_previous_page: false, has_next_page: false,
	});
	const page = await call('GET', `/customers/${restId}/history?limit=3`, { token: 'acme' });
	assert.deepEqual(page.body.data.map((e) => e.version), [4, 3, 2]);
	const rest = await call('GET', `/customers/${restId}/history?limit=3&after=${page.body.end_cursor}`, { token: 'acme' });
	assert.deepEqual(rest.body.data.map((e) => e.version), [1]);
});

const CARD = {
	type: 'CARD', isDefault: true,
	card: { brand: 'visa', last4: '4242', expMonth: 12, expYear: 2030 },
	billingDetails: { name: 'Acme Corp' },
};
const BANK_ACCOUNT = {
	type: 'BANK_ACCOUNT', isDefault: true,
	bankAccount: { bankName: 'First Bank', last4: '6789', accountType: 'CHECKING' },
};
let cardId;
let bankId;

test('seed 002: payment methods: attach, list, get, detach, one default per customer', async () => {
	const card = await call('POST', `/customers/${restId}/payment-methods`, { token: 'acme', json: CARD });
	assert.equal(card.status, 201);
	assert.deepEqual(h.mask(card.body), { ...CARD, id: '<generated pm id>', createdDateTime: '<time>' });
	cardId = card.body.id;
	assert.equal(card.headers.location, `/customers/${restId}/payment-methods/${cardId}`);
	const bank = await call('POST', `/customers/${restId}/payment-methods`, { token: 'acme', json: BANK_ACCOUNT });
	assert.equal(bank.status, 201);
	bankId = bank.body.id;

	// the bank account is the default now; oldest first
	const list = await call('GET', `/customers/${restId}/payment-methods`, { token: 'acme' });
	assert.equal(list.status, 200);
	const cardNow = { ...CARD, isDefault: false, id: '<generated pm id>', createdDateTime: '<time>' };
	const bankNow = { ...BANK_ACCOUNT, id: '<generated pm id>', createdDateTime: '<time>' };
	assert.deepEqual(h.mask(list.body), { data: [cardNow, bankNow] });
	assert.deepEqual(list.body.data.map((m) => m.id), [cardId, bankId]);

	const got = await call('GET', `/customers/${restId}/payment-methods/${cardId}`, { token: 'acme' });
	assert.equal(got.status, 200);
	assert.deepEqual(got.body, list.body.data[0]);

	const detached = await call('DELETE', `/customers/${restId}/payment-methods/${cardId}`, { token: 'acme' });
	assert.equal(detached.status, 200);
	assert.deepEqual(detached.body, list.body.data[0]);
	const gone = failure('NOT_FOUND', `payment method "${cardId}" of customer "${restId}" does not exist`, null, {
		hint: `List the customer's payment methods with customers.payment_methods('${restId}').`,
	});
	for (const method of ['GET', 'DELETE']) {
		const res = await call(method, `/customers/${restId}/payment-methods/${cardId}`, { token: 'acme' });
		assert.equal(res.status, 404, method);
		assert.deepEqual(res.body, gone, method);
	}
	const after = await call('GET', `/customers/${restId}/payment-methods`, { token: 'acme' });
	assert.deepEqual(after.body.data.map((m) => m.id), [bankId]);
});

test('payment methods: card data is refused without echoing it; 409 for an archived customer; 404 for an unknown one', async () => {
	const number = '4242 4242 4242 4242';
	const res = await call('POST', `/customers/${restId}/payment-methods`, {
		token: 'acme', json: { ...CARD, billingDetails: { note: number, cvc: '123' } },
	});
	assert.equal(res.status, 400);
	assert.deepEqual(res.body, failure('VALIDATION_ERROR', '"billingDetails.cvc" is a card security code, which this store never holds', null, {
		detail: 'Also: "billingDetails.note" looks like a full card number.',
		hint: 'Store only what the payment provider returns about the card (brand, last4, expMonth, expYear), never its number or security code.',
	}));
	assert.ok(!res.text.includes(number) && !res.text.includes('123'), 'the card data is not echoed');

	const withId = await call('POST', `/customers/${restId}/payment-methods`, { token: 'acme', json: { ...CARD, id: bankId } });
	assert.equal(withId.status, 400);
	assert.deepEqual(withId.body, failure('VALIDATION_ERROR', '"id" cannot be given on create', 'id', {
		hint: 'Leave "id" out: the server sets it.',
	}));

	const other = await call('POST', '/customers', { token: 'acme', json: { name: 'Archived Co' } });
	await call('DELETE', `/customers/${other.body.id}`, { token: 'acme' });
	const archived = await call('POST', `/customers/${other.body.id}/payment-methods`, { token: 'acme', json: CARD });
	assert.equal(archived.status, 409);
	assert.deepEqual(archived.body, failure('CONFLICT', `customer "${other.body.id}" is archived`, null, {
		hint: `Restore the customer first with customers.restore('${other.body.id}').`,
	}));

	const unknown = failure('NOT_FOUND', 'customer "cus_nope" does not exist', null, {
		hint: 'Check the id, and that customers.tenant_id names the customer\'s tenant.',
	});
	for (const [method, path, json] of [
		['GET', '/customers/cus_nope/payment-methods'],
		['POST', '/customers/cus_nope/payment-methods', CARD],
		['GET', `/customers/cus_nope/payment-methods/${bankId}`],
		['DELETE', `/customers/cus_nope/payment-methods/${bankId}`],
	]) {
		const r = await call(method, path, { token: 'acme', json });
		assert.equal(r.status, 404, `${method} ${path}`);
		assert.deepEqual(r.body, unknown, `${method} ${path}`);
	}
	const list = await call('GET', `/customers/${restId}/payment-methods`, { token: 'acme' });
	assert.deepEqual(list.body.data.map((m) => m.id), [bankId], 'nothing was stored');
});

test('seed 002: customer users: create with the seed fields, list through cursors both ways', async () => {
	const jane = await call('POST', `/customers/${restId}/users`, {
		token: 'acme', json: { email: 'jane@acme.example', first_name: 'Jane', last_name: 'Doe' },
	});
	assert.equal(jane.status, 201);
	assert.deepEqual(h.mask(jane.body), {
		id: '<generated cuu id>', customerId: '<generated cus id>', email: 'jane@acme.example', firstName: 'Jane',
		lastName: 'Doe', createdDateTime: '<time>',
	});
	assert.equal(jane.body.customerId, restId);
	for (const name of ['ann', 'bob', 'cid', 'dee']) {
		const res = await call('POST', `/customers/${restId}/users`, { token: 'acme', json: { email: `${name}@acme.example` } });
		assert.equal(res.status, 201, res.text);
	}
	const page = async (query) => {
		const res = await call('GET', `/customers/${restId}/users?${query}`, { token: 'acme' });
		assert.equal(res.status, 200, res.text);
		return {
			emails: res.body.data.map((u) => u.email.split('@')[0]),
			prev: res.body.has_previous_page, next: res.body.has_next_page,
			start: res.body.start_cursor, end: res.body.end_cursor,
		};
	};
	// oldest first
	const p1 = await page('limit=2');
	assert.deepEqual([p1.emails, p1.prev, p1.next, p1.start], [['jane', 'ann'], false, true, null]);
	const p2 = await page(`limit=2&after=${p1.end}`);
	assert.deepEqual([p2.emails, p2.prev, p2.next], [['bob', 'cid'], true, true]);
	const p3 = await page(`limit=2&after=${p2.end}`);
	assert.deepEqual([p3.emails, p3.prev, p3.next, p3.end], [['dee'], true, false, null]);
	const b2 = await page(`limit=2&before=${p3.start}`);
	assert.deepEqual([b2.emails, b2.prev, b2.next], [['bob', 'cid'], true, true]);
	const b1 = await page(`limit=2&before=${b2.start}`);
	assert.deepEqual([b1.emails, b1.prev, b1.next], [['jane', 'ann'], false, true]);
	const all = await page('');
	assert.deepEqual(all.emails, ['jane', 'ann', 'bob', 'cid', 'dee']);
});

test('customer users: 409 for an email taken in any case, 400 for invalid users and cursors, 404 for an unknown customer', async () => {
	const cases = [
		['POST', `/customers/${restId}/users`, { json: { email: 'JANE@acme.example' } }, 409,
			failure('CONFLICT', `customer "${restId}" already has a user with email "JANE@acme.example"`, null, {
				detail: 'Emails of a customer\'s users are unique, ignoring case.',
				hint: 'Use another email address, or the existing user.',
			})],
		['POST', `/customers/${restId}/users`, { json: { email: 'eve@acme.example', id: 'cuu_mine' } }, 400,
			failure('VALIDATION_ERROR', 'unrecognized field "id"', null, {
				hint: 'Pass {"email", "firstName", "lastName"}; only "email" is required.',
			})],
		['GET', `/customers/${restId}/users?limit=0`, {}, 400,
			failure('VALIDATION_ERROR', '"limit" must be an integer from 1 to 1000, not 0', 'limit', {
				hint: 'Give "limit" as an integer from 1 to 1000.',
			})],
		['GET', `/customers/${restId}/users?before=zzz`, {}, 400,
			failure('VALIDATION_ERROR', 'invalid cursor', 'before', { detail: 'The cursor is too short.', hint: CURSOR_HINT })],
		['GET', `/customers/${restId}/users?company_name=x`, {}, 400,
			failure('VALIDATION_ERROR', 'unrecognized query parameter "company_name"', 'company_name', {
				hint: 'Use only "limit", "after", "before".',
			})],
		['GET', '/customers/cus_nope/users', {}, 404, null],
		['POST', '/customers/cus_nope/users', { json: { email: 'eve@acme.example' } }, 404, null],
		['GET', '/customers/cus_nope/history', {}, 404, null],
	];
	const unknown = failure('NOT_FOUND', 'customer "cus_nope" does not exist', null, {
		hint: 'Check the id, and that customers.tenant_id names the customer\'s tenant.',
	});
	for (const [method, path, options, status, expected] of cases) {
		const res = await call(method, path, { token: 'acme', ...options });
		assert.equal(res.status, status, `${method} ${path}: ${res.text}`);
		assert.deepEqual(res.body, expected || unknown, `${method} ${path}`);
	}
	const users = await call('GET', `/customers/${restId}/users?limit=1000`, { token: 'acme' });
	assert.equal(users.body.data.length, 5, 'nothing was stored');
});

test('seed 003: the Flexprice create request, with values for its placeholders, creates', async () => {
	const res = await call('POST', '/customers', {
		token: 'acme',
		json: {
			...seeds.FLEXPRICE_CREATE_REQUEST,
			address_city: 'Springfield', address_country: 'CA', address_line1: '742 Evergreen Terrace',
			address_line2: 'Unit 2', address_postal_code: 'K1A 0B1', address_state: 'ON', email: 'homer@example.com',
			external_id: 'flex-42', metadata: { plan: 'gold', seats: 3 }, name: 'Simpson Household',
		},
	});
	assert.equal(res.status, 201);
	assert.deepEqual(h.mask(res.body), savedBy('acme', {
		id: '<generated cus id>', name: 'Simpson Household', email: 'homer@example.com', externalId: 'flex-42',
		status: 'ACTIVE',
		address: {
			address1: '742 Evergreen Terrace', address2: 'Unit 2', city: 'Springfield', state: 'ON', zip: 'K1A 0B1',
			countryCode: 'CAN',
		},
		ccEmails: [], bccEmails: [], customData: { plan: 'gold', seats: 3 },
		invoiceSettings: DEFAULT_INVOICE_SETTINGS,
	}));
});

test('seed 003: the Flexprice request verbatim is a 400 naming every invalid field', async () => {
	const res = await call('POST', '/customers', { token: 'acme', json: seeds.FLEXPRICE_CREATE_REQUEST });
	assert.equal(res.status, 400);
	assert.deepEqual(res.body, {
		result: 'FAILURE',
		error: [
			{ type: 'VALIDATION_ERROR', message: '"email" is not a valid email address', param: 'email' },
			{
				type: 'VALIDATION_ERROR',
				message: '"address_country" must be an ISO 3166-1 alpha-2 or alpha-3 country code, not "<string>"',
				param: 'address_country',
			},
		],
	});
});

// Pagination: seven customers of tenant globex, made in one batch.
const NAMES = ['Initech 1', 'Initech 2', 'Initech 3', 'Initech 4', 'Initech 5', 'Initech 6', 'Initech 7'];

test('GET /customers pages forward and backward through cursors, newest first', async () => {
	const saved = await call('POST', '/v6/customers', { token: 'globex', json: { data: NAMES.map((name) => ({ name })) } });
	assert.equal(saved.body.result, 'SUCCESS');
	const page = async (query) => {
		const res = await call('GET', `/customers?${query}`, { token: 'globex' });
		assert.equal(res.status, 200, res.text);
		return res.body;
	};
	const shape = (p) => ({
		names: p.data.map((c) => c.name),
		start_cursor: typeof p.start_cursor, end_cursor: typeof p.end_cursor,
		has_previous_page: p.has_previous_page, has_next_page: p.has_next_page,
	});
	const first = await page('limit=3');
	assert.deepEqual(shape(first), {
		names: ['Initech 7', 'Initech 6', 'Initech 5'], start_cursor: 'object', end_cursor: 'string',
		has_previous_page: false, has_next_page: true,
	});
	assert.equal(first.start_cursor, null);
	const second = await page(`limit=3&after=${first.end_cursor}`);
	assert.deepEqual(shape(second), {
		names: ['Initech 4', 'Initech 3', 'Initech 2'], start_cursor: 'string', end_cursor: 'string',
		has_previous_page: true, has_next_page: true,
	});
	const third = await page(`limit=3&after=${second.end_cursor}`);
	assert.deepEqual(shape(third), {
		names: ['Initech 1'], start_cursor: 'string', end_cursor: 'object', has_previous_page: true, has_next_page: false,
	});
	const back = await page(`limit=3&before=${third.start_cursor}`);
	assert.deepEqual(shape(back), shape(second));
	const backToFirst = await page(`limit=3&before=${back.start_cursor}`);
	assert.deepEqual(shape(backToFirst), shape(first));
	// the limit may change between pages
	const rest = await page(`limit=10&after=${first.end_cursor}`);
	assert.deepEqual(rest.data.map((c) => c.name), ['Initech 4', 'Initech 3', 'Initech 2', 'Initech 1']);
});

test('GET /customers filters by created_at_start, created_at_end (inclusive) and company_name', async () => {
	const hour = 3600 * 1000;
	const past = new Date(Date.now() - hour).toISOString();
	const future = new Date(Date.now() + hour).toISOString();
	const names = async (query) => {
		const res = await call('GET', `/customers?${query}`, { token: 'globex' });
		assert.equal(res.status, 200, res.text);
		return res.body.data.map((c) => c.name);
	};
	const all = [...NAMES].reverse();
	assert.deepEqual(await names(`created_at_start=${past}&created_at_end=${future}`), all);
	assert.deepEqual(await names(`created_at_start=${future}`), []);
	assert.deepEqual(await names(`created_at_end=${past}`), []);
	assert.deepEqual(await names('company_name=TECH%203'), ['Initech 3']);
	// the legal name (businessName) is a company name too
	const legal = await call('POST', '/v6/customers', { token: 'globex',
		json: { data: [{ name: 'Bill Lumbergh', businessName: 'Initrode Legal LLC' }] } });
	assert.equal(legal.body.result, 'SUCCESS');
	assert.deepEqual(await names('company_name=initrode'), ['Bill Lumbergh']);
	assert.deepEqual(await names(`company_name=legal&created_at_start=${past}`), ['Bill Lumbergh']);
	// archived, so that the lists of the tests below hold the seven only
	const id = legal.body.data[0].data.id;
	assert.equal((await call('DELETE', `/customers/${id}`, { token: 'globex' })).status, 200);
	assert.deepEqual(await names(`company_name=initech&created_at_start=${encodeURIComponent('2000-01-01T00:00:00+01:00')}`), all);
});

test('GET /customers refuses invalid parameters, naming them', async () => {
	const cases = [
		['limit=abc', failure('VALIDATION_ERROR', 'query parameter "limit" must be an integer, not "abc"', 'limit', {
			hint: 'Give the number of items per page, e.g. limit=50.',
		})],
		['limit=0', failure('VALIDATION_ERROR', '"limit" must be an integer from 1 to 1000, not 0', 'limit', {
			hint: 'Give "limit" as an integer from 1 to 1000.',
		})],
		['limit=1&limit=2', failure('VALIDATION_ERROR', 'query parameter "limit" is given more than once', 'limit', {
			hint: 'Give it once.',
		})],
		['status=ACTIVE', failure('VALIDATION_ERROR', 'unrecognized query parameter "status"', 'status', {
			hint: 'Use only "limit", "after", "before", "created_at_start", "created_at_end", "company_name".',
		})],
		['after=x&before=y', failure('VALIDATION_ERROR', 'query parameters "after" and "before" cannot be given together', 'before', {
			hint: 'Send "end_cursor" as "after" for the next page, or "start_cursor" as "before" for the previous one.',
		})],
		['created_at_start=yesterday', failure('VALIDATION_ERROR',
			'query parameter "created_at_start" must be an RFC 3339 date-time, not "yesterday"', 'created_at_start', {
				hint: 'Give a date-time such as "2023-11-07T05:31:56Z" or "2023-11-07T00:31:56.5-05:00".',
			})],
		['created_at_end=2023-02-30T00:00:00Z', failure('VALIDATION_ERROR',
			'query parameter "created_at_end" must be an RFC 3339 date-time, not "2023-02-30T00:00:00Z"', 'created_at_end', {
				hint: 'Give a date-time such as "2023-11-07T05:31:56Z" or "2023-11-07T00:31:56.5-05:00".',
			})],
	];
	for (const [query, expected] of cases) {
		const res = await call('GET', `/customers?${query}`, { token: 'globex' });
		assert.equal(res.status, 400, query);
		assert.deepEqual(res.body, expected, query);
	}
});

test('GET /customers refuses an invalid, altered or mismatched cursor', async () => {
	const first = (await call('GET', '/customers?limit=2', { token: 'globex' })).body;
	const token = first.end_cursor;
	const altered = (token[5] === 'A' ? 'B' : 'A');
	const cases = [
		['after=not-a-cursor', 'after'],
		[`after=${token.slice(0, 5)}${altered}${token.slice(6)}`, 'after'],
		[`before=${token.slice(0, -4)}`, 'before'],
		[`after=${token}&company_name=Initech`, 'after'], // another filter
	];
	for (const [query, param] of cases) {
		const res = await call('GET', `/customers?limit=2&${query}`, { token: 'globex' });
		assert.equal(res.status, 400, query);
		assert.equal(res.body.error.length, 1);
		const { detail, ...rest } = res.body.error[0];
		assert.deepEqual(rest, { type: 'VALIDATION_ERROR', message: 'invalid cursor', param, hint: CURSOR_HINT }, query);
		assert.match(detail, /^The cursor .+\.$/, query);
	}
});

test('tenant isolation: one token cannot read, list, change or page through the other tenant\'s customers', async () => {
	const acmeBefore = await call('GET', '/customers/cus_28868401', { token: 'acme' });
	assert.equal(acmeBefore.status, 200);
	const notFound = (id) => failure('NOT_FOUND', `customer "${id}" does not exist`, null, {
		hint: 'Check the id, and that customers.tenant_id names the customer\'s tenant.',
	});
	const get = await call('GET', '/customers/cus_28868401', { token: 'globex' });
	assert.equal(get.status, 404);
	assert.deepEqual(get.body, failure('NOT_FOUND', 'customer "cus_28868401" does not exist', null, {
		hint: 'Check the id, and that the token belongs to the customer\'s tenant.',
	}));
	for (const [method, path, json] of [
		['PATCH', '/customers/cus_28868401', { name: 'Hijacked' }],
		['DELETE', '/customers/cus_28868401'],
		['POST', '/customers/cus_28868401/restore'],
	]) {
		const res = await call(method, path, { token: 'globex', json });
		assert.equal(res.status, 404, `${method} ${path}`);
		assert.deepEqual(res.body, notFound('cus_28868401'));
	}
	for (const [method, path, json] of [
		['GET', `/customers/${restId}/payment-methods`],
		['POST', `/customers/${restId}/payment-methods`, CARD],
		['GET', `/customers/${restId}/payment-methods/${bankId}`],
		['DELETE', `/customers/${restId}/payment-methods/${bankId}`],
		['GET', `/customers/${restId}/users`],
		['POST', `/customers/${restId}/users`, { email: 'spy@globex.example' }],
		['GET', `/customers/${restId}/history`],
	]) {
		const res = await call(method, path, { token: 'globex', json });
		assert.equal(res.status, 404, `${method} ${path}`);
		assert.deepEqual(res.body, notFound(restId), `${method} ${path}`);
	}
	assert.deepEqual((await call('GET', `/customers/${restId}/payment-methods`, { token: 'acme' })).body.data.map((m) => m.id), [bankId]);
	assert.equal((await call('GET', `/customers/${restId}/users?limit=1000`, { token: 'acme' })).body.data.length, 5);
	const list = await call('GET', '/customers?limit=1000', { token: 'globex' });
	assert.deepEqual(list.body.data.map((c) => c.name).sort(), [...NAMES].sort());
	const query = await call('POST', '/v6/customers/query', {
		token: 'globex', json: { filter: { id: { in: ['cus_28868401', restId] } } },
	});
	assert.deepEqual(query.body, { result: 'SUCCESS', data: [], cursor: {} });
	// acme's cursor means nothing to globex
	const acmePage = (await call('GET', '/customers?limit=1', { token: 'acme' })).body;
	const foreign = await call('GET', `/customers?limit=1&after=${acmePage.end_cursor}`, { token: 'globex' });
	assert.equal(foreign.status, 400);
	assert.equal(foreign.body.error[0].message, 'invalid cursor');
	// the same id is a different customer in each tenant
	const globexSeed = await call('POST', '/v6/customers', { token: 'globex', json: seeds.SAVE_REQUEST });
	assert.deepEqual(h.mask(globexSeed.body.data[0].data), savedBy('globex', seeds.SAVE_RESPONSE.data[0].data));
	const acmeAfter = await call('GET', '/customers/cus_28868401', { token: 'acme' });
	assert.deepEqual(acmeAfter.body, acmeBefore.body);
});

test('tenant isolation under concurrency: pooled connections never carry a tenant to the next request', async () => {
	// 40 requests at once over a pool of 2 connections, the tenants interleaved.
	const requests = [];
	for (let i = 0; i < 40; i++) {
		const token = i % 2 ? 'acme' : 'globex';
		requests.push(call('GET', '/customers?limit=1000', { token }).then((res) => ({ token, res })));
	}
	for (const { token, res } of await Promise.all(requests)) {
		assert.equal(res.status, 200);
		const actors = new Set(res.body.data.map((c) => c.createdBy));
		assert.deepEqual([...actors], [h.TOKENS[token].actor]);
	}
	const { rows } = await db.query(`SELECT count(*)::int AS n FROM pg_catalog.pg_stat_activity
		WHERE usename = $1 AND datname = $2`, [h.APP_ROLE, h.DATABASE]);
	assert.ok(rows[0].n >= 1 && rows[0].n <= 2, `the pool holds 1 or 2 connections, not ${rows[0].n}`);
});

test('numbers in customData keep every digit through the server', async () => {
	const text = '{"data": [{"name": "Precise Co", "customData": {"big": 123456789012345678901234567890, ' +
		'"exact": 0.1000000000000000000001, "tiny": 1e-30}}]}';
	const res = await call('POST', '/v6/customers', { token: 'acme', text });
	assert.equal(res.status, 200);
	assert.match(res.text, /"customData": \{"big": 123456789012345678901234567890, "tiny": 0\.0{29}1, "exact": 0\.1000000000000000000001\}/);
	const got = await call('GET', `/customers/${res.body.data[0].data.id}`, { token: 'acme' });
	assert.match(got.text, /"big": 123456789012345678901234567890,/);
});

test('errors: 401 without a known bearer token', async () => {
	const expected = failure('UNAUTHORIZED', 'missing or unrecognized bearer token', null, {
		hint: 'Send "Authorization: Bearer <token>" with a token the server knows.',
	});
	for (const headers of [{}, { authorization: 'Bearer nope' }, { authorization: 'Basic dGVzdDp0ZXN0' },
		{ authorization: `Bearer  ${h.TOKENS.acme.token}` }, { authorization: `bearer${h.TOKENS.acme.token}` }]) {
		const res = await call('GET', '/customers', { headers });
		assert.equal(res.status, 401, JSON.stringify(headers));
		assert.equal(res.headers['www-authenticate'], 'Bearer');
		assert.deepEqual(res.body, expected);
	}
	const lowerCase = await call('GET', '/customers/cus_28868401', { headers: { authorization: `bearer ${h.TOKENS.acme.token}` } });
	assert.equal(lowerCase.status, 200, 'the scheme name ignores case');
});

test('errors: 400 for bodies that are not JSON or not the right JSON, 413, 415 and 431', async () => {
	const cases = [
		['POST', '/v6/customers', { text: '{"data": [' }, 400,
			failure('VALIDATION_ERROR', 'request body is not valid JSON', 'body', { hint: 'Send one JSON value.' })],
		['POST', '/v6/customers', { text: '' }, 400,
			failure('VALIDATION_ERROR', 'request body is not valid JSON', 'body', { hint: 'Send one JSON value.' })],
		['POST', '/v6/customers', { json: { data: [] } }, 400,
			failure('VALIDATION_ERROR', '"data" must hold 1 to 1000 items, not 0', null, { hint: 'Split larger batches into several calls.' })],
		['POST', '/v6/customers', { json: [1] }, 400,
			failure('VALIDATION_ERROR', 'argument "request" must be a JSON object', null, { hint: 'Pass {"data": [customer, ...]}.' })],
		// JSON.parse takes \u0000, jsonb does not: PostgreSQL's 22P05 is a 400 too
		['POST', '/v6/customers', { text: '{"data": [{"name": "Nul \\u0000"}]}' }, 400,
			failure('VALIDATION_ERROR', 'unsupported Unicode escape sequence', null, { detail: '\\u0000 cannot be converted to text.' })],
		['POST', '/customers', { json: [{ name: 'x' }] }, 400,
			failure('VALIDATION_ERROR', 'request body must be a JSON object', null, { hint: 'Send the fields of one object.' })],
		['POST', '/customers', { json: { name: 'x', version: 1 } }, 400,
			failure('VALIDATION_ERROR', '"version" cannot be given on create', 'version', {
				hint: 'Leave "version" out: a new customer starts at version 1.',
			})],
		['PATCH', '/customers/cus_28868401', { json: [1] }, 400,
			failure('VALIDATION_ERROR', 'argument "patch" must be a JSON object', null, {
				hint: 'Pass a JSON object of the fields to change; null removes a field.',
			})],
		['PATCH', '/customers/cus_28868401', { json: { email: 'nope', color: 'red' } }, 400,
			failure('VALIDATION_ERROR', 'unrecognized field "color"', null, {
				detail: 'Also: "email" is not a valid email address.', hint: 'Correct the named field and retry.',
			})],
		['POST', '/v6/customers/query', { json: { filter: { name: { like: 'x' } } } }, 400,
			failure('VALIDATION_ERROR', 'unrecognized operator "filter.name.like"', 'filter.name.like', {
				hint: 'Operators for name: equal, notEqual, greaterThan, greaterThanEqual, lessThan, lessThanEqual, contain, in, notIn.',
			})],
		// a NUL byte cannot be a text parameter: class 22, so 400
		['GET', '/customers/%00', {}, 400,
			failure('VALIDATION_ERROR', 'invalid byte sequence for encoding "UTF8": 0x00', null)],
		['GET', '/customers/%E0%A4%A', {}, 400,
			failure('VALIDATION_ERROR', 'path parameter "id" is not valid percent-encoding', 'id')],
		['POST', '/v6/customers', { text: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415,
			failure('UNSUPPORTED_MEDIA_TYPE', 'content type "application/x-www-form-urlencoded" is not supported', null, {
				hint: 'Send the body as application/json.',
			})],
	];
	for (const [method, path, options, status, expected] of cases) {
		const res = await call(method, path, { token: 'acme', ...options });
		const label = `${method} ${path} ${JSON.stringify(options)}`;
		assert.equal(res.status, status, `${label}: ${res.text}`);
		assert.deepEqual(res.body, expected, label);
	}
	const longUrl = await call('GET', `/customers/${'x'.repeat(20000)}`, { token: 'acme' });
	assert.equal(longUrl.status, 431);
	assert.deepEqual(longUrl.body, failure('REQUEST_HEADER_FIELDS_TOO_LARGE', 'request headers are too large'));
	const raw = await new Promise((resolve, reject) => {
		const socket = require('node:net').connect(server.port, '127.0.0.1', () => socket.end('NOT HTTP\r\n\r\n'));
		let text = '';
		socket.on('data', (chunk) => { text += chunk; });
		socket.on('end', () => resolve(text));
		socket.on('error', reject);
	});
	assert.equal(raw.split('\r\n')[0], 'HTTP/1.1 400 Bad Request');
	assert.deepEqual(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)), failure('VALIDATION_ERROR', 'malformed HTTP request'));
	const big = await call('POST', '/v6/customers', { token: 'acme', text: `{"data": [{"name": "${'x'.repeat(9 * 1024 * 1024)}"}]}` });
	assert.equal(big.status, 413);
	assert.deepEqual(big.body, failure('PAYLOAD_TOO_LARGE', 'request body exceeds 8388608 bytes', null, {
		hint: 'Split the batch into smaller requests.',
	}));
	// nothing of the above was stored
	for (const filter of [{ name: { equal: 'x' } }, { name: { contain: 'Nul' } }]) {
		const list = await call('POST', '/v6/customers/query', { token: 'acme', json: { filter } });
		assert.deepEqual(list.body, { result: 'SUCCESS', data: [], cursor: {} });
	}
});

test('errors: 404 for unknown ids and routes, 405 for the wrong method', async () => {
	const notFound = (id) => failure('NOT_FOUND', `customer "${id}" does not exist`, null, {
		hint: 'Check the id, and that customers.tenant_id names the customer\'s tenant.',
	});
	const cases = [
		['GET', '/customers/cus_nope', 404, failure('NOT_FOUND', 'customer "cus_nope" does not exist', null, {
			hint: 'Check the id, and that the token belongs to the customer\'s tenant.',
		})],
		['PATCH', '/customers/cus_nope', 404, notFound('cus_nope')],
		['DELETE', '/customers/cus_nope', 404, notFound('cus_nope')],
		['POST', '/customers/cus_nope/restore', 404, notFound('cus_nope')],
		['GET', '/v6/customers', 405, failure('METHOD_NOT_ALLOWED', 'method GET is not allowed on /v6/customers', null, { hint: 'Use POST.' })],
		['PUT', '/customers/cus_nope', 405, failure('METHOD_NOT_ALLOWED', 'method PUT is not allowed on /customers/cus_nope', null, {
			hint: 'Use GET or PATCH or DELETE.',
		})],
		['GET', '/v7/customers', 404, failure('NOT_FOUND', 'no route for GET /v7/customers', null, {
			hint: 'See examples/http/README.md for the routes.',
		})],
	];
	for (const [method, path, status, expected] of cases) {
		const res = await call(method, path, { token: 'acme', json: method === 'PATCH' ? {} : undefined });
		assert.equal(res.status, status, `${method} ${path}`);
		assert.deepEqual(res.body, expected, `${method} ${path}`);
	}
	const res = await call('PUT', '/customers/x', { token: 'acme' });
	assert.equal(res.headers.allow, 'GET, PATCH, DELETE');
});

test('errors: 409 for a stale version, a taken externalId, or creating an existing id', async () => {
	const current = (await call('GET', `/customers/${restId}`, { token: 'acme' })).body;
	const stale = await call('PATCH', `/customers/${restId}`, { token: 'acme', json: { name: 'Late', version: current.version - 1 } });
	assert.equal(stale.status, 409);
	assert.deepEqual(stale.body, failure('CONFLICT', `customer "${restId}" is at version ${current.version}, not ${current.version - 1}`, null, {
		hint: 'Fetch the customer again and retry against its current state.',
	}));
	const taken = await call('PATCH', '/customers/cus_28868401', { token: 'acme', json: { externalId: 'globex-001' } });
	assert.equal(taken.status, 409);
	assert.deepEqual(taken.body, failure('CONFLICT', `externalId "globex-001" already belongs to customer "${restId}"`, null, {
		hint: 'Fetch the customer again and retry against its current state.',
	}));
	const existing = await call('POST', '/customers', { token: 'acme', json: { id: 'cus_28868401', name: 'Again' } });
	assert.equal(existing.status, 409);
	assert.deepEqual(existing.body, {
		result: 'FAILURE',
		error: [{ type: 'CONFLICT', message: 'customer "cus_28868401" is at version 2, not 0', param: 'version' }],
	});
	const createTaken = await call('POST', '/customers', { token: 'acme', json: { name: 'Copy', external_id: 'globex-001' } });
	assert.equal(createTaken.status, 409);
	assert.deepEqual(createTaken.body, { result: 'FAILURE', error: [{
		type: 'CONFLICT', message: `externalId "globex-001" already belongs to customer "${restId}"`, param: 'external_id',
	}] });
	// nothing changed
	assert.deepEqual((await call('GET', `/customers/${restId}`, { token: 'acme' })).body, current);
});

test('errors: 403 when the server\'s role lacks a privilege, without the database\'s words', async () => {
	await db.query(`REVOKE USAGE ON SCHEMA customers FROM ${h.APP_ROLE}`);
	let res;
	try {
		res = await call('GET', '/customers/cus_28868401', { token: 'acme' });
	} finally {
		await db.query(`GRANT USAGE ON SCHEMA customers TO ${h.APP_ROLE}`);
	}
	assert.equal(res.status, 403);
	assert.deepEqual(res.body, failure('FORBIDDEN', 'permission denied', null, {
		hint: 'The server\'s database role lacks a privilege; ask its operator.',
	}));
	assert.match(server.log, new RegExp(`request ${res.headers['x-request-id']}: SQLSTATE 42501: error: permission denied for schema customers`));
	assert.equal((await call('GET', '/customers/cus_28868401', { token: 'acme' })).status, 200);
});

// Run a request while the operator holds a lock it waits for, then end its
// statement with stop ('pg_cancel_backend' or 'pg_terminate_backend').
async function interrupted(stop) {
	await db.query('BEGIN');
	await db.query('LOCK TABLE customers.customer IN ACCESS EXCLUSIVE MODE');
	const pending = call('GET', '/customers/cus_28868401', { token: 'acme' });
	try {
		for (let i = 0; ; i++) {
			const { rows } = await db.query(`SELECT pid FROM pg_catalog.pg_stat_activity
				WHERE usename = $1 AND wait_event_type = 'Lock'`, [h.APP_ROLE]);
			if (rows.length === 1) {
				await db.query(`SELECT pg_catalog.${stop}($1)`, [rows[0].pid]);
				break;
			}
			assert.ok(i < 200, 'the request waits for the lock');
			await new Promise((resolve) => setTimeout(resolve, 25));
		}
		return await pending;
	} finally {
		await db.query('ROLLBACK');
	}
}

test('errors: 500 for anything else, with only a request id; the pool recovers', async () => {
	for (const [stop, sqlstate] of [['pg_cancel_backend', '57014'], ['pg_terminate_backend', '57P01']]) {
		const res = await interrupted(stop);
		const id = res.headers['x-request-id'];
		assert.match(id, /^[0-9a-f-]{36}$/);
		assert.equal(res.status, 500, stop);
		assert.deepEqual(res.body, failure('UNKNOWN_ERROR', `internal error (request ${id})`), stop);
		assert.match(server.log, new RegExp(`request ${id}: SQLSTATE ${sqlstate}: `), stop);
	}
	for (let i = 0; i < 3; i++)
		assert.equal((await call('GET', '/customers/cus_28868401', { token: 'acme' })).status, 200);
});

test('a hot standby serves the reading routes; writes still go to the primary', async () => {
	const standby = { host: process.env.STANDBY_PGHOST, port: Number(process.env.STANDBY_PGPORT) };
	assert.ok(standby.host, 'examples/http/test.sh starts a standby and sets STANDBY_PGHOST');
	const replica = new pg.Client({ ...standby, database: h.DATABASE });
	await replica.connect();
	const second = await h.startServer(tokenDir.file, { READ_PGHOST: standby.host, READ_PGPORT: String(standby.port) });
	try {
		assert.deepEqual((await replica.query('SELECT pg_catalog.pg_is_in_recovery() AS standby')).rows, [{ standby: true }]);
		const viaStandby = (method, path, options) => h.request(second.port, method, path, { token: 'acme', ...options });
		const standbyConnections = async () => (await replica.query(`SELECT count(*)::int AS n
			FROM pg_catalog.pg_stat_activity WHERE usename = $1`, [h.APP_ROLE])).rows[0].n;

		const created = await viaStandby('POST', '/customers', { json: { name: 'Replicated Co' } });
		assert.equal(created.status, 201, 'a write goes to the primary');
		assert.equal(await standbyConnections(), 0, 'the write did not touch the standby');
		// wait until the standby has replayed the primary's WAL so far (the
		// insert position: the test cluster commits asynchronously)
		const { rows: [{ lsn }] } = await db.query('SELECT pg_catalog.pg_current_wal_insert_lsn()::text AS lsn');
		for (let i = 0; ; i++) {
			const { rows: [{ done }] } = await replica.query('SELECT pg_catalog.pg_last_wal_replay_lsn() >= $1::pg_lsn AS done', [lsn]);
			if (done)
				break;
			assert.ok(i < 400, 'the standby replays within 10 s');
			await new Promise((resolve) => setTimeout(resolve, 25));
		}

		const got = await viaStandby('GET', `/customers/${created.body.id}`);
		assert.equal(got.status, 200);
		assert.deepEqual(got.body, created.body);
		assert.ok(await standbyConnections() >= 1, 'the read was served by the standby');
		// the same pages, and the same cursors, as from the primary: a cursor
		// from either works on the other
		const fromPrimary = (await call('GET', '/customers?limit=2', { token: 'acme' })).body;
		const fromStandby = (await viaStandby('GET', '/customers?limit=2')).body;
		assert.deepEqual(fromStandby, fromPrimary);
		const next = await viaStandby('GET', `/customers?limit=2&after=${fromPrimary.end_cursor}`);
		assert.deepEqual(next.body, (await call('GET', `/customers?limit=2&after=${fromStandby.end_cursor}`, { token: 'acme' })).body);
		const query = await viaStandby('POST', '/v6/customers/query', { json: { filter: { name: { equal: 'Replicated Co' } } } });
		assert.deepEqual(query.body, { result: 'SUCCESS', data: [created.body], cursor: {} });
		const patched = await viaStandby('PATCH', `/customers/${created.body.id}`, { json: { email: 'ops@replicated.example' } });
		assert.equal(patched.status, 200, 'a PATCH goes to the primary');
		assert.equal(patched.body.version, 2);
	} finally {
		assert.equal(await h.stopServer(second), 0);
		await replica.end();
	}
});
