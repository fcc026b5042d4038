import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AwsContext,
  AwsError,
  type AwsService,
  type Caller,
  createAwsEndpoint,
  createCredentials,
  loadSessionKey,
} from '../../src/aws/index.js';
import { createEks, type Eks } from '../../src/eks/index.js';
import { createIam, type Iam } from '../../src/iam/index.js';
import type { ClusterInfo } from '../../src/oidc/types.js';
import { createOrganizations, type Organizations } from '../../src/organizations/index.js';
import { openStore, type Store } from '../../src/store/index.js';

export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';
export const ADMIN = {
  accessKeyId: 'AKIAIRSAKITADMIN0001',
  secretAccessKey: 'adminSecretKeyForTests0000000000000000000',
};
export const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);

/** A deterministic `random`: a counter-seeded stream, so ids differ between calls but runs repeat. */
export function seededRandom(seed = 1): (n: number) => Buffer {
  let state = seed;
  return (n) => {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) {
      state = (state * 1103515245 + 12345) & 0x7fffffff;
      out[i] = state >> 16;
    }
    return out;
  };
}

export const adminCaller: Caller = {
  kind: 'admin',
  arn: `arn:aws:iam::${ACCOUNT}:root`,
  accountId: ACCOUNT,
  userId: ACCOUNT,
  principal: { arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT, type: 'Account' },
};

/** An AwsContext for calling actions directly; `authorized` records every authorize call. */
export function context(caller: Caller = adminCaller): AwsContext & { authorized: [string, string][] } {
  const authorized: [string, string][] = [];
  return {
    requestId: 'test',
    caller,
    account: ACCOUNT,
    region: REGION,
    sourceIp: '127.0.0.1',
    secure: false,
    now: () => T0,
    authorized,
    async authorize(action, resource) {
      authorized.push([action, resource]);
    },
  };
}

/** Query parameters as the SDK flattens them. */
export function params(p: Record<string, string | string[] | undefined>): Map<string, string> {
  const m = new Map<string, string>();
  for (const [k, v] of Object.entries(p)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        m.set(`${k}.member.${i + 1}`, x);
      });
    } else m.set(k, v);
  }
  return m;
}

export interface Domain {
  readonly store: Store;
  readonly iam: Iam;
  readonly orgs: Organizations;
  call(
    action: string,
    p?: Record<string, string | string[] | undefined>,
    ctx?: AwsContext,
  ): Promise<Record<string, unknown>>;
  org(op: string, input?: Record<string, unknown>, ctx?: AwsContext): Promise<unknown>;
}

/** IAM and Organizations over one store (in memory unless a directory is given). */
export function openDomain(dataDir: string | null = null, store = openStore(dataDir)): Domain {
  const random = seededRandom(Math.floor(Math.random() * 1e9));
  const orgs = createOrganizations(store, { account: ACCOUNT, now: () => T0, random });
  const iam = createIam(store, { account: ACCOUNT, now: () => T0, random, organizations: orgs });
  return {
    store,
    iam,
    orgs,
    async call(action, p = {}, ctx = context()) {
      const fn = iam.service.actions[action];
      if (!fn) throw new Error(`no action ${action}`);
      return (await fn(params(p), ctx)) ?? {};
    },
    async org(op, input = {}, ctx = context()) {
      const fn = orgs.service.operations[op];
      if (!fn) throw new Error(`no operation ${op}`);
      return fn(input, ctx);
    },
  };
}

export const s3ReadPolicy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: '*' }],
});

export function webIdentityTrust(host: string, sub = 'system:serviceaccount:default:app'): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${host}` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { [`${host}:sub`]: sub, [`${host}:aud`]: 'sts.amazonaws.com' } },
      },
    ],
  });
}

export const LOCAL_CLUSTER: ClusterInfo = {
  name: 'local',
  arn: `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/local`,
  issuerUrl: 'https://127.0.0.1:8443/id/0123456789ABCDEF0123456789ABCDEF',
  caCertificatePem: '-----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE-----\n',
  thumbprint: '9e99a48a9960b14926bb7f3b02e22da2b0ab7280',
  createdAt: T0,
  version: '1.31',
};

/** irsakit's AWS endpoint with IAM, Organizations and EKS on 127.0.0.1:0 over HTTP. */
export interface TestEndpoint {
  readonly url: string;
  readonly store: Store;
  readonly iam: Iam;
  readonly orgs: Organizations;
  readonly eks: Eks;
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  close(): Promise<void>;
}

export async function startEndpoint(dataDir: string | null = null): Promise<TestEndpoint> {
  const store = openStore(dataDir);
  const orgs = createOrganizations(store, { account: ACCOUNT });
  const iam = createIam(store, { account: ACCOUNT, organizations: orgs });
  const eks = createEks({ clusters: () => [LOCAL_CLUSTER], endpoint: () => 'https://127.0.0.1:6443' });
  const credentials = createCredentials({
    account: ACCOUNT,
    admin: ADMIN,
    sessionKey: loadSessionKey(store, randomBytes),
    now: Date.now,
    random: randomBytes,
  });
  const services: AwsService[] = [iam.service, orgs.service, eks.service];
  const server: Server = createServer(
    createAwsEndpoint({ services, credentials, account: ACCOUNT, region: REGION }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    store,
    iam,
    orgs,
    eks,
    credentials: ADMIN,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      store.close();
    },
  };
}

/** Client config for the AWS SDK v3 clients against the test endpoint. */
export function clientConfig(ep: TestEndpoint) {
  return { endpoint: ep.url, region: REGION, credentials: ep.credentials, maxAttempts: 1 };
}

/** Asserts an AwsError with this code, status and (exact or matching) message. */
export async function rejects(p: Promise<unknown>, code: string, status: number, message?: string | RegExp) {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof AwsError, String(err));
    assert.equal(err.code, code);
    assert.equal(err.status, status);
    if (typeof message === 'string') assert.equal(err.message, message);
    else if (message) assert.match(err.message, message);
    return true;
  });
}
