import { randomBytes } from 'node:crypto';
import { AwsError, type JsonService } from '../aws/service.js';
import type { OrganizationLevels, OrganizationPolicySource } from '../iam/index.js';
import { type CompiledPolicy, type NamedPolicy, parsePolicy } from '../policy/index.js';
import type { Store } from '../store/index.js';
import { FULL_AWS_ACCESS } from './aws-managed-org-policies.js';
import { ORGANIZATIONS_MIGRATIONS } from './migrations.js';
import { type OrgDeps, type Random, RCP, randomId, SCP } from './org-deps.js';
import { type OrganizationRow, OrgRepo } from './org-repo.js';
import { attachedOfType, policyArn, policyOperations } from './policy-operations.js';
import { structureOperations } from './structure-operations.js';

export interface OrganizationsOptions {
  /** The emulated account: a member account of the organization, so SCPs and RCPs apply to it. */
  readonly account: string;
  /** The organization's management account; default: `managementAccountFor(account)`. */
  readonly managementAccount?: string;
  readonly now?: () => number;
  readonly random?: Random;
}

export interface Organizations extends OrganizationPolicySource {
  readonly service: JsonService;
  readonly organizationId: string;
  readonly rootId: string;
  readonly managementAccount: string;
}

/**
 * The default management account: the member account's id plus one (modulo 10^12), so it is a different,
 * stable, 12-digit id (111122223333 → 111122223334). It owns the organization; it is never the emulated account.
 */
export function managementAccountFor(account: string): string {
  return ((BigInt(account) + 1n) % 1_000_000_000_000n).toString().padStart(12, '0');
}

/**
 * AWS Organizations (JSON 1.1): one organization with all features, SCPs and RCPs enabled, whose root holds
 * the management account and the emulated member account. FullAWSAccess starts attached to the root and to
 * both accounts (as AWS attaches it to every entity); RCPFullAWSAccess is attached everywhere, always.
 */
export function createOrganizations(store: Store, opts: OrganizationsOptions): Organizations {
  store.migrate('organizations', ORGANIZATIONS_MIGRATIONS);
  const repo = new OrgRepo(store.db);
  const now = opts.now ?? Date.now;
  const random = opts.random ?? ((n: number) => randomBytes(n));

  const org: OrganizationRow = store.tx(() => {
    const existing = repo.organization();
    if (existing) return existing;
    const mgmt = opts.managementAccount ?? managementAccountFor(opts.account);
    const at = now();
    const seeded: OrganizationRow = {
      id: `o-${randomId(random, 10)}`,
      rootId: `r-${randomId(random, 4)}`,
      managementAccount: mgmt,
      createdAt: at,
    };
    repo.insertOrganization(seeded);
    repo.insertAccount({
      id: mgmt,
      parentId: seeded.rootId,
      name: 'irsakit-management',
      email: `management+${mgmt}@irsakit.local`,
      joinedMethod: 'CREATED',
      joinedAt: at,
    });
    if (opts.account !== mgmt) {
      repo.insertAccount({
        id: opts.account,
        parentId: seeded.rootId,
        name: 'irsakit',
        email: `member+${opts.account}@irsakit.local`,
        joinedMethod: 'INVITED',
        joinedAt: at,
      });
    }
    for (const target of [seeded.rootId, mgmt, opts.account]) {
      if (!repo.attachedTo(target).includes(FULL_AWS_ACCESS.id)) repo.attach(FULL_AWS_ACCESS.id, target, at);
    }
    return seeded;
  });

  const deps: OrgDeps = { store, repo, now, random, org: () => org };

  // Compiled SCPs/RCPs by (id, revision); FullAWSAccess is compiled once.
  const compiled = new Map<string, CompiledPolicy>();
  function compile(id: string, rev: string, content: string, type: string, name: string): CompiledPolicy {
    const key = `${id}\u0000${rev}`;
    const hit = compiled.get(key);
    if (hit) return hit;
    const res = parsePolicy(content, { kind: type === RCP ? 'rcp' : 'scp', name });
    if (!res.ok) {
      throw new AwsError(
        'ServiceException',
        `stored policy ${id} no longer parses: ${res.error.message}`,
        500,
        'Receiver',
      );
    }
    compiled.set(key, res.policy);
    return res.policy;
  }

  /** Root → OUs → account: the ids of the containers above an account, then the account itself. */
  function path(accountId: string): string[] | undefined {
    const a = repo.account(accountId);
    if (!a) return undefined;
    const chain: string[] = [accountId];
    let parent = a.parentId;
    for (let guard = 0; guard < 10 && parent !== org.rootId; guard++) {
      chain.push(parent);
      const ou = repo.ou(parent);
      if (!ou) break;
      parent = ou.parentId;
    }
    chain.push(org.rootId);
    return chain.reverse();
  }

  function level(targetId: string, type: string): NamedPolicy[] {
    const out: NamedPolicy[] = [];
    for (const p of attachedOfType(deps, targetId, type)) {
      // RCPFullAWSAccess is implied at every level by the engine (src/policy EvaluationInput.rcps).
      if (p.aws && type === RCP) continue;
      if (p.aws) {
        out.push({
          name: p.aws.name,
          arn: p.aws.arn,
          policy: compile(p.aws.id, 'aws', p.aws.content, type, p.aws.name),
        });
      } else {
        out.push({
          name: p.row.name,
          arn: policyArn(deps, p.row),
          policy: compile(p.row.id, p.row.rev, p.row.content, type, p.row.name),
        });
      }
    }
    return out;
  }

  const service: JsonService = {
    protocol: 'json',
    signingName: 'organizations',
    targetPrefix: 'AWSOrganizationsV20161128',
    operations: { ...structureOperations(deps), ...policyOperations(deps) },
  };

  return {
    service,
    organizationId: org.id,
    rootId: org.rootId,
    managementAccount: org.managementAccount,
    levelsFor(accountId: string): OrganizationLevels {
      const chain = path(accountId);
      if (!chain) return { scps: [], rcps: [], isManagementAccount: false };
      return {
        scps: chain.map((t) => level(t, SCP)),
        rcps: chain.map((t) => level(t, RCP)),
        isManagementAccount: accountId === org.managementAccount,
      };
    },
  };
}
