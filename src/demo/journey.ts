import {
  DeleteRolePermissionsBoundaryCommand,
  GetOpenIDConnectProviderCommand,
  CreatePolicyCommand as IamCreatePolicyCommand,
  ListAttachedRolePoliciesCommand,
  PutRolePermissionsBoundaryCommand,
  SimulatePrincipalPolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  AttachPolicyCommand,
  DetachPolicyCommand,
  CreatePolicyCommand as OrgCreatePolicyCommand,
  DeletePolicyCommand as OrgDeletePolicyCommand,
} from '@aws-sdk/client-organizations';
import { type AppLine, type DemoContext, line } from './context.js';
import { doctorFor, explainFor } from './doctor.js';
import { issuerHostPath } from './examples.js';
import {
  AUDIENCE,
  appContainer,
  BUCKET,
  type Cluster,
  createAndAttachPolicy,
  createBucket,
  createProvider,
  createRole,
  describeCluster,
  type Json,
  mustApply,
  NS,
  OBJECT_BODY,
  OBJECT_KEY,
  POD,
  POLICY,
  podObject,
  ROLE,
  ROLE_ARN_ANNOTATION,
  readPolicy,
  SA,
  serviceAccountObjects,
  TOKEN_PATH,
  trustConditions,
  trustPolicy,
  yamlOf,
} from './setup.js';
import { type StepRecord, step } from './types.js';

/** What the journey's steps hand to each other. */
export interface JourneyState {
  cluster?: Cluster;
  providerArn?: string;
  roleArn?: string;
  policyArn?: string;
  podManifest?: Json;
  sessionArn?: string;
  appLines?: AppLine[];
}

export type JourneyStep = (ctx: DemoContext, s: JourneyState) => Promise<StepRecord>;

const IMDS_POD = 'no-irsa';
const IMDS_POD_AFTER = 'no-irsa-after-fix';

function decodeJwt(token: string): { header: Json; claims: Json } {
  const [h, p] = token.trim().split('.');
  return {
    header: JSON.parse(Buffer.from(h ?? '', 'base64url').toString('utf8')) as Json,
    claims: JSON.parse(Buffer.from(p ?? '', 'base64url').toString('utf8')) as Json,
  };
}

/** The S3 AccessDenied sentence AWS writes for a session of the role (IAM UG, troubleshoot access denied). */
export function deniedMessage(sessionArn: string, action: string, resource: string, reason: string): string {
  return `User: ${sessionArn} is not authorized to perform: ${action} on resource: "${resource}" ${reason}`;
}

const step1: JourneyStep = (ctx, s) =>
  step(
    {
      id: '1-oidc-provider',
      title: "The cluster's OIDC issuer, and an IAM identity provider for it",
      sentence:
        "EKS signs every pod's projected token as an OIDC issuer; IAM trusts those tokens only once an OpenID Connect identity provider with the issuer's URL and the audience sts.amazonaws.com exists in the account.",
      command: [
        'aws eks describe-cluster --name local --query cluster.identity.oidc.issuer --output text',
        'aws iam create-open-id-connect-provider --url "$ISSUER" --client-id-list sts.amazonaws.com',
        '# or: eksctl utils associate-iam-oidc-provider --cluster local --approve',
      ],
    },
    async (data, expect) => {
      const cluster = await describeCluster(ctx);
      s.cluster = cluster;
      data.issuer = cluster.issuer;
      expect.match(
        cluster.issuer,
        /^https:\/\/[^/]+\/id\/[0-9A-F]{32}$/,
        'issuer URL shaped like EKS (https://HOST/id/32 hex)',
      );
      const arn = await createProvider(ctx, cluster.issuer, [AUDIENCE], cluster.thumbprint);
      s.providerArn = arn;
      const got = await ctx.iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
      data.provider = { arn, url: got.Url, clientIds: got.ClientIDList, thumbprints: got.ThumbprintList };
      expect.equal(
        arn,
        `arn:aws:iam::${ctx.account}:oidc-provider/${issuerHostPath(cluster.issuer)}`,
        'provider ARN',
      );
      expect.equal(got.Url, issuerHostPath(cluster.issuer), 'provider Url (the issuer without https://)');
      expect.equal(got.ClientIDList, [AUDIENCE], 'ClientIDList');
    },
  );

const step2: JourneyStep = (ctx, s) =>
  step(
    {
      id: '2-role',
      title: 'The IAM role and its trust policy',
      sentence:
        'The trust policy lets exactly one ServiceAccount of this cluster assume the role: the Federated principal names the OIDC provider, StringEquals pins the token\'s "sub" to system:serviceaccount:demo:s3-reader and its "aud" to sts.amazonaws.com.',
      command: [
        'aws iam create-role --role-name s3-reader --assume-role-policy-document file://trust-policy.json',
      ],
    },
    async (data, expect) => {
      const issuer = s.cluster!.issuer;
      const hp = issuerHostPath(issuer);
      const doc = trustPolicy(ctx, issuer);
      data.trustPolicy = doc;
      s.roleArn = await createRole(ctx, doc);
      data.roleArn = s.roleArn;
      const st = (doc.Statement as Json[])[0]!;
      expect.equal(
        (st.Principal as Json).Federated,
        s.providerArn,
        'Principal.Federated is the provider ARN',
      );
      expect.equal(st.Action, 'sts:AssumeRoleWithWebIdentity', 'Action');
      const cond = trustConditions(doc);
      expect.equal(cond[`${hp}:sub`], `system:serviceaccount:${NS}:${SA}`, 'StringEquals :sub');
      expect.equal(cond[`${hp}:aud`], AUDIENCE, 'StringEquals :aud');
      expect.equal(s.roleArn, `arn:aws:iam::${ctx.account}:role/${ROLE}`, 'role ARN');
    },
  );

const step3: JourneyStep = (ctx, s) =>
  step(
    {
      id: '3-permissions',
      title: 'A least-privilege permission policy: read one bucket',
      sentence:
        's3:ListBucket is granted on the bucket ARN and s3:GetObject on its objects (bucket/*), nothing else; the policy is attached to the role.',
      command: [
        'aws iam create-policy --policy-name s3-read-irsa-demo-bucket --policy-document file://s3-read-policy.json',
        `aws iam attach-role-policy --role-name s3-reader --policy-arn arn:aws:iam::${ctx.account}:policy/${POLICY}`,
        'aws s3 mb s3://irsa-demo-bucket && echo "hello from irsakit" | aws s3 cp - s3://irsa-demo-bucket/hello.txt',
      ],
    },
    async (data, expect) => {
      const doc = readPolicy(ctx, s.cluster!.issuer);
      data.policy = doc;
      s.policyArn = await createAndAttachPolicy(ctx, doc);
      data.policyArn = s.policyArn;
      await createBucket(ctx);
      data.bucket = BUCKET;
      data.object = `s3://${BUCKET}/${OBJECT_KEY}`;
      const attached = await ctx.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: ROLE }));
      expect.equal(
        (attached.AttachedPolicies ?? []).map((p) => p.PolicyArn),
        [s.policyArn],
        'the role has exactly the one policy attached',
      );
      const resources = (doc.Statement as Json[]).map((st) => [st.Action, st.Resource]);
      expect.equal(
        resources,
        [
          ['s3:ListBucket', `arn:aws:s3:::${BUCKET}`],
          ['s3:GetObject', `arn:aws:s3:::${BUCKET}/*`],
        ],
        'actions and resource ARNs',
      );
    },
  );

const step4: JourneyStep = (ctx, s) =>
  step(
    {
      id: '4-serviceaccount-and-pod',
      title: 'The ServiceAccount with the role annotation, then the Pod',
      sentence:
        'The ServiceAccount carries eks.amazonaws.com/role-arn; the Pod only names the ServiceAccount and holds no key. The ServiceAccount goes first: the webhook acts only when a pod is created.',
      command: ['kubectl apply -f serviceaccount.yaml', 'kubectl apply -f pod.yaml'],
    },
    async (data, expect) => {
      const issuer = s.cluster!.issuer;
      const { namespace, serviceAccount } = serviceAccountObjects(ctx, issuer);
      const saReport = await mustApply(ctx, yamlOf(namespace, serviceAccount));
      const annotation = ((serviceAccount.metadata as Json).annotations as Record<string, string>)[
        ROLE_ARN_ANNOTATION
      ];
      data.serviceAccount = {
        name: `${NS}/${SA}`,
        annotations: (serviceAccount.metadata as Json).annotations,
      };
      expect.equal(annotation, s.roleArn, 'the annotation names the role');
      const pod = podObject(ctx, issuer);
      s.podManifest = pod;
      const podReport = await mustApply(ctx, yamlOf(pod));
      data.applied = [...saReport.results, ...podReport.results].map(
        (r) => `${r.kind.toLowerCase()}/${r.name} ${r.action}`,
      );
      const c = appContainer(pod);
      data.pod = {
        name: `${NS}/${POD}`,
        serviceAccountName: (pod.spec as Json).serviceAccountName,
        command: c.command,
        env: c.env,
      };
      expect.that(
        !(c.env ?? []).some((e) => /^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN)$/.test(e.name)),
        'the pod spec holds no access key',
      );
      expect.equal(
        podReport.results.map((r) => r.action),
        ['created'],
        'pod created',
      );
    },
  );

function injectionView(pod: Json): Json {
  const spec = pod.spec as Json;
  const c = appContainer(pod);
  const env = (c.env ?? []) as { name: string; value?: string }[];
  return {
    env: env.map((e) => `${e.name}=${e.value ?? ''}`),
    volumeMounts: (c.volumeMounts ?? []) as Json[],
    volumes: ((spec.volumes ?? []) as Json[]).filter((v) => v.name !== undefined),
  };
}

const step5: JourneyStep = (ctx, s) =>
  step(
    {
      id: '5-webhook-injection',
      title: "The webhook's injection: the pod before and after admission",
      sentence:
        'At creation the API server sent the pod to the pod identity webhook (an AdmissionReview over HTTPS); it added AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE, the projected aws-iam-token volume (audience sts.amazonaws.com) and its mount.',
      command: [
        `kubectl get pod ${POD} -n ${NS} -o yaml`,
        `kubectl get pod ${POD} -n ${NS} -o jsonpath='{.spec.containers[0].env}'`,
      ],
    },
    async (data, expect) => {
      const before = injectionView(s.podManifest!);
      const live = await ctx.getPod(NS, POD);
      const after = injectionView(live);
      // The API server's ServiceAccount admission adds kube-api-access-*; everything else new is the webhook's.
      const own = (x: Json) => !String(x.name).startsWith('kube-api-access-');
      const added = {
        env: (after.env as string[]).filter((e) => !(before.env as string[]).includes(e)),
        volumes: (after.volumes as Json[]).filter(
          (v) => own(v) && !(before.volumes as Json[]).some((b) => b.name === v.name),
        ),
        volumeMounts: (after.volumeMounts as Json[]).filter(
          (m) => own(m) && !(before.volumeMounts as Json[]).some((b) => b.name === m.name),
        ),
      };
      after.volumes = (after.volumes as Json[]).filter(own);
      after.volumeMounts = (after.volumeMounts as Json[]).filter(own);
      Object.assign(data, { before, after, added });
      const env = added.env as string[];
      expect.that(env.includes(`AWS_ROLE_ARN=${s.roleArn}`), `AWS_ROLE_ARN=${s.roleArn} injected`);
      expect.that(
        env.includes(`AWS_WEB_IDENTITY_TOKEN_FILE=${TOKEN_PATH}`),
        `AWS_WEB_IDENTITY_TOKEN_FILE=${TOKEN_PATH} injected`,
      );
      const vol = (added.volumes as Json[]).find((v) => v.name === 'aws-iam-token');
      const sat = (
        (((vol?.projected as Json | undefined)?.sources as Json[] | undefined) ?? [])[0] as Json | undefined
      )?.serviceAccountToken as Json | undefined;
      expect.equal(
        sat,
        { audience: AUDIENCE, expirationSeconds: 86400, path: 'token' },
        'aws-iam-token projected volume',
      );
      const mount = (added.volumeMounts as Json[]).find((m) => m.name === 'aws-iam-token');
      expect.equal(
        mount?.mountPath,
        '/var/run/secrets/eks.amazonaws.com/serviceaccount',
        'aws-iam-token mount path',
      );
      expect.equal(mount?.readOnly, true, 'the mount is read-only');
    },
  );

const step6: JourneyStep = (ctx, s) =>
  step(
    {
      id: '6-token-journey',
      title: 'The token journey: projected JWT → STS AssumeRoleWithWebIdentity → temporary credentials',
      sentence:
        'The kubelet wrote a signed token for the pod; the AWS SDK for JavaScript inside the pod read it, called STS AssumeRoleWithWebIdentity (unsigned: the token is the proof), and got ASIA… credentials that expire within the hour; GetCallerIdentity shows the assumed role.',
      command: [
        `kubectl exec -n ${NS} ${POD} -- cat ${TOKEN_PATH} | cut -d. -f2 | base64 -d`,
        `aws sts assume-role-with-web-identity --role-arn ${s.roleArn ?? 'ROLE_ARN'} --role-session-name test --web-identity-token file://token`,
        `kubectl exec -n ${NS} ${POD} -- aws sts get-caller-identity`,
      ],
    },
    async (data, expect) => {
      const run = await ctx.waitForApp(NS, POD);
      s.appLines = run.lines;
      const tok = await ctx.exec(NS, POD, ['cat', TOKEN_PATH]);
      expect.equal(tok.exitCode, 0, `cat ${TOKEN_PATH} in the pod`);
      const { header, claims } = decodeJwt(tok.stdout);
      data.token = { header, claims };
      const issuer = s.cluster!.issuer;
      expect.equal(header.alg, 'RS256', 'token alg');
      expect.equal(claims.iss, issuer, 'iss is the cluster issuer');
      expect.equal(claims.sub, `system:serviceaccount:${NS}:${SA}`, 'sub');
      expect.equal(claims.aud, [AUDIENCE], 'aud');
      expect.equal(
        ((claims['kubernetes.io'] as Json | undefined)?.pod as Json | undefined)?.name,
        POD,
        'kubernetes.io.pod.name',
      );
      expect.equal(
        Number(claims.exp) - Number(claims.iat),
        86400,
        'lifetime (eks.amazonaws.com/token-expiration)',
      );

      const err = line(run.lines, 'error');
      if (err) expect.that(false, `the SDK failed to get credentials: ${err.name}: ${err.message}`);
      const call = line(run.lines, 'sts-call');
      data.stsCall = call ? { ...call, step: undefined } : undefined;
      expect.equal(
        call?.command,
        'AssumeRoleWithWebIdentityCommand',
        'the SDK in the pod called AssumeRoleWithWebIdentity',
      );
      expect.equal((call?.input as Json | undefined)?.RoleArn, s.roleArn, 'with the injected AWS_ROLE_ARN');
      const out = call?.output as Json | undefined;
      expect.equal(
        (out?.AssumedRoleUser as Json | undefined)?.Arn !== undefined,
        true,
        'STS answered with AssumedRoleUser',
      );
      expect.equal(
        out?.SubjectFromWebIdentityToken,
        `system:serviceaccount:${NS}:${SA}`,
        'SubjectFromWebIdentityToken',
      );
      expect.equal(out?.Provider, s.providerArn, 'Provider');

      const creds = line(run.lines, 'credentials');
      data.credentials = creds ? { ...creds, step: undefined } : undefined;
      expect.match(creds?.accessKeyId, /^ASIA[A-Z0-9]{16}$/, 'temporary access key id');
      expect.match(creds?.secretAccessKey, /^.{4}…\(40 characters\)$/, 'secret shown only in part');
      const exp = Date.parse(String(creds?.expiration));
      expect.that(
        exp > Date.now() && exp <= Date.now() + 3_600_000 + 60_000,
        `expires within the hour (${creds?.expiration})`,
      );
      expect.that(
        (creds?.source as string[] | undefined)?.some((x) => /WEB_ID/.test(x)),
        `credentials came from the web identity provider (source ${JSON.stringify(creds?.source)})`,
      );
      const id = line(run.lines, 'identity');
      data.callerIdentity = id ? { Arn: id.arn, Account: id.account, UserId: id.userId } : undefined;
      s.sessionArn = String(id?.arn);
      expect.match(
        id?.arn,
        new RegExp(`^arn:aws:sts::${ctx.account}:assumed-role/${ROLE}/[\\w+=,.@-]+$`),
        'GetCallerIdentity from the pod shows the assumed role',
      );
    },
  );

const step7: JourneyStep = (_ctx, s) =>
  step(
    {
      id: '7-s3-access',
      title: 'The pod reads the bucket; a write is denied',
      sentence:
        "With those credentials the pod lists the bucket and reads the object; its PutObject is refused with AWS's AccessDenied message, because no policy grants s3:PutObject.",
      command: [
        `kubectl logs -n ${NS} ${POD}`,
        '# in the pod: aws s3 ls s3://irsa-demo-bucket; aws s3 cp s3://irsa-demo-bucket/hello.txt -',
      ],
    },
    async (data, expect) => {
      const lines = s.appLines ?? [];
      const list = line(lines, 'list');
      const get = line(lines, 'get');
      const put = line(lines, 'put-denied') ?? line(lines, 'put');
      Object.assign(data, {
        list: list?.keys,
        get: get ? { key: get.key, body: get.body } : line(lines, 'read-denied'),
        put: put ? { ...put, step: undefined } : undefined,
      });
      expect.equal(list?.keys, [OBJECT_KEY], 'ListObjectsV2 lists the object');
      expect.equal(get?.body, OBJECT_BODY, 'GetObject returns its body');
      expect.equal(put?.step, 'put-denied', 'PutObject is denied');
      expect.equal(put?.name, 'AccessDenied', 'error code');
      expect.equal(
        put?.message,
        deniedMessage(
          s.sessionArn!,
          's3:PutObject',
          `arn:aws:s3:::${BUCKET}/written-by-pod.txt`,
          'because no identity-based policy allows the s3:PutObject action',
        ),
        "AWS's AccessDenied message",
      );
    },
  );

async function simulate(ctx: DemoContext, roleArn: string, action: string, resource: string): Promise<Json> {
  const out = await ctx.iam.send(
    new SimulatePrincipalPolicyCommand({
      PolicySourceArn: roleArn,
      ActionNames: [action],
      ResourceArns: [resource],
    }),
  );
  const r = out.EvaluationResults?.[0];
  return {
    EvalDecision: r?.EvalDecision,
    OrganizationsDecisionDetail: r?.OrganizationsDecisionDetail,
    PermissionsBoundaryDecisionDetail: r?.PermissionsBoundaryDecisionDetail,
    MatchedStatements: r?.MatchedStatements?.map((m) => ({
      SourcePolicyId: m.SourcePolicyId,
      SourcePolicyType: m.SourcePolicyType,
    })),
  };
}

/** SCP and boundary helpers shared with the scenarios. */
export const SCP_DENY_READS: Json = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'NoObjectReadsInThisBucket',
      Effect: 'Deny',
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${BUCKET}/*`,
    },
  ],
};
export const BOUNDARY_LIST_ONLY: Json = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'AtMostListing', Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' }],
};

export async function attachScp(ctx: DemoContext): Promise<string> {
  const p = await ctx.org.send(
    new OrgCreatePolicyCommand({
      Name: 'deny-reading-demo-objects',
      Description: 'Deny s3:GetObject on irsa-demo-bucket',
      Type: 'SERVICE_CONTROL_POLICY',
      Content: JSON.stringify(SCP_DENY_READS),
    }),
  );
  const id = p.Policy!.PolicySummary!.Id!;
  await ctx.org.send(new AttachPolicyCommand({ PolicyId: id, TargetId: ctx.account }));
  return id;
}

/** Detaches the SCP and deletes it, so the organization is left as the step found it. */
export async function detachScp(ctx: DemoContext, id: string): Promise<void> {
  await ctx.org.send(new DetachPolicyCommand({ PolicyId: id, TargetId: ctx.account }));
  await ctx.org.send(new OrgDeletePolicyCommand({ PolicyId: id }));
}

export async function putBoundary(ctx: DemoContext): Promise<string> {
  const p = await ctx.iam.send(
    new IamCreatePolicyCommand({
      PolicyName: 'list-only-boundary',
      PolicyDocument: JSON.stringify(BOUNDARY_LIST_ONLY),
    }),
  );
  await ctx.iam.send(
    new PutRolePermissionsBoundaryCommand({ RoleName: ROLE, PermissionsBoundary: p.Policy!.Arn! }),
  );
  return p.Policy!.Arn!;
}

/** The pod reads again (`kubectl exec … app.mjs --once`); IAM's simulation and irsakit explain say why. */
async function readAgain(ctx: DemoContext, roleArn: string, object: string) {
  const run = await ctx.execApp(NS, POD);
  const denied = line(run.lines, 'read-denied');
  const evaluation = await simulate(ctx, roleArn, 's3:GetObject', object);
  const explain = await explainFor(ctx, roleArn, 's3:GetObject', object);
  return {
    lines: run.lines,
    denied,
    session: String(line(run.lines, 'identity')?.arn),
    evaluation,
    explain,
    data: { podSaw: denied && { name: denied.name, message: denied.message }, evaluation, explain },
  };
}

const step8: JourneyStep = (ctx, s) =>
  step(
    {
      id: '8-security-boundaries',
      title: 'Security boundaries: an SCP, then a permissions boundary',
      sentence:
        'The role grants s3:GetObject, yet an organization SCP that denies it wins (explicit deny), and, once the SCP is gone, a permissions boundary that allows only listing caps the role (implicit deny): each decision is shown as IAM evaluated it.',
      command: [
        'aws organizations create-policy --type SERVICE_CONTROL_POLICY --name deny-reading-demo-objects --content file://scp.json',
        'aws organizations attach-policy --policy-id p-… --target-id ACCOUNT',
        `aws iam simulate-principal-policy --policy-source-arn ${s.roleArn ?? 'ROLE_ARN'} --action-names s3:GetObject --resource-arns arn:aws:s3:::${BUCKET}/${OBJECT_KEY}`,
        `irsakit explain --role ${s.roleArn ?? 'ROLE_ARN'} --action s3:GetObject --resource arn:aws:s3:::${BUCKET}/${OBJECT_KEY}`,
        'aws iam put-role-permissions-boundary --role-name s3-reader --permissions-boundary arn:aws:iam::ACCOUNT:policy/list-only-boundary',
      ],
    },
    async (data, expect) => {
      const object = `arn:aws:s3:::${BUCKET}/${OBJECT_KEY}`;
      const scpId = await attachScp(ctx);
      const scp = await readAgain(ctx, s.roleArn!, object);
      data.scp = { policy: SCP_DENY_READS, policyId: scpId, ...scp.data };
      expect.equal(scp.denied?.name, 'AccessDenied', 'with the SCP: GetObject denied');
      expect.match(
        scp.denied?.message,
        new RegExp(
          `^${escapeRe(deniedMessage(scp.session, 's3:GetObject', object, 'with an explicit deny in a service control policy'))}`,
        ),
        'SCP AccessDenied message',
      );
      expect.equal(scp.evaluation.EvalDecision, 'explicitDeny', 'simulation: explicitDeny');
      expect.equal(scp.explain.decidedBy, 'scp', 'irsakit explain: decided by the SCP');
      expect.equal(
        (scp.evaluation.OrganizationsDecisionDetail as Json | undefined)?.AllowedByOrganizations,
        false,
        'simulation: not allowed by Organizations',
      );
      await detachScp(ctx, scpId);

      const boundaryArn = await putBoundary(ctx);
      const b = await readAgain(ctx, s.roleArn!, object);
      data.boundary = { policy: BOUNDARY_LIST_ONLY, arn: boundaryArn, ...b.data };
      expect.equal(line(b.lines, 'list')?.keys, [OBJECT_KEY], 'with the boundary: listing still allowed');
      expect.equal(
        b.denied?.message,
        deniedMessage(
          b.session,
          's3:GetObject',
          object,
          'because no permissions boundary allows the s3:GetObject action',
        ),
        'boundary AccessDenied message',
      );
      expect.equal(b.evaluation.EvalDecision, 'implicitDeny', 'simulation: implicitDeny');
      expect.equal(b.explain.decidedBy, 'boundary', 'irsakit explain: decided by the boundary');
      expect.equal(
        (b.evaluation.PermissionsBoundaryDecisionDetail as Json | undefined)?.AllowedByPermissionsBoundary,
        false,
        'simulation: not allowed by the boundary',
      );
      await ctx.iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: ROLE }));
    },
  );

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A pod with no IRSA: the default ServiceAccount, the same app, quick IMDS time-outs. */
export function noIrsaPod(ctx: DemoContext, issuer: string, name: string): Json {
  const pod = podObject(ctx, issuer);
  (pod.metadata as Json).name = name;
  delete (pod.spec as Json).serviceAccountName;
  const c = appContainer(pod);
  c.env = [
    { name: 'BUCKET', value: BUCKET },
    { name: 'INTERVAL_SECONDS', value: '0' },
    // The SDK's IMDS client waits 1 s per attempt by default; one short attempt keeps the blocked case quick.
    { name: 'AWS_METADATA_SERVICE_TIMEOUT', value: '1' },
    { name: 'AWS_METADATA_SERVICE_NUM_ATTEMPTS', value: '1' },
  ];
  return pod;
}

const step9: JourneyStep = (ctx, s) =>
  step(
    {
      id: '9-imds-pitfall',
      title: "The IMDS pitfall: a pod without IRSA gets the node role's credentials",
      sentence:
        "A pod with no role annotation falls through the SDK's credential chain to the instance metadata service and gets the node's instance-profile credentials; requiring IMDSv2 tokens with a hop limit of 1 cuts pods off, while the IRSA pod is unaffected.",
      command: [
        'kubectl run no-irsa -n demo --image=amazon/aws-cli -- sts get-caller-identity',
        'aws ec2 modify-instance-metadata-options --instance-id i-… --http-tokens required --http-put-response-hop-limit 1',
      ],
    },
    async (data, expect) => {
      const issuer = s.cluster!.issuer;
      // The node as EKS's default launch template sets it up (and as a fresh irsakit has it).
      await ctx.control('PUT', '/node/metadata-options', {
        HttpTokens: 'optional',
        HttpPutResponseHopLimit: 2,
      });
      await mustApply(ctx, yamlOf(noIrsaPod(ctx, issuer, IMDS_POD)));
      const leak = await ctx.waitForApp(NS, IMDS_POD);
      const leakId = line(leak.lines, 'identity');
      const leakCreds = line(leak.lines, 'credentials');
      const before = await ctx.control<Json>('GET', '/node/metadata-options');
      data.before = {
        metadataOptions: before.InstanceMetadataOptions,
        identity: leakId?.arn ?? line(leak.lines, 'error'),
        credentialSource: leakCreds?.source,
      };
      expect.match(
        leakId?.arn,
        new RegExp(`^arn:aws:sts::${ctx.account}:assumed-role/[\\w+=,.@-]+/i-[0-9a-f]+$`),
        'without IRSA the pod is the node role',
      );
      // The instance metadata service's own log: the pod asked it for the node role's credentials.
      const imds = await ctx
        .control<{ requests?: Json[] }>('GET', '/node/imds-requests')
        .catch(() => ({ requests: [] }));
      const fromPod = (imds.requests ?? []).filter((r) => (r.caller as Json | undefined)?.name === IMDS_POD);
      (data.before as Json).imdsRequests = fromPod.map((r) => `${r.method} ${r.path} → ${r.status}`);
      expect.that(
        fromPod.some((r) => String(r.path).includes('/iam/security-credentials/') && r.status === 200),
        'IMDS served the node role credentials to the pod',
      );
      const fixed = await ctx.control<Json>('PUT', '/node/metadata-options', {
        HttpTokens: 'required',
        HttpPutResponseHopLimit: 1,
      });
      await mustApply(ctx, yamlOf(noIrsaPod(ctx, issuer, IMDS_POD_AFTER)));
      const blocked = await ctx.waitForApp(NS, IMDS_POD_AFTER);
      const err = line(blocked.lines, 'error');
      const imdsAfter = await ctx
        .control<{ requests?: Json[] }>('GET', '/node/imds-requests')
        .catch(() => ({ requests: [] }));
      const blockedRequests = (imdsAfter.requests ?? [])
        .filter((r) => (r.caller as Json | undefined)?.name === IMDS_POD_AFTER)
        .map((r) => `${r.method} ${r.path} → ${r.status === 0 ? 'dropped (hop limit)' : r.status}`);
      const irsa = await ctx.execApp(NS, POD);
      const irsaId = line(irsa.lines, 'identity');
      data.after = {
        metadataOptions: fixed.InstanceMetadataOptions,
        podWithoutIrsa: err ? { name: err.name, message: err.message } : line(blocked.lines, 'identity'),
        imdsRequests: blockedRequests,
        irsaPod: irsaId?.arn,
      };
      expect.equal(
        err?.name,
        'CredentialsProviderError',
        'after the fix the pod without IRSA gets no credentials',
      );
      expect.match(
        irsaId?.arn,
        new RegExp(`^arn:aws:sts::${ctx.account}:assumed-role/${ROLE}/`),
        'the IRSA pod is unaffected',
      );
      await ctx.deletePod(NS, IMDS_POD);
      await ctx.deletePod(NS, IMDS_POD_AFTER);
    },
  );

const step10: JourneyStep = (ctx, s) =>
  step(
    {
      id: '10-troubleshooting',
      title: 'Troubleshooting: break the trust policy, then run the fast checks',
      sentence:
        'The trust policy is changed to name the wrong namespace; the SDK now fails with AccessDenied, and the four fast checks (issuer vs provider, annotation, injected env, token vs trust policy) point at the sub condition.',
      command: [
        'aws eks describe-cluster --name local --query cluster.identity.oidc.issuer --output text',
        'aws iam list-open-id-connect-providers',
        `kubectl get sa ${SA} -n ${NS} -o jsonpath='{.metadata.annotations}'`,
        `kubectl exec -n ${NS} ${POD} -- env | grep AWS_`,
        `aws iam get-role --role-name ${ROLE} --query Role.AssumeRolePolicyDocument`,
        `irsakit doctor --pod ${POD} -n ${NS}`,
      ],
    },
    async (data, expect) => {
      const issuer = s.cluster!.issuer;
      const hp = issuerHostPath(issuer);
      const broken = trustPolicy(ctx, issuer);
      trustConditions(broken)[`${hp}:sub`] = `system:serviceaccount:default:${SA}`;
      await ctx.iam.send(
        new UpdateAssumeRolePolicyCommand({ RoleName: ROLE, PolicyDocument: JSON.stringify(broken) }),
      );
      const run = await ctx.execApp(NS, POD);
      const err = line(run.lines, 'error');
      data.symptom = err && { name: err.name, message: err.message };
      expect.equal(err?.name, 'AccessDenied', 'the SDK reports AccessDenied');
      expect.equal(err?.message, 'Not authorized to perform sts:AssumeRoleWithWebIdentity', 'message');

      const checks = await fastChecks(ctx, s);
      data.checks = checks;
      const report = await doctorFor(ctx, { namespace: NS, pod: POD });
      data.doctor = report.checks.map((c) => ({
        check: c.id,
        status: c.status,
        ...(c.status === 'pass' ? {} : { evidence: c.evidence, fix: c.fix }),
      }));
      expect.equal(
        report.checks.filter((c) => c.status === 'fail').map((c) => c.id),
        ['trust-policy'],
        'irsakit doctor fails exactly the trust-policy check',
      );
      const trustCheck = checks.find((c) => c.check === 'token vs trust policy');
      expect.equal(trustCheck?.ok, false, 'the token-vs-trust-policy check finds the mismatch');
      expect.that(
        checks.filter((c) => c.check !== 'token vs trust policy').every((c) => c.ok),
        'the other checks pass',
      );

      // Put the trust policy back and show the pod recovers.
      await ctx.iam.send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: ROLE,
          PolicyDocument: JSON.stringify(trustPolicy(ctx, issuer)),
        }),
      );
      const again = await ctx.execApp(NS, POD);
      data.afterFix = line(again.lines, 'identity')?.arn;
      expect.match(
        data.afterFix,
        new RegExp(`assumed-role/${ROLE}/`),
        'after restoring the trust policy the pod assumes the role',
      );
    },
  );

export interface FastCheck {
  readonly check: string;
  readonly command: string;
  readonly ok: boolean;
  readonly evidence: string;
}

/** The four fast checks (audit §1.1), run for real against the instance. */
export async function fastChecks(
  ctx: DemoContext,
  s: JourneyState,
  ns = NS,
  pod = POD,
): Promise<FastCheck[]> {
  const { ListOpenIDConnectProvidersCommand, GetRoleCommand } = await import('@aws-sdk/client-iam');
  const issuer = (await describeCluster(ctx)).issuer;
  const hp = issuerHostPath(issuer);
  const providers =
    (await ctx.iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList ?? [];
  const out: FastCheck[] = [];
  const match = providers.find((p) => p.Arn?.endsWith(`:oidc-provider/${hp}`));
  out.push({
    check: 'issuer vs OIDC provider',
    command: 'aws iam list-open-id-connect-providers',
    ok: match !== undefined,
    evidence: match
      ? `${match.Arn} matches ${issuer}`
      : `no provider for ${hp} (have: ${providers.map((p) => p.Arn).join(', ') || 'none'})`,
  });
  const podObj = await ctx.getPod(ns, pod);
  const saName = String((podObj.spec as Json).serviceAccountName ?? 'default');
  const sa = await ctx.getServiceAccount(ns, saName);
  const roleArn = ((sa.metadata as Json).annotations as Record<string, string> | undefined)?.[
    ROLE_ARN_ANNOTATION
  ];
  out.push({
    check: 'ServiceAccount annotation',
    command: `kubectl get sa ${saName} -n ${ns} -o yaml`,
    ok: roleArn !== undefined,
    evidence: roleArn
      ? `${ROLE_ARN_ANNOTATION}: ${roleArn}`
      : `ServiceAccount ${ns}/${saName} has no ${ROLE_ARN_ANNOTATION}`,
  });
  const env = await ctx.exec(ns, pod, ['env']);
  const aws = env.stdout
    .split('\n')
    .filter((l) =>
      /^AWS_(ROLE_ARN|WEB_IDENTITY_TOKEN_FILE|ACCESS_KEY_ID|SECRET_ACCESS_KEY|PROFILE)=/.test(l),
    );
  const injected =
    aws.some((l) => l.startsWith('AWS_ROLE_ARN=')) &&
    aws.some((l) => l.startsWith('AWS_WEB_IDENTITY_TOKEN_FILE='));
  const staticKeys = aws.some((l) => l.startsWith('AWS_ACCESS_KEY_ID='));
  out.push({
    check: 'injected environment',
    command: `kubectl exec -n ${ns} ${pod} -- env | grep AWS_`,
    ok: injected && !staticKeys,
    evidence:
      aws
        .map((l) =>
          l.replace(/=(.*)$/, (_m, v: string) => `=${v.replace(/^\/.*\/(serviceaccount\/token)$/, `…/$1`)}`),
        )
        .join(' ') || 'no AWS_ variables',
  });
  let trustOk = false;
  let trustEvidence = 'no role to compare';
  if (roleArn) {
    const tok = await ctx.exec(ns, pod, ['cat', TOKEN_PATH]);
    const claims = tok.exitCode === 0 ? decodeJwt(tok.stdout).claims : undefined;
    const name = roleArn.split('/').pop()!;
    const role = await ctx.iam.send(new GetRoleCommand({ RoleName: name })).catch(() => undefined);
    if (!role) trustEvidence = `role ${roleArn} does not exist`;
    else if (!claims) trustEvidence = `the token is unreadable: ${tok.stderr.trim()}`;
    else {
      const doc = JSON.parse(decodeURIComponent(role.Role!.AssumeRolePolicyDocument!)) as Json;
      const cond = trustConditions(doc);
      const wantSub = cond[`${hp}:sub`];
      const wantAud = cond[`${hp}:aud`];
      const audOk = wantAud === undefined || (claims.aud as string[]).includes(wantAud);
      trustOk = wantSub === claims.sub && audOk;
      trustEvidence = trustOk
        ? `token sub ${String(claims.sub)} and aud ${JSON.stringify(claims.aud)} satisfy the trust policy`
        : `token sub ${String(claims.sub)} / aud ${JSON.stringify(claims.aud)}, trust policy wants ${hp}:sub = ${wantSub} and :aud = ${wantAud}`;
    }
  }
  out.push({
    check: 'token vs trust policy',
    command: `aws iam get-role --role-name ROLE --query Role.AssumeRolePolicyDocument  # vs the token's sub/aud`,
    ok: trustOk,
    evidence: trustEvidence,
  });
  void s;
  return out;
}

/** The journey, in the seed's order. */
export const JOURNEY: readonly JourneyStep[] = [
  step1,
  step2,
  step3,
  step4,
  step5,
  step6,
  step7,
  step8,
  step9,
  step10,
];

/** Runs the journey, reporting each record as it completes. Stops early only when a step leaves nothing to build on. */
export async function runJourney(
  ctx: DemoContext,
  onRecord: (r: StepRecord, index: number) => void,
): Promise<StepRecord[]> {
  const s: JourneyState = {};
  const out: StepRecord[] = [];
  for (const [i, fn] of JOURNEY.entries()) {
    const r = await fn(ctx, s);
    out.push(r);
    onRecord(r, i);
    // Steps 1-4 build what the rest stands on; without them later steps would only report noise.
    if (!r.ok && i < 4) break;
  }
  await ctx.deletePod(NS, POD);
  return out;
}
