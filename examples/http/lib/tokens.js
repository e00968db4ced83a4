'use strict';
// The bearer-token mapping: which tenant (and actor) a request acts for.
//
// The file is JSON: {"<sha256 hex of a token>": {"tenant": "...", "actor": "..."}}.
// It holds digests, not tokens, so reading it does not reveal a credential;
// make a digest with `printf %s "$TOKEN" | sha256sum`. The tenant comes only
// from here, never from the request body, the path or another header.

const crypto = require('node:crypto');
const fs = require('node:fs');

const DIGEST = /^[0-9a-f]{64}$/;

// Read and check the file; throws with the offending entry named.
function loadTokens(path) {
	const parsed = JSON.parse(fs.readFileSync(path, 'utf8'));
	if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
		throw new Error(`${path}: must be a JSON object of token digests`);
	const byDigest = new Map();
	for (const [digest, entry] of Object.entries(parsed)) {
		if (!DIGEST.test(digest))
			throw new Error(`${path}: key "${digest}" is not a lower-case hex SHA-256 digest`);
		if (entry === null || typeof entry !== 'object' ||
			typeof entry.tenant !== 'string' || entry.tenant === '' ||
			typeof entry.actor !== 'string' || entry.actor === '')
			throw new Error(`${path}: entry "${digest}" needs non-empty "tenant" and "actor" strings`);
		byDigest.set(digest, { tenant: entry.tenant, actor: entry.actor });
	}
	return byDigest;
}

// The principal of an Authorization header, or null when it names none.
function principalOf(tokens, header) {
	const match = /^Bearer ([\x21-\x7e]+)$/i.exec(header || ''); // the scheme ignores case (RFC 7235)
	if (!match)
		return null;
	const digest = crypto.createHash('sha256').update(match[1]).digest('hex');
	return tokens.get(digest) || null;
}

function digestOf(token) {
	return crypto.createHash('sha256').update(token).digest('hex');
}

module.exports = { loadTokens, principalOf, digestOf };
