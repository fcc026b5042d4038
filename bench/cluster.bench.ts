// Apply-to-running for a pod with IRSA: `apply` of the pod (webhook admission over HTTPS included) until its
// token file is written and its process has started. Each pod is deleted (untimed) before the next one.
import { existsSync } from 'node:fs';
import { startHarness } from '../test/cluster/helpers.js';

const TARGET_P50_MS = 100;
const WARMUP = 5;
const RUNS = 60;

// The test harness's cluster: real issuer, irsakit's webhook over HTTPS, and the node's IMDS, so each pod also
// gets its own IMDS address as under `irsakit up`.
const harness = await startHarness({
  imds: {
    port: 0,
    instanceProfile: async () => undefined,
    nodeCredentials: async () => ({
      accessKeyId: 'A',
      secretAccessKey: 'S',
      sessionToken: 'T',
      expiration: Date.now() + 3_600_000,
    }),
  },
  maxGraceMs: 1000,
});
const { cluster } = harness;
await cluster.applyManifest(
  'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: app, annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::111122223333:role/app"}}\n',
);

const samples: number[] = [];
try {
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const name = `bench-${i}`;
    const manifest = `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  serviceAccountName: app
  containers: [{name: app, image: app:1, command: [sleep, "30"]}]
`;
    const t0 = performance.now();
    const report = await cluster.applyManifest(manifest);
    if (!report.ok) throw new Error(JSON.stringify(report.results[0]?.error));
    await cluster.waitForPhase('default', name, ['Running', 'Failed', 'Succeeded']);
    const elapsed = performance.now() - t0;
    const token = cluster.kubelet.tokenFiles('default', name).find((t) => t.volume === 'aws-iam-token');
    if (!token || !existsSync(token.path)) throw new Error('token file not written');
    if (i >= WARMUP) samples.push(elapsed);
    await cluster.api.delete('Pod', 'default', name);
  }
} finally {
  await harness.close();
}

samples.sort((a, b) => a - b);
const pct = (p: number) => samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))]!;
console.log(
  `cluster apply-to-running (IRSA pod, webhook over HTTPS, token written, process started): p50 ${pct(50).toFixed(1)} ms (target: p50 < ${TARGET_P50_MS} ms), p95 ${pct(95).toFixed(1)} ms, n=${samples.length}`,
);
