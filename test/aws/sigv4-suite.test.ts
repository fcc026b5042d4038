import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AuthError,
  canonicalForm,
  checkSigningTime,
  parseSigV4,
  type SigV4Request,
  sha256Hex,
  verifySignature,
} from '../../src/aws/index.js';
import {
  type SuiteContext as Context,
  parseSuiteRequest as parseRequest,
  readCase as read,
  suiteCases,
} from '../helpers/sigv4-suite.js';

const cases = suiteCases();

describe('SigV4 verifier against AWS signing suite', () => {
  it('finds the suite', () => assert.ok(cases.length >= 30, `${cases.length} cases`));

  for (const name of cases) {
    for (const form of ['header', 'query'] as const) {
      it(`${name} (${form})`, () => {
        const ctx = JSON.parse(read(name, 'context.json')) as Context;
        const now = Date.parse(ctx.timestamp);
        const { req, body } = parseRequest(read(name, `${form}-signed-request.txt`));
        const payloadHash = sha256Hex(body);
        const auth = parseSigV4(req);
        assert.ok(auth, 'signature found');
        assert.equal(auth.form, form);
        assert.equal(auth.accessKeyId, ctx.credentials.access_key_id);
        assert.equal(auth.service, ctx.service);
        const expectedCanonical = read(name, `${form}-canonical-request.txt`);
        const expectedSts = read(name, `${form}-string-to-sign.txt`);
        const includeToken = form !== 'query' || expectedCanonical.includes('X-Amz-Security-Token');
        const computed = canonicalForm(req, auth, payloadHash, ctx.normalize, includeToken);
        assert.equal(computed.canonicalRequest, expectedCanonical);
        assert.equal(computed.stringToSign, expectedSts);
        assert.equal(auth.signature, read(name, `${form}-signature.txt`).trim());
        checkSigningTime(auth, now);
        const opts = {
          secretAccessKey: ctx.credentials.secret_access_key,
          payloadHash,
          normalizePath: ctx.normalize,
        };
        const ok = verifySignature(req, auth, opts);
        assert.equal(ok.stringToSign, expectedSts);

        // Tampered variants are refused.
        const refuse = (r: SigV4Request, what: string) => {
          assert.throws(
            () => {
              const a = parseSigV4(r);
              assert.ok(a);
              verifySignature(r, a, opts);
            },
            (e: unknown) => e instanceof AuthError && e.code === 'SignatureDoesNotMatch',
            what,
          );
        };
        refuse({ ...req, method: req.method === 'GET' ? 'POST' : 'GET' }, 'method');
        const q = req.url.indexOf('?');
        const pathEnd = q < 0 ? req.url.length : q;
        refuse({ ...req, url: `${req.url.slice(0, pathEnd)}x${req.url.slice(pathEnd)}` }, 'path');
        refuse(
          { ...req, url: req.url.includes('?') ? `${req.url}&extra=1` : `${req.url}?extra=1` },
          'added query parameter',
        );
        refuse(
          {
            ...req,
            headers: req.headers.map(([n, v]) => [n, n.toLowerCase() === 'host' ? `x${v}` : v] as const),
          },
          'host header',
        );
        const sig = auth.signature;
        const flipped = `${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`;
        const swap = (s: string) => s.replace(sig, flipped);
        refuse(
          { ...req, url: swap(req.url), headers: req.headers.map(([n, v]) => [n, swap(v)] as const) },
          'signature',
        );
        assert.throws(
          () => verifySignature(req, auth, { ...opts, secretAccessKey: `${opts.secretAccessKey}x` }),
          /does not match/,
          'wrong secret',
        );
        assert.throws(
          () => verifySignature(req, auth, { ...opts, payloadHash: sha256Hex(`${body}x`) }),
          /does not match/,
          'body',
        );
        // Outside the 15-minute window (header form) or past X-Amz-Expires (query form).
        assert.throws(
          () => checkSigningTime(auth, now + 3_600_001),
          (e: unknown) => e instanceof AuthError && (e.reason === 'skew' || e.reason === 'expired'),
        );
        assert.throws(
          () => checkSigningTime(auth, now - 15 * 60_000 - 1000),
          (e: unknown) => e instanceof AuthError && e.reason === 'skew',
        );
      });
    }
  }
});
