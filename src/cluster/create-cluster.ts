import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createImds, type Imds, type InstanceProfile, type SessionCredentials } from '../imds/index.js';
import type { AdminRoute } from '../runtime/admin-route.js';
import type { Store } from '../store/index.js';
import type { ServiceAccountSource } from '../webhook/index.js';
import { type ApiServer, createApiServer, type ManifestReport } from './api-server.js';
import { createKubelet, type Kubelet, type TokenMinter } from './kubelet.js';
import { type ClusterNode, loadNode } from './node.js';
import { createObjectStore, type ObjectStore } from './object-store.js';
import { clusterRoutes } from './routes.js';
import { storeServiceAccountSource } from './service-account-source.js';
import type { MutatingWebhookConfiguration, Pod } from './types.js';

export interface ClusterImdsDeps {
  /** The node's IMDS port (config.ports.imds; 0 in tests). */
  readonly port: number;
  readonly host?: string;
  /** Real STS session credentials for the node role (issueSessionCredentials for irsakit-node-role). */
  readonly nodeCredentials: () => Promise<SessionCredentials>;
  /** The node's instance profile (created by the runtime at first start); undefined = none. */
  readonly instanceProfile: () => Promise<InstanceProfile | undefined>;
  readonly podNetwork?: string;
}

export interface ClusterDeps {
  readonly store: Store;
  /** The cluster's service-account issuer (ClusterIssuer), or anything that mints the same tokens. */
  readonly issuer: TokenMinter;
  readonly region: string;
  readonly account: string;
  /** The node's address as pods see it (status.hostIP); 127.0.0.1 unless irsakit listens elsewhere. */
  readonly hostIP?: string;
  /** Where pods' directories go; default <tmpdir>/irsakit-pods-<hash of the data directory>. */
  readonly podsDir?: string;
  /** irsakit's AWS endpoint, given to pods as AWS_ENDPOINT_URL. */
  readonly awsEndpoint?: string;
  /** Extra environment for every pod (before its own), e.g. { AWS_REGION }. */
  readonly podEnv?: Readonly<Record<string, string>>;
  /** Written as ca.crt in kube-api-access volumes. */
  readonly clusterCaPem?: string;
  /** irsakit's own pod identity webhook, registered in a new data directory (and kept current while managed). */
  readonly defaultWebhook?: { readonly url: string; readonly caPem: string };
  /** The node's instance metadata service; omitted = pods get no AWS_EC2_METADATA_SERVICE_ENDPOINT. */
  readonly imds?: ClusterImdsDeps;
  readonly now?: () => number;
  readonly random?: (n: number) => Buffer;
  readonly uuid?: () => string;
  readonly log?: (line: string) => void;
  readonly restartBackoffMs?: number;
  readonly maxGraceMs?: number;
  readonly tokenSyncIntervalMs?: number;
}

export interface Cluster {
  /** The control API routes (Kubernetes-shaped, under /_irsakit/k8s/…, plus /_irsakit/node/…). */
  readonly routes: AdminRoute[];
  /** For the webhook: ServiceAccounts straight from the cluster's store. */
  readonly serviceAccountSource: ServiceAccountSource & { ready: () => boolean };
  readonly api: ApiServer;
  readonly kubelet: Kubelet;
  readonly node: ClusterNode;
  readonly objects: ObjectStore;
  readonly imds: Imds | undefined;
  readonly podsDir: string;
  /** Starts the IMDS listeners and resumes the pods of a previous run. */
  start(): Promise<void>;
  /** Stops every pod's processes and every listener; nothing is left running. */
  stop(): Promise<void>;
  applyManifest(text: string, opts?: { source?: string; namespace?: string }): Promise<ManifestReport>;
  waitForPhase(namespace: string, name: string, phases: string[], timeoutMs?: number): Promise<Pod>;
  /** Rewrites every token file that is due (the kubelet also does this on a timer). */
  syncTokens(): Promise<number>;
}

export const DEFAULT_WEBHOOK_CONFIGURATION = 'pod-identity-webhook';
const MANAGED = 'irsakit.dev/managed';
const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The reference deployment's registration (deploy/mutatingwebhook.yaml): CREATE of pods, failurePolicy Ignore. */
function defaultWebhookConfiguration(url: string, caPem: string): MutatingWebhookConfiguration {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: DEFAULT_WEBHOOK_CONFIGURATION, annotations: { [MANAGED]: 'true' } },
    webhooks: [
      {
        name: 'pod-identity-webhook.amazonaws.com',
        clientConfig: {
          url: `${url.replace(/\/+$/, '')}/mutate`,
          caBundle: Buffer.from(caPem).toString('base64'),
        },
        rules: [
          { operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: '*' },
        ],
        failurePolicy: 'Ignore',
        matchPolicy: 'Equivalent',
        namespaceSelector: {},
        objectSelector: {
          matchExpressions: [
            { key: 'eks.amazonaws.com/skip-pod-identity-webhook', operator: 'DoesNotExist' },
          ],
        },
        sideEffects: 'None',
        timeoutSeconds: 10,
        admissionReviewVersions: ['v1', 'v1beta1'],
        reinvocationPolicy: 'Never',
      },
    ],
  };
}

/**
 * The local cluster: API server (objects in the store, admission through real webhooks), the node with its
 * instance metadata service, and the kubelet that runs pods as local processes.
 */
export function createCluster(deps: ClusterDeps): Cluster {
  const now = deps.now ?? Date.now;
  const uuid = deps.uuid ?? randomUUID;
  const random = deps.random ?? randomBytes;
  const hostIP = deps.hostIP ?? '127.0.0.1';
  const objects = createObjectStore(deps.store);
  const node = loadNode(objects, { region: deps.region, account: deps.account, now, random, uuid, hostIP });
  // Not under the data directory: it is 0700, and pods running as other users must reach their volumes.
  const tempPods = !deps.podsDir && !deps.store.dataDir;
  const hashed = (dir: string) =>
    `irsakit-pods-${createHash('sha256').update(dir).digest('hex').slice(0, 12)}`;
  const podsDir =
    deps.podsDir ??
    (deps.store.dataDir
      ? join(tmpdir(), hashed(deps.store.dataDir))
      : mkdtempSync(join(tmpdir(), 'irsakit-pods-')));
  if (tempPods) chmodSync(podsDir, 0o711);

  const imds = deps.imds
    ? createImds({
        port: deps.imds.port,
        ...(deps.imds.host ? { host: deps.imds.host } : {}),
        ...(deps.imds.podNetwork ? { podNetwork: deps.imds.podNetwork } : {}),
        options: () => node.metadataOptions(),
        identity: () => node.identity(),
        instanceProfile: deps.imds.instanceProfile,
        nodeCredentials: deps.imds.nodeCredentials,
        now,
        random,
        ...(deps.log ? { log: deps.log } : {}),
      })
    : undefined;

  const kubelet = createKubelet({
    objects,
    issuer: deps.issuer,
    podsDir,
    node: () => ({ name: node.record.name, uid: node.record.uid }),
    hostIP,
    ...(imds ? { imds } : {}),
    ...(deps.awsEndpoint ? { awsEndpoint: deps.awsEndpoint } : {}),
    ...(deps.podEnv ? { podEnv: deps.podEnv } : {}),
    ...(deps.clusterCaPem ? { clusterCaPem: deps.clusterCaPem } : {}),
    now,
    ...(deps.log ? { log: deps.log } : {}),
    ...(deps.restartBackoffMs !== undefined ? { restartBackoffMs: deps.restartBackoffMs } : {}),
    ...(deps.maxGraceMs !== undefined ? { maxGraceMs: deps.maxGraceMs } : {}),
    ...(deps.tokenSyncIntervalMs !== undefined ? { tokenSyncIntervalMs: deps.tokenSyncIntervalMs } : {}),
  });

  const api = createApiServer({
    objects,
    kubelet,
    node: () => ({ name: node.record.name, labels: node.labels }),
    now,
    uuid,
    random,
    ...(deps.log ? { log: deps.log } : {}),
  });

  // First start of a data directory: the system namespaces, each with its "default" ServiceAccount.
  objects.tx(() => {
    for (const ns of SYSTEM_NAMESPACES) {
      if (!objects.get('Namespace', '', ns)) {
        objects.put({
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: {
            name: ns,
            uid: uuid(),
            creationTimestamp: iso(now()),
            labels: { 'kubernetes.io/metadata.name': ns },
          },
          spec: { finalizers: ['kubernetes'] },
          status: { phase: 'Active' },
        });
      }
      if (!objects.get('ServiceAccount', ns, 'default')) {
        objects.put({
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: { name: 'default', namespace: ns, uid: uuid(), creationTimestamp: iso(now()) },
        });
      }
    }
    if (deps.defaultWebhook) {
      const wanted = defaultWebhookConfiguration(deps.defaultWebhook.url, deps.defaultWebhook.caPem);
      const live = objects.get<MutatingWebhookConfiguration>(
        'MutatingWebhookConfiguration',
        '',
        DEFAULT_WEBHOOK_CONFIGURATION,
      );
      if (!objects.getKv<boolean>('defaultWebhookRegistered')) {
        if (!live)
          objects.put({
            ...wanted,
            metadata: { ...wanted.metadata, uid: uuid(), creationTimestamp: iso(now()) },
          });
        objects.setKv('defaultWebhookRegistered', true);
      } else if (live?.metadata.annotations?.[MANAGED] === 'true') {
        // The listener's port or CA may differ from the last run: keep irsakit's own registration pointing at it.
        const cc = live.webhooks?.[0]?.clientConfig;
        const want = wanted.webhooks![0]!.clientConfig;
        if (live.webhooks?.length === 1 && (cc?.url !== want.url || cc?.caBundle !== want.caBundle)) {
          objects.put({ ...live, webhooks: [{ ...live.webhooks[0]!, clientConfig: want }] });
        }
      }
    }
  });

  return {
    routes: clusterRoutes({ api, kubelet, node, imds }),
    serviceAccountSource: storeServiceAccountSource(objects),
    api,
    kubelet,
    node,
    objects,
    imds,
    podsDir,
    async start() {
      if (imds) await imds.start();
      kubelet.start();
    },
    async stop() {
      await kubelet.stop();
      if (imds) await imds.stop();
      // Pod directories outlive a stop only for pods that will be resumed.
      if (tempPods || objects.list('Pod').length === 0) rmSync(podsDir, { recursive: true, force: true });
    },
    applyManifest: (text, opts) => api.applyManifest(text, opts),
    waitForPhase: (ns, name, phases, timeoutMs) => kubelet.waitForPhase(ns, name, phases, timeoutMs),
    syncTokens: () => kubelet.syncTokens(),
  };
}
