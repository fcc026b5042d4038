import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { IrsakitError } from '../errors/index.js';
import type { CliIo } from './command.js';

export interface ClientTarget {
  readonly endpoint: string;
  readonly token: string | undefined;
}

/**
 * Where a CLI command finds the running instance: --endpoint, then IRSAKIT_ENDPOINT, then the default.
 * The admin token comes from IRSAKIT_ADMIN_TOKEN or the data directory's admin-token file (--data,
 * IRSAKIT_DATA, default ./.irsakit).
 */
export function clientTarget(
  io: CliIo,
  flags: { endpoint?: string | undefined; data?: string | undefined },
): ClientTarget {
  const endpoint = (flags.endpoint ?? io.env.IRSAKIT_ENDPOINT ?? 'http://127.0.0.1:4600').replace(/\/+$/, '');
  try {
    new URL(endpoint);
  } catch {
    throw new IrsakitError('ERR_USAGE', `--endpoint must be a URL, got "${endpoint}"`);
  }
  let token = io.env.IRSAKIT_ADMIN_TOKEN;
  if (!token) {
    const dir = resolve(io.cwd, flags.data ?? io.env.IRSAKIT_DATA ?? '.irsakit');
    try {
      token = readFileSync(join(dir, 'admin-token'), 'utf8').trim();
    } catch {
      token = undefined;
    }
  }
  return { endpoint, token };
}

/** Calls the control API; a non-2xx answer becomes an IrsakitError with the server's code and message. */
export async function adminRequest<T = unknown>(
  target: ClientTarget,
  method: string,
  path: string,
  body?: unknown,
  opts: { contentType?: string } = {},
): Promise<T> {
  const headers: Record<string, string> = {};
  if (target.token) headers.authorization = `Bearer ${target.token}`;
  let payload: string | undefined;
  if (body !== undefined) {
    payload = typeof body === 'string' ? body : JSON.stringify(body);
    headers['content-type'] =
      opts.contentType ?? (typeof body === 'string' ? 'application/yaml' : 'application/json');
  }
  let res: Response;
  try {
    res = await fetch(`${target.endpoint}/_irsakit${path}`, { method, headers, body: payload ?? null });
  } catch (err) {
    throw new IrsakitError(
      'ERR_ENDPOINT_UNREACHABLE',
      `cannot reach irsakit at ${target.endpoint} (${(err as { cause?: Error }).cause?.message ?? (err as Error).message}); start it with \`irsakit up\` or set --endpoint`,
    );
  }
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : text;
  } catch {
    // plain-text answer (logs)
  }
  if (!res.ok) {
    // irsakit errors carry a string code (ERR_…); Kubernetes Status objects carry the HTTP status as a number.
    const p = (parsed ?? {}) as { code?: unknown; message?: string; kind?: string };
    if (res.status === 401 && !target.token) {
      throw new IrsakitError(
        'ERR_UNAUTHORIZED',
        'no admin token: run this in the directory that holds .irsakit, pass --data DIR, or set IRSAKIT_ADMIN_TOKEN',
      );
    }
    const known =
      typeof p.code === 'string' && p.code.startsWith('ERR_')
        ? p.code
        : res.status === 404
          ? 'ERR_NOT_FOUND'
          : 'ERR_INPUT';
    throw new IrsakitError(known as 'ERR_INPUT', p.message ?? `${res.status} ${res.statusText}`, {
      status: res.status,
      body: parsed,
    });
  }
  return parsed as T;
}

export interface AdminAws {
  readonly account: string;
  readonly region: string;
  /** The instance's administrator key pair, for AWS SDK clients pointed at target.endpoint. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** What an AWS client needs to act as the instance's administrator; the control token entitles us to it. */
export async function adminAws(target: ClientTarget): Promise<AdminAws> {
  const [health, credentials] = await Promise.all([
    adminRequest<{ account: string; region: string }>(target, 'GET', '/health'),
    adminRequest<{ accessKeyId: string; secretAccessKey: string }>(target, 'GET', '/credentials'),
  ]);
  return { account: health.account, region: health.region, credentials };
}
