'use strict';
// Errors as HTTP: status codes and the one error body every route uses,
// Tight's envelope {"result": "FAILURE", "error": [{"type", "message", "param"}]}
// ("detail" and "hint" are added when PostgreSQL gave them).

// SQLSTATEs the extension raises for a client's mistake, and their statuses.
// Any other SQLSTATE of class 22 (data exception: invalid JSON text, a NUL
// byte, an untranslatable character) is also the client's input, so 400.
const STATUS_BY_SQLSTATE = new Map([
	['22023', 400], // invalid_parameter_value: malformed request, filter, cursor
	['P0002', 404], // no_data_found: no such customer for this tenant
	['23505', 409], // unique_violation: externalId held by another customer
	['40001', 409], // serialization_failure: stale version precondition
	['55000', 409], // object_not_in_prerequisite_state: archived customer
	['CU001', 422], // the Idempotency-Key was used for another request
	['28000', 403], // invalid_authorization_specification
	['42501', 403], // insufficient_privilege
]);

const TYPE_BY_STATUS = new Map([
	[400, 'VALIDATION_ERROR'],
	[401, 'UNAUTHORIZED'],
	[403, 'FORBIDDEN'],
	[404, 'NOT_FOUND'],
	[405, 'METHOD_NOT_ALLOWED'],
	[409, 'CONFLICT'],
	[413, 'PAYLOAD_TOO_LARGE'],
	[415, 'UNSUPPORTED_MEDIA_TYPE'],
	[422, 'IDEMPOTENCY_ERROR'],
	[431, 'REQUEST_HEADER_FIELDS_TOO_LARGE'],
	[500, 'UNKNOWN_ERROR'],
]);

// An error the server itself detects (before or instead of a SQL call).
class HttpError extends Error {
	constructor(status, message, { param = null, hint, headers } = {}) {
		super(message);
		this.status = status;
		this.param = param;
		this.hint = hint;
		this.headers = headers;
	}
}

// The response body of one error item.
function failureBody(status, message, param, detail, hint) {
	const item = { type: TYPE_BY_STATUS.get(status), message, param };
	if (detail)
		item.detail = detail;
	if (hint)
		item.hint = hint;
	return { result: 'FAILURE', error: [item] };
}

// Status of a database error: the table above, class 22, else 500.
function statusOfSqlstate(code) {
	if (typeof code !== 'string')
		return 500;
	if (STATUS_BY_SQLSTATE.has(code))
		return STATUS_BY_SQLSTATE.get(code);
	return code.startsWith('22') ? 400 : 500;
}

// {status, body, log} for anything a handler threw. Only messages written for
// the client pass through: the extension's own (no constraint name), and the
// server's. A raw constraint violation, a permission problem of the server's
// role and every 500 get a fixed message; the full error goes to the log.
function toResponse(err, requestId) {
	if (err instanceof HttpError)
		return { status: err.status, headers: err.headers, body: failureBody(err.status, err.message, err.param, null, err.hint) };

	const status = statusOfSqlstate(err && err.code);
	const logged = `request ${requestId}: ${err && err.code ? `SQLSTATE ${err.code}: ` : ''}${err && err.stack}`;
	if (status === 500)
		return { status, log: logged, body: failureBody(500, `internal error (request ${requestId})`, null) };
	if (status === 403)
		return {
			status, log: logged,
			body: failureBody(403, 'permission denied', null, null,
				'The server\'s database role lacks a privilege; ask its operator.'),
		};
	if (status === 409 && err.constraint)
		return {
			status, log: logged,
			body: failureBody(409, 'the request conflicts with a concurrent change', null, null, 'Retry the request.'),
		};
	return { status, body: failureBody(status, err.message, err.param || null, err.detail, err.hint) };
}

module.exports = { HttpError, failureBody, statusOfSqlstate, toResponse };
