import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

interface Sa {
  apiVersion: 'v1';
  kind: 'ServiceAccount';
  metadata: {
    name: string;
    namespace: string;
    resourceVersion: string;
    uid: string;
    annotations?: Record<string, string>;
  };
}

/**
 * A Kubernetes API server reduced to ServiceAccounts on loopback, speaking the list, watch (newline-delimited
 * events) and get JSON. `holdWatch` keeps events back, to stage a watch that lags behind the store.
 */
export class StubApiServer {
  readonly objects = new Map<string, Sa>();
  readonly requests: string[] = [];
  holdWatch = false;
  failGets = false;
  private rv = 100;
  private held: string[] = [];
  private watchers = new Set<ServerResponse>();
  private server: Server = createServer((req, res) => this.handle(req.url ?? '/', req.method ?? 'GET', res));

  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
  }
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'stub', server: this.url, skipTLSVerify: true }],
      users: [{ name: 'test', token: 'stub-token' }],
      contexts: [{ name: 'stub', cluster: 'stub', user: 'test' }],
      currentContext: 'stub',
    });
    return kc;
  }
  watcherCount(): number {
    return this.watchers.size;
  }

  put(namespace: string, name: string, annotations?: Record<string, string>): void {
    const key = `${namespace}/${name}`;
    const type = this.objects.has(key) ? 'MODIFIED' : 'ADDED';
    const sa: Sa = {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: {
        name,
        namespace,
        resourceVersion: String(++this.rv),
        uid: `uid-${this.rv}`,
        ...(annotations ? { annotations } : {}),
      },
    };
    this.objects.set(key, sa);
    this.emit(JSON.stringify({ type, object: sa }));
  }
  remove(namespace: string, name: string): void {
    const sa = this.objects.get(`${namespace}/${name}`);
    if (!sa) return;
    this.objects.delete(`${namespace}/${name}`);
    this.emit(
      JSON.stringify({
        type: 'DELETED',
        object: { ...sa, metadata: { ...sa.metadata, resourceVersion: String(++this.rv) } },
      }),
    );
  }
  /** Sends the events kept back while holdWatch was on. */
  release(): void {
    this.holdWatch = false;
    const held = this.held;
    this.held = [];
    for (const line of held) this.emit(line);
  }
  /** Ends every open watch, as the API server does at its timeout. */
  closeWatches(): void {
    for (const w of this.watchers) w.end();
    this.watchers.clear();
  }
  async close(): Promise<void> {
    this.closeWatches();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private emit(line: string): void {
    if (this.holdWatch) {
      this.held.push(line);
      return;
    }
    for (const w of this.watchers) w.write(`${line}\n`);
  }

  private handle(rawUrl: string, method: string, res: ServerResponse): undefined {
    const url = new URL(rawUrl, 'http://stub');
    this.requests.push(`${method} ${url.pathname}${url.searchParams.get('watch') ? ' watch' : ''}`);
    const json = (status: number, body: unknown): undefined => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/api/v1/serviceaccounts') {
      if (url.searchParams.get('watch') === 'true') {
        res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
        res.flushHeaders();
        this.watchers.add(res);
        res.on('close', () => this.watchers.delete(res));
        return;
      }
      return json(200, {
        apiVersion: 'v1',
        kind: 'ServiceAccountList',
        metadata: { resourceVersion: String(this.rv) },
        items: [...this.objects.values()],
      });
    }
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/serviceaccounts\/([^/]+)$/.exec(url.pathname);
    if (m) {
      if (this.failGets)
        return json(500, {
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          code: 500,
          message: 'etcd unavailable',
        });
      const sa = this.objects.get(`${m[1]}/${m[2]}`);
      if (sa) return json(200, sa);
      return json(404, {
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        reason: 'NotFound',
        code: 404,
        message: `serviceaccounts "${m[2]}" not found`,
      });
    }
    json(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 404, message: 'not found' });
  }
}
