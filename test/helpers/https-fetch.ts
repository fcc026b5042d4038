import { request } from 'node:https';

/**
 * A WHATWG-style fetch over node:https that trusts the given CA (Node 20's global fetch cannot take one).
 * Enough for jose's customFetch and discovery GETs in tests.
 */
export function fetchTrusting(caPem: string) {
  return (
    url: string | URL,
    init?: { method?: string; headers?: Record<string, string>; signal?: AbortSignal },
  ) =>
    new Promise<Response>((resolve, reject) => {
      const req = request(
        url,
        { method: init?.method ?? 'GET', headers: init?.headers ?? {}, ca: caPem, signal: init?.signal },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const headers = new Headers();
            for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
            resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 500, headers }));
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
}
