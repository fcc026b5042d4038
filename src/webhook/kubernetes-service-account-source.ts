import { ApiException, CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { IrsakitError } from '../errors/index.js';
import type { WebhookLogger } from './create-webhook-server.js';
import type { ServiceAccount, ServiceAccountSource } from './types.js';

export interface KubernetesSourceOptions {
  kubeConfig: KubeConfig;
  /** Only annotations under this prefix are kept in memory (the reference does the same, PR #301). */
  annotationPrefix: string;
  /**
   * How long a lookup that misses the cache may wait for the ServiceAccount to appear, in ms. The reference
   * defaults to 0 and so never mutates a pod whose SA was created a moment before (issues #174, #194).
   */
  lookupWaitMs?: number;
  log?: WebhookLogger;
}

export interface KubernetesServiceAccountSource extends ServiceAccountSource {
  /** Starts the list+watch loop; resolves after the first list, or after `timeoutMs` if the API is away. */
  start(timeoutMs?: number): Promise<void>;
  /** True once the cache has been filled by a list. */
  ready(): boolean;
  stop(): Promise<void>;
}

/** Loads in-cluster configuration, a kubeconfig file, or the default chain (KUBECONFIG, ~/.kube/config). */
export function loadKubeConfig(opts: { kubeconfig?: string; inCluster?: boolean }): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (opts.inCluster) kc.loadFromCluster();
    else if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
    else kc.loadFromDefault();
  } catch (err) {
    throw new IrsakitError('ERR_CONFIG', `cannot load Kubernetes configuration: ${(err as Error).message}`);
  }
  if (!kc.getCurrentCluster()) {
    throw new IrsakitError('ERR_CONFIG', 'no current cluster in the Kubernetes configuration');
  }
  return kc;
}

const WATCH_PATH = '/api/v1/serviceaccounts';
const MAX_BACKOFF_MS = 30_000;

/**
 * ServiceAccounts from the Kubernetes API: a list+watch cache of every namespace's ServiceAccounts, kept small,
 * and, on a miss, a direct GET raced against the watch, bounded by `lookupWaitMs`. A ServiceAccount created just
 * before its pod is therefore found even when the watch has not delivered it yet.
 */
export function createKubernetesServiceAccountSource(
  opts: KubernetesSourceOptions,
): KubernetesServiceAccountSource {
  const core = opts.kubeConfig.makeApiClient(CoreV1Api);
  const watch = new Watch(opts.kubeConfig);
  const log = opts.log ?? (() => {});
  const waitMs = opts.lookupWaitMs ?? 2000;
  const prefix = `${opts.annotationPrefix}/`;
  let cache = new Map<string, ServiceAccount>();
  const waiters = new Map<string, Set<(sa: ServiceAccount) => void>>();
  const inflight = new Map<string, Promise<ServiceAccount | undefined>>();
  let resourceVersion = '';
  let synced = false;
  let stopped = false;
  let running: Promise<void> | undefined;
  let abort: AbortController | undefined;
  let wake: (() => void) | undefined;
  let onSynced: (() => void) | undefined;

  const key = (ns: string, name: string) => `${ns}/${name}`;

  function strip(obj: unknown): ServiceAccount | undefined {
    const meta = (obj as { metadata?: Record<string, unknown> } | undefined)?.metadata;
    if (!meta || typeof meta.name !== 'string') return undefined;
    const annotations: Record<string, string> = {};
    for (const [k, v] of Object.entries((meta.annotations as Record<string, string> | undefined) ?? {})) {
      if (k.startsWith(prefix)) annotations[k] = v;
    }
    return {
      metadata: {
        name: meta.name,
        namespace: (meta.namespace as string | undefined) ?? 'default',
        ...(typeof meta.resourceVersion === 'string' ? { resourceVersion: meta.resourceVersion } : {}),
        annotations,
      },
    };
  }

  function put(sa: ServiceAccount): void {
    const k = key(sa.metadata.namespace ?? 'default', sa.metadata.name);
    cache.set(k, sa);
    const ws = waiters.get(k);
    if (ws) {
      waiters.delete(k);
      for (const w of ws) w(sa);
    }
  }

  async function list(): Promise<void> {
    const res = await core.listServiceAccountForAllNamespaces({});
    const next = new Map<string, ServiceAccount>();
    const fresh: ServiceAccount[] = [];
    for (const item of res.items ?? []) {
      const sa = strip(item);
      if (!sa) continue;
      next.set(key(sa.metadata.namespace ?? 'default', sa.metadata.name), sa);
      fresh.push(sa);
    }
    cache = next;
    for (const sa of fresh) put(sa);
    resourceVersion = res.metadata?.resourceVersion ?? '';
    if (!synced) {
      synced = true;
      onSynced?.();
    }
  }

  function watchOnce(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const handler = (phase: string, obj: unknown) => {
        if (phase === 'ERROR') {
          // 410 Gone: our resourceVersion is too old; relist.
          if ((obj as { code?: number }).code === 410) resourceVersion = '';
          abort?.abort();
          return;
        }
        const rv = (obj as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
        if (rv) resourceVersion = rv;
        if (phase === 'BOOKMARK') return;
        const sa = strip(obj);
        if (!sa) return;
        if (phase === 'DELETED') cache.delete(key(sa.metadata.namespace ?? 'default', sa.metadata.name));
        else put(sa);
      };
      watch
        .watch(
          WATCH_PATH,
          { resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 300 },
          handler,
          (err: unknown) => {
            const code = (err as { statusCode?: number } | null)?.statusCode;
            if (code === 410) {
              resourceVersion = '';
              resolve();
            } else if (err && !stopped && (err as Error).name !== 'AbortError') reject(err);
            else resolve();
          },
        )
        .then((c) => {
          abort = c;
          if (stopped) c.abort();
        }, reject);
    });
  }

  async function loop(): Promise<void> {
    let backoff = 250;
    while (!stopped) {
      const started = Date.now();
      try {
        if (!resourceVersion) await list();
        await watchOnce();
        if (Date.now() - started > 5000) backoff = 250;
      } catch (err) {
        resourceVersion = '';
        log({
          level: 'warn',
          msg: 'ServiceAccount list/watch failed; retrying',
          error: (err as Error).message,
          retryMs: backoff,
        });
      }
      if (stopped) break;
      // A watch that ends at once (or fails) is retried with backoff, so a broken API is not hammered.
      if (Date.now() - started < 1000) {
        await new Promise<void>((r) => {
          const t = setTimeout(r, backoff);
          wake = () => {
            clearTimeout(t);
            r();
          };
        });
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  function fetchDirect(namespace: string, name: string): Promise<ServiceAccount | undefined> {
    const k = key(namespace, name);
    let p = inflight.get(k);
    if (!p) {
      p = core
        .readNamespacedServiceAccount({ name, namespace })
        .then(
          (sa) => strip(sa),
          (err: unknown) => {
            if (err instanceof ApiException && err.code === 404) return undefined;
            throw err;
          },
        )
        .finally(() => inflight.delete(k));
      inflight.set(k, p);
    }
    return p;
  }

  function waitFor(k: string, ms: number): { promise: Promise<ServiceAccount | undefined>; cancel(): void } {
    let done: (sa: ServiceAccount | undefined) => void = () => {};
    const promise = new Promise<ServiceAccount | undefined>((resolve) => {
      done = resolve;
    });
    let set = waiters.get(k);
    if (!set) {
      set = new Set();
      waiters.set(k, set);
    }
    const waiter = (sa: ServiceAccount) => {
      clearTimeout(timer);
      done(sa);
    };
    set.add(waiter);
    const cancel = () => {
      clearTimeout(timer);
      const s = waiters.get(k);
      s?.delete(waiter);
      if (s?.size === 0) waiters.delete(k);
      done(undefined);
    };
    const timer = setTimeout(cancel, ms);
    return { promise, cancel };
  }

  return {
    async get(namespace, name) {
      const k = key(namespace, name);
      const hit = cache.get(k);
      if (hit) return hit;
      const waiting = waitFor(k, waitMs);
      let directError: unknown;
      const direct = fetchDirect(namespace, name).then(
        (sa) => sa ?? waiting.promise,
        (err: unknown) => {
          directError = err;
          return waiting.promise;
        },
      );
      const sa = await Promise.race([waiting.promise, direct]);
      waiting.cancel();
      if (sa) return sa;
      if (directError) {
        throw new Error(
          `ServiceAccount ${k} is not cached and GET failed: ${(directError as Error).message}`,
        );
      }
      log({ level: 'info', msg: 'ServiceAccount not found', namespace, name, waitedMs: waitMs });
      return undefined;
    },
    start(timeoutMs = 10_000) {
      stopped = false;
      running ??= loop();
      if (synced) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const t = setTimeout(resolve, timeoutMs);
        onSynced = () => {
          clearTimeout(t);
          resolve();
        };
      });
    },
    ready: () => synced,
    async stop() {
      stopped = true;
      abort?.abort();
      wake?.();
      await running;
      running = undefined;
      for (const [, ws] of waiters) for (const w of ws) w(undefined as never);
    },
  };
}
