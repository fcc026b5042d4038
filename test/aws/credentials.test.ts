import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AuthError, createCredentials, loadSessionKey } from '../../src/aws/index.js';
import { openStore } from '../../src/store/index.js';

const ACCOUNT = '111122223333';
const ADMIN = { accessKeyId: 'AKIAIRSAKITADMIN0001', secretAccessKey: 'x'.repeat(40) };
const ROLE = { arn: `arn:aws:iam::${ACCOUNT}:role/app`, roleId: 'AROAEXAMPLEROLEID0001', roleName: 'app' };

function make(now: () => number, key: Buffer = randomBytes(32)) {
  return createCredentials({ account: ACCOUNT, admin: ADMIN, sessionKey: key, now, random: randomBytes });
}

const code = (c: string) => (e: unknown) => e instanceof AuthError && e.code === c;

describe('credentials', () => {
  it('resolves the administrator and only the administrator among AKIA keys', () => {
    const c = make(Date.now);
    assert.equal(c.resolveCaller(ADMIN.accessKeyId).arn, `arn:aws:iam::${ACCOUNT}:root`);
    assert.throws(() => c.resolveCaller('AKIAIRSAKITADMIN0002'), code('InvalidClientTokenId'));
    assert.throws(() => c.resolveCaller(ADMIN.accessKeyId, 'sometoken'), code('InvalidClientTokenId'));
  });

  it('issues self-contained session credentials that resolve without a database', () => {
    const c = make(() => 1_800_000_000_123);
    const issued = c.issueSessionCredentials({
      role: ROLE,
      sessionName: 's1',
      durationSeconds: 900,
      tags: { team: 'a' },
      sessionPolicies: [
        {
          name: 'inline',
          text: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}',
        },
      ],
    });
    assert.match(issued.accessKeyId, /^ASIA[A-Z2-7]{16}$/);
    assert.equal(issued.secretAccessKey.length, 40);
    assert.equal(issued.expiration.getTime(), 1_800_000_000_000 + 900_000);
    const signer = c.resolveSigner(issued.accessKeyId, issued.sessionToken);
    assert.equal(signer.secretAccessKey, issued.secretAccessKey);
    assert.equal(signer.caller.arn, `arn:aws:sts::${ACCOUNT}:assumed-role/app/s1`);
    assert.equal(signer.caller.userId, 'AROAEXAMPLEROLEID0001:s1');
    assert.equal(signer.caller.session?.sessionPolicies.length, 1);
    assert.deepEqual(signer.caller.session?.tags, { team: 'a' });
  });

  it('stops accepting a session at its Expiration', () => {
    let now = 1_800_000_000_000;
    const c = make(() => now);
    const issued = c.issueSessionCredentials({ role: ROLE, sessionName: 's1', durationSeconds: 900 });
    now += 899_999;
    assert.ok(c.resolveCaller(issued.accessKeyId, issued.sessionToken));
    now += 1;
    assert.throws(() => c.resolveCaller(issued.accessKeyId, issued.sessionToken), code('ExpiredToken'));
  });

  it('refuses every single-character change to the token, and mismatched key ids', () => {
    const c = make(Date.now);
    const a = c.issueSessionCredentials({ role: ROLE, sessionName: 's1', durationSeconds: 900 });
    const b = c.issueSessionCredentials({ role: ROLE, sessionName: 's2', durationSeconds: 900 });
    const t = a.sessionToken;
    for (let i = 0; i < t.length; i++) {
      const ch = t[i] === 'A' ? 'B' : 'A';
      const bad = `${t.slice(0, i)}${ch}${t.slice(i + 1)}`;
      assert.throws(() => c.resolveCaller(a.accessKeyId, bad), code('InvalidClientTokenId'), `position ${i}`);
    }
    assert.throws(() => c.resolveCaller(a.accessKeyId, `${t}A`), code('InvalidClientTokenId'));
    assert.throws(() => c.resolveCaller(a.accessKeyId, t.slice(0, -4)), code('InvalidClientTokenId'));
    assert.throws(() => c.resolveCaller(a.accessKeyId, b.sessionToken), code('InvalidClientTokenId'));
    assert.throws(() => c.resolveCaller(a.accessKeyId), code('InvalidClientTokenId'));
    assert.throws(
      () => make(Date.now).resolveCaller(a.accessKeyId, t),
      code('InvalidClientTokenId'),
      'other key',
    );
  });

  it('keeps one session key in the store across openings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'irsakit-'));
    try {
      const s1 = openStore(dir);
      const k1 = loadSessionKey(s1, randomBytes);
      s1.close();
      const s2 = openStore(dir);
      assert.deepEqual(loadSessionKey(s2, randomBytes), k1);
      s2.close();
      const issued = make(Date.now, k1).issueSessionCredentials({
        role: ROLE,
        sessionName: 's',
        durationSeconds: 900,
      });
      assert.ok(make(Date.now, Buffer.from(k1)).resolveCaller(issued.accessKeyId, issued.sessionToken));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
