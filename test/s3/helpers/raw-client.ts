import { createHash, createHmac } from 'node:crypto';
import { request } from 'node:http';
import { formatAmzDate, signingKey, signRequest } from '../../../src/aws/index.js';
import { ADMIN, REGION } from './server.js';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

/** Sends exactly these bytes (no client-side normalisation), signed with SigV4 for S3. */
export function send(
  port: number,
  method: string,
  path: string,
  opts: {
    body?: Buffer | string;
    headers?: Record<string, string>;
    creds?: Creds;
    payloadHash?: string;
    now?: number;
    sign?: boolean;
  } = {},
): Promise<RawResponse> {
  const body = opts.body === undefined ? Buffer.alloc(0) : Buffer.from(opts.body);
  let headers: Record<string, string> = { host: `127.0.0.1:${port}`, ...(opts.headers ?? {}) };
  if (opts.sign !== false) {
    const creds: Creds = opts.creds ?? ADMIN;
    const payloadHash = opts.payloadHash ?? createHash('sha256').update(body).digest('hex');
    headers['x-amz-content-sha256'] ??= payloadHash;
    if (creds.sessionToken) headers['x-amz-security-token'] = creds.sessionToken;
    headers = signRequest({
      method,
      url: path,
      headers,
      credentials: creds,
      region: REGION,
      service: 's3',
      now: opts.now ?? Date.now(),
      payloadHash,
    }).headers;
  }
  if (headers['content-length'] === undefined) headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** An aws-chunked body signed chunk by chunk (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]). */
export function signedChunkedBody(
  payload: Buffer,
  chunkSize: number,
  seedSignature: string,
  now: number,
  secret = ADMIN.secretAccessKey,
  trailer?: { name: string; value: string },
): Buffer {
  const amzDate = formatAmzDate(now);
  const scope = `${amzDate.slice(0, 8)}/${REGION}/s3/aws4_request`;
  const key = signingKey(secret, amzDate.slice(0, 8), REGION, 's3');
  const empty = createHash('sha256').update('').digest('hex');
  let prev = seedSignature;
  const parts: Buffer[] = [];
  const chunks: Buffer[] = [];
  for (let i = 0; i < payload.length; i += chunkSize) chunks.push(payload.subarray(i, i + chunkSize));
  chunks.push(Buffer.alloc(0));
  for (const c of chunks) {
    const sts = [
      'AWS4-HMAC-SHA256-PAYLOAD',
      amzDate,
      scope,
      prev,
      empty,
      createHash('sha256').update(c).digest('hex'),
    ].join('\n');
    prev = createHmac('sha256', key).update(sts).digest('hex');
    parts.push(Buffer.from(`${c.length.toString(16)};chunk-signature=${prev}\r\n`), c);
    if (c.length > 0) parts.push(Buffer.from('\r\n'));
  }
  if (trailer) {
    const canonical = `${trailer.name}:${trailer.value}\n`;
    const sts = [
      'AWS4-HMAC-SHA256-TRAILER',
      amzDate,
      scope,
      prev,
      createHash('sha256').update(canonical).digest('hex'),
    ].join('\n');
    const sig = createHmac('sha256', key).update(sts).digest('hex');
    parts.push(Buffer.from(`${trailer.name}:${trailer.value}\r\nx-amz-trailer-signature:${sig}\r\n`));
  }
  parts.push(Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

/** The seed signature a signed request carries in its Authorization header. */
export function seedOf(headers: Record<string, string>): string {
  return /Signature=([0-9a-f]{64})/.exec(headers.authorization ?? '')![1]!;
}

/** Signs a streaming upload's headers, then builds its body from the seed signature (mutable by the caller). */
export function signedStreamingPut(
  port: number,
  path: string,
  payload: Buffer,
  chunkSize: number,
  trailer?: { name: string; value: string },
): { headers: Record<string, string>; body: Buffer } {
  const now = Date.now();
  const mode = trailer ? 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER' : 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
  const base: Record<string, string> = {
    host: `127.0.0.1:${port}`,
    'x-amz-content-sha256': mode,
    'x-amz-decoded-content-length': String(payload.length),
    'content-encoding': 'aws-chunked',
    ...(trailer ? { 'x-amz-trailer': trailer.name } : {}),
  };
  const headers = signRequest({
    method: 'PUT',
    url: path,
    headers: base,
    credentials: ADMIN,
    region: REGION,
    service: 's3',
    now,
    payloadHash: mode,
  }).headers;
  const body = signedChunkedBody(payload, chunkSize, seedOf(headers), now, ADMIN.secretAccessKey, trailer);
  return { headers, body };
}

export function sendPrepared(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: { ...headers, 'content-length': String(body.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
