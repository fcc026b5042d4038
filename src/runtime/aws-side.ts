import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type AwsContext,
  authenticateRequest,
  type Credentials,
  createAwsEndpoint,
  createCredentials,
  createPolicyAuthorizer,
  loadSessionKey,
} from '../aws/index.js';
import { createEks } from '../eks/index.js';
import { createIam, type Iam } from '../iam/index.js';
import type { ClusterInfo } from '../oidc/index.js';
import { createOrganizations } from '../organizations/index.js';
import { createS3Service } from '../s3/index.js';
import type { Store } from '../store/index.js';
import { createJwksCache, createStsService } from '../sts/index.js';
import type { AdminKeyPair } from './state.js';

export interface AwsSide {
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  readonly credentials: Credentials;
  readonly iam: Iam;
  /** Runs an IAM Query action as the administrator, through the same validation as an API call. */
  iamAction(action: string, params: Record<string, string>): Promise<Record<string, unknown> | undefined>;
  close(): Promise<void>;
}

export interface AwsSideOptions {
  readonly store: Store;
  readonly account: string;
  readonly region: string;
  readonly admin: AdminKeyPair;
  readonly clusters: () => readonly ClusterInfo[];
  /** CAs STS trusts when it fetches an issuer's JWKS (irsakit's local CA), besides the system's. */
  readonly caPems: () => readonly string[];
  readonly now: () => number;
  readonly log: (line: string) => void;
}

/**
 * The AWS side on one endpoint: credentials (admin key pair + self-contained session tokens), IAM,
 * Organizations, EKS, STS and S3, all authorized by the policy engine.
 */
export function createAwsSide(opts: AwsSideOptions): AwsSide {
  const { store, account, region, now } = opts;
  const credentials = createCredentials({
    account,
    admin: opts.admin,
    sessionKey: loadSessionKey(store, randomBytes),
    now,
    random: randomBytes,
  });
  const organizations = createOrganizations(store, { account, now });
  const iam = createIam(store, { account, now, organizations });
  const eks = createEks({ clusters: opts.clusters });
  const jwks = createJwksCache({ caPems: opts.caPems, now });
  const sts = createStsService({ credentials, iam, jwks });
  const s3 = createS3Service({
    store,
    account,
    region,
    now,
    // S3's SigV4 rules: no path normalisation, single URI encoding, the payload hash as the client sent it.
    authenticate: (req, payloadHash) =>
      authenticateRequest(req, { credentials, service: 's3', payloadHash, normalizePath: false, now: now() }),
    policiesFor: (caller) => iam.loadPrincipalPolicies(caller),
    log: (e) => opts.log(`s3: ${JSON.stringify(e)}`),
  });
  const handler = createAwsEndpoint({
    services: [iam.service, sts, organizations.service, eks.service, s3],
    credentials,
    authorize: createPolicyAuthorizer(iam),
    account,
    region,
    now,
  });

  const adminContext = (): AwsContext => ({
    requestId: randomUUID(),
    caller: credentials.adminCaller,
    account,
    region,
    sourceIp: '127.0.0.1',
    secure: false,
    now,
    authorize: async () => {},
  });

  return {
    handler,
    credentials,
    iam,
    async iamAction(action, params) {
      const fn = iam.service.actions[action];
      if (!fn) throw new Error(`no IAM action ${action}`);
      return fn(new Map(Object.entries(params)), adminContext());
    },
    async close() {
      jwks.close();
      await s3.close(); // waits for pending object commits
    },
  };
}
