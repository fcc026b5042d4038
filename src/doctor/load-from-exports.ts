import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { IrsakitError } from '../errors/index.js';
import { arnAccount, issuerKey, issuerRegion } from './arn.js';
import { policyText } from './policy-text.js';
import type {
  KubeObj,
  NodeRecord,
  OidcProviderRecord,
  OrgPolicyRecord,
  PolicyDoc,
  RoleRecord,
  Snapshot,
} from './types.js';

type J = Record<string, unknown>;

const isObj = (v: unknown): v is J => v !== null && typeof v === 'object' && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
const s = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

/**
 * Builds a Snapshot from the files a user can produce with the AWS CLI and kubectl (the README, "Examining a real account and cluster", lists
 * the commands). Files are recognised by their content, not their names, so any layout works; JSON arrays are
 * taken as pages of the same call. Policy documents may be objects, JSON strings or URL-encoded strings.
 * Only two things are named by path, because their content does not say what they are: token files
 * (`tokens/NAMESPACE/POD.jwt`, with `POD.stat` = `stat -c '%a %u %g'`) and bucket policies
 * (`bucket-policies/BUCKET.json`, the output of `aws s3api get-bucket-policy`).
 */
export function loadFromExports(dir: string): Snapshot {
  let files: string[];
  try {
    files = walk(dir);
  } catch (err) {
    throw new IrsakitError('ERR_INPUT', `--from ${dir}: ${(err as Error).message}`);
  }
  return loadFromDocuments(
    files.map((f) => ({ path: relative(dir, f), text: readFileSync(f, 'utf8') })),
    `exports in ${dir}`,
  );
}

/** One exported file: its path relative to the export folder, and its content. */
export interface ExportDocument {
  path: string;
  text: string;
}

/** Builds a Snapshot from export documents (files of an export folder, or the same shapes fetched live). */
export function loadFromDocuments(docs: readonly ExportDocument[], source: string): Snapshot {
  const snap: Snapshot = {
    source,
    clusters: [],
    oidcProviders: [],
    iamAccounts: [],
    roles: [],
    managedPolicies: [],
    scps: [],
    rcps: [],
    bucketPolicies: {},
    serviceAccounts: [],
    pods: [],
    nodes: [],
    tokens: [],
    jwks: {},
    webhook: {},
    warnings: [],
  };
  const providerArns: string[] = [];
  const providerDetails: J[] = [];
  const orgListed = new Map<string, { name: string; type: string }>();
  const orgPolicies: OrgPolicyRecord[] = [];
  /** Policy id → its attachments, from `list-targets-for-policy` files named …targets-<policy id>.json. */
  const orgTargets = new Map<string, { id: string; type: string }[]>();
  /** Child id → parent id, from `list-parents` files named …parents-<child id>.json. */
  const orgParents = new Map<string, string>();
  const jwksFiles: { dir: string; jwks: J }[] = [];
  const discovery: { dir: string; issuer: string }[] = [];
  const stats = new Map<string, { mode: number; uid: number; gid: number }>();
  const k8sNodes: KubeObj[] = [];
  let sawWebhookConfigs = false;
  const webhookConfigs: KubeObj[] = [];

  for (const { path: file, text } of docs) {
    const rel = file;
    if (file.endsWith('.jwt')) {
      snap.tokens.push({
        namespace: basename(dirname(file)),
        pod: basename(file, '.jwt'),
        token: text.trim(),
      });
      continue;
    }
    if (file.endsWith('.stat')) {
      const m = /^\s*([0-7]{3,4})\s+(\d+)\s+(\d+)/.exec(text);
      if (!m) snap.warnings.push(`${rel}: expected \`stat -c '%a %u %g'\` output ("600 0 0")`);
      else
        stats.set(`${basename(dirname(file))}/${basename(file, '.stat')}`, {
          mode: Number.parseInt(m[1]!, 8),
          uid: Number(m[2]),
          gid: Number(m[3]),
        });
      continue;
    }
    if (!file.endsWith('.json')) continue;
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new IrsakitError('ERR_INPUT', `${rel}: not JSON (${(err as Error).message})`);
    }
    if (basename(dirname(file)) === 'bucket-policies') {
      const p = isObj(doc) ? doc.Policy : undefined;
      if (p === undefined)
        snap.warnings.push(`${rel}: expected the output of aws s3api get-bucket-policy ({"Policy": "…"})`);
      else snap.bucketPolicies[basename(file, '.json')] = policyText(p, `${rel} Policy`);
      continue;
    }
    let recognised = false;
    for (const page of Array.isArray(doc) ? doc : [doc]) {
      if (!isObj(page)) continue;
      recognised = true;
      if (isObj(page.cluster) && isObj(page.cluster.identity)) {
        const c = page.cluster;
        const issuer = s((c.identity as J).oidc && ((c.identity as J).oidc as J).issuer);
        if (!issuer) {
          snap.warnings.push(`${rel}: cluster ${s(c.name)} has no identity.oidc.issuer`);
          continue;
        }
        const arn = s(c.arn);
        const region = arn?.split(':')[3] ?? issuerRegion(issuer);
        snap.clusters.push({
          name: s(c.name) ?? 'cluster',
          issuer,
          ...(arn ? { arn } : {}),
          ...(arn && arnAccount(arn) ? { accountId: arnAccount(arn)! } : {}),
          ...(region ? { region } : {}),
          ...(s(c.version) ? { version: s(c.version)! } : {}),
        });
      } else if (Array.isArray(page.OpenIDConnectProviderList)) {
        for (const p of page.OpenIDConnectProviderList)
          if (isObj(p) && s(p.Arn)) providerArns.push(p.Arn as string);
      } else if (s(page.Url) !== undefined && Array.isArray(page.ClientIDList)) {
        providerDetails.push(page);
      } else if ('RoleDetailList' in page || 'UserDetailList' in page || 'GroupDetailList' in page) {
        loadAuthorizationDetails(page, rel, snap);
      } else if (isObj(page.Role) && 'AssumeRolePolicyDocument' in page.Role) {
        addRole(snap, page.Role, rel);
      } else if (isObj(page.Policy) && isObj(page.Policy.PolicySummary) && 'Content' in page.Policy) {
        const sum = page.Policy.PolicySummary;
        const type = orgType(s(sum.Type));
        if (!type) continue;
        orgPolicies.push({
          id: s(sum.Id) ?? '',
          ...(s(sum.Arn) ? { arn: s(sum.Arn)! } : {}),
          name: s(sum.Name) ?? s(sum.Id) ?? 'policy',
          type,
          text: policyText(page.Policy.Content, `${rel} Policy.Content`),
        });
      } else if (Array.isArray(page.Parents) && page.Parents.every((t) => isObj(t) && 'Id' in t)) {
        // list-parents does not name its child either: the file name carries it.
        const child = /parents-((?:ou-[0-9a-z-]+)|\d{12})/.exec(basename(file))?.[1];
        const parent = s((page.Parents as J[])[0]?.Id);
        if (!child || !parent) {
          snap.warnings.push(
            `${rel}: parents without a child id in the file name (…parents-<account or OU id>.json)`,
          );
          continue;
        }
        orgParents.set(child, parent);
      } else if (Array.isArray(page.Targets) && page.Targets.every((t) => isObj(t) && 'TargetId' in t)) {
        // list-targets-for-policy does not name its policy: the file name carries the id.
        const id = /targets-(p-[0-9a-zA-Z_]+)/.exec(basename(file))?.[1];
        if (!id) {
          snap.warnings.push(
            `${rel}: policy targets without a policy id in the file name (…targets-p-ID.json)`,
          );
          continue;
        }
        const list = orgTargets.get(id) ?? [];
        for (const t of page.Targets as J[]) list.push({ id: s(t.TargetId) ?? '', type: s(t.Type) ?? '' });
        orgTargets.set(id, list);
      } else if (Array.isArray(page.Policies) && page.Policies.every((p) => isObj(p) && 'Type' in p)) {
        for (const p of page.Policies as J[])
          orgListed.set(s(p.Id) ?? '', { name: s(p.Name) ?? '', type: s(p.Type) ?? '' });
      } else if (isObj(page.Organization)) {
        const m = s(page.Organization.MasterAccountId) ?? s(page.Organization.ManagementAccountId);
        if (m) snap.managementAccountId = m;
      } else if (Array.isArray(page.Reservations)) {
        for (const r of page.Reservations)
          for (const i of arr(isObj(r) ? r.Instances : undefined)) addInstance(snap, i);
      } else if (Array.isArray(page.keys)) {
        jwksFiles.push({ dir: dirname(file), jwks: page });
      } else if (s(page.issuer) && s(page.jwks_uri)) {
        discovery.push({ dir: dirname(file), issuer: page.issuer as string });
      } else if (Array.isArray(page.items) || typeof page.kind === 'string') {
        const items = Array.isArray(page.items) ? page.items : [page];
        if (page.kind === 'MutatingWebhookConfigurationList') sawWebhookConfigs = true;
        for (const it of items) {
          if (!isObj(it)) continue;
          const kind = s(it.kind) ?? (s(page.kind)?.replace(/List$/, '') || undefined);
          const obj = { ...it, kind } as KubeObj;
          if (kind === 'ServiceAccount') snap.serviceAccounts.push(obj);
          else if (kind === 'Pod') snap.pods.push(obj);
          else if (kind === 'Node') k8sNodes.push(obj);
          else if (kind === 'MutatingWebhookConfiguration') {
            sawWebhookConfigs = true;
            webhookConfigs.push(obj);
          }
        }
      } else {
        recognised = false;
      }
    }
    if (!recognised) snap.warnings.push(`${rel}: not a recognised export; ignored`);
  }

  // Providers: the list gives ARNs, each get gives Url/ClientIDList without the ARN (matched by Url).
  const accounts = new Set([
    ...snap.iamAccounts,
    ...snap.clusters.flatMap((c) => (c.accountId ? [c.accountId] : [])),
  ]);
  for (const arn of providerArns) {
    const url = arn.split(':oidc-provider/')[1] ?? '';
    snap.oidcProviders.push({ arn, accountId: arnAccount(arn) ?? '', url });
  }
  for (const d of providerDetails) {
    const url = d.Url as string;
    const rec = snap.oidcProviders.find((p) => p.url === url || p.url === issuerKey(url));
    const detail = {
      clientIds: (d.ClientIDList as unknown[]).filter((x): x is string => typeof x === 'string'),
      thumbprints: arr(d.ThumbprintList).filter((x): x is string => typeof x === 'string'),
    };
    if (rec) Object.assign(rec, detail);
    else {
      const acct = [...accounts][0] ?? '000000000000';
      snap.oidcProviders.push({
        arn: `arn:aws:iam::${acct}:oidc-provider/${url}`,
        accountId: acct,
        url,
        ...detail,
      } as OidcProviderRecord);
    }
  }

  for (const [id, l] of orgListed) {
    if (!orgPolicies.some((p) => p.id === id) && orgType(l.type)) {
      snap.warnings.push(
        `organization policy ${id} (${l.name}) is listed but not described; its content is not evaluated`,
      );
    }
  }
  const ouPath = ouPathOf(snap.iamAccounts[0], orgParents);
  snap.scps = orgLevels(orgPolicies, 'scp', orgTargets, snap.iamAccounts, ouPath);
  snap.rcps = orgLevels(orgPolicies, 'rcp', orgTargets, snap.iamAccounts, ouPath);

  for (const j of jwksFiles) {
    const issuer =
      discovery.find((d) => d.dir === j.dir)?.issuer ?? discovery[0]?.issuer ?? snap.clusters[0]?.issuer;
    if (!issuer)
      snap.warnings.push('a JWKS was exported but no issuer is known for it (add describe-cluster output)');
    else snap.jwks[issuerKey(issuer)] = { keys: (j.jwks.keys as unknown[]).filter(isObj) };
  }
  for (const t of snap.tokens) {
    const st = stats.get(`${t.namespace}/${t.pod}`);
    if (st) t.file = st;
  }
  // EC2 PrivateDnsName is the node name on EKS; Node objects also map names to instance ids via providerID.
  for (const n of k8sNodes) {
    const name = n.metadata?.name;
    const providerId = s((n.spec as J | undefined)?.providerID);
    const id = providerId?.split('/').at(-1);
    const inst = snap.nodes.find((x) => x.instanceId === id);
    if (name && inst && inst.name !== name) snap.nodes.push({ ...inst, name });
  }
  if (sawWebhookConfigs) snap.webhook.configurations = webhookConfigs;
  return snap;
}

function orgType(t: string | undefined): 'scp' | 'rcp' | undefined {
  return t === 'SERVICE_CONTROL_POLICY' ? 'scp' : t === 'RESOURCE_CONTROL_POLICY' ? 'rcp' : undefined;
}

function addInstance(snap: Snapshot, i: unknown): void {
  if (!isObj(i)) return;
  const mo = isObj(i.MetadataOptions) ? i.MetadataOptions : undefined;
  const node: NodeRecord = {
    name: s(i.PrivateDnsName) ?? s(i.InstanceId) ?? 'node',
    ...(s(i.InstanceId) ? { instanceId: s(i.InstanceId)! } : {}),
    ...(isObj(i.IamInstanceProfile) && s(i.IamInstanceProfile.Arn)
      ? { instanceProfileArn: i.IamInstanceProfile.Arn as string }
      : {}),
  };
  if (mo) {
    node.metadataOptions = {
      ...(mo.HttpTokens === 'optional' || mo.HttpTokens === 'required' ? { HttpTokens: mo.HttpTokens } : {}),
      ...(typeof mo.HttpPutResponseHopLimit === 'number'
        ? { HttpPutResponseHopLimit: mo.HttpPutResponseHopLimit }
        : {}),
      ...(mo.HttpEndpoint === 'enabled' || mo.HttpEndpoint === 'disabled'
        ? { HttpEndpoint: mo.HttpEndpoint }
        : {}),
    };
  }
  snap.nodes.push(node);
}

function addRole(snap: Snapshot, r: J, where: string): void {
  const arn = s(r.Arn);
  if (!arn) return;
  const acct = arnAccount(arn) ?? '';
  if (acct && !snap.iamAccounts.includes(acct)) snap.iamAccounts.push(acct);
  const name = s(r.RoleName) ?? arn.split('/').at(-1) ?? arn;
  const role: RoleRecord = {
    arn,
    name,
    accountId: acct,
    ...(r.AssumeRolePolicyDocument !== undefined
      ? {
          trustPolicy: policyText(
            r.AssumeRolePolicyDocument,
            `${where} role ${name} AssumeRolePolicyDocument`,
          ),
        }
      : {}),
    inlinePolicies: arr(r.RolePolicyList)
      .filter(isObj)
      .map((p) => ({
        name: s(p.PolicyName) ?? 'inline',
        text: policyText(p.PolicyDocument, `${where} role ${name} policy ${s(p.PolicyName)}`),
      })),
    // The CLI example once prints AttachedManagedPolicies as an object: accept one or many.
    attachedPolicyArns: arr(r.AttachedManagedPolicies)
      .filter(isObj)
      .flatMap((p) => (s(p.PolicyArn) ? [p.PolicyArn as string] : [])),
    ...(isObj(r.PermissionsBoundary) && s(r.PermissionsBoundary.PermissionsBoundaryArn)
      ? { boundaryArn: r.PermissionsBoundary.PermissionsBoundaryArn as string }
      : {}),
    instanceProfileArns: arr(r.InstanceProfileList)
      .filter(isObj)
      .flatMap((p) => (s(p.Arn) ? [p.Arn as string] : [])),
  };
  const i = snap.roles.findIndex((x) => x.arn === arn);
  if (i >= 0) snap.roles[i] = role;
  else snap.roles.push(role);
}

function loadAuthorizationDetails(page: J, where: string, snap: Snapshot): void {
  for (const r of arr(page.RoleDetailList)) if (isObj(r)) addRole(snap, r, where);
  for (const p of arr(page.Policies)) {
    if (!isObj(p) || !s(p.Arn)) continue;
    const versions = arr(p.PolicyVersionList).filter(isObj);
    const v =
      versions.find((x) => x.IsDefaultVersion === true) ??
      versions.find((x) => x.VersionId === p.DefaultVersionId);
    if (!v) {
      snap.warnings.push(`${where}: managed policy ${p.Arn} has no default version in PolicyVersionList`);
      continue;
    }
    const doc: PolicyDoc = {
      name: s(p.PolicyName) ?? (p.Arn as string),
      arn: p.Arn as string,
      text: policyText(v.Document, `${where} policy ${p.Arn}`),
    };
    const i = snap.managedPolicies.findIndex((x) => x.arn === doc.arn);
    if (i >= 0) snap.managedPolicies[i] = doc;
    else snap.managedPolicies.push(doc);
  }
}

/** The OUs between the root and the account, root side first, from exported `list-parents`; undefined when unknown. */
function ouPathOf(account: string | undefined, parents: ReadonlyMap<string, string>): string[] | undefined {
  if (account === undefined || !parents.has(account)) return undefined;
  const path: string[] = [];
  for (let id = parents.get(account); id?.startsWith('ou-') && path.length < 6; id = parents.get(id)) {
    path.unshift(id);
  }
  return path;
}

/**
 * SCP or RCP levels, root first. With attachments exported (list-targets-for-policy), a policy attached to the
 * root is on the root level, each OU on the account's path is a level of its own, and policies attached to the
 * role's account form the last level; policies attached only elsewhere do not apply. When the OU path is not
 * exported (list-parents), every OU with policies is taken to be on the path: its denies act and its allows must
 * allow. Without attachments, every exported policy is taken as attached to the account: denies act exactly, and
 * an allow in any of them counts (README, "doctor").
 */
function orgLevels(
  policies: readonly OrgPolicyRecord[],
  type: 'scp' | 'rcp',
  targets: ReadonlyMap<string, readonly { id: string; type: string }[]>,
  accounts: readonly string[],
  ouPath: readonly string[] | undefined,
): PolicyDoc[][] {
  const doc = (p: OrgPolicyRecord): PolicyDoc => ({
    name: p.name,
    ...(p.arn ? { arn: p.arn } : {}),
    text: p.text,
  });
  const root: PolicyDoc[] = [];
  const ous = new Map<string, PolicyDoc[]>();
  const account: PolicyDoc[] = [];
  for (const p of policies) {
    if (p.type !== type) continue;
    const attached = targets.get(p.id);
    if (!attached) {
      account.push(doc(p));
      continue;
    }
    for (const t of attached) {
      if (t.type === 'ROOT') root.push(doc(p));
      else if (t.type === 'ORGANIZATIONAL_UNIT') ous.set(t.id, [...(ous.get(t.id) ?? []), doc(p)]);
      else if (t.type === 'ACCOUNT' && (accounts.length === 0 || accounts.includes(t.id)))
        account.push(doc(p));
    }
  }
  const ouLevels = ouPath ? ouPath.map((id) => ous.get(id) ?? []) : [...ous.values()];
  return [root, ...ouLevels, account].filter((l) => l.length > 0);
}
