import { type NamedPolicy, parsePolicy } from '../policy/index.js';
import type { Store } from '../store/index.js';
import { authErrors } from './errors.js';
import { AWS_MIGRATIONS } from './migrations.js';
import type { Caller } from './service.js';
import {
  accessKeyIdFor,
  deriveSessionKeys,
  openSessionToken,
  type SessionClaims,
  sameString,
  sealSessionToken,
  secretFor,
} from './session-token.js';

export interface AdminKeyPair {
  /** AKIA… */
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** The role a session is issued for (IAM's getRole result has these fields and more). */
export interface SessionRole {
  readonly arn: string;
  readonly roleId: string;
  readonly roleName: string;
}

export interface SessionPolicyText {
  readonly name: string;
  readonly arn?: string;
  readonly text: string;
}

export interface IssueSessionInput {
  readonly role: SessionRole;
  readonly sessionName: string;
  readonly durationSeconds: number;
  /** Inline (name "inline") and managed session policies, as text. */
  readonly sessionPolicies?: readonly SessionPolicyText[];
  readonly tags?: Readonly<Record<string, string>>;
  readonly transitiveTagKeys?: readonly string[];
  readonly chained?: boolean;
  readonly sourceIdentity?: string;
  /** The IAM OIDC provider ARN of a web-identity session (aws:FederatedProvider). */
  readonly federatedProvider?: string;
}

export interface IssuedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
  readonly caller: Caller;
}

export interface ResolvedSigner {
  readonly caller: Caller;
  readonly secretAccessKey: string;
  /** The decrypted session, for STS-issued keys. */
  readonly claims?: SessionClaims;
}

/** Turns a session policy's text into the engine's form; the default wiring uses src/policy's parsePolicy. */
export type SessionPolicyCompiler = (text: string, name: string, arn?: string) => NamedPolicy;

export interface CredentialsOptions {
  readonly account: string;
  readonly admin: AdminKeyPair;
  /** 32 bytes; see loadSessionKey. */
  readonly sessionKey: Buffer;
  readonly now: () => number;
  readonly random: (n: number) => Buffer;
  readonly compileSessionPolicy?: SessionPolicyCompiler;
}

/**
 * The credential store: the administrator's long-term key and STS-issued temporary credentials. These are the
 * only signers accepted. Nothing is looked up in a database per request.
 */
export interface Credentials {
  readonly account: string;
  readonly adminAccessKeyId: string;
  /** Issues ASIA… credentials for a role session (STS, and the IMDS for the node role). */
  issueSessionCredentials(input: IssueSessionInput): IssuedCredentials;
  /** The caller behind an access key id (and session token). Throws AuthError (InvalidClientTokenId, ExpiredToken). */
  resolveCaller(accessKeyId: string, sessionToken?: string): Caller;
  /** resolveCaller plus the secret the request must have been signed with. */
  resolveSigner(accessKeyId: string, sessionToken?: string): ResolvedSigner;
  readonly adminCaller: Caller;
}

const KEY_NAME = 'session-token-key';

/** The AES/HMAC master key for session tokens, created once and kept in the store. */
export function loadSessionKey(store: Store, random: (n: number) => Buffer): Buffer {
  store.migrate('aws', AWS_MIGRATIONS);
  return store.tx(() => {
    const row = store.db.prepare('SELECT value FROM aws_secrets WHERE name = ?').get(KEY_NAME) as
      | { value: Buffer }
      | undefined;
    if (row) return Buffer.from(row.value);
    const key = random(32);
    store.db
      .prepare('INSERT INTO aws_secrets (name, value, created_at) VALUES (?, ?, ?)')
      .run(KEY_NAME, key, new Date().toISOString());
    return key;
  });
}

/** Session policies were validated when the session was issued; a policy that no longer parses denies all. */
const defaultCompiler: SessionPolicyCompiler = (text, name, arn) => {
  const parsed = parsePolicy(text, { kind: 'session', name });
  const policy = parsed.ok
    ? parsed.policy
    : (
        parsePolicy('{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}', {
          kind: 'session',
          name,
        }) as { ok: true; policy: NamedPolicy['policy'] }
      ).policy;
  return { name, ...(arn !== undefined ? { arn } : {}), policy };
};

function roleAccount(roleArn: string): string {
  return /^arn:aws:iam::(\d{12}):role\//.exec(roleArn)?.[1] ?? '';
}

export function assumedRoleArn(account: string, roleName: string, sessionName: string): string {
  return `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`;
}

export function createCredentials(opts: CredentialsOptions): Credentials {
  if (opts.sessionKey.length !== 32) throw new Error('the session key must be 32 bytes');
  const keys = deriveSessionKeys(opts.sessionKey);
  const rootArn = `arn:aws:iam::${opts.account}:root`;
  const adminCaller: Caller = {
    kind: 'admin',
    arn: rootArn,
    accountId: opts.account,
    userId: opts.account,
    accessKeyId: opts.admin.accessKeyId,
    principal: { arn: rootArn, accountId: opts.account, type: 'Account', userId: opts.account },
  };
  const compiled = new Map<string, NamedPolicy>();
  const verified = new Map<string, ResolvedSigner>();
  const compileSessionPolicy = opts.compileSessionPolicy ?? defaultCompiler;

  function compile(p: { n: string; a?: string; t: string }): NamedPolicy | undefined {
    const id = `${p.n}\u0000${p.a ?? ''}\u0000${p.t}`;
    let hit = compiled.get(id);
    if (!hit) {
      hit = compileSessionPolicy(p.t, p.n, p.a);
      if (compiled.size >= 512) compiled.clear();
      compiled.set(id, hit);
    }
    return hit;
  }

  function sessionCaller(claims: SessionClaims, accessKeyId: string): Caller {
    const arn = assumedRoleArn(claims.a, claims.rn, claims.s);
    const userId = `${claims.ri}:${claims.s}`;
    const sessionPolicies = claims.p.map(compile).filter((p): p is NamedPolicy => p !== undefined);
    return {
      kind: 'session',
      arn,
      accountId: claims.a,
      userId,
      accessKeyId,
      principal: { arn, accountId: claims.a, type: 'AssumedRole', roleArn: claims.r, userId, tags: claims.t },
      session: {
        roleArn: claims.r,
        roleName: claims.rn,
        roleId: claims.ri,
        sessionName: claims.s,
        sessionPolicies,
        tags: claims.t,
        expiresAt: claims.e,
        chained: claims.c,
        ...(claims.si !== undefined ? { sourceIdentity: claims.si } : {}),
        ...(claims.tt !== undefined ? { transitiveTagKeys: claims.tt } : {}),
        ...(claims.fp !== undefined ? { federatedProvider: claims.fp } : {}),
      },
    };
  }

  function resolveSigner(accessKeyId: string, sessionToken?: string): ResolvedSigner {
    if (accessKeyId.startsWith('AKIA')) {
      // A long-term key with a session token is not a valid combination at AWS either.
      if (sessionToken !== undefined && sessionToken !== '') throw authErrors.unknownKey();
      if (!sameString(accessKeyId, opts.admin.accessKeyId)) throw authErrors.unknownKey();
      return { caller: adminCaller, secretAccessKey: opts.admin.secretAccessKey };
    }
    if (!accessKeyId.startsWith('ASIA') || !sessionToken) throw authErrors.unknownKey();
    // Verified sessions are memoised by their exact (key id, token) pair: the same client signs many requests
    // with one session. Only successful openings are kept, and expiry is checked on every use.
    const memoKey = `${accessKeyId}:${sessionToken}`;
    let hit = verified.get(memoKey);
    if (!hit) {
      const claims = openSessionToken(keys, sessionToken);
      if (!claims) throw authErrors.unknownKey();
      const nonce = Buffer.from(claims.n, 'base64');
      if (!sameString(accessKeyIdFor(keys, nonce), accessKeyId)) throw authErrors.unknownKey();
      hit = { caller: sessionCaller(claims, accessKeyId), secretAccessKey: secretFor(keys, nonce), claims };
      if (verified.size >= 4096) verified.delete(verified.keys().next().value as string);
      verified.set(memoKey, hit);
    }
    if (opts.now() >= (hit.claims as SessionClaims).e) throw authErrors.expiredToken();
    return hit;
  }

  return {
    account: opts.account,
    adminAccessKeyId: opts.admin.accessKeyId,
    adminCaller,
    issueSessionCredentials(input) {
      // One draw for the nonce (16 bytes) and the GCM IV (12 bytes).
      const draw = opts.random(28);
      const nonce = draw.subarray(0, 16);
      // AWS's Expiration has whole seconds.
      const issuedAt = Math.floor(opts.now() / 1000) * 1000;
      const expiresAt = issuedAt + input.durationSeconds * 1000;
      const claims: SessionClaims = {
        v: 1,
        n: nonce.toString('base64'),
        a: roleAccount(input.role.arn) || opts.account,
        r: input.role.arn,
        ri: input.role.roleId,
        rn: input.role.roleName,
        s: input.sessionName,
        p: (input.sessionPolicies ?? []).map((p) => ({
          n: p.name,
          ...(p.arn ? { a: p.arn } : {}),
          t: p.text,
        })),
        t: { ...(input.tags ?? {}) },
        ...(input.transitiveTagKeys?.length ? { tt: [...input.transitiveTagKeys] } : {}),
        c: input.chained ?? false,
        i: issuedAt,
        e: expiresAt,
        ...(input.sourceIdentity !== undefined ? { si: input.sourceIdentity } : {}),
        ...(input.federatedProvider !== undefined ? { fp: input.federatedProvider } : {}),
      };
      const sessionToken = sealSessionToken(keys, claims, draw.subarray(16, 28));
      const accessKeyId = accessKeyIdFor(keys, nonce);
      return {
        accessKeyId,
        secretAccessKey: secretFor(keys, nonce),
        sessionToken,
        expiration: new Date(expiresAt),
        caller: sessionCaller(claims, accessKeyId),
      };
    },
    resolveSigner,
    resolveCaller: (accessKeyId, sessionToken) => resolveSigner(accessKeyId, sessionToken).caller,
  };
}
