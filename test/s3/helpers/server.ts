import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  authenticateRequest,
  type Caller,
  type Credentials,
  createCredentials,
} from '../../../src/aws/index.js';
import { type NamedPolicy, parsePolicy } from '../../../src/policy/index.js';
import { createS3Service, type PrincipalPolicies, type S3Service } from '../../../src/s3/index.js';
import { openStore, type Store } from '../../../src/store/index.js';

export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';
export const ADMIN = {
  accessKeyId: 'AKIAIRSAKITADMIN0001',
  secretAccessKey: 'irsakit-admin-secret-for-tests-0000000001',
};

export function policy(
  name: string,
  doc: unknown,
  kind: 'identity' | 'boundary' | 'scp' | 'session' = 'identity',
): NamedPolicy {
  const r = parsePolicy(JSON.stringify(doc), { kind, name });
  if (!r.ok) throw new Error(`fixture policy ${name}: ${r.error.message}`);
  return { name, policy: r.policy };
}

/** Mutable per-test policy fixtures standing in for src/iam's loadPrincipalPolicies. */
export interface PolicyFixtures {
  identity: NamedPolicy[];
  boundary: NamedPolicy | null;
  scps: NamedPolicy[][];
  rcps: NamedPolicy[][];
}

export interface TestS3 {
  url: string;
  port: number;
  server: Server;
  service: S3Service;
  store: Store;
  credentials: Credentials;
  fixtures: PolicyFixtures;
  clock: { now: number | null };
  session(
    sessionPolicies?: string[],
    name?: string,
    durationSeconds?: number,
  ): {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken: string;
    caller: Caller;
  };
  close(): Promise<void>;
}

export const ROLE = {
  arn: `arn:aws:iam::${ACCOUNT}:role/s3-reader`,
  roleId: 'AROAIRSAKITS3READER1',
  roleName: 's3-reader',
};

export async function startS3(dataDir: string | null): Promise<TestS3> {
  const store = openStore(dataDir);
  const clock: { now: number | null } = { now: null };
  const now = () => clock.now ?? Date.now();
  const credentials = createCredentials({
    account: ACCOUNT,
    admin: ADMIN,
    sessionKey: Buffer.alloc(32, 7),
    now,
    random: (n) => randomBytes(n),
    compileSessionPolicy: (text, name, arn) => {
      const r = parsePolicy(text, { kind: 'session', name });
      if (!r.ok) throw new Error(r.error.message);
      return { name, ...(arn ? { arn } : {}), policy: r.policy };
    },
  });
  const fixtures: PolicyFixtures = { identity: [], boundary: null, scps: [], rcps: [] };
  const service = createS3Service({
    store,
    account: ACCOUNT,
    region: REGION,
    now,
    authenticate: (req, payloadHash) =>
      authenticateRequest(req, { credentials, service: 's3', payloadHash, normalizePath: false, now: now() }),
    policiesFor: (): PrincipalPolicies => ({
      identityPolicies: fixtures.identity,
      permissionsBoundary: fixtures.boundary,
      scps: fixtures.scps,
      rcps: fixtures.rcps,
      isManagementAccount: false,
    }),
  });
  let n = 0;
  const server = createServer((req, res) => {
    service.handle(req, res, `REQ${(++n).toString(16).padStart(12, '0')}`).catch(() => res.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    service,
    store,
    credentials,
    fixtures,
    clock,
    session(sessionPolicies = [], name = 'SESSION', durationSeconds = 3600) {
      const issued = credentials.issueSessionCredentials({
        role: ROLE,
        sessionName: name,
        durationSeconds,
        sessionPolicies: sessionPolicies.map((text, i) => ({ name: `inline${i}`, text })),
      });
      return {
        accessKeyId: issued.accessKeyId,
        secretAccessKey: issued.secretAccessKey,
        sessionToken: issued.sessionToken,
        caller: issued.caller,
      };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await service.close();
      store.close();
    },
  };
}
