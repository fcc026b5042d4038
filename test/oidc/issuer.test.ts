import assert from 'node:assert/strict';
import { createHash, createPublicKey } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, customFetch, decodeProtectedHeader, jwtVerify } from 'jose';
import type { Instance } from '../../src/runtime/index.js';
import { startInstance } from '../../src/runtime/index.js';
import { freePortBase, testConfig } from '../helpers/config.js';
import { fetchTrusting } from '../helpers/https-fetch.js';
import { tempDir } from '../helpers/tmp.js';

describe('cluster issuer over real HTTPS', () => {
  const tmp = tempDir();
  let instance: Instance;
  let clock = Date.now();
  const now = () => clock;

  before(async () => {
    instance = await startInstance(testConfig({ port: await freePortBase(), dataDir: tmp.dir }), { now });
  });
  after(async () => {
    await instance?.close();
    tmp.cleanup();
  });

  const issuer = () => instance.issuers.get('local')!;
  const jwksFor = (url: string) =>
    createRemoteJWKSet(new URL(url), { [customFetch]: fetchTrusting(instance.state.ca.certPem) as never });

  it('has an EKS-shaped issuer URL', () => {
    assert.match(issuer().url, /^https:\/\/127\.0\.0\.1:\d+\/id\/[0-9A-F]{32}$/);
  });

  it('serves discovery that a standard client can follow, and tokens verify against the JWKS', async () => {
    const fetch = fetchTrusting(instance.state.ca.certPem);
    const res = await fetch(`${issuer().url}/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    const doc = (await res.json()) as Record<string, unknown>;
    assert.equal(doc.issuer, issuer().url);
    assert.deepEqual(doc.response_types_supported, ['id_token']);
    assert.deepEqual(doc.subject_types_supported, ['public']);
    assert.deepEqual(doc.id_token_signing_alg_values_supported, ['RS256']);
    const jwksRes = await fetch(String(doc.jwks_uri));
    const jwks = (await jwksRes.json()) as { keys: Record<string, string>[] };
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0]?.use, 'sig');
    assert.equal(jwks.keys[0]?.alg, 'RS256');
    assert.equal(jwks.keys[0]?.kty, 'RSA');

    const minted = await issuer().mint({
      namespace: 'default',
      serviceAccount: 'app',
      audiences: ['sts.amazonaws.com'],
      expirationSeconds: 3600,
    });
    const { payload, protectedHeader } = await jwtVerify(minted.token, jwksFor(String(doc.jwks_uri)), {
      issuer: issuer().url,
      audience: 'sts.amazonaws.com',
      currentDate: new Date(clock),
    });
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(payload.sub, 'system:serviceaccount:default:app');
  });

  it('puts exactly the claims kube-apiserver does, and a kid computed as SHA-256 of the SPKI DER', async () => {
    const pod = { name: 'my-pod', uid: '5e0bd49b-f040-43b0-99b7-22765a53f7f3' };
    const node = { name: 'node-1', uid: '646e7c5e-32d6-4d42-9dbd-e504e6cbe6b1' };
    const minted = await issuer().mint({
      namespace: 'prod',
      serviceAccount: 's3-reader',
      serviceAccountUid: '14ee3fa4-a7e2-420f-9f9a-dbc4507c3798',
      audiences: ['sts.amazonaws.com'],
      expirationSeconds: 86400,
      pod,
      node,
    });
    const [h, p] = minted.token.split('.');
    const header = JSON.parse(Buffer.from(h!, 'base64url').toString());
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    assert.deepEqual(Object.keys(header).sort(), ['alg', 'kid']);
    assert.equal(claims.iss, issuer().url);
    assert.equal(claims.sub, 'system:serviceaccount:prod:s3-reader');
    assert.deepEqual(claims.aud, ['sts.amazonaws.com']);
    const iat = Math.floor(clock / 1000);
    assert.equal(claims.iat, iat);
    assert.equal(claims.nbf, iat);
    assert.equal(claims.exp, iat + 86400);
    assert.match(claims.jti, /^[0-9a-f-]{36}$/);
    assert.deepEqual(claims['kubernetes.io'], {
      namespace: 'prod',
      node,
      pod,
      serviceaccount: { name: 's3-reader', uid: '14ee3fa4-a7e2-420f-9f9a-dbc4507c3798' },
    });
    const second = await issuer().mint({ namespace: 'prod', serviceAccount: 's3-reader' });
    assert.notEqual(second.claims.jti, claims.jti, 'jti is unique per token');

    // Independent kid computation: from the published JWK, through Node's own SPKI export.
    const jwk = issuer()
      .jwks()
      .keys.find((k) => k.kid === header.kid)!;
    const spki = createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' }).export({
      type: 'spki',
      format: 'der',
    });
    const expected = createHash('sha256')
      .update(spki)
      .digest('base64')
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
    assert.equal(header.kid, expected);
  });

  it('refuses bad input with the API server messages', async () => {
    await assert.rejects(
      issuer().mint({ namespace: 'default', serviceAccount: 'app', expirationSeconds: 599 }),
      {
        code: 'ERR_TOKEN_DURATION',
        message: /may not specify a duration less than 10 minutes/,
      },
    );
    await assert.rejects(
      issuer().mint({ namespace: 'default', serviceAccount: 'app', expirationSeconds: 90 * 86400 + 1 }),
      { code: 'ERR_TOKEN_DURATION', message: /may not specify a duration larger than/ },
    );
    await assert.rejects(issuer().mint({ namespace: 'Default', serviceAccount: 'app' }), {
      code: 'ERR_INVALID_NAME',
      message: /metadata.namespace: Invalid value: "Default": a lowercase RFC 1123 label/,
    });
    await assert.rejects(issuer().mint({ namespace: 'default', serviceAccount: 'app_1' }), {
      code: 'ERR_INVALID_NAME',
      message: /RFC 1123 subdomain/,
    });
  });

  it('keeps a rotated-out key published until its tokens expire, and then drops it', async () => {
    const before = await issuer().mint({
      namespace: 'default',
      serviceAccount: 'app',
      expirationSeconds: 600,
    });
    const { kid, retiredKid } = issuer().rotateKeys();
    assert.equal(retiredKid, before.kid);
    const after = await issuer().mint({
      namespace: 'default',
      serviceAccount: 'app',
      expirationSeconds: 600,
    });
    assert.equal(decodeProtectedHeader(after.token).kid, kid, 'new tokens use the new key');
    const jwksUrl = `${issuer().url}/keys`;
    await jwtVerify(before.token, jwksFor(jwksUrl), { currentDate: new Date(clock) });
    await jwtVerify(after.token, jwksFor(jwksUrl), { currentDate: new Date(clock) });

    // Past every token the old key signed (the longest was 86400 s above), it leaves the JWKS.
    clock += 86_401_000;
    const kids = issuer()
      .jwks()
      .keys.map((k) => k.kid);
    assert.ok(!kids.includes(retiredKid), 'the retired key is dropped once its tokens have expired');
    assert.ok(kids.includes(kid));
    await assert.rejects(
      jwtVerify(before.token, jwksFor(jwksUrl), { currentDate: new Date(clock - 86_400_000) }),
      {
        code: 'ERR_JWKS_NO_MATCHING_KEY',
      },
    );
  });
});

describe('issuer state survives a restart', () => {
  it('verifies a token minted before the restart, with the same issuer URL', async () => {
    const tmp = tempDir();
    try {
      const port = await freePortBase();
      const first = await startInstance(testConfig({ port, dataDir: tmp.dir }));
      const url = first.issuers.get('local')!.url;
      const minted = await first.issuers.get('local')!.mint({ namespace: 'default', serviceAccount: 'app' });
      await first.close();

      const second = await startInstance(testConfig({ port, dataDir: tmp.dir }));
      try {
        assert.equal(second.issuers.get('local')!.url, url);
        const jwks = createRemoteJWKSet(new URL(`${url}/keys`), {
          [customFetch]: fetchTrusting(second.state.ca.certPem) as never,
        });
        const { payload } = await jwtVerify(minted.token, jwks, { issuer: url });
        assert.equal(payload.sub, 'system:serviceaccount:default:app');
      } finally {
        await second.close();
      }
    } finally {
      tmp.cleanup();
    }
  });
});
