/**
 * Webhook throughput: AdmissionReviews (a pod that gets mutated) over HTTPS keep-alive, 32 connections, ~5 s,
 * against 127.0.0.1. The server runs alone in a child process (the target is per process); the load generator
 * (autocannon) runs here. The peer is a bare Node HTTPS server answering a fixed JSON, measured in the same run.
 *
 *   node --import tsx bench/webhook.bench.ts            run both and print figures
 *   node --import tsx bench/webhook.bench.ts --serve X  (internal) serve X = webhook | bare, print the port
 */
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createCa, issueServerCert } from '../src/tls/index.js';
import { createMemoryServiceAccountSource, createWebhookServer } from '../src/webhook/index.js';
import { failures, type LoadResult, load, startServer, stopServers } from './lib/load.js';

const TARGET_RPS = 10_000;
const TARGET_P99_MS = 5;
const DURATION_S = 5;
const CONNECTIONS = 32;

function review(i: number): string {
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      namespace: 'apps',
      operation: 'CREATE',
      userInfo: {
        username: 'system:serviceaccount:kube-system:replicaset-controller',
        groups: ['system:serviceaccounts'],
      },
      object: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          generateName: 'web-7c9f8d6b5-',
          namespace: 'apps',
          labels: { app: 'web', 'pod-template-hash': '7c9f8d6b5' },
          annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-01T00:00:00Z' },
          ownerReferences: [
            { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7c9f8d6b5', uid: 'u', controller: true },
          ],
        },
        spec: {
          serviceAccountName: 'app',
          initContainers: [
            {
              name: 'proxy',
              image: 'envoy:1.31',
              restartPolicy: 'Always',
              ports: [{ containerPort: 15001 }],
            },
          ],
          containers: [
            {
              name: 'web',
              image: 'nginx:1.27',
              ports: [{ containerPort: 8080, protocol: 'TCP' }],
              env: [{ name: 'LOG_LEVEL', value: 'info' }],
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
              readinessProbe: { grpc: { port: 8080 }, periodSeconds: 5 },
              volumeMounts: [
                {
                  name: 'kube-api-access-abcde',
                  mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
                  readOnly: true,
                },
              ],
            },
          ],
          volumes: [
            {
              name: 'kube-api-access-abcde',
              projected: { sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }] },
            },
          ],
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          tolerations: [
            {
              key: 'node.kubernetes.io/not-ready',
              operator: 'Exists',
              effect: 'NoExecute',
              tolerationSeconds: 300,
            },
          ],
        },
      },
      oldObject: null,
      dryRun: false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
    },
  });
}

async function serve(kind: string): Promise<void> {
  const ca = await createCa('bench CA');
  const tls = await issueServerCert(ca, { commonName: 'localhost', ipAddresses: ['127.0.0.1'] });
  let port: number;
  if (kind === 'webhook') {
    const sas = Array.from({ length: 1000 }, (_, i) => ({
      metadata: {
        name: i === 0 ? 'app' : `sa-${i}`,
        namespace: 'apps',
        annotations: { 'eks.amazonaws.com/role-arn': `arn:aws:iam::111122223333:role/r${i}` },
      },
    }));
    const server = await createWebhookServer({
      source: createMemoryServiceAccountSource(sas),
      config: { region: 'eu-west-1', stsRegionalEndpoints: true },
      tls,
      port: 0,
      log: () => {},
    });
    port = server.port;
  } else {
    const fixed = JSON.stringify({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: 'fixed', allowed: true },
    });
    const server = createServer(
      { cert: tls.certPem, key: tls.keyPem, keepAliveTimeout: 30_000 },
      (req, res) => {
        req.resume();
        req.on('end', () => {
          res.writeHead(200, {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(fixed),
          });
          res.end(fixed);
        });
      },
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  }
  // Exit cleanly on a signal, so that --cpu-prof can write its profile.
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => process.exit(0));
  process.stdout.write(`PORT ${port}\n`);
}

const startChild = (kind: string) =>
  startServer(fileURLToPath(import.meta.url), kind, /PORT (\d+)/, (m) => ({ port: Number(m[1]) }));
const run1 = (port: number, bodies: string[], duration = DURATION_S) =>
  load(
    `https://127.0.0.1:${port}`,
    bodies.map((body) => ({ method: 'POST', path: '/mutate', body })),
    { connections: CONNECTIONS, duration, headers: { 'content-type': 'application/json' } },
  );

async function run(): Promise<void> {
  const bodies = Array.from({ length: 64 }, (_, i) => review(i));
  const servers = { webhook: await startChild('webhook'), bare: await startChild('bare') };
  const results: Record<string, LoadResult> = {};
  try {
    for (const { ready } of Object.values(servers)) await run1(ready.port, bodies.slice(0, 4), 1); // JIT warm-up
    // Two alternating rounds, best of each: other work on a shared machine then hurts both sides alike.
    for (let round = 0; round < 2; round++) {
      for (const [kind, { ready }] of Object.entries(servers)) {
        const r = await run1(ready.port, bodies);
        const best = results[kind];
        if (!best || r.rps > best.rps) results[kind] = r;
      }
    }
  } finally {
    stopServers(Object.values(servers));
  }
  const w = results.webhook!;
  const b = results.bare!;
  const ok = w.rps >= TARGET_RPS && w.p99 < TARGET_P99_MS;
  console.log(
    `webhook admission reviews: ${Math.round(w.rps)} reviews/s (target: >= ${TARGET_RPS}) ` +
      `p99 ${w.p99} ms (target: < ${TARGET_P99_MS} ms)${failures(w)} ${ok ? 'ok' : 'BELOW TARGET'}`,
  );
  console.log(
    `peer bare node https fixed JSON: ${Math.round(b.rps)} req/s p99 ${b.p99} ms (expected: about 35000)`,
  );
  console.log(`ratio webhook/bare: ${(w.rps / b.rps).toFixed(2)}`);
}

const serveIndex = process.argv.indexOf('--serve');
if (serveIndex >= 0) await serve(process.argv[serveIndex + 1] ?? 'webhook');
else await run();
