import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Pod } from '../../src/cluster/index.js';
import { type Harness, startHarness } from './helpers.js';

const script = join(import.meta.dirname, 'fixtures', 'print-credentials.mjs');

const pod = (name: string, hostNetwork = false) => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  restartPolicy: Never
  hostNetwork: ${hostNetwork}
  containers:
    - name: app
      image: node:20
      command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(script)}]
`;

describe('the IMDS pitfall: a pod without IRSA gets the node role', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      imds: {
        port: 0,
        instanceProfile: async () => ({
          roleName: 'irsakit-node-role',
          arn: 'arn:aws:iam::111122223333:instance-profile/irsakit-node',
          id: 'AIPAEXAMPLE',
        }),
        nodeCredentials: async () => ({
          accessKeyId: 'ASIANODEROLEEXAMPLE1',
          secretAccessKey: 's',
          sessionToken: 't',
          expiration: Date.now() + 3_600_000,
        }),
      },
    });
  });
  after(async () => {
    await h.close();
  });

  async function run(name: string, hostNetwork = false): Promise<string> {
    await h.cluster.applyManifest(pod(name, hostNetwork));
    const p = await h.cluster.waitForPhase('default', name, ['Succeeded', 'Failed']);
    return h.cluster.kubelet.logs(p, undefined, false).trim();
  }

  it('defaults (optional, hop limit 2): the SDK chain falls through to IMDS and gets the node role', async () => {
    assert.equal(await run('no-irsa'), 'KEY=ASIANODEROLEEXAMPLE1');
    const stored = h.cluster.api.get<Pod>('Pod', 'default', 'no-irsa');
    assert.match(stored.status!.podIP!, /^127\.77\./);
    assert.equal(stored.status!.hostIP, '127.0.0.1');
  });

  it('HttpTokens=required with hop limit 1: the pod gets nothing, a hostNetwork pod still does', async () => {
    h.cluster.node.setMetadataOptions({
      HttpTokens: 'required',
      HttpPutResponseHopLimit: 1,
      HttpEndpoint: 'enabled',
    });
    assert.match(await run('blocked'), /^ERR=CredentialsProviderError/);
    assert.equal(await run('on-host', true), 'KEY=ASIANODEROLEEXAMPLE1');
    const recent = h.cluster.imds!.recent();
    assert.ok(recent.some((r) => r.caller.kind === 'pod' && r.caller.name === 'blocked' && r.status === 0));
    assert.ok(recent.some((r) => r.caller.kind === 'node' && r.status === 200));
  });
});
