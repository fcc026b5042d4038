import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  AuthError,
  type AuthenticatedRequest,
  authenticateRequest,
  type Caller,
  sha256Hex,
} from '../../src/aws/index.js';
import {
  type SuiteContext as Context,
  parseSuiteRequest as parseRequest,
  readCase as read,
  SUITE,
} from '../helpers/sigv4-suite.js';

const CALLER: Caller = {
  kind: 'admin',
  arn: 'arn:aws:iam::111122223333:root',
  accountId: '111122223333',
  userId: '111122223333',
  principal: { arn: 'arn:aws:iam::111122223333:root', accountId: '111122223333', type: 'Account' },
};

/**
 * Verifies as the S3 endpoint does (src/runtime/aws-side.ts): authenticateRequest with normalizePath false,
 * the payload hash as sent. The suite's scope names the service "service", so that is the expected scope.
 * Returns the verified request, or the SignatureDoesNotMatch error (which carries the canonical request).
 */
function verifyAsS3(name: string, form: 'header' | 'query'): AuthenticatedRequest | AuthError {
  const ctx = JSON.parse(read(name, 'context.json')) as Context;
  const { req, body } = parseRequest(read(name, `${form}-signed-request.txt`));
  try {
    return authenticateRequest(req, {
      credentials: {
        resolveSigner: (id) => {
          assert.equal(id, ctx.credentials.access_key_id);
          return { caller: CALLER, secretAccessKey: ctx.credentials.secret_access_key };
        },
      },
      service: ctx.service,
      payloadHash: sha256Hex(body),
      normalizePath: false,
      now: Date.parse(ctx.timestamp),
    })!;
  } catch (err) {
    if (err instanceof AuthError) return err;
    throw err;
  }
}

const unnormalized = readdirSync(SUITE).filter((n) => n.endsWith('-unnormalized'));
// The normalized twins of those cases: same request, but the suite's signer normalised the path.
const normalized = unnormalized
  .map((n) => n.replace(/-unnormalized$/, '-normalized'))
  .filter((n) => existsSync(join(SUITE, n)));

describe("S3's SigV4 rules against AWS's signing suite (paths not normalised)", () => {
  it('finds the unnormalized cases and their normalized twins', () => {
    assert.ok(unnormalized.length >= 5, unnormalized.join(', '));
    assert.ok(normalized.length >= 5, normalized.join(', '));
    for (const n of unnormalized) {
      assert.equal((JSON.parse(read(n, 'context.json')) as Context).normalize, false, n);
    }
  });

  for (const name of unnormalized) {
    for (const form of ['header', 'query'] as const) {
      it(`${name} (${form}): the suite's canonical request, and its signature verifies`, () => {
        const r = verifyAsS3(name, form);
        assert.ok(!(r instanceof AuthError), r instanceof AuthError ? r.extra.CanonicalRequest : '');
        assert.equal(r.canonicalRequest, read(name, `${form}-canonical-request.txt`));
        assert.equal(r.stringToSign, read(name, `${form}-string-to-sign.txt`));
        assert.equal(r.seedSignature, read(name, `${form}-signature.txt`).trim());
      });
    }
  }

  for (const name of normalized) {
    const twin = name.replace(/-normalized$/, '-unnormalized');
    for (const form of ['header', 'query'] as const) {
      it(`${name} (${form}): S3 does not normalise the path`, () => {
        const expected = read(name, `${form}-canonical-request.txt`);
        const literal = read(twin, `${form}-canonical-request.txt`);
        const r = verifyAsS3(name, form);
        if (expected === literal) {
          // Normalising changes nothing here (e.g. get-space): S3 agrees with the suite.
          assert.ok(!(r instanceof AuthError), `${name} should verify`);
          assert.equal(r.canonicalRequest, expected);
          return;
        }
        // The suite signed the normalised path; S3 canonicalises the path as sent, so it computes the
        // unnormalized twin's canonical request and refuses the normalising signer's signature.
        assert.ok(r instanceof AuthError, `${name} must not verify with S3's rules`);
        assert.equal(r.code, 'SignatureDoesNotMatch');
        assert.equal(r.reason, 'mismatch');
        assert.notEqual(r.extra.CanonicalRequest, expected);
        assert.equal(r.extra.CanonicalRequest, literal);
      });
    }
  }
});
