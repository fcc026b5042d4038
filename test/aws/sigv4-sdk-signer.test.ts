import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
// The SDK's own signer (a dependency of @aws-sdk/s3-request-presigner and every client).
import { SignatureV4 } from '@smithy/signature-v4';
import {
  checkSigningTime,
  parseSigV4,
  type SigV4Request,
  UNSIGNED_PAYLOAD,
  verifySignature,
} from '../../src/aws/index.js';

class Sha256 {
  private readonly h;
  constructor(secret?: unknown) {
    this.h = secret ? createHmac('sha256', secret as Buffer) : createHash('sha256');
  }
  update(data: Uint8Array | string) {
    this.h.update(data);
  }
  async digest() {
    return new Uint8Array(this.h.digest());
  }
}

const CREDS = { accessKeyId: 'AKIAIRSAKITADMIN0001', secretAccessKey: 'secret/with+chars' };
const NOW = new Date(Date.UTC(2026, 11, 3, 12, 0, 0));

// Paths as the SDK puts them on the wire (already percent-encoded once).
const PATHS = [
  '/',
  '/bucket/plain.txt',
  '/bucket/a%20b%2Bc~d%25e',
  '/bucket/%C3%BC%E2%82%AC/x',
  '/bucket/dir//double/./dot/../key',
  '/bucket/%21%27%28%29%2A',
  '/clusters/my-cluster/node-groups',
];

async function check(service: string, path: string, presign: boolean) {
  const s3 = service === 's3';
  const signer = new SignatureV4({
    credentials: CREDS,
    region: 'eu-west-1',
    service,
    sha256: Sha256,
    uriEscapePath: !s3,
  });
  const base = {
    method: 'PUT',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 4566,
    path,
    query: { 'list-type': '2', prefix: 'a b/ü', empty: '' },
    headers: {
      host: '127.0.0.1:4566',
      'x-amz-meta-note': '  spaced   value ',
      ...(s3 ? { 'x-amz-content-sha256': UNSIGNED_PAYLOAD } : {}),
    },
    body: 'payload',
  };
  const signed = presign
    ? await signer.presign(base, { signingDate: NOW, expiresIn: 300 })
    : await signer.sign(base, { signingDate: NOW });
  const query = Object.entries(signed.query ?? {})
    .flatMap(([k, v]) =>
      (Array.isArray(v) ? v : [v]).map(
        (x) => `${encodeURIComponent(k)}=${encodeURIComponent(String(x ?? ''))}`,
      ),
    )
    .join('&');
  const req: SigV4Request = {
    method: signed.method,
    url: `${signed.path}${query ? `?${query}` : ''}`,
    headers: Object.entries(signed.headers as Record<string, string>),
  };
  const auth = parseSigV4(req);
  assert.ok(auth, 'signature found');
  checkSigningTime(auth, NOW.getTime());
  const payloadHash = s3 ? UNSIGNED_PAYLOAD : createHash('sha256').update('payload').digest('hex');
  verifySignature(req, auth, { secretAccessKey: CREDS.secretAccessKey, payloadHash, normalizePath: !s3 });
}

describe('SigV4 verifier accepts what the SDK signer produces', () => {
  for (const service of ['s3', 'eks']) {
    for (const presign of [false, true]) {
      for (const path of PATHS) {
        it(`${service} ${presign ? 'presigned' : 'header'} ${path}`, () => check(service, path, presign));
      }
    }
  }
});
