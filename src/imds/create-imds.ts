import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ec2Json, ec2Time, handleImdsRequest, type ImdsContext } from './handle-imds-request.js';
import type {
  Caller,
  InstanceIdentity,
  InstanceProfile,
  MetadataOptions,
  SessionCredentials,
} from './types.js';

export interface ImdsDeps {
  /** The node's listener: the address the node and hostNetwork pods use. */
  readonly host?: string;
  /** 0 lets the OS choose (tests). */
  readonly port: number;
  readonly options: () => MetadataOptions;
  readonly identity: () => InstanceIdentity;
  /** The node's instance profile; undefined when the instance has none (no iam/ tree). */
  readonly instanceProfile: () => Promise<InstanceProfile | undefined>;
  /** Real STS session credentials for the node role. */
  readonly nodeCredentials: () => Promise<SessionCredentials>;
  /** First two octets of the pods' loopback addresses (default 127.77). */
  readonly podNetwork?: string;
  readonly now?: () => number;
  readonly random?: (n: number) => Buffer;
  readonly log?: (line: string) => void;
}

export interface ImdsRequestRecord {
  readonly at: number;
  readonly caller: Caller;
  readonly method: string;
  readonly path: string;
  /** HTTP status, or 0 when the response was dropped (hop limit). */
  readonly status: number;
  readonly version: 'v1' | 'v2' | 'token';
}

export interface PodAttachment {
  /** The pod's own address (127.77.x.y), its podIP. */
  readonly address: string;
  /** What the pod's AWS_EC2_METADATA_SERVICE_ENDPOINT says (trailing slash: the AWS CLI v2 needs it). */
  readonly url: string;
}

export interface Imds {
  /** The node's endpoint, e.g. http://127.0.0.1:4603/ (valid after start()). */
  readonly url: string;
  start(): Promise<void>;
  /** Gives a (non-hostNetwork) pod its own address and listener; idempotent per uid. */
  attachPod(pod: { namespace: string; name: string; uid: string }): Promise<PodAttachment>;
  detachPod(uid: string): Promise<void>;
  /** The last requests (most recent last), for the doctor and the journey page. */
  recent(): readonly ImdsRequestRecord[];
  stop(): Promise<void>;
}

const RECENT = 200;
/** EC2 makes new credentials available well before expiry; irsakit refreshes 15 minutes ahead. */
const REFRESH_AHEAD_MS = 15 * 60_000;

function listenOn(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * The node's instance metadata service. One listener for the node (its address is what the node and
 * hostNetwork pods use) and one per pod, bound to the pod's own loopback address: the listener a connection
 * arrives on says who is calling, so hop-limit semantics never depend on anything the caller sends.
 */
export function createImds(deps: ImdsDeps): Imds {
  const now = deps.now ?? Date.now;
  const random = deps.random ?? randomBytes;
  const host = deps.host ?? '127.0.0.1';
  const net = deps.podNetwork ?? '127.77';
  const log = deps.log ?? (() => {});
  const tokens = new Map<string, number>();
  const recent: ImdsRequestRecord[] = [];
  const pods = new Map<string, { server: Server; attachment: PodAttachment }>();
  const used = new Set<number>();
  let nodeServer: Server | undefined;
  let url = '';
  let nodePort = 0;
  let nextHost = 2;
  let creds: { json: string; expiresAt: number; fetchedAt: number } | undefined;
  let pending: Promise<{ json: string }> | undefined;

  async function credentials(): Promise<{ json: string }> {
    const t = now();
    if (creds && creds.expiresAt - t > REFRESH_AHEAD_MS) return creds;
    pending ??= (async () => {
      try {
        const c = await deps.nodeCredentials();
        const expiresAt = new Date(c.expiration).getTime();
        const fetchedAt = now();
        const json = ec2Json({
          Code: 'Success',
          LastUpdated: ec2Time(fetchedAt),
          Type: 'AWS-HMAC',
          AccessKeyId: c.accessKeyId,
          SecretAccessKey: c.secretAccessKey,
          Token: c.sessionToken,
          Expiration: ec2Time(expiresAt),
        });
        creds = { json, expiresAt, fetchedAt };
        return creds;
      } finally {
        pending = undefined;
      }
    })();
    return pending;
  }

  function issueToken(ttl: number): string {
    const t = now();
    if (tokens.size > 10_000) for (const [k, exp] of tokens) if (exp <= t) tokens.delete(k);
    const token = random(42).toString('base64');
    tokens.set(token, t + ttl * 1000);
    return token;
  }

  function handler(caller: Caller) {
    return (req: IncomingMessage, res: ServerResponse) => {
      // Bodies are ignored, as EC2 ignores them; wait for the end so the socket is reusable.
      req.resume();
      req.on('end', () => {
        void serve(caller, req, res);
      });
    };
  }

  async function serve(caller: Caller, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://imds').pathname;
    const method = req.method ?? 'GET';
    const version =
      path === '/latest/api/token' ? 'token' : req.headers['x-aws-ec2-metadata-token'] ? 'v2' : 'v1';
    let status = 0;
    try {
      const profile = await deps.instanceProfile();
      const ctx: ImdsContext = {
        options: deps.options(),
        identity: deps.identity(),
        profile,
        now: now(),
        issueToken,
        validToken: (tok) => {
          const exp = tokens.get(tok);
          if (exp === undefined) return false;
          if (exp <= now()) {
            tokens.delete(tok);
            return false;
          }
          return true;
        },
        credentials,
        profileUpdatedAt: creds?.fetchedAt ?? deps.identity().launchedAt,
      };
      const out = await handleImdsRequest({ method, path, headers: req.headers, caller }, ctx);
      if (out.kind === 'drop') {
        // The response's packets would expire on the way: the caller sees no answer at all.
        req.socket.destroy();
      } else {
        status = out.status;
        res.writeHead(out.status, {
          ...out.headers,
          'content-length': Buffer.byteLength(out.body),
          server: 'EC2ws',
        });
        res.end(method === 'HEAD' ? undefined : out.body);
      }
    } catch (err) {
      status = 500;
      log(`imds: ${method} ${path} failed: ${(err as Error).message}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('Internal Server Error');
    }
    recent.push({ at: now(), caller, method, path, status, version });
    if (recent.length > RECENT) recent.splice(0, recent.length - RECENT);
  }

  async function bindPod(server: Server): Promise<{ address: string; port: number }> {
    for (let tries = 0; tries < 65_000; tries++) {
      const n = nextHost;
      nextHost = nextHost >= 65_533 ? 2 : nextHost + 1;
      if (used.has(n)) continue;
      const address = `${net}.${n >> 8}.${n & 255}`;
      try {
        // The same port as the node's listener when free, so every pod's endpoint looks alike.
        let port: number;
        try {
          port = await listenOn(server, address, nodePort);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
          port = await listenOn(server, address, 0);
        }
        used.add(n);
        return { address, port };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EADDRNOTAVAIL') {
          // Systems without the whole 127/8 on lo (macOS): a port of its own on the node address still
          // identifies the pod by listener.
          return { address: host, port: await listenOn(server, host, 0) };
        }
        throw err;
      }
    }
    throw new Error('no free pod address left');
  }

  return {
    get url() {
      return url;
    },
    async start() {
      if (nodeServer) return;
      const server = createServer(handler({ kind: 'node' }));
      server.keepAliveTimeout = 1000;
      nodePort = await listenOn(server, host, deps.port);
      nodeServer = server;
      url = `http://${host.includes(':') ? `[${host}]` : host}:${nodePort}/`;
    },
    async attachPod(pod) {
      const have = pods.get(pod.uid);
      if (have) return have.attachment;
      const server = createServer(
        handler({ kind: 'pod', namespace: pod.namespace, name: pod.name, uid: pod.uid }),
      );
      server.keepAliveTimeout = 1000;
      const { address, port } = await bindPod(server);
      const attachment = { address, url: `http://${address}:${port}/` };
      pods.set(pod.uid, { server, attachment });
      return attachment;
    },
    async detachPod(uid) {
      const p = pods.get(uid);
      if (!p) return;
      pods.delete(uid);
      const m = /\.(\d+)\.(\d+)$/.exec(p.attachment.address);
      if (m && p.attachment.address.startsWith(`${net}.`)) used.delete(Number(m[1]) * 256 + Number(m[2]));
      await closeServer(p.server);
    },
    recent: () => recent,
    async stop() {
      const all = [...pods.keys()];
      await Promise.all(all.map((uid) => this.detachPod(uid)));
      if (nodeServer) await closeServer(nodeServer);
      nodeServer = undefined;
    },
  };
}
