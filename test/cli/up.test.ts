import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, describe, it } from 'node:test';
import type { HealthReport } from '../../src/runtime/index.js';
import { runCli, spawnCli, waitForLine } from '../helpers/cli.js';
import { freePortBase } from '../helpers/config.js';
import { tempDir } from '../helpers/tmp.js';

describe('irsakit up (real child process)', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('serves health, refuses a second instance on the same data dir or port, and stops cleanly on SIGTERM', async () => {
    const port = await freePortBase();
    const child = spawnCli(['up', '--port', String(port)], { cwd: tmp.dir });
    try {
      const ready = await waitForLine(child, /^ready /);
      assert.match(
        ready,
        new RegExp(
          `aws=http://127\\.0\\.0\\.1:${port} issuer=https://127\\.0\\.0\\.1:${port + 1}/id/[0-9A-F]{32} ` +
            `webhook=https://127\\.0\\.0\\.1:${port + 2} imds=http://127\\.0\\.0\\.1:${port + 3}`,
        ),
      );

      const health = (await (await fetch(`http://127.0.0.1:${port}/_irsakit/health`)).json()) as HealthReport;
      assert.equal(health.status, 'ok');
      assert.equal(health.account, '111122223333');
      assert.equal(health.region, 'us-east-1');
      assert.equal(health.endpoints.aws, `http://127.0.0.1:${port}`);
      assert.equal(health.endpoints.issuer, `https://127.0.0.1:${port + 1}`);
      assert.equal(health.endpoints.webhook, `https://127.0.0.1:${port + 2}`);
      assert.equal(health.endpoints.imds, `http://127.0.0.1:${port + 3}`);
      assert.equal(
        (await fetch(`http://127.0.0.1:${port + 3}/latest/meta-data/placement/region`)).status,
        200,
      );
      assert.equal(health.clusters[0]?.name, 'local');
      assert.match(health.caCertificate, /^-----BEGIN CERTIFICATE-----/);

      const sameDir = await runCli(['up', '--port', String(port + 10)], { cwd: tmp.dir });
      assert.notEqual(sameDir.code, 0);
      assert.match(sameDir.stderr, /data directory .* is in use by another irsakit \(pid \d+\)/);
      assert.doesNotMatch(sameDir.stderr, /\n\s+at /, 'no stack trace');

      const other = tempDir();
      const samePort = await runCli(['up', '--port', String(port)], { cwd: other.dir });
      other.cleanup();
      assert.notEqual(samePort.code, 0);
      assert.match(samePort.stderr, /cannot bind 127\.0\.0\.1:\d+: the port is in use/);

      // The control API needs the admin token that `up` left in the data directory.
      const unauth = await fetch(`http://127.0.0.1:${port}/_irsakit/clusters`);
      assert.equal(unauth.status, 401);
      const describeOut = await runCli(
        ['cluster', 'describe', '--json', '--endpoint', `http://127.0.0.1:${port}`],
        {
          cwd: tmp.dir,
        },
      );
      assert.equal(describeOut.code, 0, describeOut.stderr);
      assert.match(JSON.parse(describeOut.stdout).thumbprint, /^[0-9a-f]{40}$/);

      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      assert.equal(code, 0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('names the flag in one error that lists every problem, without a stack trace', async () => {
    const r = await runCli(['up', '--port', 'nope', '--account', '12', '--region', 'mars'], { cwd: tmp.dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--port: port must be an integer/);
    assert.match(r.stderr, /--account: an AWS account ID is exactly 12 digits/);
    assert.match(r.stderr, /--region: not an AWS region name/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    const unknown = await runCli(['up', '--bogus'], { cwd: tmp.dir });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown option '--bogus'/);
  });

  it('mints tokens through the CLI and refuses out-of-range durations with the API server message', async () => {
    const port = await freePortBase();
    const child = spawnCli(['up', '--port', String(port), '--data', 'second'], { cwd: tmp.dir });
    try {
      await waitForLine(child, /^ready /);
      const env = { IRSAKIT_ENDPOINT: `http://127.0.0.1:${port}` };
      const ok = await runCli(['token', '-n', 'default', '--service-account', 'app', '--data', 'second'], {
        cwd: tmp.dir,
        env,
      });
      assert.equal(ok.code, 0, ok.stderr);
      const claims = JSON.parse(Buffer.from(ok.stdout.trim().split('.')[1]!, 'base64url').toString());
      assert.equal(claims.sub, 'system:serviceaccount:default:app');
      assert.deepEqual(claims.aud, ['sts.amazonaws.com']);
      const short = await runCli(
        ['token', '-n', 'default', '--service-account', 'app', '--duration', '5m', '--data', 'second'],
        {
          cwd: tmp.dir,
          env,
        },
      );
      assert.equal(short.code, 1);
      assert.match(short.stderr, /may not specify a duration less than 10 minutes \(ERR_TOKEN_DURATION\)/);
      const unknownCluster = await runCli(
        ['token', '-n', 'default', '--service-account', 'app', '--cluster', 'prod', '--data', 'second'],
        { cwd: tmp.dir, env },
      );
      assert.equal(unknownCluster.code, 1);
      assert.match(
        unknownCluster.stderr,
        /no cluster named "prod" \(clusters: local\) \(ERR_UNKNOWN_CLUSTER\)/,
      );
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
});
