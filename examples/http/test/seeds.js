'use strict';
// The example requests and responses of the seeds in /work/shared/seeds,
// copied here as data so the tests run from a clone alone.

// 000: Tight v6 "Save customers", POST /v6/customers.
const SAVE_REQUEST = {
	"data": [
		{
			"name": "Acme Corp",
			"id": "cus_28868401",
			"status": "ACTIVE",
			"additionalContactName": "Jane Smith",
			"businessName": "Acme Corporation LLC",
			"email": "billing@acme.com",
			"ccEmails": [
				"[\"cc@acme.com\"]"
			],
			"bccEmails": [
				"[\"bcc@acme.com\"]"
			],
			"invoiceSettings": {
				"invoicePrefix": "INV-",
				"showAdditionalContactName": true,
				"showBusinessName": true,
				"showName": true,
				"showEmail": true,
				"showAddress": true,
				"showPhoneWork": true
			},
			"address": {
				"state": "<string>",
				"city": "<string>",
				"zip": "<string>",
				"phoneWork": "<string>",
				"address1": "<string>",
				"address2": "<string>"
			},
			"customData": {
				"internal_key": "some_internal_key",
				"some_other_field": 23434
			}
		}
	]
};

const SAVE_RESPONSE = {
	"result": "SUCCESS",
	"data": [
		{
			"result": "SUCCESS",
			"statusCode": 200,
			"data": {
				"id": "cus_28868401",
				"name": "Acme Corp",
				"status": "ACTIVE",
				"additionalContactName": "Jane Smith",
				"businessName": "Acme Corporation LLC",
				"email": "billing@acme.com",
				"ccEmails": [
					"cc@acme.com"
				],
				"bccEmails": [
					"bcc@acme.com"
				],
				"invoiceSettings": {
					"invoicePrefix": "INV-",
					"showAdditionalContactName": true,
					"showBusinessName": true,
					"showName": true,
					"showEmail": true,
					"showAddress": true,
					"showPhoneWork": true
				},
				"address": {
					"countryCode": "USA",
					"state": "<string>",
					"city": "<string>",
					"zip": "<string>",
					"phoneWork": "<string>",
					"address1": "<string>",
					"address2": "<string>"
				},
				"customData": {
					"internal_key": "some_internal_key",
					"some_other_field": 23434
				}
			},
			"error": [
				{
					"type": "UNKNOWN_ERROR",
					"message": "<string>",
					"param": "<string>"
				}
			]
		}
	],
	"error": [
		{
			"type": "UNKNOWN_ERROR",
			"message": "<string>",
			"param": "<string>"
		}
	]
};

// 001: Tight v6 "Query customers", POST /v6/customers/query.
const QUERY_REQUEST = {
	"cursor": "<string>",
	"limit": 123,
	"sort": {
		"orderBy": "NAME",
		"direction": "ASC"
	},
	"filter": {
		"name": {
			"equal": "<string>",
			"notEqual": "<string>",
			"greaterThan": "<string>",
			"greaterThanEqual": "<string>",
			"lessThan": "<string>",
			"lessThanEqual": "<string>",
			"contain": "<string>"
		},
		"status": {
			"in": [
				"ACTIVE"
			],
			"notIn": [
				"ACTIVE"
			],
			"equal": "ACTIVE",
			"notEqual": "ACTIVE",
			"greaterThan": "ACTIVE",
			"greaterThanEqual": "ACTIVE",
			"lessThan": "ACTIVE",
			"lessThanEqual": "ACTIVE"
		},
		"email": {
			"equal": "<string>",
			"notEqual": "<string>",
			"greaterThan": "<string>",
			"greaterThanEqual": "<string>",
			"lessThan": "<string>",
			"lessThanEqual": "<string>",
			"contain": "<string>"
		},
		"classSegments": {
			"expand": true,
			"id": {
				"in": [
					"<string>"
				]
			}
		}
	}
};

const QUERY_RESPONSE = {
	"result": "SUCCESS",
	"data": [
		{
			"id": "cus_28868401",
			"name": "Acme Corp",
			"status": "ACTIVE",
			"additionalContactName": "Jane Smith",
			"businessName": "Acme Corporation LLC",
			"email": "billing@acme.com",
			"ccEmails": [
				"cc@acme.com"
			],
			"bccEmails": [
				"bcc@acme.com"
			],
			"invoiceSettings": {
				"invoicePrefix": "INV-",
				"showAdditionalContactName": true,
				"showBusinessName": true,
				"showName": true,
				"showEmail": true,
				"showAddress": true,
				"showPhoneWork": true
			},
			"address": {
				"countryCode": "USA",
				"state": "<string>",
				"city": "<string>",
				"zip": "<string>",
				"phoneWork": "<string>",
				"address1": "<string>",
				"address2": "<string>"
			},
			"classSegments": [
				{
					"id": "cls_593051",
					"label": {
						"id": "cll_4521",
						"name": "Region",
						"requiredness": "NOT_REQUIRED"
					},
					"name": "Mid-Atlantic",
					"child": {
						"id": "cls_593052",
						"label": {
							"id": "cll_4521",
							"name": "Region",
							"requiredness": "NOT_REQUIRED"
						},
						"name": "Washington DC",
						"child": "<unknown>"
					}
				}
			],
			"createdDateTime": "2023-11-07T05:31:56Z",
			"customData": {
				"internal_key": "some_internal_key",
				"some_other_field": 23434
			}
		}
	],
	"cursor": {
		"after": "<string>",
		"before": "<string>"
	}
};

// 002: the REST API. The create request lists its fields without values;
// the patch request gives an example for each of its fields.
const REST_PATCH_EXAMPLE = {
	city: 'New York',
	country: 'USA',
	ein: '12-3456789',
	legal_name: 'Acme Corporation Inc.',
	name: 'Acme Corp',
	postal_code: '10001',
	state: 'NY',
	street_address: '123 Main St, New York, NY 10001',
	sub_premise: 'Apt 1',
};

// 003: Flexprice "Create a customer" (sent to POST /customers, whose body
// accepts Flexprice's field names).
const FLEXPRICE_CREATE_REQUEST = {
	address_city: '<string>',
	address_country: '<string>',
	address_line1: '<string>',
	address_line2: '<string>',
	address_postal_code: '<string>',
	address_state: '<string>',
	email: '<string>',
	external_id: '<string>',
	metadata: {},
	name: '<string>',
};

module.exports = {
	SAVE_REQUEST, SAVE_RESPONSE, QUERY_REQUEST, QUERY_RESPONSE, REST_PATCH_EXAMPLE, FLEXPRICE_CREATE_REQUEST,
};
