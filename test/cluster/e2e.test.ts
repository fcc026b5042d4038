import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import type { Pod } from '../../src/cluster/index.js';
import { type Instance, startInstance } from '../../src/runtime/index.js';
import { freePortBase, testConfig } from '../helpers/config.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const python = (() => {
  const r = spawnSync('python3', ['-c', 'import sys, boto3; print(sys.executable)'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
})();

/**
 * The whole journey on one machine: `irsakit up` (issuer, webhook, IAM, STS, IMDS, cluster), driven through the
 * control API as the CLI does, with real SDKs inside pod processes.
 */
describe('end to end: IRSA and the IMDS pitfall with real SDKs in pods', () => {
  let instance: Instance;
  let control: <T>(method: string, path: string, body?: string) => Promise<{ status: number; body: T }>;

  before(async () => {
    instance = await startInstance(testConfig({ port: await freePortBase() }));
    const token = instance.state.adminToken;
    control = async <T>(method: string, path: string, body?: string) => {
      const res = await fetch(`${instance.endpoints.aws}/_irsakit${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body
            ? { 'content-type': path.includes('/apply') ? 'application/yaml' : 'application/json' }
            : {}),
        },
        ...(body ? { body } : {}),
      });
      return { status: res.status, body: (await res.json()) as T };
    };
    const iam = new IAMClient({
      region: instance.config.region,
      endpoint: instance.endpoints.aws,
      credentials: instance.state.admin,
    });
    const issuer = instance.clusters()[0]!;
    const hostPath = issuer.issuerUrl.replace(/^https:\/\//, '');
    await iam.send(
      new CreateOpenIDConnectProviderCommand({
        Url: issuer.issuerUrl,
        ClientIDList: ['sts.amazonaws.com'],
        ThumbprintList: [issuer.thumbprint],
      }),
    );
    await iam.send(
      new CreateRoleCommand({
        RoleName: 's3-reader-role',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Federated: `arn:aws:iam::${instance.state.account}:oidc-provider/${hostPath}` },
              Action: 'sts:AssumeRoleWithWebIdentity',
              Condition: {
                StringEquals: {
                  [`${hostPath}:aud`]: 'sts.amazonaws.com',
                  [`${hostPath}:sub`]: 'system:serviceaccount:default:s3-reader',
                },
              },
            },
          ],
        }),
      }),
    );
  });
  after(async () => {
    await instance?.close();
  });

  async function runPod(
    name: string,
    opts: { sa?: string; hostNetwork?: boolean; command: string[]; region?: boolean },
  ): Promise<string> {
    const manifest = `
apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  serviceAccountName: ${opts.sa ?? 'default'}
  restartPolicy: Never
  hostNetwork: ${opts.hostNetwork ?? false}
  containers:
    - name: app
      image: public.ecr.aws/example/app:1
      command: ${JSON.stringify(opts.command)}
${opts.region ? '      env: [{name: AWS_REGION, value: us-east-1}]' : ''}
`;
    const applied = await control<{ ok: boolean }>('POST', '/k8s/apply', manifest);
    assert.equal(applied.body.ok, true, JSON.stringify(applied.body));
    for (let i = 0; i < 300; i++) {
      const pod = (await control<Pod>('GET', `/k8s/api/v1/namespaces/default/pods/${name}`)).body;
      if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const logs = await control<{ log: string }>(
      'GET',
      `/k8s/api/v1/namespaces/default/pods/${name}/log?wrap=json`,
    );
    // The SDK may print a warning on stderr (Node versions); the app's own line is the answer.
    return logs.body.log.split('\n').find((l) => /^(ARN|ERR)=/.test(l)) ?? logs.body.log;
  }

  it('the seed pod (JS SDK v3, default chain) gets the IRSA role session', async () => {
    const sa = `
apiVersion: v1
kind: ServiceAccount
metadata:
  name: s3-reader
  annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::${instance.state.account}:role/s3-reader-role"}
`;
    assert.equal((await control<{ ok: boolean }>('POST', '/k8s/apply', sa)).body.ok, true);
    const out = await runPod('seed-js', {
      sa: 's3-reader',
      command: [process.execPath, join(fixtures, 'caller-identity.mjs')],
    });
    assert.match(
      out,
      new RegExp(`^ARN=arn:aws:sts::${instance.state.account}:assumed-role/s3-reader-role/\\S+$`),
    );
  });

  it('a boto3 pod gets the IRSA role session too', {
    skip: python ? false : 'python3 with boto3 is not installed (apt-get install python3-boto3)',
  }, async () => {
    const out = await runPod('seed-boto3', {
      sa: 's3-reader',
      command: [python!, join(fixtures, 'caller_identity.py')],
    });
    assert.match(
      out,
      new RegExp(`^ARN=arn:aws:sts::${instance.state.account}:assumed-role/s3-reader-role/\\S+$`),
    );
  });

  it('the pitfall: a pod without IRSA silently gets the node role through IMDS', async () => {
    const out = await runPod('no-irsa', {
      command: [process.execPath, join(fixtures, 'caller-identity.mjs')],
      region: true,
    });
    assert.match(
      out,
      new RegExp(`^ARN=arn:aws:sts::${instance.state.account}:assumed-role/irsakit-node-role/i-[0-9a-f]+$`),
    );
  });

  it('HttpTokens=required and hop limit 1: the pod gets no credentials, a hostNetwork pod still does', async () => {
    const set = await control(
      'PUT',
      '/node/metadata-options',
      JSON.stringify({ HttpTokens: 'required', HttpPutResponseHopLimit: 1 }),
    );
    assert.equal(set.status, 200);
    const blocked = await runPod('blocked', {
      command: [process.execPath, join(fixtures, 'caller-identity.mjs')],
      region: true,
    });
    assert.match(blocked, /^ERR=CredentialsProviderError: Could not load credentials from any providers/);
    const onHost = await runPod('on-host', {
      hostNetwork: true,
      command: [process.execPath, join(fixtures, 'caller-identity.mjs')],
      region: true,
    });
    assert.match(onHost, /assumed-role\/irsakit-node-role\//);
  });
});
