import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import {
  type Credentials,
  createAwsEndpoint,
  createCredentials,
  createPolicyAuthorizer,
  loadSessionKey,
} from '../../src/aws/index.js';
import { createIam, type Iam } from '../../src/iam/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { createJwksCache, createStsService, type JwksCache } from '../../src/sts/index.js';
import { createCa, issueServerCert } from '../../src/tls/index.js';

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';
export const ADMIN = {
  accessKeyId: 'AKIAIRSAKITADMIN0001',
  secretAccessKey: 'adminSecretKeyForTests0000000000000000000',
};

type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

/** A tiny OIDC issuer over real HTTPS (local CA), with an RSA and an EC signing key. */
export interface TestIssuer {
  readonly url: string;
  readonly host: string;
  readonly caPem: string;
  readonly rsa: { kid: string; privateKey: Key; publicJwk: JWK };
  readonly ec: { kid: string; privateKey: Key; publicJwk: JWK };
  /** Requests served, by path. */
  readonly hits: Map<string, number>;
  /** Serve a discovery document naming another issuer (undefined: the real one). */
  discoveryIssuer: string | undefined;
  sign(
    claims: Record<string, unknown>,
    opts?: { alg?: 'RS256' | 'ES256'; kid?: string; key?: Key },
  ): Promise<string>;
  /** A kube-apiserver-shaped token for system:serviceaccount:NS:NAME. */
  token(opts?: {
    sub?: string;
    aud?: string | string[];
    iat?: number;
    exp?: number;
    nbf?: number;
    extra?: Record<string, unknown>;
  }): Promise<string>;
  close(): Promise<void>;
}

export async function startIssuer(now: () => number = Date.now): Promise<TestIssuer> {
  const ca = await createCa('irsakit test CA');
  const cert = await issueServerCert(ca, { commonName: '127.0.0.1', ipAddresses: ['127.0.0.1'] });
  const rsaPair = await generateKeyPair('RS256', { extractable: true });
  const ecPair = await generateKeyPair('ES256', { extractable: true });
  const rsaJwk = { ...(await exportJWK(rsaPair.publicKey)), kid: 'rsa-key-1', use: 'sig', alg: 'RS256' };
  const ecJwk = { ...(await exportJWK(ecPair.publicKey)), kid: 'ec-key-1', use: 'sig', alg: 'ES256' };
  const hits = new Map<string, number>();
  let url = '';
  const server = createHttpsServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
    const path = req.url ?? '';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    res.setHeader('content-type', 'application/json');
    if (path === '/id/TEST/.well-known/openid-configuration') {
      res.end(
        JSON.stringify({
          issuer: issuer.discoveryIssuer ?? url,
          jwks_uri: `${url}/keys`,
          id_token_signing_alg_values_supported: ['RS256', 'ES256'],
        }),
      );
    } else if (path === '/id/TEST/keys') {
      res.end(JSON.stringify({ keys: [rsaJwk, ecJwk] }));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  url = `https://127.0.0.1:${port}/id/TEST`;
  const issuer: TestIssuer = {
    url,
    host: url.slice('https://'.length),
    caPem: ca.certPem,
    rsa: { kid: rsaJwk.kid, privateKey: rsaPair.privateKey, publicJwk: rsaJwk },
    ec: { kid: ecJwk.kid, privateKey: ecPair.privateKey, publicJwk: ecJwk },
    hits,
    discoveryIssuer: undefined,
    async sign(claims, opts = {}) {
      const alg = opts.alg ?? 'RS256';
      const key = opts.key ?? (alg === 'RS256' ? rsaPair.privateKey : ecPair.privateKey);
      const kid = opts.kid ?? (alg === 'RS256' ? rsaJwk.kid : ecJwk.kid);
      return new SignJWT(claims).setProtectedHeader({ alg, kid }).sign(key);
    },
    async token(o = {}) {
      const iat = o.iat ?? Math.floor(now() / 1000);
      return issuer.sign({
        iss: url,
        sub: o.sub ?? 'system:serviceaccount:default:app',
        aud: o.aud ?? ['sts.amazonaws.com'],
        iat,
        nbf: o.nbf ?? iat,
        exp: o.exp ?? iat + 3600,
        jti: randomBytes(8).toString('hex'),
        'kubernetes.io': { namespace: 'default', serviceaccount: { name: 'app', uid: 'u-1' } },
        ...o.extra,
      });
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
  return issuer;
}

export function trustPolicy(issuerHost: string, sub = 'system:serviceaccount:default:app'): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${issuerHost}` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: { [`${issuerHost}:sub`]: sub, [`${issuerHost}:aud`]: 'sts.amazonaws.com' },
        },
      },
    ],
  });
}

/** irsakit's AWS endpoint (IAM + STS) on 127.0.0.1:0 with an in-memory store. */
export interface TestAws {
  readonly endpoint: string;
  readonly store: Store;
  readonly iam: Iam;
  readonly credentials: Credentials;
  readonly jwks: JwksCache;
  readonly server: Server;
  close(): Promise<void>;
}

export async function startAws(opts: { caPems: string[]; now?: () => number }): Promise<TestAws> {
  const now = opts.now ?? Date.now;
  const store = openStore(null);
  const iam = createIam(store, { account: ACCOUNT, now });
  const credentials = createCredentials({
    account: ACCOUNT,
    admin: ADMIN,
    sessionKey: loadSessionKey(store, randomBytes),
    now,
    random: randomBytes,
  });
  const jwks = createJwksCache({ caPems: opts.caPems, now });
  const sts = createStsService({ credentials, iam, jwks });
  const listener = createAwsEndpoint({
    services: [iam.service, sts],
    credentials,
    authorize: createPolicyAuthorizer(iam),
    account: ACCOUNT,
    region: REGION,
    now,
  });
  const server = createHttpServer(listener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    store,
    iam,
    credentials,
    jwks,
    server,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      jwks.close();
      store.close();
    },
  };
}

/** The IRSA setup through the real IAM API: the OIDC provider for `issuer` and `app-role` trusting its sub. */
export async function createIrsaRole(
  aws: { endpoint: string },
  issuer: { url: string; host: string },
  opts: { maxSessionDuration?: number } = {},
): Promise<void> {
  const iam = new IAMClient({ region: 'us-east-1', endpoint: aws.endpoint, credentials: ADMIN });
  try {
    await iam.send(
      new CreateOpenIDConnectProviderCommand({ Url: issuer.url, ClientIDList: ['sts.amazonaws.com'] }),
    );
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'app-role',
        AssumeRolePolicyDocument: trustPolicy(issuer.host),
        ...(opts.maxSessionDuration ? { MaxSessionDuration: opts.maxSessionDuration } : {}),
      }),
    );
  } finally {
    iam.destroy();
  }
}

/** An STS client signing with `creds` (an AssumeRole* response's Credentials or a key pair). */
export function stsClientFor(
  endpoint: string,
  creds:
    | { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string }
    | { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
): STSClient {
  const c =
    'accessKeyId' in creds
      ? creds
      : {
          accessKeyId: creds.AccessKeyId ?? '',
          secretAccessKey: creds.SecretAccessKey ?? '',
          sessionToken: creds.SessionToken ?? '',
        };
  return new STSClient({ region: REGION, endpoint, credentials: c });
}
