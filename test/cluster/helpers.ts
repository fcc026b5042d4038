import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Cluster, type ClusterDeps, createCluster } from '../../src/cluster/index.js';
import { ClusterIssuer } from '../../src/oidc/index.js';
import type { AdminRoute } from '../../src/runtime/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { startLocalWebhook } from '../../src/webhook/index.js';

export interface Harness {
  readonly cluster: Cluster;
  readonly store: Store;
  readonly issuer: ClusterIssuer;
  readonly webhook: Awaited<ReturnType<typeof startLocalWebhook>>;
  readonly dir: string;
  close(): Promise<void>;
}

/**
 * A cluster with the real issuer (in-memory store) and irsakit's real pod identity webhook over HTTPS,
 * registered as in a new data directory. Pods run for real under a temp pods directory.
 */
export async function startHarness(
  extra: Partial<ClusterDeps> = {},
  opts: { webhook?: boolean } = {},
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'irsakit-'));
  chmodSync(dir, 0o711); // pods running as other users traverse it to reach their volumes
  const store = openStore(null);
  const issuer = new ClusterIssuer({
    store,
    baseUrl: 'https://127.0.0.1:1',
    cluster: 'local',
    ...(extra.now ? { now: extra.now } : {}),
  });
  let cluster: Cluster | undefined;
  const webhook = await startLocalWebhook({
    source: { get: (ns, name) => cluster!.serviceAccountSource.get(ns, name) },
    port: 0,
    config: { region: 'us-east-1' },
    log: () => {},
  });
  cluster = createCluster({
    store,
    issuer,
    region: 'us-east-1',
    account: '111122223333',
    podsDir: join(dir, 'pods'),
    ...(opts.webhook === false ? {} : { defaultWebhook: { url: webhook.url, caPem: webhook.caPem! } }),
    tokenSyncIntervalMs: 0,
    restartBackoffMs: 50,
    maxGraceMs: 2000,
    ...extra,
  });
  await cluster.start();
  return {
    cluster,
    store,
    issuer,
    webhook,
    dir,
    async close() {
      await cluster!.stop();
      await webhook.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function decodeJwt(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
}

/** Serves a cluster's admin routes the way the runtime does (under /_irsakit, bearer token), for CLI tests. */
export async function serveRoutes(
  routes: readonly AdminRoute[],
  token: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const compiled = routes.map((route) => {
    const names: string[] = [];
    const pattern = route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, n: string) => {
      names.push(n);
      return '([^/]+)';
    });
    return { route, re: new RegExp(`^${pattern}$`), names };
  });
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => {
      text += c;
    });
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const path = url.pathname.replace(/^\/_irsakit/, '');
      if (req.headers.authorization !== `Bearer ${token}`) {
        res.writeHead(401).end('{}');
        return;
      }
      for (const c of compiled) {
        const m = c.re.exec(path);
        if (!m || c.route.method !== req.method) continue;
        const params = Object.fromEntries(c.names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)]));
        const contentType = req.headers['content-type'] ?? '';
        const body = text && contentType.includes('json') ? JSON.parse(text) : undefined;
        const out = await c.route.handle({
          method: req.method!,
          params,
          query: url.searchParams,
          body,
          text,
          contentType,
        });
        if (out.text !== undefined)
          res.writeHead(out.status ?? 200, { 'content-type': 'text/plain' }).end(out.text);
        else
          res
            .writeHead(out.status ?? 200, { 'content-type': 'application/json' })
            .end(JSON.stringify(out.body ?? {}));
        return;
      }
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ code: 'ERR_NOT_FOUND', message: `no route ${path}` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
