import { createHash, createPrivateKey, type KeyObject, randomBytes, randomUUID } from 'node:crypto';
import { decodeProtectedHeader, importJWK, jwtVerify, SignJWT } from 'jose';
import { IrsakitError } from '../errors/index.js';
import { dns1123LabelErrors, dns1123SubdomainErrors, invalidNameMessage } from '../kube/index.js';
import type { Store } from '../store/index.js';
import { generateSigningKey } from './keys.js';
import { OIDC_MIGRATIONS } from './migrations.js';
import type { JsonWebKey, MintedToken, MintRequest, ProjectedTokenClaims } from './types.js';

/** Kubernetes' floor for a token request ("may not specify a duration less than 10 minutes"). */
export const MIN_TOKEN_SECONDS = 600;
/**
 * irsakit's --service-account-max-token-expiration: 90 days, the longest lifetime EKS gives a token.
 * Kubernetes would shorten longer requests with a warning; irsakit refuses them instead, so a script never
 * believes it got a lifetime it did not get (documented in the README).
 */
export const MAX_TOKEN_SECONDS = 90 * 86_400;
/** kubectl create token's default. */
export const DEFAULT_TOKEN_SECONDS = 3600;

export interface DiscoveryDocument {
  readonly issuer: string;
  readonly jwks_uri: string;
  readonly authorization_endpoint: string;
  readonly response_types_supported: readonly string[];
  readonly subject_types_supported: readonly string[];
  readonly claims_supported: readonly string[];
  readonly id_token_signing_alg_values_supported: readonly string[];
}

interface KeyRow {
  kid: string;
  private_key_pem: string;
  public_jwk: string;
  created_at: number;
  retired_at: number | null;
  max_token_exp: number;
}

export interface IssuerOptions {
  readonly store: Store;
  /** https://HOST:PORT of the issuer listener; the cluster's path /id/<HEX> is appended. */
  readonly baseUrl: string;
  readonly cluster: string;
  readonly now?: () => number;
}

/** A stable uid for a ServiceAccount that has no stored object yet (UUID-shaped, from namespace/name). */
export function derivedUid(kind: string, namespace: string, name: string): string {
  const h = createHash('sha256').update(`${kind}/${namespace}/${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * One cluster's service-account token issuer: its signing keys (persisted, rotated), token minting with
 * the claims kube-apiserver puts in projected tokens, and the OIDC discovery document and JWKS.
 */
export class ClusterIssuer {
  readonly cluster: string;
  readonly clusterId: string;
  readonly url: string;
  readonly createdAt: number;
  private readonly store: Store;
  private readonly now: () => number;
  private active!: { kid: string; key: KeyObject };
  private published: JsonWebKey[] = [];

  constructor(opts: IssuerOptions) {
    this.store = opts.store;
    this.now = opts.now ?? Date.now;
    this.cluster = opts.cluster;
    opts.store.migrate('oidc', OIDC_MIGRATIONS);
    const db = opts.store.db;
    let row = db
      .prepare<[string], { cluster_id: string; created_at: number }>(
        'SELECT cluster_id, created_at FROM oidc_clusters WHERE name = ?',
      )
      .get(opts.cluster);
    if (!row) {
      row = { cluster_id: randomBytes(16).toString('hex').toUpperCase(), created_at: this.now() };
      db.prepare('INSERT INTO oidc_clusters (name, cluster_id, created_at) VALUES (?, ?, ?)').run(
        opts.cluster,
        row.cluster_id,
        row.created_at,
      );
    }
    this.clusterId = row.cluster_id;
    this.createdAt = row.created_at;
    this.url = `${opts.baseUrl.replace(/\/+$/, '')}/id/${this.clusterId}`;
    if (!this.activeRow()) this.insertKey();
    this.reload();
  }

  private activeRow(): KeyRow | undefined {
    return this.store.db
      .prepare<[string], KeyRow>('SELECT * FROM oidc_keys WHERE cluster = ? AND retired_at IS NULL')
      .get(this.cluster);
  }

  private insertKey(): string {
    const key = generateSigningKey();
    this.store.db
      .prepare(
        'INSERT INTO oidc_keys (kid, cluster, private_key_pem, public_jwk, created_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(key.kid, this.cluster, key.privateKeyPem, JSON.stringify(key.jwk), this.now());
    return key.kid;
  }

  /** Re-reads keys: the active one for signing, and every key a live token may still be signed with. */
  private reload(): void {
    const nowS = Math.floor(this.now() / 1000);
    const rows = this.store.db
      .prepare<[string, number], KeyRow>(
        'SELECT * FROM oidc_keys WHERE cluster = ? AND (retired_at IS NULL OR max_token_exp > ?) ORDER BY created_at DESC',
      )
      .all(this.cluster, nowS);
    const active = rows.find((r) => r.retired_at === null);
    if (!active) throw new IrsakitError('ERR_STORE', `cluster ${this.cluster} has no active signing key`);
    this.active = { kid: active.kid, key: createPrivateKey(active.private_key_pem) };
    this.published = rows.map((r) => JSON.parse(r.public_jwk) as JsonWebKey);
  }

  get activeKid(): string {
    return this.active.kid;
  }

  /**
   * Makes a new signing key active. The old public key stays in the JWKS until every token it signed has
   * expired (its recorded latest exp), so tokens minted before the rotation keep verifying until then.
   */
  rotateKeys(): { kid: string; retiredKid: string } {
    const retiredKid = this.active.kid;
    const kid = this.store.tx(() => {
      this.store.db.prepare('UPDATE oidc_keys SET retired_at = ? WHERE kid = ?').run(this.now(), retiredKid);
      return this.insertKey();
    });
    this.reload();
    return { kid, retiredKid };
  }

  discovery(): DiscoveryDocument {
    return {
      issuer: this.url,
      jwks_uri: `${this.url}/keys`,
      authorization_endpoint: 'urn:kubernetes:programmatic_authorization',
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      claims_supported: ['sub', 'iss'],
      id_token_signing_alg_values_supported: ['RS256'],
    };
  }

  /** The published keys; keys whose tokens have all expired drop out on the next call. */
  jwks(): { keys: JsonWebKey[] } {
    const nowS = Math.floor(this.now() / 1000);
    if (this.published.length > 1) {
      const stale = this.store.db
        .prepare<[string, number], { n: number }>(
          'SELECT COUNT(*) AS n FROM oidc_keys WHERE cluster = ? AND retired_at IS NOT NULL AND max_token_exp > ?',
        )
        .get(this.cluster, nowS);
      if ((stale?.n ?? 0) !== this.published.length - 1) this.reload();
    }
    return { keys: [...this.published] };
  }

  /** Mints a token as the TokenRequest API does, refusing what kube-apiserver refuses. */
  async mint(req: MintRequest): Promise<MintedToken> {
    const problems: string[] = [];
    const nsErrs = dns1123LabelErrors(req.namespace);
    if (nsErrs.length) problems.push(invalidNameMessage('metadata.namespace', req.namespace, nsErrs));
    const saErrs = dns1123SubdomainErrors(req.serviceAccount);
    if (saErrs.length) problems.push(invalidNameMessage('metadata.name', req.serviceAccount, saErrs));
    if (problems.length) throw new IrsakitError('ERR_INVALID_NAME', problems.join('; '));

    const seconds = req.expirationSeconds ?? DEFAULT_TOKEN_SECONDS;
    if (!Number.isInteger(seconds)) {
      throw new IrsakitError(
        'ERR_TOKEN_DURATION',
        `spec.expirationSeconds: Invalid value: ${seconds}: must be an integer`,
      );
    }
    if (seconds < MIN_TOKEN_SECONDS) {
      throw new IrsakitError(
        'ERR_TOKEN_DURATION',
        `spec.expirationSeconds: Invalid value: ${seconds}: may not specify a duration less than 10 minutes`,
      );
    }
    if (seconds > MAX_TOKEN_SECONDS) {
      throw new IrsakitError(
        'ERR_TOKEN_DURATION',
        `spec.expirationSeconds: Invalid value: ${seconds}: may not specify a duration larger than ${MAX_TOKEN_SECONDS} seconds (the service-account max token expiration)`,
      );
    }
    const audiences = req.audiences && req.audiences.length > 0 ? [...req.audiences] : [this.url];
    const iat = Math.floor(this.now() / 1000);
    const claims: ProjectedTokenClaims = {
      aud: audiences,
      exp: iat + seconds,
      iat,
      iss: this.url,
      jti: randomUUID(),
      'kubernetes.io': {
        namespace: req.namespace,
        ...(req.node ? { node: { name: req.node.name, uid: req.node.uid } } : {}),
        ...(req.pod ? { pod: { name: req.pod.name, uid: req.pod.uid } } : {}),
        serviceaccount: {
          name: req.serviceAccount,
          uid: req.serviceAccountUid ?? derivedUid('ServiceAccount', req.namespace, req.serviceAccount),
        },
      },
      nbf: iat,
      sub: `system:serviceaccount:${req.namespace}:${req.serviceAccount}`,
    };
    const { kid, key } = this.active;
    // Record the latest expiry per key before handing the token out, so a rotation never drops a key
    // that a live token still needs (durable before mint returns).
    this.store.db
      .prepare('UPDATE oidc_keys SET max_token_exp = ? WHERE kid = ? AND max_token_exp < ?')
      .run(claims.exp, kid, claims.exp);
    const token = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'RS256', kid }).sign(key);
    return { token, claims, kid, expiresAt: claims.exp * 1000 };
  }

  /** Verifies a token against this issuer's published keys (for doctor; STS verifies over HTTPS instead). */
  async verify(token: string): Promise<ProjectedTokenClaims> {
    const { kid } = decodeProtectedHeader(token);
    const jwk = this.jwks().keys.find((k) => k.kid === kid);
    if (!jwk)
      throw new IrsakitError(
        'ERR_INPUT',
        `the token's key id ${kid ?? '(none)'} is not in the issuer's JWKS`,
      );
    const key = await importJWK({ ...jwk }, 'RS256');
    const { payload } = await jwtVerify(token, key, {
      issuer: this.url,
      algorithms: ['RS256'],
      currentDate: new Date(this.now()),
    });
    return payload as unknown as ProjectedTokenClaims;
  }
}
