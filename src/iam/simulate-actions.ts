import type { AwsContext } from '../aws/service.js';
import {
  type CompiledPolicy,
  type Decision,
  type EvaluationInput,
  evaluate,
  type NamedPolicy,
  type PolicyKind,
  parsePolicy,
  type RequestPrincipal,
} from '../policy/index.js';
import { arnAccount, type IamAction, nameFromArn, paginate, readPaging } from './iam-deps.js';
import { invalidInput, noSuchEntity } from './iam-errors.js';
import { IamParams, RULES } from './iam-params.js';
import type { SourcedPrincipalPolicies } from './principal-policies.js';

/** Where a matched statement came from, in the simulator's vocabulary (SourcePolicyType). */
interface Source {
  readonly id: string;
  readonly type: 'role' | 'aws-managed' | 'user-managed' | 'resource' | 'none';
}

const DECISIONS = { Allow: 'allowed', ExplicitDeny: 'explicitDeny', ImplicitDeny: 'implicitDeny' } as const;

const LIST_TYPES = new Set(['stringList', 'numericList', 'booleanList', 'ipList', 'binaryList', 'dateList']);

/** ContextEntries.member.N.{ContextKeyName, ContextKeyValues.member.M, ContextKeyType}. */
function readContext(p: IamParams): Record<string, string | string[]> {
  const ctx: Record<string, string | string[]> = {};
  for (let i = 1; ; i++) {
    const base = `ContextEntries.member.${i}`;
    const name = p.raw(`${base}.ContextKeyName`);
    if (name === undefined) break;
    const values = p.members(`${base}.ContextKeyValues`) ?? [];
    const type = p.raw(`${base}.ContextKeyType`) ?? 'string';
    ctx[name] = LIST_TYPES.has(type) || values.length !== 1 ? values : (values[0] ?? '');
  }
  return ctx;
}

function compileInput(text: string, kind: PolicyKind, name: string): CompiledPolicy {
  const res = parsePolicy(text, { kind, name });
  if (!res.ok) throw invalidInput(`${name}: ${res.error.message}`);
  return res.policy;
}

/** The policy engine's view of a simulated caller: a role (by ARN), a user, or the account. */
function principalFor(arn: string, account: string): RequestPrincipal {
  const acct = arnAccount(arn) ?? account;
  if (/^arn:aws:iam::\d{12}:role\//.test(arn)) return { arn, accountId: acct, type: 'Role', roleArn: arn };
  if (/^arn:aws:iam::\d{12}:root$/.test(arn)) return { arn, accountId: acct, type: 'Account' };
  return { arn, accountId: acct, type: 'User' };
}

interface SimulationSetup {
  readonly principal: RequestPrincipal;
  readonly identity: NamedPolicy[];
  readonly boundary: NamedPolicy | null;
  readonly scps: NamedPolicy[][];
  readonly resourcePolicy: NamedPolicy | null;
  readonly resourceOwner: string | undefined;
  readonly isManagementAccount: boolean;
  readonly sources: Map<string, Source>;
}

function evaluationResults(
  setup: SimulationSetup,
  actions: readonly string[],
  resources: readonly string[],
  context: Record<string, string | string[]>,
): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const action of actions) {
    for (const resource of resources) {
      const input: EvaluationInput = {
        request: {
          principal: setup.principal,
          action,
          resource,
          ...(setup.resourceOwner ? { resourceAccount: setup.resourceOwner } : {}),
          context,
        },
        identityPolicies: setup.identity,
        permissionsBoundary: setup.boundary,
        scps: setup.scps,
        resourcePolicy: setup.resourcePolicy,
        isManagementAccount: setup.isManagementAccount,
      };
      out.push(resultShape(action, resource, evaluate(input), setup));
    }
  }
  return out;
}

function resultShape(
  action: string,
  resource: string,
  d: Decision,
  setup: SimulationSetup,
): Record<string, unknown> {
  // The simulator reports the deciding statements only, never SCP statements (iam.md §5.1).
  const matched = d.matchedStatements
    .filter((m) => m.policyKind !== 'scp' && m.policyKind !== 'rcp')
    .filter((m) => (d.decision === 'ExplicitDeny' ? m.effect === 'Deny' : true))
    .map((m) => {
      const src = setup.sources.get(m.policyName) ?? { id: m.policyName, type: 'none' as const };
      return {
        SourcePolicyId: src.id,
        SourcePolicyType: src.type,
        StartPosition: { Line: m.line, Column: m.column },
        EndPosition: { Line: m.endLine, Column: m.endColumn },
      };
    });
  return {
    EvalActionName: action,
    EvalResourceName: resource,
    EvalDecision: DECISIONS[d.decision],
    MatchedStatements: matched,
    MissingContextValues: d.missingContextKeys,
    OrganizationsDecisionDetail:
      setup.scps.length > 0 ? { AllowedByOrganizations: d.decidedBy !== 'scp' } : undefined,
    PermissionsBoundaryDecisionDetail: setup.boundary
      ? { AllowedByPermissionsBoundary: !(d.decidedBy === 'boundary') }
      : undefined,
  };
}

function inputPolicies(
  p: IamParams,
  name: string,
  kind: PolicyKind,
  sources: Map<string, Source>,
  required = false,
): NamedPolicy[] {
  return (p.list(name, RULES.policyDocument, required) ?? []).map((text, i) => {
    const id = `${name}.${i + 1}`;
    sources.set(id, { id, type: 'none' });
    return { name: id, policy: compileInput(text, kind, id) };
  });
}

function resourcePolicyInput(p: IamParams, sources: Map<string, Source>): NamedPolicy | null {
  const text = p.string('ResourcePolicy', RULES.policyDocument);
  if (text === undefined) return null;
  sources.set('ResourcePolicy', { id: 'ResourcePolicy', type: 'resource' });
  return { name: 'ResourcePolicy', policy: compileInput(text, 'resource', 'ResourcePolicy') };
}

export function simulateActions(
  principalPolicies: (roleArn: string) => SourcedPrincipalPolicies | undefined,
): Record<string, IamAction> {
  async function run(params: Parameters<IamAction>[0], ctx: AwsContext, custom: boolean) {
    const p = new IamParams(params);
    const sources = new Map<string, Source>();
    const sourceArn = custom ? undefined : p.required('PolicySourceArn', RULES.arn);
    const actions = p.list('ActionNames', { min: 3, max: 128 }, true) ?? [];
    const resources = p.list('ResourceArns', { min: 1, max: 2048 }) ?? ['*'];
    const callerArn = p.string('CallerArn', RULES.arn);
    const resourceOwner = p.string('ResourceOwner', RULES.arn);
    const context = readContext(p);
    const paging = readPaging(p);
    const extraIdentity = inputPolicies(p, 'PolicyInputList', 'identity', sources, custom);
    const boundaryInputs = inputPolicies(p, 'PermissionsBoundaryPolicyInputList', 'boundary', sources);
    const resourcePolicy = resourcePolicyInput(p, sources);
    p.done();
    await ctx.authorize(
      custom ? 'iam:SimulateCustomPolicy' : 'iam:SimulatePrincipalPolicy',
      sourceArn ?? '*',
    );

    let identity = extraIdentity;
    let boundary: NamedPolicy | null = boundaryInputs[0] ?? null;
    let scps: NamedPolicy[][] = [];
    let isManagementAccount = false;
    let principal = principalFor(callerArn ?? `arn:aws:iam::${ctx.account}:user/SimulatedUser`, ctx.account);
    if (sourceArn !== undefined) {
      const loaded = principalPolicies(sourceArn);
      if (!loaded) {
        throw noSuchEntity(
          /:role\//.test(sourceArn)
            ? `The role with name ${nameFromArn(sourceArn)} cannot be found.`
            : `Simulation of ${sourceArn} is not supported: only roles exist in this emulator.`,
        );
      }
      for (const np of loaded.identityPolicies) {
        sources.set(np.name, loaded.sources.get(np.name) ?? { id: np.name, type: 'none' });
      }
      identity = [...loaded.identityPolicies, ...extraIdentity];
      if (!boundary && loaded.permissionsBoundary) {
        boundary = loaded.permissionsBoundary;
        sources.set(boundary.name, loaded.sources.get(boundary.name) ?? { id: boundary.name, type: 'none' });
      }
      scps = loaded.scps;
      isManagementAccount = loaded.isManagementAccount;
      principal = principalFor(sourceArn, ctx.account);
    }
    const setup: SimulationSetup = {
      principal,
      identity,
      boundary,
      scps,
      resourcePolicy,
      resourceOwner: resourceOwner ? (arnAccount(resourceOwner) ?? resourceOwner) : undefined,
      isManagementAccount,
      sources,
    };
    const results = evaluationResults(setup, actions, resources, context);
    const { page, ...rest } = paginate(results, paging);
    return { EvaluationResults: page, ...rest };
  }

  return {
    SimulatePrincipalPolicy: (params, ctx) => run(params, ctx, false),
    SimulateCustomPolicy: (params, ctx) => run(params, ctx, true),
  };
}

export type { Source as SimulationSource };
