import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { resolveWebhookConfig, type WebhookConfigInput } from './config.js';
import { handleAdmissionReview } from './handle-admission-review.js';
import { createMetrics, type WebhookMetrics } from './metrics.js';
import type { ServiceAccountSource, WebhookConfig } from './types.js';

export interface WebhookLogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  [field: string]: unknown;
}
export type WebhookLogger = (entry: WebhookLogEntry) => void;

export interface WebhookServerOptions {
  source: ServiceAccountSource & { ready?: () => boolean };
  /** A full config, or only the fields to change from the reference's defaults. */
  config?: WebhookConfig | WebhookConfigInput;
  tls: { certPem: string; keyPem: string };
  host?: string;
  /** 0 lets the OS choose (tests). */
  port?: number;
  log?: WebhookLogger;
  /** Largest accepted body; the API server's own object limit is 3 MiB and a review may carry two objects. */
  maxBodyBytes?: number;
  random?: (n: number) => Buffer;
  now?: () => number;
}

export interface WebhookServer {
  readonly url: string;
  readonly port: number;
  readonly metrics: WebhookMetrics;
  /** Swaps the serving certificate without dropping connections (mounted Secret rotated). */
  setTls(tls: { certPem: string; keyPem: string }): void;
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY = 7 * 1024 * 1024;

/** Default logger: one JSON line per entry on stderr; debug entries (one per admission) are dropped. */
export const stderrLogger: WebhookLogger = (entry) => {
  if (entry.level === 'debug') return;
  process.stderr.write(
    `${JSON.stringify({ time: new Date().toISOString(), component: 'webhook', ...entry })}\n`,
  );
};

/**
 * The HTTPS shell around handleAdmissionReview: POST /mutate, GET /healthz, /readyz and /metrics. Every failure
 * becomes a status code and a log line; no request can crash the process.
 */
export async function createWebhookServer(opts: WebhookServerOptions): Promise<WebhookServer> {
  const config = resolveWebhookConfig(opts.config ?? {});
  const log = opts.log ?? stderrLogger;
  const metrics = createMetrics();
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const now = opts.now ?? (() => performance.now());
  const deps = { source: opts.source, config, ...(opts.random ? { random: opts.random } : {}) };

  const send = (res: ServerResponse, path: string, code: number, type: string, body: string) => {
    metrics.request(path, code);
    res.writeHead(code, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  const reject = (res: ServerResponse, code: number, kind: string, message: string, req: IncomingMessage) => {
    metrics.error(kind);
    log({
      level: 'warn',
      msg: 'admission request rejected',
      status: code,
      error: message,
      remote: req.socket.remoteAddress,
    });
    send(res, '/mutate', code, 'text/plain; charset=utf-8', `${message}\n`);
  };

  async function mutateRoute(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const start = now();
    try {
      if (req.method !== 'POST') {
        res.setHeader('allow', 'POST');
        return reject(res, 405, 'method_not_allowed', `method ${req.method} not allowed; use POST`, req);
      }
      // The API server sends exactly application/json; parameters such as charset are tolerated.
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/json') {
        req.resume();
        return reject(
          res,
          415,
          'unsupported_media_type',
          'Invalid Content-Type, expected `application/json`',
          req,
        );
      }
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > maxBody) {
        res.setHeader('connection', 'close');
        req.resume();
        return reject(
          res,
          413,
          'too_large',
          `body of ${declared} bytes exceeds the limit of ${maxBody}`,
          req,
        );
      }
      const body = await readBody(req, maxBody);
      if (body === undefined) {
        res.setHeader('connection', 'close');
        return reject(res, 413, 'too_large', `body exceeds the limit of ${maxBody} bytes`, req);
      }
      const outcome = await handleAdmissionReview(body, deps);
      if (outcome.status !== 200) {
        if (outcome.status === 500) {
          metrics.error(outcome.kind);
          log({ level: 'error', msg: 'admission failed', error: outcome.error });
          return send(res, '/mutate', 500, 'text/plain; charset=utf-8', `${outcome.error}\n`);
        }
        return reject(res, outcome.status, outcome.kind, outcome.error, req);
      }
      const { result } = outcome;
      if (result.decision === 'patch') metrics.mutation(result.mode);
      else metrics.skipped(result.reason);
      log({
        level: 'debug',
        msg: 'admitted',
        namespace: outcome.namespace,
        pod: outcome.name,
        decision: result.decision,
        reason: result.reason,
      });
      for (const w of 'warnings' in result ? result.warnings : []) {
        log({
          level: 'warn',
          msg: 'admission warning',
          namespace: outcome.namespace,
          pod: outcome.name,
          warning: w,
        });
      }
      send(res, '/mutate', 200, 'application/json', JSON.stringify(outcome.review));
    } catch (err) {
      metrics.error('internal');
      log({ level: 'error', msg: 'admission handler failed', error: (err as Error).message });
      if (!res.headersSent) send(res, '/mutate', 500, 'text/plain; charset=utf-8', 'internal error\n');
      else res.destroy();
    } finally {
      metrics.observeLatency((now() - start) / 1000);
    }
  }

  const server = createServer(
    { cert: opts.tls.certPem, key: opts.tls.keyPem, keepAliveTimeout: 30_000 },
    (req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      if (path === '/mutate') {
        void mutateRoute(req, res);
        return;
      }
      req.resume();
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        return send(res, 'other', 405, 'text/plain; charset=utf-8', 'method not allowed\n');
      }
      if (path === '/healthz') return send(res, path, 200, 'text/plain; charset=utf-8', 'ok\n');
      if (path === '/readyz') {
        const ready = opts.source.ready?.() ?? true;
        return send(
          res,
          path,
          ready ? 200 : 503,
          'text/plain; charset=utf-8',
          ready ? 'ok\n' : 'not ready\n',
        );
      }
      if (path === '/metrics') {
        return send(res, path, 200, 'text/plain; version=0.0.4; charset=utf-8', metrics.render());
      }
      send(res, 'other', 404, 'text/plain; charset=utf-8', 'not found\n');
    },
  );
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.on('tlsClientError', (err) =>
    log({ level: 'debug', msg: 'TLS handshake failed', error: err.message }),
  );
  server.on('clientError', (err, socket) => {
    log({ level: 'debug', msg: 'malformed HTTP request', error: err.message });
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host ?? '127.0.0.1';
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `https://${urlHost}:${port}`,
    port,
    metrics,
    setTls(tls) {
      server.setSecureContext({ cert: tls.certPem, key: tls.keyPem });
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // In-flight reviews get a moment to finish; then keep-alive sockets are cut.
        setTimeout(() => server.closeAllConnections(), 1000).unref();
      });
    },
  };
}

/** The whole body, or undefined once it passes `max` bytes (the rest is drained, not buffered). */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > max) {
        over = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}
