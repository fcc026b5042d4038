import { request } from 'node:https';
import { createCa, issueServerCert } from '../../../src/tls/index.js';

export async function loopbackTls(): Promise<{ caPem: string; certPem: string; keyPem: string }> {
  const ca = await createCa('test CA');
  const leaf = await issueServerCert(ca, {
    commonName: 'localhost',
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
  });
  return { caPem: ca.certPem, ...leaf };
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTPS request that trusts only `ca`. */
export function send(
  url: string,
  ca: string,
  opts: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${opts.path ?? '/mutate'}`,
      { method: opts.method ?? 'POST', ca, headers: opts.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}
