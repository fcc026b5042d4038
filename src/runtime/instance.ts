import { mkdirSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createCluster } from '../cluster/index.js';
import type { Config } from '../config/index.js';
import { type ClusterInfo, ClusterIssuer, discoveryHandler } from '../oidc/index.js';
import { lockDataDir, openStore, type Store } from '../store/index.js';
import { sha1Thumbprint } from '../tls/index.js';
import { startLocalWebhook } from '../webhook/index.js';
import { adminApi } from './admin-api.js';
import type { AdminRoute } from './admin-route.js';
import { createAwsSide } from './aws-side.js';
import { closeServer, listen } from './listen.js';
import { ensureNodeRole, NODE_INSTANCE_PROFILE } from './node-role.js';
import { oidcRoutes } from './oidc-routes.js';
import { loadRuntimeState, type RuntimeState } from './state.js';

export interface InstanceOptions {
  readonly now?: () => number;
  readonly log?: (line: string) => void;
}

export interface Endpoints {
  readonly aws: string;
  readonly issuer: string;
  readonly webhook?: string;
  readonly imds?: string;
}

export interface Instance {
  readonly config: Config;
  readonly state: RuntimeState;
  readonly store: Store;
  readonly endpoints: Endpoints;
  readonly issuers: ReadonlyMap<string, ClusterIssuer>;
  clusters(): ClusterInfo[];
  health(): HealthReport;
  close(): Promise<void>;
}

export interface HealthReport {
  status: 'ok';
  account: string;
  region: string;
  endpoints: Endpoints;
  clusters: { name: string; issuer: string }[];
  caCertificate: string;
}

const DEFAULT_CLUSTER = 'local';

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * The composition root of `irsakit up`: locks the data directory, opens the store, loads the instance's
 * state, builds every domain and starts every listener. close() stops them in reverse order; nothing is left
 * running. Listeners bind config.host (127.0.0.1 by default) on config.ports (fixed offsets from --port).
 */
export async function startInstance(config: Config, opts: InstanceOptions = {}): Promise<Instance> {
  const now = opts.now ?? Date.now;
  const log = opts.log ?? (() => {});
  const cleanups: (() => Promise<void> | void)[] = [];
  const close = async () => {
    for (const fn of cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch (err) {
        log(`shutdown: ${(err as Error).message}`);
      }
    }
  };

  try {
    if (config.dataDir !== null) {
      mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
      cleanups.push(lockDataDir(config.dataDir));
    }
    const store = openStore(config.dataDir);
    cleanups.push(() => store.close());
    const state = await loadRuntimeState(store, config);
    const host = urlHost(config.host);
    const endpointsMut: { aws: string; issuer: string; webhook?: string; imds?: string } = {
      aws: `http://${host}:${config.ports.aws}`,
      issuer: `https://${host}:${config.ports.issuer}`,
    };

    const issuer = new ClusterIssuer({ store, baseUrl: endpointsMut.issuer, cluster: DEFAULT_CLUSTER, now });
    const issuers = new Map([[issuer.cluster, issuer]]);
    const thumbprint = sha1Thumbprint(state.ca.certPem);
    const clusters = (): ClusterInfo[] =>
      [...issuers.values()].map((i) => ({
        name: i.cluster,
        arn: `arn:aws:eks:${config.region}:${state.account}:cluster/${i.cluster}`,
        issuerUrl: i.url,
        caCertificatePem: state.ca.certPem,
        thumbprint,
        createdAt: i.createdAt,
        version: '1.31',
      }));

    const aws = createAwsSide({
      store,
      account: state.account,
      region: config.region,
      admin: state.admin,
      clusters,
      caPems: () => [state.ca.certPem],
      now,
      log,
    });
    cleanups.push(() => aws.close());
    await ensureNodeRole(aws, state.account);
    endpointsMut.webhook = `https://${host}:${config.ports.webhook}`;
    endpointsMut.imds = `http://${host}:${config.ports.imds}`;

    const cluster = createCluster({
      store,
      issuer,
      region: config.region,
      account: state.account,
      awsEndpoint: endpointsMut.aws,
      clusterCaPem: state.ca.certPem,
      defaultWebhook: { url: endpointsMut.webhook, caPem: state.ca.certPem },
      imds: {
        port: config.ports.imds,
        host: config.host,
        instanceProfile: async () => {
          const profile = aws.iam.getInstanceProfile(state.account, NODE_INSTANCE_PROFILE);
          return profile?.role
            ? { roleName: profile.role.roleName, arn: profile.arn, id: profile.instanceProfileId }
            : undefined;
        },
        nodeCredentials: async () => {
          const role = aws.iam.getInstanceProfile(state.account, NODE_INSTANCE_PROFILE)?.role;
          if (!role) throw new Error('the node has no instance profile role');
          // EC2 names an instance-role session after the instance id.
          return aws.credentials.issueSessionCredentials({
            role: { arn: role.arn, roleId: role.roleId, roleName: role.roleName },
            sessionName: cluster.node.record.instanceId,
            durationSeconds: 6 * 3600,
          });
        },
      },
      now,
      log,
    });

    const routes: AdminRoute[] = [
      ...oidcRoutes(issuers, clusters),
      ...cluster.routes,
      {
        method: 'GET',
        path: '/credentials',
        // The administrator key pair, for tools (demo, doctor) that hold the control token already.
        handle: async () => ({
          body: { accessKeyId: state.admin.accessKeyId, secretAccessKey: state.admin.secretAccessKey },
        }),
      },
    ];
    const health = (): HealthReport => ({
      status: 'ok',
      account: state.account,
      region: config.region,
      endpoints: { ...endpointsMut },
      clusters: [...issuers.values()].map((i) => ({ name: i.cluster, issuer: i.url })),
      caCertificate: state.ca.certPem,
    });
    const admin = adminApi({ token: state.adminToken, health, routes: () => routes, log });

    const awsServer = createHttpServer((req, res) => {
      admin(req, res).then(
        (handled) => {
          if (!handled) aws.handler(req, res);
        },
        (err: Error) => {
          log(`control API: ${err.message}`);
          if (!res.headersSent) res.writeHead(500);
          res.end();
        },
      );
    });
    awsServer.headersTimeout = 30_000;
    awsServer.requestTimeout = 0; // S3 streams large bodies; idle sockets are bounded by keepAliveTimeout
    await listen(awsServer, 'AWS endpoint', config.host, config.ports.aws);
    cleanups.push(() => closeServer(awsServer));

    const issuerServer = createHttpsServer(
      { cert: state.serving.certPem + state.ca.certPem, key: state.serving.keyPem },
      discoveryHandler(() => [...issuers.values()]),
    ) as unknown as Server;
    await listen(issuerServer, 'issuer', config.host, config.ports.issuer);
    cleanups.push(() => closeServer(issuerServer));

    const webhook = await startLocalWebhook({
      source: cluster.serviceAccountSource,
      port: config.ports.webhook,
      host: config.host,
      tls: { certPem: state.serving.certPem + state.ca.certPem, keyPem: state.serving.keyPem },
      config: { region: config.region },
      log: (entry) => log(`webhook: ${JSON.stringify(entry)}`),
    });
    cleanups.push(() => webhook.close());

    await cluster.start();
    cleanups.push(() => cluster.stop());

    return {
      config,
      state,
      store,
      endpoints: endpointsMut,
      issuers,
      clusters,
      health,
      close,
    };
  } catch (err) {
    await close(); // whatever started before the failure is stopped again
    throw err;
  }
}
