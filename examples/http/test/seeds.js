'use strict';
// The example requests and responses of the seeds the API was built from
// (docs/api.md §9), read from the repository's test/fixtures, which the SQL
// tests and the demo read too.
const fs = require('node:fs');
const path = require('node:path');

const FIXTURES = path.join(__dirname, '..', '..', '..', 'test', 'fixtures');
const fixture = (name) => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8'));

module.exports = {
	// 000: Tight v6 "Save customers", POST /v6/customers.
	SAVE_REQUEST: fixture('seed_000_save_request.json'),
	SAVE_RESPONSE: fixture('seed_000_save_response.json'),
	// 001: Tight v6 "Query customers", POST /v6/customers/query.
	QUERY_REQUEST: fixture('seed_001_query_request.json'),
	QUERY_RESPONSE: fixture('seed_001_query_response.json'),
	// 002: the REST API. The create request lists its fields without values;
	// the patch request gives an example for each of its fields.
	REST_PATCH_EXAMPLE: fixture('seed_002_patch_customer.json'),
	// 003: Flexprice "Create a customer" (sent to POST /customers, whose body
	// accepts Flexprice's field names).
	FLEXPRICE_CREATE_REQUEST: fixture('seed_003_create_customer_request.json'),
};
