import type { Caller, QueryService } from '../aws/service.js';
import type { CompiledPolicy } from '../policy/index.js';
import type { Store } from '../store/index.js';
import { accountAuthorizationDetailsActions } from './account-authorization-details.js';
import { arnAccount, defaultDocument, type IamDeps, managedPolicy, nameFromArn } from './iam-deps.js';
import type { Tag } from './iam-params.js';
import { IamRepo, type RoleRow } from './iam-repo.js';
import { defaultRandom, type Random } from './ids.js';
import { instanceProfileActions } from './instance-profile-actions.js';
import { managedPolicyActions } from './managed-policy-actions.js';
import { IAM_MIGRATIONS } from './migrations.js';
import { oidcProviderActions } from './oidc-provider-actions.js';
import { PolicyCache } from './policy-cache.js';
import {
  callerPolicies,
  type OrganizationPolicySource,
  type PrincipalPolicies,
  rolePrincipalPolicies,
} from './principal-policies.js';
import { roleActions } from './role-actions.js';
import { rolePolicyActions } from './role-policy-actions.js';
import { simulateActions } from './simulate-actions.js';

export const IAM_XMLNS = 'https://iam.amazonaws.com/doc/2010-05-08/';

export interface IamOptions {
  /** The emulated account (12 digits). */
  readonly account: string;
  readonly now?: () => number;
  readonly random?: Random;
  /** SCP/RCP levels for loadPrincipalPolicies and the simulator; none when omitted. */
  readonly organizations?: OrganizationPolicySource;
}

/** What STS needs about a role to run AssumeRole*. */
export interface RoleInfo {
  readonly arn: string;
  readonly roleId: string;
  readonly roleName: string;
  readonly path: string;
  readonly trustPolicy: CompiledPolicy;
  readonly trustPolicyText: string;
  readonly maxSessionDuration: number;
  readonly permissionsBoundaryArn?: string;
  readonly tags: Readonly<Record<string, string>>;
  /** ms since the epoch. */
  readonly createDate: number;
}

export interface OpenIdConnectProviderInfo {
  readonly arn: string;
  /** Without https://, as IAM stores it. */
  readonly url: string;
  readonly clientIds: readonly string[];
  readonly thumbprints: readonly string[];
}

export interface InstanceProfileInfo {
  readonly arn: string;
  readonly name: string;
  readonly instanceProfileId: string;
  readonly role: RoleInfo | undefined;
}

export interface Iam {
  readonly service: QueryService;
  /** A role by name or ARN; undefined when it does not exist (an ARN must match exactly, path included). */
  getRole(account: string, roleNameOrArn: string): RoleInfo | undefined;
  /** A provider by its URL without the scheme (`host/path`, as in the token's `iss` minus https://). */
  getOpenIdConnectProviderByUrl(
    account: string,
    urlWithoutScheme: string,
  ): OpenIdConnectProviderInfo | undefined;
  getInstanceProfile(account: string, name: string): InstanceProfileInfo | undefined;
  /** The default version's text of a managed policy (customer or AWS managed), for STS `PolicyArns`. */
  getManagedPolicyDocument(arn: string): { arn: string; name: string; text: string } | undefined;
  /** The caller's identity policies, boundary and organization levels, compiled and cached. */
  loadPrincipalPolicies(caller: Caller): PrincipalPolicies;
}

const tagRecord = (tags: readonly Tag[]) => Object.fromEntries(tags.map((t) => [t.Key, t.Value]));

/**
 * IAM: the Query service (src/aws routes and renders it) and the lookups STS, S3 and the authorizer use.
 * State lives in the store (migrations applied here); compiled policies are cached by (id, revision).
 */
export function createIam(store: Store, opts: IamOptions): Iam {
  store.migrate('iam', IAM_MIGRATIONS);
  const deps: IamDeps = {
    store,
    repo: new IamRepo(store.db),
    cache: new PolicyCache(),
    now: opts.now ?? Date.now,
    random: opts.random ?? defaultRandom,
  };
  const orgs = opts.organizations;

  const roleInfo = (row: RoleRow): RoleInfo => ({
    arn: row.arn,
    roleId: row.roleId,
    roleName: row.name,
    path: row.path,
    trustPolicy: deps.cache.get(
      row.roleId,
      row.trustRev,
      row.trustPolicy,
      'trust',
      'AssumeRolePolicyDocument',
    ),
    trustPolicyText: row.trustPolicy,
    maxSessionDuration: row.maxSessionDuration,
    ...(row.boundaryArn ? { permissionsBoundaryArn: row.boundaryArn } : {}),
    tags: tagRecord(row.tags),
    createDate: row.createdAt,
  });

  const service: QueryService = {
    protocol: 'query',
    signingName: 'iam',
    version: '2010-05-08',
    xmlns: IAM_XMLNS,
    actions: {
      ...oidcProviderActions(deps),
      ...roleActions(deps),
      ...managedPolicyActions(deps),
      ...rolePolicyActions(deps),
      ...instanceProfileActions(deps),
      ...accountAuthorizationDetailsActions(deps),
      ...simulateActions((roleArn) => rolePrincipalPolicies(deps, orgs, roleArn)),
    },
  };

  return {
    service,
    getRole(account, roleNameOrArn) {
      if (roleNameOrArn.startsWith('arn:')) {
        if (arnAccount(roleNameOrArn) !== account) return undefined;
        const row = deps.repo.role(account, nameFromArn(roleNameOrArn));
        return row && row.arn === roleNameOrArn ? roleInfo(row) : undefined;
      }
      const row = deps.repo.role(account, roleNameOrArn);
      return row && roleInfo(row);
    },
    getOpenIdConnectProviderByUrl(account, urlWithoutScheme) {
      const row = deps.repo.providerByUrl(account, urlWithoutScheme);
      return row && { arn: row.arn, url: row.url, clientIds: row.clientIds, thumbprints: row.thumbprints };
    },
    getInstanceProfile(account, name) {
      const row = deps.repo.instanceProfile(account, name);
      if (!row) return undefined;
      const role = row.roleNameLc === null ? undefined : deps.repo.role(account, row.roleNameLc);
      return { arn: row.arn, name: row.name, instanceProfileId: row.profileId, role: role && roleInfo(role) };
    },
    getManagedPolicyDocument(arn) {
      const mp = managedPolicy(deps, arn);
      return mp && { arn: mp.arn, name: mp.name, text: defaultDocument(deps, mp).text };
    },
    loadPrincipalPolicies: (caller) => callerPolicies(deps, orgs, caller),
  };
}
