import { Agent, request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import { createLocalJWKSet, type JSONWebKeySet, type JWSHeaderParameters } from 'jose';

type VerifyKey = Awaited<ReturnType<ReturnType<typeof createLocalJWKSet>>>;

/**
 * Why a verification key could not be had. `communication` (the IdP did not answer: refused, timeout, 5xx) is
 * transient and maps to IDPCommunicationError, which the SDKs retry; `unavailable` (bad documents, TLS
 * failure, no key for the kid) maps to InvalidIdentityToken "Couldn't retrieve verification key…".
 */
export class KeyRetrievalError extends Error {
  readonly kind: 'communication' | 'unavailable';
  constructor(kind: 'communication' | 'unavailable', message: string) {
    super(message);
    this.name = 'KeyRetrievalError';
    this.kind = kind;
  }
}

export interface JwksCacheOptions {
  /** Extra trusted CA certificates (PEM) besides the system CAs: the local CA of irsakit's issuers. */
  readonly caPems?: readonly string[] | (() => readonly string[]);
  readonly now?: () => number;
  /** An unknown kid triggers a refresh at most this often per issuer. Default 5 s. */
  readonly minRefreshMs?: number;
  /** A cached JWKS older than this is refetched on next use (kept if the refetch fails). Default 1 h. */
  readonly maxAgeMs?: number;
  /** Per HTTPS fetch. Default 5 s. */
  readonly timeoutMs?: number;
}

export interface JwksCache {
  /** The key for a token's protected header; fetches discovery and JWKS once, then serves from cache. */
  getKey(issuer: string, header: JWSHeaderParameters): Promise<VerifyKey>;
  /** Number of HTTPS fetches made (discovery + JWKS), for tests and the bench. */
  readonly fetches: number;
  close(): void;
}

interface IssuerEntry {
  jwks?: { set: ReturnType<typeof createLocalJWKSet>; fetchedAt: number };
  lastAttempt: number;
  lastError?: KeyRetrievalError;
  inflight?: Promise<void>;
}

const MAX_DOCUMENT_BYTES = 512 * 1024;

/**
 * OIDC discovery + JWKS over HTTPS, cached per issuer. The issuer URL comes from a token, but it is only ever
 * fetched after it matched an IAM OIDC provider that the administrator registered, so a token cannot make
 * irsakit fetch arbitrary URLs.
 */
export function createJwksCache(opts: JwksCacheOptions = {}): JwksCache {
  const now = opts.now ?? Date.now;
  const minRefreshMs = opts.minRefreshMs ?? 5000;
  const maxAgeMs = opts.maxAgeMs ?? 3_600_000;
  const timeoutMs = opts.timeoutMs ?? 5000;
  const entries = new Map<string, IssuerEntry>();
  let fetches = 0;
  let agent: Agent | undefined;
  let agentCas = '';

  function currentAgent(): Agent {
    const extra = typeof opts.caPems === 'function' ? opts.caPems() : (opts.caPems ?? []);
    const id = extra.join('\n');
    if (!agent || id !== agentCas) {
      agent?.destroy();
      agent = new Agent({ keepAlive: true, ca: [...rootCertificates, ...extra] });
      agentCas = id;
    }
    return agent;
  }

  function getJson(url: string): Promise<unknown> {
    fetches++;
    return new Promise((resolve, reject) => {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        reject(new KeyRetrievalError('unavailable', `not a URL: ${url}`));
        return;
      }
      if (parsed.protocol !== 'https:') {
        reject(new KeyRetrievalError('unavailable', `not an https URL: ${url}`));
        return;
      }
      const req = httpsRequest(
        parsed,
        { agent: currentAgent(), timeout: timeoutMs, headers: { accept: 'application/json' } },
        (res) => {
          const status = res.statusCode ?? 0;
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_DOCUMENT_BYTES) {
              res.destroy();
              reject(
                new KeyRetrievalError(
                  'unavailable',
                  `${url}: document larger than ${MAX_DOCUMENT_BYTES} bytes`,
                ),
              );
            } else chunks.push(c);
          });
          res.on('error', (e) => reject(new KeyRetrievalError('communication', `${url}: ${e.message}`)));
          res.on('end', () => {
            if (status >= 500)
              return reject(new KeyRetrievalError('communication', `${url}: HTTP ${status}`));
            if (status !== 200) return reject(new KeyRetrievalError('unavailable', `${url}: HTTP ${status}`));
            try {
              resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
            } catch {
              reject(new KeyRetrievalError('unavailable', `${url}: not JSON`));
            }
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e: NodeJS.ErrnoException) => {
        // Certificate problems are configuration, not transient; refusals and timeouts are transient.
        const tls = typeof e.code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS/.test(e.code);
        reject(new KeyRetrievalError(tls ? 'unavailable' : 'communication', `${url}: ${e.message}`));
      });
      req.end();
    });
  }

  async function refresh(issuer: string, entry: IssuerEntry): Promise<void> {
    entry.lastAttempt = now();
    // OIDC Discovery 1.0 §4: issuer + "/.well-known/openid-configuration", the issuer's trailing slash removed.
    const discovery = (await getJson(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`)) as {
      issuer?: unknown;
      jwks_uri?: unknown;
    } | null;
    if (typeof discovery !== 'object' || discovery === null || typeof discovery.jwks_uri !== 'string') {
      throw new KeyRetrievalError('unavailable', `${issuer}: discovery document has no jwks_uri`);
    }
    // OIDC Discovery §4.3: the document's issuer must be the issuer it was fetched for (stricter than what
    // AWS documents; it stops one registered provider from serving keys on behalf of another URL).
    if (discovery.issuer !== issuer) {
      throw new KeyRetrievalError(
        'unavailable',
        `${issuer}: discovery document names issuer ${String(discovery.issuer)}`,
      );
    }
    const jwks = (await getJson(discovery.jwks_uri)) as JSONWebKeySet | null;
    if (typeof jwks !== 'object' || jwks === null || !Array.isArray(jwks.keys)) {
      throw new KeyRetrievalError('unavailable', `${discovery.jwks_uri}: not a JWKS`);
    }
    let set: ReturnType<typeof createLocalJWKSet>;
    try {
      set = createLocalJWKSet(jwks);
    } catch (e) {
      throw new KeyRetrievalError('unavailable', `${discovery.jwks_uri}: ${(e as Error).message}`);
    }
    entry.jwks = { set, fetchedAt: now() };
  }

  function ensure(issuer: string, entry: IssuerEntry): Promise<void> {
    entry.inflight ??= refresh(issuer, entry)
      .then(() => {
        entry.lastError = undefined;
      })
      .catch((e: unknown) => {
        entry.lastError =
          e instanceof KeyRetrievalError
            ? e
            : new KeyRetrievalError('unavailable', `${issuer}: ${String(e)}`);
        throw entry.lastError;
      })
      .finally(() => {
        entry.inflight = undefined;
      });
    return entry.inflight;
  }

  async function select(entry: IssuerEntry, header: JWSHeaderParameters): Promise<VerifyKey | undefined> {
    if (!entry.jwks) return undefined;
    try {
      return await entry.jwks.set(header, { payload: '', signature: '' } as never);
    } catch {
      return undefined;
    }
  }

  return {
    get fetches() {
      return fetches;
    },
    async getKey(issuer, header) {
      let entry = entries.get(issuer);
      if (!entry) {
        entry = { lastAttempt: 0 };
        entries.set(issuer, entry);
      }
      if (!entry.jwks) {
        if (
          entry.inflight === undefined &&
          now() - entry.lastAttempt < minRefreshMs &&
          entry.lastAttempt > 0
        ) {
          // The last fetch failed moments ago: answer with its error rather than hammering the issuer.
          throw (
            entry.lastError ?? new KeyRetrievalError('unavailable', `${issuer}: keys recently unavailable`)
          );
        }
        await ensure(issuer, entry);
      } else if (now() - entry.jwks.fetchedAt > maxAgeMs) {
        await ensure(issuer, entry).catch(() => undefined);
      }
      const key = await select(entry, header);
      if (key) return key;
      // Unknown kid: the issuer may have rotated. Refresh once, at most every minRefreshMs per issuer, so a
      // stream of tokens with random kids cannot turn irsakit into a request amplifier.
      if (entry.inflight !== undefined || now() - entry.lastAttempt >= minRefreshMs) {
        await ensure(issuer, entry);
        const again = await select(entry, header);
        if (again) return again;
      }
      throw new KeyRetrievalError(
        'unavailable',
        `${issuer}: no key matches kid ${String(header.kid)} and alg ${String(header.alg)}`,
      );
    },
    close() {
      agent?.destroy();
    },
  };
}
