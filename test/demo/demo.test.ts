// `irsakit demo` end to end: the CLI as a real child process, each run on its own fresh instance (its own temp
// data directory and ports), every step's recorded outcome read back from --json.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { blockedForOthers, EXAMPLES_DIR } from '../../src/demo/index.js';
import { type CliResult, runCli } from '../helpers/cli.js';
import { FAILURE_MODES } from '../helpers/failure-modes.js';
import { tempDir } from '../helpers/tmp.js';

/** no-fsgroup runs the app as uid 1000: that needs root, and a checkout other users can reach. */
function skipReason(name: string): string | false {
  if (name !== 'no-fsgroup') return false;
  if (process.getuid?.() !== 0) return 'runs a container as uid 1000: needs root';
  const blocked = blockedForOthers(join(EXAMPLES_DIR, 'app.mjs'));
  return blocked ? `runs a container as uid 1000, which cannot reach ${blocked}` : false;
}

interface Rec {
  id: string;
  title: string;
  sentence: string;
  command: string[];
  data: Record<string, unknown>;
  ok: boolean;
  deviation?: string;
}

const ENV = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', NO_COLOR: '1' };

function records(res: CliResult): Rec[] {
  return res.stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Rec);
}

function explain(res: CliResult): string {
  const bad = records(res)
    .filter((r) => !r.ok)
    .map((r) => `${r.id}: ${r.deviation}`);
  return `exit ${res.code}\n${bad.join('\n')}\nstderr: ${res.stderr.slice(-2000)}`;
}

describe('irsakit demo (the journey)', () => {
  const cwd = tempDir();
  let res: CliResult;
  let recs: Rec[];
  before(async () => {
    res = await runCli(['demo', '--json'], { cwd: cwd.dir, env: ENV, timeoutMs: 90_000 });
    recs = records(res);
  });
  after(() => cwd.cleanup());

  it('exits 0 with one JSON record per step, in the seed order, every one ok', () => {
    assert.equal(res.code, 0, explain(res));
    assert.deepEqual(
      recs.map((r) => r.id),
      [
        '1-oidc-provider',
        '2-role',
        '3-permissions',
        '4-serviceaccount-and-pod',
        '5-webhook-injection',
        '6-token-journey',
        '7-s3-access',
        '8-security-boundaries',
        '9-imds-pitfall',
        '10-troubleshooting',
      ],
    );
    for (const r of recs) {
      assert.equal(r.ok, true, `${r.id}: ${r.deviation}`);
      assert.ok(r.sentence.length > 20 && r.command.length > 0, `${r.id} has a sentence and a real command`);
    }
  });

  it('step 1-2: the issuer, its provider and the trust policy that names both', () => {
    const s1 = recs[0]!.data as {
      issuer: string;
      provider: { arn: string; url: string; clientIds: string[] };
    };
    assert.match(s1.issuer, /^https:\/\/127\.0\.0\.1:\d+\/id\/[0-9A-F]{32}$/);
    assert.equal(s1.provider.url, s1.issuer.replace('https://', ''));
    assert.deepEqual(s1.provider.clientIds, ['sts.amazonaws.com']);
    assert.ok(recs[0]!.command.some((c) => c.startsWith('aws eks describe-cluster')));
    assert.ok(recs[0]!.command.some((c) => c.startsWith('aws iam create-open-id-connect-provider')));
    const trust = JSON.stringify(recs[1]!.data.trustPolicy);
    assert.ok(trust.includes(`"Federated":"${s1.provider.arn}"`));
    assert.ok(trust.includes(`"${s1.provider.url}:sub":"system:serviceaccount:demo:s3-reader"`));
    assert.ok(trust.includes(`"${s1.provider.url}:aud":"sts.amazonaws.com"`));
  });

  it('step 5: the webhook added the env vars, the aws-iam-token volume and its mount', () => {
    const added = recs[4]!.data.added as {
      env: string[];
      volumes: { name: string }[];
      volumeMounts: { mountPath: string }[];
    };
    assert.ok(added.env.includes('AWS_ROLE_ARN=arn:aws:iam::111122223333:role/s3-reader'));
    assert.ok(
      added.env.includes(
        'AWS_WEB_IDENTITY_TOKEN_FILE=/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
      ),
    );
    assert.deepEqual(
      added.volumes.map((v) => v.name),
      ['aws-iam-token'],
    );
    assert.deepEqual(
      added.volumeMounts.map((m) => m.mountPath),
      ['/var/run/secrets/eks.amazonaws.com/serviceaccount'],
    );
  });

  it("step 6: token claims, the SDK's own AssumeRoleWithWebIdentity call, ASIA credentials, no secret in full", () => {
    const d = recs[5]!.data as {
      token: { claims: { sub: string; aud: string[] } };
      stsCall: {
        command: string;
        input: { WebIdentityToken: string };
        output: { Credentials: { SecretAccessKey: string; SessionToken: string } };
      };
      credentials: { accessKeyId: string; secretAccessKey: string };
      callerIdentity: { Arn: string };
    };
    assert.equal(d.token.claims.sub, 'system:serviceaccount:demo:s3-reader');
    assert.deepEqual(d.token.claims.aud, ['sts.amazonaws.com']);
    assert.equal(d.stsCall.command, 'AssumeRoleWithWebIdentityCommand');
    assert.equal(d.stsCall.input.WebIdentityToken, '***SensitiveInformation***');
    assert.equal(d.stsCall.output.Credentials.SecretAccessKey, '***SensitiveInformation***');
    assert.match(d.stsCall.output.Credentials.SessionToken, /^\d+ characters$/);
    assert.match(d.credentials.accessKeyId, /^ASIA/);
    assert.match(d.credentials.secretAccessKey, /^.{4}…\(40 characters\)$/);
    assert.match(d.callerIdentity.Arn, /^arn:aws:sts::111122223333:assumed-role\/s3-reader\//);
    // No secret key in full anywhere in the output.
    assert.doesNotMatch(res.stdout, /"SecretAccessKey":"[A-Za-z0-9/+]{40}"/);
  });

  it("step 7: AWS's exact AccessDenied sentence for the write", () => {
    const put = recs[6]!.data.put as { name: string; message: string };
    const session = (recs[5]!.data.callerIdentity as { Arn: string }).Arn;
    assert.equal(put.name, 'AccessDenied');
    assert.equal(
      put.message,
      `User: ${session} is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::irsa-demo-bucket/written-by-pod.txt" because no identity-based policy allows the s3:PutObject action`,
    );
  });

  it('step 8-9: SCP explicit deny, boundary implicit deny, IMDS leak then blocked', () => {
    const s8 = recs[7]!.data as {
      scp: { evaluation: { EvalDecision: string }; explain: { decidedBy: string } };
      boundary: { evaluation: { EvalDecision: string }; explain: { decidedBy: string } };
    };
    assert.equal(s8.scp.evaluation.EvalDecision, 'explicitDeny');
    assert.equal(s8.boundary.evaluation.EvalDecision, 'implicitDeny');
    assert.equal(s8.scp.explain.decidedBy, 'scp');
    assert.equal(s8.boundary.explain.decidedBy, 'boundary');
    const s9 = recs[8]!.data as {
      before: { identity: string };
      after: { podWithoutIrsa: { name: string }; irsaPod: string };
    };
    assert.match(s9.before.identity, /assumed-role\/irsakit-node-role\/i-/);
    assert.equal(s9.after.podWithoutIrsa.name, 'CredentialsProviderError');
    assert.match(s9.after.irsaPod, /assumed-role\/s3-reader\//);
  });

  it('step 10: the symptom, the fast checks and irsakit doctor point at the trust policy', () => {
    const d = recs[9]!.data as {
      symptom: { name: string; message: string };
      checks: { check: string; ok: boolean }[];
    };
    assert.deepEqual(d.symptom, {
      name: 'AccessDenied',
      message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity',
    });
    assert.deepEqual(
      d.checks.filter((c) => !c.ok).map((c) => c.check),
      ['token vs trust policy'],
    );
  });
});

describe('irsakit demo --scenario', () => {
  it('--list names every required scenario', async () => {
    const cwd = tempDir();
    const res = await runCli(['demo', '--list', '--json'], { cwd: cwd.dir, env: ENV });
    cwd.cleanup();
    assert.equal(res.code, 0, res.stderr);
    const names = res.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { name: string }).name);
    for (const n of FAILURE_MODES) assert.ok(names.includes(n), `missing scenario ${n}`);
  });

  it('an unknown scenario is a usage error', async () => {
    const cwd = tempDir();
    const res = await runCli(['demo', '--scenario', 'nope'], { cwd: cwd.dir, env: ENV });
    cwd.cleanup();
    assert.equal(res.code, 2);
    assert.match(res.stderr, /unknown scenario "nope".*\(ERR_USAGE\)/s);
  });

  // One process per scenario, a few at a time (each is its own instance on its own ports and data directory).
  const results = new Map<string, Promise<CliResult>>();
  const queue = FAILURE_MODES.filter((n) => !skipReason(n));
  const CONCURRENCY = 3;
  let started = false;
  function startAll(): void {
    if (started) return;
    started = true;
    const running = new Set<Promise<unknown>>();
    const next = (): void => {
      while (running.size < CONCURRENCY && queue.length > 0) {
        const name = queue.shift()!;
        const cwd = tempDir();
        const p = runCli(['demo', '--json', '--scenario', name], {
          cwd: cwd.dir,
          env: ENV,
          timeoutMs: 90_000,
        });
        results.set(name, p);
        running.add(p);
        void p.finally(() => {
          cwd.cleanup();
          running.delete(p);
          next();
        });
      }
    };
    next();
  }
  const waitFor = async (name: string): Promise<CliResult> => {
    startAll();
    while (!results.has(name)) await new Promise((r) => setTimeout(r, 50));
    return results.get(name)!;
  };

  for (const name of FAILURE_MODES) {
    const skip = skipReason(name);
    it(name, { skip }, async () => {
      const res = await waitFor(name);
      const recs = records(res);
      assert.deepEqual(
        recs.map((r) => r.id),
        ['setup', 'symptom', 'cause', 'fix'].map((p) => `${name}:${p}`),
        explain(res),
      );
      for (const r of recs) assert.equal(r.ok, true, `${r.id}: ${r.deviation}`);
      assert.equal(res.code, 0, explain(res));
      const symptom = recs[1]!.data.app as Record<string, unknown>;
      assert.ok(Object.keys(symptom).length > 0, 'the symptom shows what the SDK reported');
    });
  }
});
