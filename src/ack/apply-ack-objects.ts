import {
  AddClientIDToOpenIDConnectProviderCommand,
  AttachRolePolicyCommand,
  CreateOpenIDConnectProviderCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  DeleteRolePermissionsBoundaryCommand,
  DetachRolePolicyCommand,
  GetOpenIDConnectProviderCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  type IAMClient,
  ListAttachedRolePoliciesCommand,
  ListOpenIDConnectProvidersCommand,
  ListPoliciesCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  RemoveClientIDFromOpenIDConnectProviderCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateOpenIDConnectProviderThumbprintCommand,
} from '@aws-sdk/client-iam';

/**
 * The IAM kinds of AWS Controllers for Kubernetes (iam.services.k8s.aws/v1alpha1), applied over the IAM API
 * so one `irsakit apply -f examples/` builds both halves of IRSA. Spec fields follow the ACK IAM controller's
 * CRDs (apis/v1alpha1: OpenIDConnectProvider, Policy, Role); the reconciliation is kubectl-apply-like:
 * create, or bring the existing entity to the spec.
 */
export const ACK_API_VERSION = 'iam.services.k8s.aws/v1alpha1';
const KIND_ORDER = ['OpenIDConnectProvider', 'Policy', 'Role'] as const;

export interface AckClients {
  readonly iam: IAMClient;
}

export interface AckResult {
  readonly kind: string;
  /** metadata.name */
  readonly name: string;
  readonly action?: 'created' | 'configured' | 'unchanged';
  readonly arn?: string;
  readonly error?: string;
}

type Obj = Record<string, unknown>;
type Tag = { key?: string; value?: string };

export function isAckObject(o: unknown): boolean {
  return (
    typeof o === 'object' &&
    o !== null &&
    (o as Obj).apiVersion === ACK_API_VERSION &&
    KIND_ORDER.includes((o as Obj).kind as (typeof KIND_ORDER)[number])
  );
}

function str(v: unknown, field: string): string {
  if (typeof v !== 'string' || v === '') throw new Error(`spec.${field} is required (a string)`);
  return v;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function tags(v: unknown): { Key: string; Value: string }[] | undefined {
  if (!Array.isArray(v) || v.length === 0) return undefined;
  return (v as Tag[]).map((t) => ({ Key: String(t.key ?? ''), Value: String(t.value ?? '') }));
}

/** Policy documents compare as JSON, whatever their spacing (IAM returns them URL-encoded). */
function sameDoc(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  try {
    return JSON.stringify(JSON.parse(decodeURIComponent(a))) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
}

function isName(err: unknown, name: string): boolean {
  return (err as { name?: string }).name === name;
}

async function applyProvider(iam: IAMClient, spec: Obj): Promise<Omit<AckResult, 'kind' | 'name'>> {
  const url = str(spec.url, 'url');
  const clientIds = strings(spec.clientIDs);
  const thumbprints = strings(spec.thumbprints);
  try {
    const out = await iam.send(
      new CreateOpenIDConnectProviderCommand({
        Url: url,
        ClientIDList: clientIds,
        ...(thumbprints.length ? { ThumbprintList: thumbprints } : {}),
        ...(tags(spec.tags) ? { Tags: tags(spec.tags) } : {}),
      }),
    );
    return { action: 'created', arn: out.OpenIDConnectProviderArn! };
  } catch (err) {
    if (!isName(err, 'EntityAlreadyExistsException')) throw err;
  }
  const hostPath = url.replace(/^https:\/\//, '');
  const list = (await iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList ?? [];
  const arn = list.find((p) => p.Arn?.endsWith(`:oidc-provider/${hostPath}`))?.Arn;
  if (!arn) throw new Error(`a provider for ${url} exists but is not listed`);
  const live = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
  let changed = false;
  for (const id of clientIds.filter((c) => !(live.ClientIDList ?? []).includes(c))) {
    await iam.send(
      new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: id }),
    );
    changed = true;
  }
  for (const id of (live.ClientIDList ?? []).filter((c) => !clientIds.includes(c))) {
    await iam.send(
      new RemoveClientIDFromOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: id }),
    );
    changed = true;
  }
  if (thumbprints.length && JSON.stringify(thumbprints) !== JSON.stringify(live.ThumbprintList ?? [])) {
    await iam.send(
      new UpdateOpenIDConnectProviderThumbprintCommand({
        OpenIDConnectProviderArn: arn,
        ThumbprintList: thumbprints,
      }),
    );
    changed = true;
  }
  return { action: changed ? 'configured' : 'unchanged', arn };
}

async function findPolicyArn(iam: IAMClient, name: string): Promise<string | undefined> {
  let marker: string | undefined;
  do {
    const page = await iam.send(
      new ListPoliciesCommand({ Scope: 'Local', ...(marker ? { Marker: marker } : {}) }),
    );
    const hit = page.Policies?.find((p) => p.PolicyName === name);
    if (hit) return hit.Arn;
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return undefined;
}

async function applyPolicy(iam: IAMClient, spec: Obj): Promise<Omit<AckResult, 'kind' | 'name'>> {
  const name = str(spec.name, 'name');
  const doc = str(spec.policyDocument, 'policyDocument');
  try {
    const out = await iam.send(
      new CreatePolicyCommand({
        PolicyName: name,
        PolicyDocument: doc,
        ...(typeof spec.description === 'string' ? { Description: spec.description } : {}),
        ...(typeof spec.path === 'string' ? { Path: spec.path } : {}),
        ...(tags(spec.tags) ? { Tags: tags(spec.tags) } : {}),
      }),
    );
    return { action: 'created', arn: out.Policy!.Arn! };
  } catch (err) {
    if (!isName(err, 'EntityAlreadyExistsException')) throw err;
  }
  const arn = await findPolicyArn(iam, name);
  if (!arn) throw new Error(`policy ${name} exists but is not listed`);
  const policy = await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
  const version = await iam.send(
    new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: policy.Policy!.DefaultVersionId! }),
  );
  if (sameDoc(version.PolicyVersion?.Document, doc)) return { action: 'unchanged', arn };
  await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc, SetAsDefault: true }));
  return { action: 'configured', arn };
}

async function applyRole(
  iam: IAMClient,
  spec: Obj,
  policyArnsByRef: Map<string, string>,
): Promise<Omit<AckResult, 'kind' | 'name'>> {
  const name = str(spec.name, 'name');
  const trust = str(spec.assumeRolePolicyDocument, 'assumeRolePolicyDocument');
  const refs = (Array.isArray(spec.policyRefs) ? spec.policyRefs : []) as { from?: { name?: string } }[];
  const wanted = [...strings(spec.policies)];
  for (const r of refs) {
    const ref = r.from?.name ?? '';
    const arn = policyArnsByRef.get(ref) ?? (await findPolicyArn(iam, ref));
    if (!arn) throw new Error(`spec.policyRefs: no Policy named ${ref}`);
    wanted.push(arn);
  }
  const boundary = typeof spec.permissionsBoundary === 'string' ? spec.permissionsBoundary : undefined;
  let action: AckResult['action'] = 'unchanged';
  let arn: string;
  try {
    const out = await iam.send(
      new CreateRoleCommand({
        RoleName: name,
        AssumeRolePolicyDocument: trust,
        ...(typeof spec.description === 'string' ? { Description: spec.description } : {}),
        ...(typeof spec.path === 'string' ? { Path: spec.path } : {}),
        ...(typeof spec.maxSessionDuration === 'number'
          ? { MaxSessionDuration: spec.maxSessionDuration }
          : {}),
        ...(boundary ? { PermissionsBoundary: boundary } : {}),
        ...(tags(spec.tags) ? { Tags: tags(spec.tags) } : {}),
      }),
    );
    arn = out.Role!.Arn!;
    action = 'created';
  } catch (err) {
    if (!isName(err, 'EntityAlreadyExistsException')) throw err;
    const live = (await iam.send(new GetRoleCommand({ RoleName: name }))).Role!;
    arn = live.Arn!;
    if (!sameDoc(live.AssumeRolePolicyDocument, trust)) {
      await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: name, PolicyDocument: trust }));
      action = 'configured';
    }
    const liveBoundary = live.PermissionsBoundary?.PermissionsBoundaryArn;
    if (boundary && boundary !== liveBoundary) {
      await iam.send(
        new PutRolePermissionsBoundaryCommand({ RoleName: name, PermissionsBoundary: boundary }),
      );
      action = 'configured';
    } else if (!boundary && liveBoundary) {
      await iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: name }));
      action = 'configured';
    }
  }
  const attached = (
    (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name }))).AttachedPolicies ?? []
  ).map((p) => p.PolicyArn!);
  for (const p of wanted.filter((w) => !attached.includes(w))) {
    await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: p }));
    if (action === 'unchanged') action = 'configured';
  }
  // ACK reconciles the role to its spec: policies no longer listed are detached.
  for (const p of attached.filter((a) => !wanted.includes(a))) {
    await iam.send(new DetachRolePolicyCommand({ RoleName: name, PolicyArn: p }));
    if (action === 'unchanged') action = 'configured';
  }
  const inline = (spec.inlinePolicies ?? {}) as Record<string, unknown>;
  for (const [policyName, doc] of Object.entries(inline)) {
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: name,
        PolicyName: policyName,
        PolicyDocument: str(doc, `inlinePolicies.${policyName}`),
      }),
    );
  }
  return { action, arn };
}

/**
 * Applies ACK IAM objects (others are ignored): providers first, then policies, then roles, so a role's
 * policyRefs resolve to policies of the same batch. Each object succeeds or fails on its own, as kubectl apply
 * reports per object.
 */
export async function applyAckObjects(
  objects: readonly unknown[],
  clients: AckClients,
): Promise<AckResult[]> {
  const ack = objects.filter(isAckObject) as Obj[];
  const sorted = KIND_ORDER.flatMap((k) => ack.filter((o) => o.kind === k));
  const policyArnsByRef = new Map<string, string>();
  const out: AckResult[] = [];
  for (const o of sorted) {
    const kind = String(o.kind);
    const name = String((o.metadata as Obj | undefined)?.name ?? '');
    const spec = (o.spec ?? {}) as Obj;
    try {
      const r =
        kind === 'OpenIDConnectProvider'
          ? await applyProvider(clients.iam, spec)
          : kind === 'Policy'
            ? await applyPolicy(clients.iam, spec)
            : await applyRole(clients.iam, spec, policyArnsByRef);
      if (kind === 'Policy' && r.arn) policyArnsByRef.set(name, r.arn);
      out.push({ kind, name, ...r });
    } catch (err) {
      const e = err as Error;
      out.push({ kind, name, error: `${e.name}: ${e.message}` });
    }
  }
  return out;
}
