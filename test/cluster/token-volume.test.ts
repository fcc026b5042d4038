import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { tokenNeedsRefresh } from '../../src/cluster/index.js';
import { decodeJwt, type Harness, startHarness } from './helpers.js';

describe('token refresh (kubelet token manager)', () => {
  it('refreshes at 80% of the lifetime or after 24 h', () => {
    const h = 3_600_000;
    assert.equal(tokenNeedsRefresh(0, h, 0.79 * h), false);
    assert.equal(tokenNeedsRefresh(0, h, 0.81 * h), true);
    assert.equal(tokenNeedsRefresh(0, 90 * 24 * h, 23 * h), false);
    assert.equal(tokenNeedsRefresh(0, 90 * 24 * h, 24 * h + 1), true);
  });

  let h: Harness;
  const clock = { t: Date.UTC(2026, 0, 1) };
  before(async () => {
    h = await startHarness({ now: () => clock.t });
  });
  after(async () => {
    await h.close();
  });

  it('rewrites the token file before it expires (injected clock)', async () => {
    await h.cluster.applyManifest(`
apiVersion: v1
kind: ServiceAccount
metadata: {name: app, annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::111122223333:role/app", eks.amazonaws.com/token-expiration: "600"}}
---
apiVersion: v1
kind: Pod
metadata: {name: refresher}
spec:
  serviceAccountName: app
  containers: [{name: c, image: busybox, command: [sleep, "300"]}]
`);
    await h.cluster.waitForPhase('default', 'refresher', ['Running']);
    const file = h.cluster.kubelet
      .tokenFiles('default', 'refresher')
      .find((t) => t.volume === 'aws-iam-token')!.path;
    const first = decodeJwt(readFileSync(file, 'utf8')) as { iat: number; exp: number };
    assert.equal(first.exp - first.iat, 600);
    clock.t += 470_000; // 78%: not yet
    await h.cluster.syncTokens();
    assert.equal((decodeJwt(readFileSync(file, 'utf8')) as { iat: number }).iat, first.iat);
    clock.t += 15_000; // 80.8%
    assert.ok((await h.cluster.syncTokens()) >= 1);
    const second = decodeJwt(readFileSync(file, 'utf8')) as { iat: number; exp: number };
    assert.equal(second.iat, first.iat + 485);
    assert.ok(second.exp > first.exp);
  });
});

describe('token file permissions (defaultMode, fsGroup, runAsUser)', {
  skip: process.getuid?.() !== 0 ? 'needs root to run containers as other users' : false,
}, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  // Two containers with different users (so no single fsUser owns the file) and a 0600 token.
  const podYaml = (name: string, securityContext: string) => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  restartPolicy: Never
  securityContext: ${securityContext}
  containers:
    - name: reader
      image: busybox
      securityContext: {runAsUser: 1000}
      command: [sh, -c, 'if cat /var/run/secrets/tokens/token >/dev/null; then echo READ; else exit 1; fi']
      volumeMounts: [{name: tok, mountPath: /var/run/secrets/tokens, readOnly: true}]
    - name: root-sidecar
      image: busybox
      command: ["true"]
  volumes:
    - name: tok
      projected:
        defaultMode: 0600
        sources: [{serviceAccountToken: {audience: sts.amazonaws.com, path: token}}]
`;

  it('a non-root container cannot read a 0600 root-owned token without fsGroup', async () => {
    await h.cluster.applyManifest(podYaml('no-fsgroup', '{}'));
    const pod = await h.cluster.waitForPhase('default', 'no-fsgroup', ['Succeeded', 'Failed']);
    assert.equal(pod.status?.phase, 'Failed');
    const reader = pod.status!.containerStatuses!.find((c) => c.name === 'reader')!;
    assert.equal(reader.state.terminated?.exitCode, 1);
    assert.match(h.cluster.kubelet.logs(pod, 'reader', false), /Permission denied/);
    const file = `${h.cluster.podsDir}/${pod.metadata.uid}/volumes/tok/token`;
    const st = statSync(file);
    assert.equal(st.mode & 0o777, 0o600);
    assert.equal(st.uid, 0);
  });

  it('with fsGroup the token is group-readable and the container reads it', async () => {
    await h.cluster.applyManifest(podYaml('with-fsgroup', '{fsGroup: 2000}'));
    const pod = await h.cluster.waitForPhase('default', 'with-fsgroup', ['Succeeded', 'Failed']);
    assert.equal(h.cluster.kubelet.logs(pod, 'reader', false).trim(), 'READ');
    assert.equal(pod.status?.phase, 'Succeeded');
    const st = statSync(`${h.cluster.podsDir}/${pod.metadata.uid}/volumes/tok/token`);
    assert.equal(st.mode & 0o777, 0o640);
    assert.equal(st.gid, 2000);
  });

  it("when every container runs as one user, the token is that user's (Kubernetes ≥ 1.19)", async () => {
    await h.cluster.applyManifest(
      podYaml('one-user', '{runAsUser: 1000}').replace(/ {4}- name: root-sidecar\n.*\n.*\n/, ''),
    );
    const pod = await h.cluster.waitForPhase('default', 'one-user', ['Succeeded', 'Failed']);
    assert.equal(h.cluster.kubelet.logs(pod, 'reader', false).trim(), 'READ');
    const st = statSync(`${h.cluster.podsDir}/${pod.metadata.uid}/volumes/tok/token`);
    assert.equal(st.uid, 1000);
    assert.equal(st.mode & 0o777, 0o600);
  });
});
