import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import {
  AttachRolePolicyCommand,
  CreateOpenIDConnectProviderCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
} from '@aws-sdk/client-iam';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { stringify as toYaml } from 'yaml';
import { type DemoContext, yamlDocuments } from './context.js';
import { issuerHostPath, readExample } from './examples.js';

/** The names the journey uses (the same as in examples/). */
export const NS = 'demo';
export const SA = 's3-reader';
export const ROLE = 's3-reader';
export const POLICY = 's3-read-irsa-demo-bucket';
export const BUCKET = 'irsa-demo-bucket';
export const POD = 's3-reader';
export const OBJECT_KEY = 'hello.txt';
export const OBJECT_BODY = 'hello from irsakit';
export const AUDIENCE = 'sts.amazonaws.com';
export const TOKEN_PATH = '/var/run/secrets/eks.amazonaws.com/serviceaccount/token';
export const ROLE_ARN_ANNOTATION = 'eks.amazonaws.com/role-arn';

export type Json = Record<string, unknown>;

export interface Cluster {
  readonly name: string;
  readonly issuer: string;
  readonly thumbprint: string | undefined;
}

/** `aws eks describe-cluster`: the cluster's OIDC issuer (and the thumbprint IAM would compute, from irsakit). */
export async function describeCluster(ctx: DemoContext, name = 'local'): Promise<Cluster> {
  const out = await ctx.eks.send(new DescribeClusterCommand({ name }));
  const issuer = out.cluster?.identity?.oidc?.issuer;
  if (!issuer) throw new Error(`describe-cluster ${name} returned no identity.oidc.issuer`);
  const info = await ctx
    .control<{ thumbprint?: string }>('GET', `/clusters/${name}`)
    .catch(() => ({}) as { thumbprint?: string });
  return { name, issuer, thumbprint: info.thumbprint };
}

export async function createProvider(
  ctx: DemoContext,
  url: string,
  clientIds: string[] = [AUDIENCE],
  thumbprint?: string,
): Promise<string> {
  const out = await ctx.iam.send(
    new CreateOpenIDConnectProviderCommand({
      Url: url,
      ClientIDList: clientIds,
      ...(thumbprint ? { ThumbprintList: [thumbprint] } : {}),
    }),
  );
  return out.OpenIDConnectProviderArn!;
}

/** examples/trust-policy.json for this cluster and account. */
export function trustPolicy(ctx: DemoContext, issuer: string): Json {
  return JSON.parse(readExample('trust-policy.json', ctx.localizeOptions(issuer))) as Json;
}

/** The StringEquals block of the first statement (where the example keeps :sub and :aud). */
export function trustConditions(doc: Json): Record<string, string> {
  const st = (doc.Statement as Json[])[0]!;
  return ((st.Condition as Json).StringEquals ?? {}) as Record<string, string>;
}

export async function createRole(ctx: DemoContext, doc: Json, name = ROLE): Promise<string> {
  const out = await ctx.iam.send(
    new CreateRoleCommand({
      RoleName: name,
      AssumeRolePolicyDocument: JSON.stringify(doc, null, 2),
      Description: 'Assumed by ServiceAccount demo/s3-reader through IRSA',
    }),
  );
  return out.Role!.Arn!;
}

/** examples/s3-read-policy.json. */
export function readPolicy(ctx: DemoContext, issuer: string): Json {
  return JSON.parse(readExample('s3-read-policy.json', ctx.localizeOptions(issuer))) as Json;
}

export async function createAndAttachPolicy(
  ctx: DemoContext,
  doc: Json,
  name = POLICY,
  role = ROLE,
): Promise<string> {
  const out = await ctx.iam.send(
    new CreatePolicyCommand({ PolicyName: name, PolicyDocument: JSON.stringify(doc, null, 2) }),
  );
  const arn = out.Policy!.Arn!;
  await ctx.iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: arn }));
  return arn;
}

/** The bucket the role may read, with one object in it (made by the administrator). */
export async function createBucket(ctx: DemoContext): Promise<void> {
  await ctx.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await ctx.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: OBJECT_KEY, Body: OBJECT_BODY }));
}

/** examples/serviceaccount.yaml's documents (Namespace, ServiceAccount) as objects. */
export function serviceAccountObjects(
  ctx: DemoContext,
  issuer: string,
): { namespace: Json; serviceAccount: Json } {
  const docs = yamlDocuments(readExample('serviceaccount.yaml', ctx.localizeOptions(issuer)));
  return {
    namespace: docs.find((d) => d.kind === 'Namespace')!,
    serviceAccount: docs.find((d) => d.kind === 'ServiceAccount')!,
  };
}

/** examples/pod.yaml as an object (command pointed at this machine's examples/app.mjs). */
export function podObject(ctx: DemoContext, issuer: string): Json {
  return yamlDocuments(readExample('pod.yaml', ctx.localizeOptions(issuer)))[0]!;
}

/** The pod's first container. */
export function appContainer(pod: Json): Json & { env?: { name: string; value?: string }[] } {
  return ((pod.spec as Json).containers as Json[])[0]!;
}

/** Sets (or adds) an env var of the first container. */
export function setEnv(pod: Json, name: string, value: string): void {
  const c = appContainer(pod);
  if (!c.env) c.env = [];
  const env = c.env;
  const found = env.find((e) => e.name === name);
  if (found) found.value = value;
  else env.push({ name, value });
}

export function yamlOf(...objects: Json[]): string {
  return objects.map((o) => toYaml(o)).join('---\n');
}

export interface BaselineOptions {
  /** false: no OIDC provider; otherwise the provider's URL and client IDs (default: the issuer, [sts]). */
  readonly provider?: false | { url?: string; clientIds?: string[] };
  readonly trust?: (doc: Json, hostPath: string) => void;
  readonly policy?: (doc: Json) => void;
  /** The ServiceAccount's role-arn annotation: a value, null to omit it, undefined for the role's ARN. */
  readonly annotation?: string | null;
  readonly pod?: (pod: Json) => void;
  /** false: stop before creating the pod. */
  readonly createPod?: boolean;
  readonly podName?: string;
}

export interface Baseline {
  readonly cluster: Cluster;
  readonly hostPath: string;
  readonly providerArn: string | undefined;
  readonly roleArn: string;
  readonly policyArn: string;
  readonly serviceAccount: Json;
  readonly pod: Json;
}

/** Steps 1-4 of the journey in one go, with the twists a scenario needs. */
export async function setupBaseline(ctx: DemoContext, o: BaselineOptions = {}): Promise<Baseline> {
  const cluster = await describeCluster(ctx);
  const hostPath = issuerHostPath(cluster.issuer);
  let providerArn: string | undefined;
  if (o.provider !== false) {
    providerArn = await createProvider(
      ctx,
      o.provider?.url ?? cluster.issuer,
      o.provider?.clientIds ?? [AUDIENCE],
      cluster.thumbprint,
    );
  }
  const trust = trustPolicy(ctx, cluster.issuer);
  o.trust?.(trust, hostPath);
  const roleArn = await createRole(ctx, trust);
  const policy = readPolicy(ctx, cluster.issuer);
  o.policy?.(policy);
  const policyArn = await createAndAttachPolicy(ctx, policy);
  await createBucket(ctx);
  const { namespace, serviceAccount } = serviceAccountObjects(ctx, cluster.issuer);
  const annotations = ((serviceAccount.metadata as Json).annotations ?? {}) as Record<string, string>;
  if (o.annotation === null) delete annotations[ROLE_ARN_ANNOTATION];
  else annotations[ROLE_ARN_ANNOTATION] = o.annotation ?? roleArn;
  await mustApply(ctx, yamlOf(namespace, serviceAccount));
  const pod = podObject(ctx, cluster.issuer);
  (pod.metadata as Json).name = o.podName ?? POD;
  setEnv(pod, 'INTERVAL_SECONDS', '0'); // scenario pods run once and exit
  o.pod?.(pod);
  if (o.createPod !== false) await mustApply(ctx, yamlOf(pod));
  return { cluster, hostPath, providerArn, roleArn, policyArn, serviceAccount, pod };
}

/** kubectl apply that must succeed: a failed object throws with the API server's message. */
export async function mustApply(ctx: DemoContext, yaml: string) {
  const report = await ctx.apply(yaml);
  const bad = report.results.find((r) => r.error);
  if (bad) throw new Error(`apply ${bad.kind}/${bad.name}: ${bad.error?.message ?? 'failed'}`);
  return report;
}

/** Replaces the pod (`kubectl delete pod` then `kubectl apply`), as `kubectl rollout restart` would. */
export async function recreatePod(ctx: DemoContext, pod: Json): Promise<void> {
  const md = pod.metadata as Json;
  await ctx.deletePod(String(md.namespace ?? 'default'), String(md.name));
  const clean = structuredClone(pod);
  delete clean.status;
  await mustApply(ctx, yamlOf(clean));
}
