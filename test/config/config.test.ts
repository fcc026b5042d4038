import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/index.js';

describe('loadConfig', () => {
  it('takes flags over environment over defaults, and freezes the result', () => {
    const c = loadConfig({
      flags: { port: '5000' },
      env: { IRSAKIT_PORT: '6000', IRSAKIT_REGION: 'eu-west-1' },
    });
    assert.equal(c.port, 5000);
    assert.deepEqual(c.ports, { aws: 5000, issuer: 5001, webhook: 5002, imds: 5003 });
    assert.equal(c.region, 'eu-west-1');
    assert.equal(c.account, '111122223333');
    assert.equal(c.host, '127.0.0.1');
    assert.ok(Object.isFrozen(c));
    assert.throws(() => {
      (c as { port: number }).port = 1;
    });
  });

  it('lists every problem in one error, naming where each value came from', () => {
    assert.throws(
      () =>
        loadConfig({
          flags: { port: '70000', data: 'd', 'in-memory': true },
          env: { IRSAKIT_ACCOUNT: 'abc', IRSAKIT_ADMIN_ACCESS_KEY_ID: 'AKIAEXAMPLE0000000' },
        }),
      (err: Error & { code?: string; details?: { problems: string[] } }) => {
        assert.equal(err.code, 'ERR_CONFIG');
        const p = err.details!.problems;
        assert.ok(p.some((x) => x.startsWith('--port:')));
        assert.ok(p.some((x) => x.startsWith('IRSAKIT_ACCOUNT:')));
        assert.ok(p.some((x) => x.includes('--data and --in-memory')));
        assert.ok(p.some((x) => x.includes('must be set together')));
        return true;
      },
    );
  });

  it('uses no data directory with --in-memory', () => {
    assert.equal(loadConfig({ flags: { 'in-memory': true }, env: {} }).dataDir, null);
  });
});
