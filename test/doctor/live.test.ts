import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adminRequest, clientTarget } from '../../src/cli/client.js';
import { loadLive, runDoctor } from '../../src/doctor/index.js';
import { spawnCli, waitForLine } from '../helpers/cli.js';
import { freePortBase } from '../helpers/config.js';
import { tempDir } from '../helpers/tmp.js';

describe('doctor live mode against irsakit up', () => {
  it("reads the instance's cluster, JWKS and objects, and mints tokens for a ServiceAccount", async () => {
    const tmp = tempDir();
    const port = await freePortBase();
    const child = spawnCli(['up', '--port', String(port)], { cwd: tmp.dir });
    try {
      await waitForLine(child, /^ready /);
      const io = { env: {}, cwd: tmp.dir } as unknown as Parameters<typeof clientTarget>[0];
      const target = clientTarget(io, { endpoint: `http://127.0.0.1:${port}` });
      const { snapshot, mintToken } = await loadLive(
        (m, p, b) => adminRequest(target, m, p, b),
        `irsakit at ${target.endpoint}`,
      );
      assert.equal(snapshot.clusters[0]?.name, 'local');
      assert.match(snapshot.clusters[0]!.issuer, /^https:\/\/127\.0\.0\.1:\d+\/id\/[0-9A-F]{32}$/);
      assert.equal(Object.keys(snapshot.jwks).length, 1, snapshot.warnings.join('\n'));
      const report = await runDoctor(
        snapshot,
        { namespace: 'default', serviceAccount: 'default' },
        { mintToken },
      );
      const sa = report.checks.find((c) => c.id === 'service-account')!;
      assert.equal(sa.status, 'fail');
      assert.match(sa.evidence.join('\n'), /has no eks\.amazonaws\.com\/role-arn annotation|does not exist/);
    } finally {
      child.kill('SIGTERM');
      tmp.cleanup();
    }
  });
});
