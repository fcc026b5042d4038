import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AuthError,
  checkSigningTime,
  EMPTY_SHA256,
  formatAmzDate,
  parseSigV4,
  type SigV4Request,
  signRequest,
  verifySignature,
} from '../../src/aws/index.js';

const CREDS = { accessKeyId: 'AKIAIRSAKITADMIN0001', secretAccessKey: 'secret' };
const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);

function req(url: string, headers: Record<string, string>, method = 'GET'): SigV4Request {
  return { method, url, headers: Object.entries(headers) };
}

const reason = (r: string, code?: string) => (e: unknown) =>
  e instanceof AuthError && e.reason === r && (code === undefined || e.code === code);

describe('SigV4 rules beyond the suite', () => {
  it('signs and verifies its own header and presigned requests', () => {
    for (const presign of [undefined, 900]) {
      const s = signRequest({
        method: 'GET',
        url: '/a%20b/?x=1',
        headers: { host: 'h' },
        credentials: CREDS,
        region: 'us-east-1',
        service: 'iam',
        now: NOW,
        ...(presign ? { presignExpiresSeconds: presign } : {}),
      });
      const r = req(s.url, s.headers);
      const auth = parseSigV4(r);
      assert.ok(auth);
      checkSigningTime(auth, NOW);
      verifySignature(r, auth, {
        secretAccessKey: CREDS.secretAccessKey,
        payloadHash: EMPTY_SHA256,
        normalizePath: true,
      });
    }
  });

  it('stricter than AWS: the x-amz-date header must be signed', () => {
    const authz = `AWS4-HMAC-SHA256 Credential=AKIAIRSAKITADMIN0001/20261203/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}`;
    assert.throws(
      () => parseSigV4(req('/', { host: 'h', 'x-amz-date': formatAmzDate(NOW), authorization: authz })),
      (e: unknown) =>
        e instanceof AuthError &&
        e.code === 'IncompleteSignature' &&
        /'x-amz-date' must be a 'SignedHeader'/.test(e.message),
    );
  });

  it('host must be signed', () => {
    const authz = `AWS4-HMAC-SHA256 Credential=AKIAIRSAKITADMIN0001/20261203/us-east-1/iam/aws4_request, SignedHeaders=x-amz-date, Signature=${'0'.repeat(64)}`;
    assert.throws(
      () => parseSigV4(req('/', { host: 'h', 'x-amz-date': formatAmzDate(NOW), authorization: authz })),
      reason('incomplete', 'IncompleteSignature'),
    );
  });

  it('X-Amz-Expires above 7 days is refused; a presigned request past it is RequestExpired', () => {
    const s = signRequest({
      method: 'GET',
      url: '/',
      headers: { host: 'h' },
      credentials: CREDS,
      region: 'us-east-1',
      service: 's3',
      now: NOW,
      presignExpiresSeconds: 604_801,
    });
    assert.throws(
      () => parseSigV4(req(s.url, s.headers)),
      (e: unknown) => e instanceof AuthError && /less than a week/.test(e.message),
    );
    const ok = signRequest({
      method: 'GET',
      url: '/',
      headers: { host: 'h' },
      credentials: CREDS,
      region: 'us-east-1',
      service: 's3',
      now: NOW,
      presignExpiresSeconds: 604_800,
    });
    const auth = parseSigV4(req(ok.url, ok.headers));
    assert.ok(auth);
    checkSigningTime(auth, NOW + 604_800_000);
    assert.throws(() => checkSigningTime(auth, NOW + 604_800_001), reason('expired', 'RequestExpired'));
    assert.throws(() => checkSigningTime(auth, NOW - 15 * 60_000 - 1), reason('skew'));
  });

  it('15-minute window either side, with AWS wording', () => {
    const s = signRequest({
      method: 'GET',
      url: '/',
      headers: { host: 'h' },
      credentials: CREDS,
      region: 'us-east-1',
      service: 'iam',
      now: NOW,
    });
    const auth = parseSigV4(req(s.url, s.headers));
    assert.ok(auth);
    checkSigningTime(auth, NOW + 15 * 60_000);
    checkSigningTime(auth, NOW - 15 * 60_000);
    assert.throws(
      () => checkSigningTime(auth, NOW + 15 * 60_000 + 1000),
      (e: unknown) =>
        e instanceof AuthError &&
        e.message ===
          'Signature expired: 20261203T120000Z is now earlier than 20261203T120001Z (20261203T121501Z - 15 min.)',
    );
    assert.throws(
      () => checkSigningTime(auth, NOW - 15 * 60_000 - 1000),
      (e: unknown) =>
        e instanceof AuthError &&
        e.message ===
          'Signature not yet current: 20261203T120000Z is still later than 20261203T115959Z (20261203T114459Z + 15 min.)',
    );
  });

  it('malformed Credential and date: IncompleteSignature / SignatureDoesNotMatch, never a crash', () => {
    const date = formatAmzDate(NOW);
    const cases: [string, string][] = [
      [
        'AWS4-HMAC-SHA256 Credential=AK/20261203/us-east-1/iam, SignedHeaders=host;x-amz-date, Signature=00',
        'IncompleteSignature',
      ],
      [
        'AWS4-HMAC-SHA256 Credential=AK/20261202/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=00',
        'SignatureDoesNotMatch',
      ],
      [
        'AWS4-HMAC-SHA256 Credential=AK/20261203/us-east-1/iam/aws5_request, SignedHeaders=host;x-amz-date, Signature=00',
        'SignatureDoesNotMatch',
      ],
      ['AWS4-HMAC-SHA256 Credential', 'IncompleteSignature'],
      ['Bearer abc', 'IncompleteSignature'],
      ['AWS4-HMAC-SHA256 ,,,,', 'IncompleteSignature'],
    ];
    for (const [authz, code] of cases) {
      assert.throws(
        () => parseSigV4(req('/', { host: 'h', 'x-amz-date': date, authorization: authz })),
        (e: unknown) => e instanceof AuthError && e.code === code,
        authz,
      );
    }
    assert.throws(
      () =>
        parseSigV4(
          req('/', {
            host: 'h',
            'x-amz-date': '2026-12-03',
            authorization:
              'AWS4-HMAC-SHA256 Credential=AK/20261203/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=00',
          }),
        ),
      (e: unknown) =>
        e instanceof AuthError && e.code === 'IncompleteSignature' && /ISO-8601/.test(e.message),
    );
    assert.throws(() => parseSigV4(req('/?X-Amz-Signature=abc', { host: 'h' })), reason('incomplete'));
    assert.equal(parseSigV4(req('/?Action=GetCallerIdentity', { host: 'h' })), null);
  });
});
