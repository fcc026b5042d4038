import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AdminRequest, AdminResponse, AdminRoute } from './admin-route.js';

export const ADMIN_PREFIX = '/_irsakit';
const MAX_BODY = 8 * 1024 * 1024;

interface Compiled {
  route: AdminRoute;
  re: RegExp;
  names: string[];
}

function compile(route: AdminRoute): Compiled {
  const names: string[] = [];
  const pattern = route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, n: string) => {
    names.push(n);
    return '([^/]+)';
  });
  return { route, re: new RegExp(`^${pattern}$`), names };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        resolve(null);
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * The /_irsakit control API: health (anonymous) and the routes domains register, behind the admin bearer token.
 * Returns false when the request is not under /_irsakit, so the AWS endpoint handles it.
 */
export function adminApi(opts: {
  token: string;
  health: () => unknown;
  routes: () => readonly AdminRoute[];
  log: (line: string) => void;
}) {
  let compiled: { for: readonly AdminRoute[]; list: Compiled[] } | undefined;
  const expected = Buffer.from(`Bearer ${opts.token}`);
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== ADMIN_PREFIX && !url.pathname.startsWith(`${ADMIN_PREFIX}/`)) return false;
    const path = url.pathname.slice(ADMIN_PREFIX.length) || '/';
    if (path === '/health' && req.method === 'GET') {
      sendJson(res, 200, opts.health());
      return true;
    }
    const auth = Buffer.from(req.headers.authorization ?? '');
    if (auth.length !== expected.length || !timingSafeEqual(auth, expected)) {
      sendJson(res, 401, {
        code: 'ERR_UNAUTHORIZED',
        message:
          'the irsakit control API needs the admin token (Authorization: Bearer …; see <data>/admin-token)',
      });
      return true;
    }
    const routes = opts.routes();
    if (compiled?.for !== routes) compiled = { for: routes, list: routes.map(compile) };
    let methodMismatch = false;
    for (const c of compiled.list) {
      const m = c.re.exec(path);
      if (!m) continue;
      if (c.route.method !== req.method) {
        methodMismatch = true;
        continue;
      }
      const params: Record<string, string> = {};
      c.names.forEach((n, i) => {
        params[n] = decodeURIComponent(m[i + 1] ?? '');
      });
      const raw = await readBody(req);
      if (raw === null) {
        sendJson(res, 413, { code: 'ERR_INPUT', message: `request body larger than ${MAX_BODY} bytes` });
        return true;
      }
      const text = raw.toString('utf8');
      const contentType = req.headers['content-type'] ?? '';
      let body: unknown;
      if (text.length > 0 && contentType.includes('json')) {
        try {
          body = JSON.parse(text);
        } catch (err) {
          sendJson(res, 400, {
            code: 'ERR_INPUT',
            message: `malformed JSON body: ${(err as Error).message}`,
          });
          return true;
        }
      }
      const request: AdminRequest = {
        method: req.method ?? 'GET',
        params,
        query: url.searchParams,
        body,
        text,
        contentType,
      };
      let out: AdminResponse;
      try {
        out = await c.route.handle(request);
      } catch (err) {
        const e = err as { code?: string; message?: string };
        opts.log(`control API ${req.method} ${path} failed: ${e.message}`);
        const status = e.code === 'ERR_NOT_FOUND' ? 404 : e.code?.startsWith('ERR_') ? 400 : 500;
        sendJson(res, status, { code: e.code ?? 'ERR_INTERNAL', message: e.message ?? String(err) });
        return true;
      }
      if (out.text !== undefined) {
        res.writeHead(out.status ?? 200, { 'content-type': out.contentType ?? 'text/plain; charset=utf-8' });
        res.end(out.text);
      } else {
        sendJson(res, out.status ?? 200, out.body ?? {});
      }
      return true;
    }
    sendJson(res, methodMismatch ? 405 : 404, {
      code: 'ERR_NOT_FOUND',
      message: `${methodMismatch ? 'method not allowed' : 'no such control API route'}: ${req.method} ${url.pathname}`,
    });
    return true;
  };
}
