import type { Caller } from '../aws/service.js';
import type { NamedPolicy } from '../policy/index.js';
import { arnAccount, defaultDocument, type IamDeps, managedPolicy, nameFromArn } from './iam-deps.js';
import type { SimulationSource } from './simulate-actions.js';

/** The SCP/RCP levels (root → OUs → account) that apply to an account; Organizations provides them. */
export interface OrganizationLevels {
  readonly scps: NamedPolicy[][];
  readonly rcps: NamedPolicy[][];
  readonly isManagementAccount: boolean;
}

export interface OrganizationPolicySource {
  levelsFor(accountId: string): OrganizationLevels;
}

/** Everything on the principal's side of an authorization decision (iam.md §1.1). */
export interface PrincipalPolicies {
  readonly identityPolicies: NamedPolicy[];
  readonly permissionsBoundary: NamedPolicy | null;
  readonly scps: NamedPolicy[][];
  readonly rcps: NamedPolicy[][];
  readonly isManagementAccount: boolean;
}

/** PrincipalPolicies plus, for the simulator, where each named policy came from. */
export interface SourcedPrincipalPolicies extends PrincipalPolicies {
  readonly sources: Map<string, SimulationSource>;
}

const NO_ORG: OrganizationLevels = { scps: [], rcps: [], isManagementAccount: false };

/**
 * A role's inline and attached managed policies and its boundary, compiled through the cache (keyed by
 * policy id and version/revision), plus the organization's SCP/RCP levels for the role's account.
 * Undefined when the role does not exist.
 */
export function rolePrincipalPolicies(
  deps: IamDeps,
  orgs: OrganizationPolicySource | undefined,
  roleArn: string,
): SourcedPrincipalPolicies | undefined {
  const account = arnAccount(roleArn);
  if (account === undefined) return undefined;
  const role = deps.repo.role(account, nameFromArn(roleArn));
  if (!role || role.arn !== roleArn) return undefined;
  const sources = new Map<string, SimulationSource>();
  const identityPolicies: NamedPolicy[] = [];
  for (const row of deps.repo.rolePolicies(account, role.name)) {
    const policy = deps.cache.get(
      `${role.roleId}/${row.policyName}`,
      row.rev,
      row.document,
      'identity',
      row.policyName,
    );
    identityPolicies.push({ name: row.policyName, policy });
    sources.set(row.policyName, { id: row.policyName, type: 'role' });
  }
  for (const arn of deps.repo.attachedArns(account, role.name)) {
    const named = managedNamed(deps, arn, 'identity');
    if (!named) continue;
    identityPolicies.push(named);
    sources.set(named.name, {
      id: named.name,
      type: arn.startsWith('arn:aws:iam::aws:') ? 'aws-managed' : 'user-managed',
    });
  }
  let permissionsBoundary: NamedPolicy | null = null;
  if (role.boundaryArn) {
    permissionsBoundary = managedNamed(deps, role.boundaryArn, 'boundary');
    if (permissionsBoundary) {
      sources.set(permissionsBoundary.name, {
        id: permissionsBoundary.name,
        type: role.boundaryArn.startsWith('arn:aws:iam::aws:') ? 'aws-managed' : 'user-managed',
      });
    }
  }
  const org = orgs?.levelsFor(account) ?? NO_ORG;
  return { identityPolicies, permissionsBoundary, ...org, sources };
}

function managedNamed(deps: IamDeps, arn: string, kind: 'identity' | 'boundary'): NamedPolicy | null {
  const mp = managedPolicy(deps, arn);
  if (!mp) return null;
  const { text, rev } = defaultDocument(deps, mp);
  return { name: mp.name, arn, policy: deps.cache.get(mp.policyId, rev, text, kind, mp.name) };
}

/**
 * The principal-side policies of a caller: a role session gets its role's policies; the administrator
 * (account root) has none of its own and only the organization's levels apply.
 */
export function callerPolicies(
  deps: IamDeps,
  orgs: OrganizationPolicySource | undefined,
  caller: Caller,
): PrincipalPolicies {
  if (caller.session) {
    const loaded = rolePrincipalPolicies(deps, orgs, caller.session.roleArn);
    if (loaded) {
      const { sources: _sources, ...rest } = loaded;
      return rest;
    }
  }
  const org = caller.accountId ? (orgs?.levelsFor(caller.accountId) ?? NO_ORG) : NO_ORG;
  return { identityPolicies: [], permissionsBoundary: null, ...org };
}
