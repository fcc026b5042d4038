// `irsakit demo --endpoint`: the journey against an instance started with `irsakit up` (both real child
// processes). The admin token comes from the data directory, the key pair from GET /_irsakit/credentials; a second
// run works too, and the demo leaves the instance as it found it.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { runCli, spawnCli, waitForLine } from '../helpers/cli.js';
import { freePortBase } from '../helpers/config.js';
import { tempDir } from '../helpers/tmp.js';

const ENV = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', NO_COLOR: '1' };

describe('irsakit demo --endpoint (an instance started with irsakit up)', () => {
  const tmp = tempDir();
  let up: ReturnType<typeof spawnCli>;
  let endpoint: string;

  before(async () => {
    const port = await freePortBase();
    endpoint = `http://127.0.0.1:${port}`;
    up = spawnCli(['up', '--port', String(port), '--data', 'state'], { cwd: tmp.dir });
    await waitForLine(up, /^ready /);
  });
  after(async () => {
    if (up.exitCode === null) {
      up.kill('SIGTERM');
      await once(up, 'exit');
    }
    tmp.cleanup();
  });

  async function demo(): Promise<{ code: number | null; ids: string[]; bad: string[]; stderr: string }> {
    const res = await runCli(['demo', '--json', '--endpoint', endpoint, '--data', 'state'], {
      cwd: tmp.dir,
      env: ENV,
      timeoutMs: 90_000,
    });
    const recs = res.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { id: string; ok: boolean; deviation?: string });
    return {
      code: res.code,
      ids: recs.map((r) => r.id),
      bad: recs.filter((r) => !r.ok).map((r) => `${r.id}: ${r.deviation}`),
      stderr: res.stderr,
    };
  }

  it('runs every step, twice in a row, and leaves no demo object behind', async () => {
    for (const run of [1, 2]) {
      const r = await demo();
      assert.deepEqual(r.bad, [], `run ${run}: ${r.stderr.slice(-1500)}`);
      assert.equal(r.ids.length, 10, `run ${run}`);
      assert.equal(r.code, 0);
    }
    assert.equal(up.exitCode, null, 'irsakit up is still running');
    const pods = await runCli(
      ['get', 'pods', '-n', 'demo', '-o', 'json', '--endpoint', endpoint, '--data', 'state'],
      {
        cwd: tmp.dir,
        env: ENV,
      },
    );
    assert.equal(pods.code, 0, pods.stderr);
    const items = pods.stdout.trim() ? (JSON.parse(pods.stdout) as { items: unknown[] }).items : [];
    assert.deepEqual(items, [], 'the demo namespace has no pod left');
  });

  it('without the admin token it says how to give it', async () => {
    const other = tempDir();
    const res = await runCli(['demo', '--endpoint', endpoint], { cwd: other.dir, env: ENV });
    other.cleanup();
    assert.equal(res.code, 1);
    assert.match(res.stderr, /no admin token: .*\(ERR_UNAUTHORIZED\)/);
  });
});
