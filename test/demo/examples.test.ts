// The files in examples/ against a real instance: ACK IAM objects through applyAckObjects, the ServiceAccount and
// Pod through the cluster, and the JS app (and the Python one, with boto3) running in a pod with the real SDKs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { IAMClient, ListAttachedRolePoliciesCommand } from '@aws-sdk/client-iam';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { parseAllDocuments } from 'yaml';
import { applyAckObjects } from '../../src/ack/index.js';
import { adminRequest } from '../../src/cli/client.js';
import {
  DemoContext,
  EXAMPLES_DIR,
  type LocalTarget,
  localize,
  readExample,
  renderJson,
  renderText,
  type StepRecord,
  startLocalTarget,
} from '../../src/demo/index.js';

function docs(text: string): unknown[] {
  return parseAllDocuments(text)
    .map((d) => d.toJSON() as unknown)
    .filter(Boolean);
}

const hasBoto3 = spawnSync('python3', ['-c', 'import boto3'], { stdio: 'ignore' }).status === 0;

describe('examples/ against a running instance', () => {
  let local: LocalTarget;
  let ctx: DemoContext;
  let issuer: string;
  let iam: IAMClient;
  const opts = () => ({ account: ctx.account, issuer, node: process.execPath, examplesDir: EXAMPLES_DIR });

  before(async () => {
    local = await startLocalTarget({
      control: (endpoint, token) => (method, path, body) =>
        adminRequest({ endpoint, token }, method, path, body),
    });
    ctx = new DemoContext(local.target);
    issuer = ((await ctx.control('GET', '/clusters/local')) as { issuerUrl: string }).issuerUrl;
    const t = local.target;
    iam = new IAMClient({ endpoint: t.aws, region: t.region, credentials: t.admin });
    const s3 = new S3Client({
      endpoint: t.aws,
      region: t.region,
      credentials: t.admin,
      forcePathStyle: true,
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'irsa-demo-bucket' }));
    await s3.send(
      new PutObjectCommand({ Bucket: 'irsa-demo-bucket', Key: 'hello.txt', Body: 'hello from irsakit' }),
    );
    s3.destroy();
  });
  after(async () => {
    iam?.destroy();
    ctx?.close();
    await local?.close();
  });

  it('every example file is small, and the JSON ones are valid policies', () => {
    for (const f of [
      'trust-policy.json',
      's3-read-policy.json',
      'serviceaccount.yaml',
      'pod.yaml',
      'iam.yaml',
      'app.mjs',
      'app.py',
    ]) {
      const text = readFileSync(`${EXAMPLES_DIR}/${f}`, 'utf8');
      assert.ok(text.split('\n').length < 130, `${f} stays small`);
    }
    for (const f of ['trust-policy.json', 's3-read-policy.json']) {
      const doc = JSON.parse(readFileSync(`${EXAMPLES_DIR}/${f}`, 'utf8')) as { Version: string };
      assert.equal(doc.Version, '2012-10-17');
    }
  });

  it('iam.yaml (ACK kinds) creates the provider, the policy and the role; a second apply changes nothing', async () => {
    const objects = docs(readExample('iam.yaml', opts()));
    const first = await applyAckObjects(objects, { iam });
    assert.deepEqual(
      first.map((r) => [r.kind, r.name, r.action, r.error]),
      [
        ['OpenIDConnectProvider', 'cluster-issuer', 'created', undefined],
        ['Policy', 's3-read-irsa-demo-bucket', 'created', undefined],
        ['Role', 's3-reader', 'created', undefined],
      ],
    );
    assert.equal(
      first[0]!.arn,
      `arn:aws:iam::${ctx.account}:oidc-provider/${issuer.replace('https://', '')}`,
    );
    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 's3-reader' }));
    assert.deepEqual(
      attached.AttachedPolicies?.map((p) => p.PolicyName),
      ['s3-read-irsa-demo-bucket'],
    );
    const again = await applyAckObjects(objects, { iam });
    assert.deepEqual(
      again.map((r) => r.action),
      ['unchanged', 'unchanged', 'unchanged'],
    );
    // Kubernetes objects in the same list are left to the cluster.
    const mixed = await applyAckObjects(
      [...objects, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } }],
      { iam },
    );
    assert.equal(mixed.length, 3);
  });

  it('an ACK object with a missing required field fails alone, naming the field', async () => {
    const res = await applyAckObjects(
      [
        {
          apiVersion: 'iam.services.k8s.aws/v1alpha1',
          kind: 'Policy',
          metadata: { name: 'bad' },
          spec: { name: 'bad' },
        },
      ],
      { iam },
    );
    assert.match(res[0]!.error ?? '', /spec\.policyDocument is required/);
  });

  it('serviceaccount.yaml and pod.yaml: the JS app in the pod gets IRSA credentials with no key, reads, cannot write', async () => {
    const report = await ctx.apply(readExample('serviceaccount.yaml', opts()));
    assert.equal(report.ok, true, JSON.stringify(report));
    const pod = readExample('pod.yaml', opts()).replace('value: "300"', 'value: "0"');
    assert.ok(pod.includes(JSON.stringify(process.execPath)), 'the image command is pointed at this node');
    assert.equal((await ctx.apply(pod)).ok, true);
    const run = await ctx.waitForApp('demo', 's3-reader');
    const by = (s: string) => run.lines.find((l) => l.step === s);
    assert.equal(by('done')?.ok, true, run.log);
    assert.match(
      String(by('identity')?.arn),
      /^arn:aws:sts::111122223333:assumed-role\/s3-reader\/aws-sdk-js-session-/,
    );
    assert.match(String(by('credentials')?.accessKeyId), /^ASIA/);
    assert.deepEqual(by('list')?.keys, ['hello.txt']);
    assert.equal(by('get')?.body, 'hello from irsakit');
    assert.equal(by('put-denied')?.name, 'AccessDenied');
    await ctx.deletePod('demo', 's3-reader');
  });

  it('app.py with boto3 in a pod', {
    skip: hasBoto3 ? false : 'python3 with boto3 is not installed (CI installs python3-boto3)',
  }, async () => {
    const manifest = localize(readFileSync(`${EXAMPLES_DIR}/pod.yaml`, 'utf8'), opts())
      .replace(
        JSON.stringify([process.execPath, `${EXAMPLES_DIR.replace(/\/+$/, '')}/app.mjs`]),
        JSON.stringify(['python3', `${EXAMPLES_DIR.replace(/\/+$/, '')}/app.py`]),
      )
      .replace('name: s3-reader\n  namespace', 'name: s3-reader-py\n  namespace');
    assert.equal((await ctx.apply(manifest)).ok, true);
    const run = await ctx.waitForApp('demo', 's3-reader-py', 30_000);
    const by = (s: string) => run.lines.find((l) => l.step === s);
    assert.equal(by('error'), undefined, run.log);
    assert.match(String(by('identity')?.arn), /^arn:aws:sts::111122223333:assumed-role\/s3-reader\//);
    assert.deepEqual(by('credentials')?.source, ['assume-role-with-web-identity']);
    assert.deepEqual(by('list')?.keys, ['hello.txt']);
    assert.equal(by('get')?.body, 'hello from irsakit');
    assert.equal(by('put-denied')?.name, 'AccessDenied');
    await ctx.deletePod('demo', 's3-reader-py');
  });
});

describe('rendering', () => {
  const r: StepRecord = {
    id: '7-s3-access',
    title: 'Read, not write',
    sentence: 'A sentence.',
    command: ['aws s3 ls s3://b'],
    data: { put: { name: 'AccessDenied', message: 'User: x is not authorized' } },
    ok: false,
    deviation: 'expected y',
  };

  it('--json is one object per line, the record as asserted', () => {
    const text = renderJson(r);
    assert.equal(text.split('\n').length, 2);
    assert.deepEqual(JSON.parse(text), r);
  });

  it('plain text has no escape codes; colour only when asked', () => {
    const plain = renderText(r, { color: false });
    assert.doesNotMatch(plain, /\u001b\[/);
    assert.match(plain, /^✗ 7-s3-access {2}Read, not write/);
    assert.match(plain, /\$ aws s3 ls s3:\/\/b/);
    assert.match(plain, /deviation: expected y/);
    assert.match(renderText(r, { color: true }), /\u001b\[/);
  });
});
