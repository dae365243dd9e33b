// Signs HTTP requests the RFC 9421 way with the http-message-signatures
// package, for tests that need signatures our own code did not make.
// Reads {keyPem, jobs: [{method, url, headers, body, keyId, alg, label,
// fields, params, created, expires, digest}]} on stdin and writes, for each
// job, the headers to add (Content-Digest, Signature-Input, Signature).
'use strict';
const crypto = require('crypto');
const { httpbis, createSigner } = require('http-message-signatures');

async function sign(keyPem, job) {
	const headers = { ...job.headers };
	const added = {};
	if (job.digest) {
		const sum = crypto.createHash(job.digest.replace('-', '')).update(Buffer.from(job.body || '', 'utf8')).digest('base64');
		added['Content-Digest'] = headers['Content-Digest'] = `${job.digest}=:${sum}:`;
	}
	const paramValues = {};
	if (job.created) paramValues.created = new Date(job.created * 1000);
	if (job.expires) paramValues.expires = new Date(job.expires * 1000);
	if (job.algParam) paramValues.alg = job.algParam;
	const signed = await httpbis.signMessage({
		key: createSigner(keyPem, job.alg, job.keyId),
		name: job.label,
		fields: job.fields,
		params: job.params,
		paramValues,
	}, { method: job.method, url: job.url, headers });
	added['Signature-Input'] = signed.headers['Signature-Input'];
	added['Signature'] = signed.headers['Signature'];
	return added;
}

async function main() {
	const chunks = [];
	for await (const c of process.stdin) chunks.push(c);
	const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
	const out = [];
	for (const job of input.jobs) out.push(await sign(input.keyPem, job));
	process.stdout.write(JSON.stringify(out));
}

main().catch((e) => { console.error(e); process.exit(1); });
