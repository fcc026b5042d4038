import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Pod } from '../../src/cluster/index.js';
import { decodeJwt, type Harness, startHarness } from './helpers.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');

describe('kubelet: the seed pod', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  it('admits the seed pod through the webhook, writes a bound token and runs its command', async () => {
    const report = await h.cluster.applyManifest(fixture('seed-irsa.yaml'), { source: 'seed-irsa.yaml' });
    assert.equal(report.ok, true, JSON.stringify(report.results.map((r) => r.error)));
    assert.deepEqual(
      report.results.map((r) => `${r.kind}/${r.name} ${r.action}`),
      ['ServiceAccount/s3-reader created', 'Pod/s3-reader created'],
    );
    const pod = await h.cluster.waitForPhase('default', 's3-reader', ['Succeeded', 'Failed']);
    assert.equal(pod.status?.phase, 'Succeeded');
    const logs = h.cluster.kubelet.logs(pod, undefined, false);
    assert.match(logs, /^ROLE=arn:aws:iam::111122223333:role\/s3-reader-role$/m);
    // The SDK-facing path is resolved to the pod's own directory on this machine.
    const file = /^FILE=(.*)$/m.exec(logs)![1]!;
    assert.ok(file.startsWith(h.cluster.podsDir), file);
    assert.ok(file.endsWith('/volumes/aws-iam-token/token'), file);
    const token = /^TOKEN=(.*)$/m.exec(logs)![1]!;
    const claims = decodeJwt(token) as {
      aud: string[];
      sub: string;
      'kubernetes.io': { pod: { name: string; uid: string } };
    };
    assert.deepEqual(claims.aud, ['sts.amazonaws.com']);
    assert.equal(claims.sub, 'system:serviceaccount:default:s3-reader');
    assert.equal(claims['kubernetes.io'].pod.name, 's3-reader');
    assert.equal(claims['kubernetes.io'].pod.uid, pod.metadata.uid);
    // The stored pod keeps the path as the pod spec has it.
    const stored = h.cluster.api.get<Pod>('Pod', 'default', 's3-reader');
    const env = stored.spec.containers[0]!.env!;
    assert.equal(
      env.find((e) => e.name === 'AWS_WEB_IDENTITY_TOKEN_FILE')?.value,
      '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
    );
    assert.ok(stored.spec.volumes!.some((v) => v.name === 'aws-iam-token'));
    assert.ok(stored.spec.volumes!.some((v) => v.name.startsWith('kube-api-access-')));
    assert.equal(stored.status?.containerStatuses?.[0]?.state.terminated?.exitCode, 0);
    // Default projected mode 0644, owned by root (no fsUser, no fsGroup).
    assert.equal(statSync(file).mode & 0o777, 0o644);
  });

  it('restarts per restartPolicy and reports exit codes', async () => {
    const manifest = `
apiVersion: v1
kind: Pod
metadata: {name: flaky}
spec:
  restartPolicy: OnFailure
  containers:
    - name: c
      image: busybox
      command: [sh, -c, 'n=$(cat /data/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > /data/n; echo "run $n"; [ $n -ge 3 ]']
      volumeMounts: [{name: data, mountPath: /data}]
  volumes: [{name: data, emptyDir: {}}]
`;
    const report = await h.cluster.applyManifest(manifest);
    assert.equal(report.ok, true, JSON.stringify(report.results));
    const pod = await h.cluster.waitForPhase('default', 'flaky', ['Succeeded', 'Failed'], 20_000);
    assert.equal(pod.status?.phase, 'Succeeded');
    const cs = pod.status!.containerStatuses![0]!;
    assert.equal(cs.restartCount, 2);
    assert.equal(cs.lastState.terminated?.exitCode, 1);
    assert.equal(h.cluster.kubelet.logs(pod, 'c', false).trim(), 'run 3');
    assert.equal(h.cluster.kubelet.logs(pod, 'c', true).trim(), 'run 2');

    await h.cluster.applyManifest(
      manifest.replace('name: flaky', 'name: fails').replace('OnFailure', 'Never').replace('-ge 3', '-ge 99'),
    );
    const failed = await h.cluster.waitForPhase('default', 'fails', ['Succeeded', 'Failed']);
    assert.equal(failed.status?.phase, 'Failed');
    assert.equal(failed.status?.containerStatuses?.[0]?.state.terminated?.reason, 'Error');
  });

  it('deleting a running pod stops its processes', async () => {
    await h.cluster.applyManifest(`
apiVersion: v1
kind: Pod
metadata: {name: sleeper}
spec:
  containers: [{name: c, image: busybox, command: [sleep, "300"]}]
`);
    const pod = await h.cluster.waitForPhase('default', 'sleeper', ['Running']);
    const pid = Number(pod.status!.containerStatuses![0]!.containerID!.replace('irsakit://', ''));
    assert.doesNotThrow(() => process.kill(pid, 0));
    await h.cluster.api.delete('Pod', 'default', 'sleeper');
    assert.ok(gone(pid));
    assert.throws(() => h.cluster.api.get('Pod', 'default', 'sleeper'), /pods "sleeper" not found/);
  });
});

/** Dead or a zombie (a reparented child waits for a PID 1 that may never reap it, as in some CI containers). */
function gone(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] === 'Z';
  } catch {
    return true;
  }
}

describe('kubelet: stopping and resuming', () => {
  it('stop() ends every pod process, children included; start() resumes the pods', async () => {
    const h = await startHarness();
    try {
      await h.cluster.applyManifest(`
apiVersion: v1
kind: Pod
metadata: {name: family}
spec:
  containers: [{name: c, image: busybox, command: [sh, -c, 'sleep 300 & echo $! > /work/child; wait'], volumeMounts: [{name: w, mountPath: /work}]}]
  volumes: [{name: w, emptyDir: {}}]
`);
      const pod = await h.cluster.waitForPhase('default', 'family', ['Running']);
      const pid = Number(pod.status!.containerStatuses![0]!.containerID!.replace('irsakit://', ''));
      const childFile = join(h.cluster.podsDir, pod.metadata.uid!, 'volumes', 'w', 'child');
      for (let i = 0; i < 50 && !existsSync(childFile); i++) await new Promise((r) => setTimeout(r, 20));
      const child = Number(readFileSync(childFile, 'utf8'));
      await h.cluster.stop();
      assert.ok(gone(pid), 'container process');
      // The child got its signal with the group; it may take a moment to be scheduled and die.
      for (let i = 0; i < 50 && !gone(child); i++) await new Promise((r) => setTimeout(r, 20));
      assert.ok(gone(child), 'its child');
      await h.cluster.start();
      const resumed = await h.cluster.waitForPhase('default', 'family', ['Running']);
      assert.notEqual(resumed.status!.containerStatuses![0]!.containerID, `irsakit://${pid}`);
      assert.equal(resumed.status!.containerStatuses![0]!.restartCount, 1);
    } finally {
      await h.close();
    }
  });
});
