import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastJsonPatch, { type Operation } from 'fast-json-patch';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import type { CheckId, Subject } from '../../src/doctor/index.js';
import { tempDir } from '../helpers/tmp.js';

/** The instant every fixture is judged at: one hour after the pod started. */
export const NOW = Date.parse('2025-06-01T12:00:00Z');
export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
export const BASE = join(FIXTURES, 'base');
export const ISSUER = 'https://oidc.eks.us-west-2.amazonaws.com/id/D43CF17C27A865933144EA99A26FB128';
export const POD = 'app-7d9f8c6b5-x2kqz';
export const DEFAULT_SUBJECT: Subject = {
  namespace: 'shop',
  pod: POD,
  action: 's3:GetObject',
  resource: 'arn:aws:s3:::shop-data/reports/q1.csv',
};

/** A failure mode as data: how its export folder differs from the base one, and what the doctor must find. */
export interface DoctorCase {
  name: string;
  description: string;
  subject?: Partial<Subject> & { serviceAccount?: string };
  /** RFC 6902 operations per base file (paths relative to the export folder). */
  patch?: Record<string, Operation[]>;
  /** Files to add or replace (JSON values are written as JSON, strings as text). */
  write?: Record<string, unknown>;
  delete?: string[];
  /** The pod's token: null when the pod has none (not mutated); claims override the defaults. */
  token?: null | { claims?: Record<string, unknown>; otherKey?: boolean };
  expect: { fail: CheckId; evidence: string[]; fix?: string; skip?: CheckId[]; warn?: CheckId[] };
}

export type Encoding = 'cli' | 'api' | 'json-string';

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let keys: Promise<{ privateKey: PrivateKey; jwk: JWK; other: PrivateKey }> | undefined;
function signingKeys() {
  keys ??= (async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const other = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'fixture-key-1', use: 'sig', alg: 'RS256' };
    return { privateKey, jwk, other: other.privateKey };
  })();
  return keys;
}

export async function mintFixtureToken(
  claims: Record<string, unknown> = {},
  otherKey = false,
): Promise<string> {
  const k = await signingKeys();
  const iat = Math.floor(NOW / 1000) - 3600;
  const body = {
    aud: ['sts.amazonaws.com'],
    exp: iat + 86_400,
    iat,
    iss: ISSUER,
    'kubernetes.io': {
      namespace: 'shop',
      node: { name: 'ip-10-0-1-23.us-west-2.compute.internal', uid: '3f2e1d0c-9b8a-4765-a432-1f0e9d8c7b6a' },
      pod: { name: POD, uid: '9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f' },
      serviceaccount: { name: 'app', uid: '1c7b3f1e-2a6d-4e8b-9f0a-5d4c3b2a1f00' },
    },
    nbf: iat,
    sub: 'system:serviceaccount:shop:app',
    ...claims,
  };
  return new SignJWT(body)
    .setProtectedHeader({ alg: 'RS256', kid: 'fixture-key-1' })
    .sign(otherKey ? k.other : k.privateKey);
}

export function loadCases(): DoctorCase[] {
  const dir = join(FIXTURES, 'cases');
  const names = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as string[];
  return names.map((n) => ({
    name: n,
    ...(JSON.parse(readFileSync(join(dir, `${n}.json`), 'utf8')) as Omit<DoctorCase, 'name'>),
  }));
}

const IAM_FILE = 'iam-get-account-authorization-details.json';

/** Re-encodes the IAM policy documents as the other tools emit them: URL-encoded (Query API, Go/JS SDKs) or JSON strings. */
// biome-ignore lint/suspicious/noExplicitAny: fixture documents are walked loosely
function encodeAuthorizationDetails(doc: Record<string, any>, enc: Encoding): unknown {
  if (enc === 'cli') return doc;
  const e = (d: unknown) => (enc === 'api' ? encodeURIComponent(JSON.stringify(d)) : JSON.stringify(d));
  // biome-ignore lint/suspicious/noExplicitAny: fixture documents are walked loosely
  const role = (r: any) => {
    r.AssumeRolePolicyDocument = e(r.AssumeRolePolicyDocument);
    for (const p of r.RolePolicyList ?? []) p.PolicyDocument = e(p.PolicyDocument);
    for (const ip of r.InstanceProfileList ?? [])
      for (const x of ip.Roles ?? []) x.AssumeRolePolicyDocument = e(x.AssumeRolePolicyDocument);
  };
  for (const r of doc.RoleDetailList ?? []) role(r);
  for (const p of doc.Policies ?? []) for (const v of p.PolicyVersionList ?? []) v.Document = e(v.Document);
  if (enc !== 'api') return doc;
  // Raw API exports are pages: the first role alone, truncated with a Marker, then the rest.
  const [first, ...rest] = doc.RoleDetailList ?? [];
  return [
    {
      UserDetailList: [],
      GroupDetailList: [],
      RoleDetailList: first ? [first] : [],
      Policies: [],
      IsTruncated: true,
      Marker: 'AAEAAQ==',
    },
    { ...doc, RoleDetailList: rest, IsTruncated: false },
  ];
}

/** Writes a case's export folder: the base, the case's edits, the pod token and the JWKS, in one encoding. */
export async function materialize(
  c: DoctorCase,
  enc: Encoding = 'cli',
): Promise<{ dir: string; cleanup: () => void }> {
  const tmp = tempDir('irsakit-doctor-');
  cpSync(BASE, tmp.dir, { recursive: true });
  for (const [file, ops] of Object.entries(c.patch ?? {})) {
    const p = join(tmp.dir, file);
    const doc = JSON.parse(readFileSync(p, 'utf8'));
    writeFileSync(p, JSON.stringify(fastJsonPatch.applyPatch(doc, ops, true, true).newDocument, null, 4));
  }
  for (const [file, v] of Object.entries(c.write ?? {})) {
    const p = join(tmp.dir, file);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, typeof v === 'string' ? v : JSON.stringify(v, null, 4));
  }
  for (const file of c.delete ?? []) rmSync(join(tmp.dir, file), { force: true });
  const iamPath = join(tmp.dir, IAM_FILE);
  writeFileSync(
    iamPath,
    JSON.stringify(encodeAuthorizationDetails(JSON.parse(readFileSync(iamPath, 'utf8')), enc), null, 4),
  );
  const k = await signingKeys();
  writeFileSync(join(tmp.dir, 'jwks.json'), JSON.stringify({ keys: [k.jwk] }));
  if (c.token !== null) {
    const tok = await mintFixtureToken(c.token?.claims, c.token?.otherKey);
    writeFileSync(join(tmp.dir, 'tokens', 'shop', `${POD}.jwt`), `${tok}\n`);
  }
  return tmp;
}
