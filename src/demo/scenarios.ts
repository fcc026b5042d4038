import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AddClientIDToOpenIDConnectProviderCommand,
  CreatePolicyVersionCommand,
  DeleteOpenIDConnectProviderCommand,
  DeleteRolePermissionsBoundaryCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { type Pod, projectedFileMode } from '../cluster/index.js';
import type { CheckId } from '../doctor/index.js';
import { type AppLine, type DemoContext, line, type PodRun } from './context.js';
import { doctorFor, findings } from './doctor.js';
import { blockedForOthers } from './examples.js';
import { attachScp, deniedMessage, detachScp, noIrsaPod, putBoundary } from './journey.js';
import {
  AUDIENCE,
  appContainer,
  type Baseline,
  type BaselineOptions,
  BUCKET,
  createProvider,
  describeCluster,
  type Json,
  mustApply,
  NS,
  OBJECT_BODY,
  OBJECT_KEY,
  POD,
  ROLE,
  ROLE_ARN_ANNOTATION,
  readPolicy,
  recreatePod,
  SA,
  setupBaseline,
  trustConditions,
  trustPolicy,
  yamlOf,
} from './setup.js';
import { type Expectations, type StepRecord, step } from './types.js';

/** One classic misconfiguration: set it up, show the symptom as the SDK reports it, the cause, and the fix. */
export interface Scenario {
  readonly name: string;
  readonly summary: string;
  run(ctx: DemoContext, onRecord: (r: StepRecord) => void): Promise<StepRecord[]>;
}

interface Setup extends Baseline {
  /** The pod whose app shows the symptom (default demo/s3-reader). */
  readonly podName: string;
  readonly extra: Json;
}

interface Spec {
  readonly name: string;
  readonly summary: string;
  /** What is wrong, in a sentence, and how it was set up (real commands). */
  readonly setup: { sentence: string; command: string[]; run: (ctx: DemoContext) => Promise<Setup> };
  readonly symptom: {
    sentence: string;
    check: (lines: AppLine[], s: Setup, ctx: DemoContext, expect: Expectations) => void;
  };
  readonly cause: {
    sentence: string;
    command: string[];
    /** Checks of `irsakit doctor` of which at least one must report the problem. */
    doctor?: readonly CheckId[];
    /** Extra subject fields for the doctor (action/resource for permission problems). */
    doctorSubject?: (s: Setup) => { action?: string; resource?: string; pod?: string };
    evidence?: (ctx: DemoContext, s: Setup, data: Json, expect: Expectations) => Promise<void>;
  };
  readonly fix: {
    sentence: string;
    command: (s: Setup) => string[];
    apply: (ctx: DemoContext, s: Setup) => Promise<Json | undefined>;
    /** What the app must show once fixed (default: it assumes s3-reader and reads the object). */
    verify?: (lines: AppLine[], s: Setup, ctx: DemoContext, expect: Expectations) => void;
  };
}

const OBJECT_ARN = `arn:aws:s3:::${BUCKET}/${OBJECT_KEY}`;
const NOT_AUTHORIZED = 'Not authorized to perform sts:AssumeRoleWithWebIdentity';
const RECREATE = `kubectl delete pod ${POD} -n ${NS} && kubectl apply -f pod.yaml   # or: kubectl rollout restart deployment/NAME`;

function appError(lines: AppLine[]): AppLine | undefined {
  return line(lines, 'error');
}

function expectError(lines: AppLine[], expect: Expectations, name: string, message: string | RegExp): void {
  const err = appError(lines);
  expect.equal(err?.name, name, 'the SDK error');
  if (typeof message === 'string') expect.equal(err?.message, message, 'its message');
  else expect.match(err?.message, message, 'its message');
}

function expectWorks(lines: AppLine[], ctx: DemoContext, expect: Expectations): void {
  const err = appError(lines);
  if (err) expect.that(false, `still failing: ${err.name}: ${err.message}`);
  expect.match(
    line(lines, 'identity')?.arn,
    new RegExp(`^arn:aws:sts::${ctx.account}:assumed-role/${ROLE}/`),
    'the pod assumes s3-reader',
  );
  expect.equal(line(lines, 'get')?.body, OBJECT_BODY, 'and reads the object');
}

const NODE_ROLE_SESSION = /^arn:aws:sts::\d{12}:assumed-role\/[\w+=,.@-]+\/i-[0-9a-f]+$/;

function expectNodeRole(lines: AppLine[], expect: Expectations): void {
  const id = line(lines, 'identity');
  expect.match(
    id?.arn,
    NODE_ROLE_SESSION,
    "the pod runs as the node's instance role (session named after the instance)",
  );
}

/** A summary of what the app printed, for the symptom's data. */
function seen(lines: AppLine[]): Json {
  const out: Json = {};
  for (const l of lines) {
    if (l.step === 'done' || l.step === 'sts-call') continue;
    const { step: name, ...rest } = l;
    out[name] =
      name === 'identity'
        ? rest.arn
        : name === 'credentials'
          ? { accessKeyId: rest.accessKeyId, source: rest.source }
          : rest;
  }
  return out;
}

async function base(
  ctx: DemoContext,
  o: BaselineOptions = {},
  extra: Json = {},
  podName = POD,
): Promise<Setup> {
  const b = await setupBaseline(ctx, { ...o, podName });
  return { ...b, podName, extra };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** The baseline, then `change` (an SCP, a boundary), then the pod. */
async function beforeThePod(ctx: DemoContext, change: () => Promise<Json>): Promise<Setup> {
  const b = await base(ctx, { createPod: false });
  const extra = await change();
  await mustApply(ctx, yamlOf(b.pod));
  return { ...b, extra };
}

const PROVIDER_VS_ISSUER = [
  'aws iam list-open-id-connect-providers',
  'aws eks describe-cluster --name local --query cluster.identity.oidc.issuer',
];

/** STS finds no provider for the token's exact `iss`. */
function noProvider(lines: AppLine[], s: Setup, _ctx: DemoContext, expect: Expectations): void {
  expectError(
    lines,
    expect,
    'InvalidIdentityTokenException',
    `No OpenIDConnect provider found in your account for ${s.cluster.issuer}`,
  );
}

const UPDATE_TRUST =
  'aws iam update-assume-role-policy --role-name s3-reader --policy-document file://trust-policy.json';

/** Puts examples/trust-policy.json back on the role. */
async function restoreTrustPolicy(ctx: DemoContext, s: Baseline): Promise<undefined> {
  await ctx.iam.send(
    new UpdateAssumeRolePolicyCommand({
      RoleName: ROLE,
      PolicyDocument: JSON.stringify(trustPolicy(ctx, s.cluster.issuer)),
    }),
  );
  return undefined;
}

/** `kubectl annotate sa s3-reader eks.amazonaws.com/role-arn=ROLE_ARN --overwrite`. */
async function annotateRole(ctx: DemoContext, s: Baseline): Promise<void> {
  const sa = structuredClone(s.serviceAccount);
  ((sa.metadata as Json).annotations as Record<string, string>)[ROLE_ARN_ANNOTATION] = s.roleArn;
  await mustApply(ctx, yamlOf(sa));
}

const WEBHOOK_PATH = '/k8s/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations';

function cleanObject(o: Json): Json {
  const copy = structuredClone(o);
  const md = copy.metadata as Json;
  for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields'])
    delete md[k];
  delete copy.status;
  return copy;
}

const specs: Spec[] = [
  {
    name: 'missing-provider',
    summary: 'no IAM OIDC identity provider for the cluster issuer',
    setup: {
      sentence: 'Everything is in place except the IAM OIDC identity provider for the cluster issuer.',
      command: [
        '# skipped: aws iam create-open-id-connect-provider --url "$ISSUER" --client-id-list sts.amazonaws.com',
      ],
      run: (ctx) => base(ctx, { provider: false }),
    },
    symptom: {
      sentence: 'STS cannot find a provider for the token\'s "iss" and rejects the token.',
      check: noProvider,
    },
    cause: {
      sentence: "No ARN in the account's provider list ends with the issuer's host and path.",
      command: PROVIDER_VS_ISSUER,
      doctor: ['oidc-provider'],
    },
    fix: {
      sentence: 'Create the provider for the exact issuer URL, then restart the pod.',
      command: (s) => [
        `aws iam create-open-id-connect-provider --url ${s.cluster.issuer} --client-id-list sts.amazonaws.com`,
        RECREATE,
      ],
      apply: async (ctx, s) => ({
        providerArn: await createProvider(ctx, s.cluster.issuer, [AUDIENCE], s.cluster.thumbprint),
      }),
    },
  },
  {
    name: 'issuer-mismatch',
    summary: 'the provider URL differs from the issuer (here: a trailing slash)',
    setup: {
      sentence:
        'The OIDC provider was created with the issuer URL plus a trailing slash; IAM keeps the URL as given.',
      command: [
        'aws iam create-open-id-connect-provider --url "$ISSUER/" --client-id-list sts.amazonaws.com',
      ],
      run: async (ctx) => {
        const c = await describeCluster(ctx);
        return base(ctx, { provider: { url: `${c.issuer}/` } });
      },
    },
    symptom: {
      sentence: 'STS looks the provider up by the token\'s exact "iss"; the slash makes it a different URL.',
      check: noProvider,
    },
    cause: {
      sentence: "The provider's Url and the cluster's issuer differ by one character.",
      command: PROVIDER_VS_ISSUER,
      doctor: ['oidc-provider'],
      evidence: async (_ctx, s, data, expect) => {
        data.providerArn = s.providerArn;
        data.issuer = s.cluster.issuer;
        expect.that(s.providerArn?.endsWith('/'), 'the provider ARN ends with a slash');
      },
    },
    fix: {
      sentence:
        'Delete the provider and create it again with the issuer URL exactly as describe-cluster prints it.',
      command: (s) => [
        `aws iam delete-open-id-connect-provider --open-id-connect-provider-arn ${s.providerArn}`,
        `aws iam create-open-id-connect-provider --url ${s.cluster.issuer} --client-id-list sts.amazonaws.com`,
        RECREATE,
      ],
      apply: async (ctx, s) => {
        await ctx.iam.send(
          new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: s.providerArn }),
        );
        return { providerArn: await createProvider(ctx, s.cluster.issuer, [AUDIENCE], s.cluster.thumbprint) };
      },
    },
  },
  {
    name: 'wrong-audience',
    summary: "the token's audience is not in the provider's ClientIDList",
    setup: {
      sentence:
        'The provider lists the client ID "sts.amazon.com" (a real-world typo) instead of sts.amazonaws.com.',
      command: ['aws iam create-open-id-connect-provider --url "$ISSUER" --client-id-list sts.amazon.com'],
      run: (ctx) => base(ctx, { provider: { clientIds: ['sts.amazon.com'] } }),
    },
    symptom: {
      sentence: 'STS checks the token\'s "aud" against the provider\'s client IDs before anything else.',
      check: (lines, _s, _ctx, expect) =>
        expectError(lines, expect, 'InvalidIdentityTokenException', 'Incorrect token audience'),
    },
    cause: {
      sentence: 'The token says aud ["sts.amazonaws.com"]; the provider only accepts "sts.amazon.com".',
      command: [
        'aws iam get-open-id-connect-provider --open-id-connect-provider-arn "$PROVIDER_ARN" --query ClientIDList',
      ],
      doctor: ['oidc-provider', 'token'],
    },
    fix: {
      sentence: "Add the token's audience to the provider's client IDs.",
      command: (s) => [
        `aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn ${s.providerArn} --client-id sts.amazonaws.com`,
        RECREATE,
      ],
      apply: async (ctx, s) => {
        await ctx.iam.send(
          new AddClientIDToOpenIDConnectProviderCommand({
            OpenIDConnectProviderArn: s.providerArn,
            ClientID: AUDIENCE,
          }),
        );
        return undefined;
      },
    },
  },
  {
    name: 'sub-mismatch',
    summary: 'the trust policy names the wrong namespace or ServiceAccount in :sub',
    setup: {
      sentence:
        'The trust policy pins :sub to system:serviceaccount:default:s3-reader, but the pod runs in namespace demo.',
      command: [UPDATE_TRUST],
      run: (ctx) =>
        base(ctx, {
          trust: (doc, hp) => {
            trustConditions(doc)[`${hp}:sub`] = `system:serviceaccount:default:${SA}`;
          },
        }),
    },
    symptom: {
      sentence: 'The token is valid, but the trust policy does not match it, and STS says only that.',
      check: (lines, _s, _ctx, expect) => expectError(lines, expect, 'AccessDenied', NOT_AUTHORIZED),
    },
    cause: {
      sentence:
        'The token\'s "sub" is system:serviceaccount:demo:s3-reader; the StringEquals condition wants the default namespace.',
      command: ['aws iam get-role --role-name s3-reader --query Role.AssumeRolePolicyDocument'],
      doctor: ['trust-policy'],
    },
    fix: {
      sentence: 'Correct the :sub condition (namespace and ServiceAccount name exactly as in the cluster).',
      command: () => [UPDATE_TRUST, RECREATE],
      apply: restoreTrustPolicy,
    },
  },
  {
    name: 'aud-condition',
    summary: 'the trust policy :aud condition is wrong',
    setup: {
      sentence: 'The trust policy pins :aud to "sts.amazonaws.com.cn" (copied from a China-region template).',
      command: [UPDATE_TRUST],
      run: (ctx) =>
        base(ctx, {
          trust: (doc, hp) => {
            trustConditions(doc)[`${hp}:aud`] = 'sts.amazonaws.com.cn';
          },
        }),
    },
    symptom: {
      sentence: 'The provider accepts the audience, the trust policy does not.',
      check: (lines, _s, _ctx, expect) => expectError(lines, expect, 'AccessDenied', NOT_AUTHORIZED),
    },
    cause: {
      sentence: 'The token\'s "aud" is sts.amazonaws.com; the :aud condition wants sts.amazonaws.com.cn.',
      command: ['aws iam get-role --role-name s3-reader --query Role.AssumeRolePolicyDocument'],
      doctor: ['trust-policy'],
    },
    fix: {
      sentence: 'Set the :aud condition to sts.amazonaws.com.',
      command: () => [UPDATE_TRUST, RECREATE],
      apply: restoreTrustPolicy,
    },
  },
  {
    name: 'role-arn-typo',
    summary: 'the ServiceAccount annotation names a role that does not exist',
    setup: {
      sentence: 'The ServiceAccount annotation says role/s3-raeder; the role is s3-reader.',
      command: [
        `kubectl annotate sa ${SA} -n ${NS} --overwrite eks.amazonaws.com/role-arn=arn:aws:iam::ACCOUNT:role/s3-raeder`,
      ],
      run: async (ctx) => base(ctx, { annotation: `arn:aws:iam::${ctx.account}:role/s3-raeder` }),
    },
    symptom: {
      sentence:
        'STS does not say whether the role exists: a missing role and a refusing trust policy look the same.',
      check: (lines, _s, _ctx, expect) => expectError(lines, expect, 'AccessDenied', NOT_AUTHORIZED),
    },
    cause: {
      sentence: 'AWS_ROLE_ARN in the pod names a role the account does not have.',
      command: [`kubectl get sa ${SA} -n ${NS} -o yaml`, 'aws iam get-role --role-name s3-raeder'],
      doctor: ['service-account', 'trust-policy'],
    },
    fix: {
      sentence: 'Correct the annotation, then recreate the pod (the webhook only injects at creation).',
      command: (s) => [
        `kubectl annotate sa ${SA} -n ${NS} --overwrite eks.amazonaws.com/role-arn=${s.roleArn}`,
        RECREATE,
      ],
      apply: async (ctx, s) => {
        await annotateRole(ctx, s);
        return undefined;
      },
    },
  },
  {
    name: 'pod-before-annotation',
    summary: 'the pod was created before the ServiceAccount had its annotation',
    setup: {
      sentence:
        'The pod was created while the ServiceAccount had no role annotation; the annotation was added afterwards.',
      command: [
        'kubectl apply -f pod.yaml',
        `kubectl annotate sa ${SA} -n ${NS} eks.amazonaws.com/role-arn=arn:aws:iam::ACCOUNT:role/s3-reader`,
      ],
      run: async (ctx) => {
        const b = await base(ctx, { annotation: null });
        await annotateRole(ctx, b);
        return b;
      },
    },
    symptom: {
      sentence:
        "The pod has no AWS_ROLE_ARN, so the SDK's chain falls through to IMDS: the pod silently runs as the node role.",
      check: (lines, _s, _ctx, expect) => expectNodeRole(lines, expect),
    },
    cause: {
      sentence:
        'The webhook mutates pods only at CREATE; this pod predates the annotation and was never injected.',
      command: [
        `kubectl get pod ${POD} -n ${NS} -o yaml | grep -A1 AWS_`,
        `kubectl get sa ${SA} -n ${NS} -o yaml`,
      ],
      doctor: ['pod-mutation'],
    },
    fix: {
      sentence: 'Recreate the pod now that the ServiceAccount is annotated.',
      command: () => [RECREATE],
      apply: async () => undefined,
    },
  },
  {
    name: 'webhook-down',
    summary: 'the pod identity webhook is unavailable (failurePolicy: Ignore admits the pod unmutated)',
    setup: {
      sentence:
        'The webhook registration points at an endpoint nobody listens on; with failurePolicy Ignore the API server admits the pod anyway.',
      command: [
        'kubectl get mutatingwebhookconfiguration pod-identity-webhook -o yaml',
        'kubectl -n kube-system scale deployment pod-identity-webhook --replicas=0',
      ],
      run: async (ctx) => {
        const live = await ctx.control<Json>('GET', `${WEBHOOK_PATH}/pod-identity-webhook`);
        const original = cleanObject(live);
        const broken = structuredClone(original);
        const hook = (broken.webhooks as Json[])[0]!;
        const port = await freePort();
        (hook.clientConfig as Json).url = `https://127.0.0.1:${port}/mutate`;
        await ctx.control('DELETE', `${WEBHOOK_PATH}/pod-identity-webhook`);
        await ctx.control('POST', WEBHOOK_PATH, broken);
        const b = await setupBaseline(ctx, { podName: POD });
        return { ...b, podName: POD, extra: { original, deadUrl: (hook.clientConfig as Json).url } };
      },
    },
    symptom: {
      sentence: 'Nothing fails at admission; the pod has no IRSA and runs as the node role.',
      check: (lines, _s, _ctx, expect) => expectNodeRole(lines, expect),
    },
    cause: {
      sentence:
        'The API server could not call the webhook and, as failurePolicy Ignore says, admitted the pod unmutated.',
      command: [
        'kubectl get mutatingwebhookconfiguration pod-identity-webhook -o yaml',
        `kubectl get pod ${POD} -n ${NS} -o yaml | grep AWS_ROLE_ARN`,
      ],
      doctor: ['pod-mutation'],
      evidence: async (_ctx, s, data) => {
        data.webhookUrl = s.extra.deadUrl;
      },
    },
    fix: {
      sentence: 'Bring the webhook back, then recreate the pods created while it was down.',
      command: () => ['kubectl -n kube-system scale deployment pod-identity-webhook --replicas=1', RECREATE],
      apply: async (ctx, s) => {
        await ctx.control('DELETE', `${WEBHOOK_PATH}/pod-identity-webhook`);
        await ctx.control('POST', WEBHOOK_PATH, s.extra.original);
        return undefined;
      },
    },
  },
  {
    name: 'no-fsgroup',
    summary: 'a non-root container cannot read a 0600 token without fsGroup',
    setup: {
      sentence:
        'The app runs as uid 1000 beside a root sidecar, and the pod projects its own aws-iam-token volume with defaultMode 0600 (as hardened templates and clusters before 1.19 do), with no fsGroup.',
      command: ['kubectl apply -f pod.yaml   # securityContext.runAsUser: 1000, no fsGroup'],
      run: (ctx) => {
        // The app itself must be reachable for uid 1000, or the pod fails before it ever opens the token.
        const blocked = blockedForOthers(join(ctx.examplesDir, 'app.mjs'));
        if (blocked) {
          throw new Error(
            `uid 1000 cannot reach the app: ${blocked} is closed to other users; run irsakit from a world-readable directory for this scenario`,
          );
        }
        return base(ctx, {
          pod: (pod) => {
            const spec = pod.spec as Json;
            const c = appContainer(pod);
            c.securityContext = { runAsUser: 1000 };
            (spec.containers as Json[]).push({
              name: 'log-shipper',
              image: 'busybox',
              command: ['sleep', '5'],
            });
            spec.volumes = [
              {
                name: 'aws-iam-token',
                projected: {
                  defaultMode: 0o600,
                  sources: [
                    { serviceAccountToken: { audience: AUDIENCE, expirationSeconds: 86400, path: 'token' } },
                  ],
                },
              },
            ];
          },
        });
      },
    },
    symptom: {
      sentence: 'The SDK finds AWS_WEB_IDENTITY_TOKEN_FILE but cannot open it.',
      check: (lines, _s, _ctx, expect) =>
        expectError(lines, expect, 'Error', /^EACCES: permission denied, open '.*\/token'$/),
    },
    cause: {
      sentence: 'The token file is 0600 and owned by root; uid 1000 is neither its owner nor in its group.',
      command: [
        `kubectl exec -n ${NS} ${POD} -c app -- ls -ln /var/run/secrets/eks.amazonaws.com/serviceaccount/`,
        `kubectl exec -n ${NS} ${POD} -c app -- id`,
      ],
      doctor: ['token'],
      // The kubelet's own rule, beside the doctor's finding: the mode and owner it gave the file.
      evidence: async (ctx, s, data, expect) => {
        const live = (await ctx.getPod(NS, s.podName)) as unknown as Pod;
        const vol = (live.spec.volumes ?? []).find((v) => v.name === 'aws-iam-token');
        const f = projectedFileMode(live, vol?.projected?.defaultMode ?? 0o644, true);
        const runAs = live.spec.containers[0]?.securityContext?.runAsUser;
        data.tokenFile = { mode: `0${f.mode.toString(8)}`, owner: `${f.uid}:${f.gid}` };
        data.appRunsAs = { uid: runAs, fsGroup: live.spec.securityContext?.fsGroup ?? null };
        expect.that(
          runAs !== f.uid && (f.mode & 0o004) === 0,
          'the app user can neither own nor read the token file',
        );
      },
    },
    fix: {
      sentence: 'Give the pod an fsGroup: the kubelet makes the token group-readable for it.',
      command: () => [
        `kubectl patch deployment NAME -p '{"spec":{"template":{"spec":{"securityContext":{"fsGroup":65534}}}}}'`,
        RECREATE,
      ],
      apply: async (_ctx, s) => {
        const spec = s.pod.spec as Json;
        spec.securityContext = { ...((spec.securityContext as Json | undefined) ?? {}), fsGroup: 65534 };
        return undefined;
      },
    },
  },
  {
    name: 'bucket-vs-object-arn',
    summary: 'the policy grants s3:GetObject on arn:aws:s3:::bucket where bucket/* is needed',
    setup: {
      sentence:
        'The permission policy grants s3:GetObject on arn:aws:s3:::irsa-demo-bucket, the bucket, not its objects.',
      command: [
        'aws iam create-policy --policy-name s3-read-irsa-demo-bucket --policy-document file://s3-read-policy.json',
      ],
      run: (ctx) =>
        base(ctx, {
          policy: (doc) => {
            (doc.Statement as Json[])[1]!.Resource = `arn:aws:s3:::${BUCKET}`;
          },
        }),
    },
    symptom: {
      sentence: 'Listing works (it is a bucket action); reading an object is denied.',
      check: (lines, _s, _ctx, expect) => {
        expect.equal(line(lines, 'list')?.keys, [OBJECT_KEY], 'ListObjectsV2 works');
        const d = line(lines, 'read-denied');
        expect.equal(d?.name, 'AccessDenied', 'GetObject is denied');
        expect.equal(
          d?.message,
          deniedMessage(
            String(line(lines, 'identity')?.arn),
            's3:GetObject',
            OBJECT_ARN,
            'because no identity-based policy allows the s3:GetObject action',
          ),
          "AWS's message",
        );
      },
    },
    cause: {
      sentence: 'Object actions match object ARNs (bucket/key); the statement names only the bucket ARN.',
      command: [
        `aws iam simulate-principal-policy --policy-source-arn ROLE_ARN --action-names s3:GetObject --resource-arns ${OBJECT_ARN}`,
      ],
      doctor: ['permissions'],
      doctorSubject: () => ({ action: 's3:GetObject', resource: OBJECT_ARN }),
    },
    fix: {
      sentence: 'Grant s3:GetObject on arn:aws:s3:::irsa-demo-bucket/* in a new default policy version.',
      command: (s) => [
        `aws iam create-policy-version --policy-arn ${s.policyArn} --policy-document file://s3-read-policy.json --set-as-default`,
        RECREATE,
      ],
      apply: async (ctx, s) => {
        await ctx.iam.send(
          new CreatePolicyVersionCommand({
            PolicyArn: s.policyArn,
            PolicyDocument: JSON.stringify(readPolicy(ctx, s.cluster.issuer)),
            SetAsDefault: true,
          }),
        );
        return undefined;
      },
    },
  },
  {
    name: 'scp-deny',
    summary: 'a service control policy denies what the role grants',
    setup: {
      sentence: 'An SCP attached to the account denies s3:GetObject on the bucket.',
      command: [
        'aws organizations create-policy --type SERVICE_CONTROL_POLICY --name deny-reading-demo-objects --content file://scp.json',
        'aws organizations attach-policy --policy-id p-… --target-id ACCOUNT',
      ],
      run: (ctx) => beforeThePod(ctx, async () => ({ scpId: await attachScp(ctx) })),
    },
    symptom: {
      sentence: 'The role allows the read; the organization does not.',
      check: (lines, _s, _ctx, expect) => {
        const d = line(lines, 'read-denied');
        expect.equal(d?.name, 'AccessDenied', 'GetObject is denied');
        expect.match(
          d?.message,
          new RegExp(
            `^${escapeRe(deniedMessage(String(line(lines, 'identity')?.arn), 's3:GetObject', OBJECT_ARN, 'with an explicit deny in a service control policy'))}`,
          ),
          "AWS's message",
        );
      },
    },
    cause: {
      sentence: 'An explicit Deny in an SCP wins over every Allow in the account.',
      command: [
        'aws organizations list-policies-for-target --target-id ACCOUNT --filter SERVICE_CONTROL_POLICY',
        `aws iam simulate-principal-policy --policy-source-arn ROLE_ARN --action-names s3:GetObject --resource-arns ${OBJECT_ARN}`,
      ],
      doctor: ['permissions'],
      doctorSubject: () => ({ action: 's3:GetObject', resource: OBJECT_ARN }),
    },
    fix: {
      sentence: 'Detach (or narrow) the SCP; it is the organization administrators who own it.',
      command: (s) => [
        `aws organizations detach-policy --policy-id ${String(s.extra.scpId)} --target-id ACCOUNT`,
        `aws organizations delete-policy --policy-id ${String(s.extra.scpId)}`,
        RECREATE,
      ],
      apply: async (ctx, s) => {
        await detachScp(ctx, String(s.extra.scpId));
        return undefined;
      },
    },
  },
  {
    name: 'boundary-deny',
    summary: 'a permissions boundary caps what the role grants',
    setup: {
      sentence: 'The role has a permissions boundary that allows only s3:ListBucket.',
      command: [
        'aws iam put-role-permissions-boundary --role-name s3-reader --permissions-boundary arn:aws:iam::ACCOUNT:policy/list-only-boundary',
      ],
      run: (ctx) => beforeThePod(ctx, async () => ({ boundaryArn: await putBoundary(ctx) })),
    },
    symptom: {
      sentence: "Listing works; reading is denied although the role's own policy allows it.",
      check: (lines, _s, _ctx, expect) => {
        const d = line(lines, 'read-denied');
        expect.equal(
          d?.message,
          deniedMessage(
            String(line(lines, 'identity')?.arn),
            's3:GetObject',
            OBJECT_ARN,
            'because no permissions boundary allows the s3:GetObject action',
          ),
          "AWS's message",
        );
      },
    },
    cause: {
      sentence: 'Effective permissions are the intersection of the identity policies and the boundary.',
      command: ['aws iam get-role --role-name s3-reader --query Role.PermissionsBoundary'],
      doctor: ['permissions'],
      doctorSubject: () => ({ action: 's3:GetObject', resource: OBJECT_ARN }),
    },
    fix: {
      sentence: 'Widen the boundary to include s3:GetObject, or remove it.',
      command: () => ['aws iam delete-role-permissions-boundary --role-name s3-reader', RECREATE],
      apply: async (ctx) => {
        await ctx.iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: ROLE }));
        return undefined;
      },
    },
  },
  {
    name: 'imds-leak',
    summary: "a pod without IRSA falls back to the node role's credentials through IMDS",
    setup: {
      sentence:
        "A pod runs with the namespace's default ServiceAccount (no role annotation) on a node with IMDSv1 allowed and hop limit 2.",
      command: ['kubectl run no-irsa -n demo --image=amazon/aws-cli -- sts get-caller-identity'],
      run: async (ctx) => {
        const b = await base(ctx, { createPod: false });
        const pod = noIrsaPod(ctx, b.cluster.issuer, 'no-irsa');
        await mustApply(ctx, yamlOf(pod));
        return { ...b, pod, podName: 'no-irsa', extra: {} };
      },
    },
    symptom: {
      sentence: "Nothing fails: the pod gets the node role's credentials, which here may write any bucket.",
      check: (lines, _s, _ctx, expect) => {
        expectNodeRole(lines, expect);
        expect.equal(line(lines, 'put')?.key, 'written-by-pod.txt', 'and it can write the bucket with them');
      },
    },
    cause: {
      sentence:
        'No web identity in the pod, so the SDK asks IMDS, which answers any local process with HttpTokens optional.',
      command: [
        'aws ec2 describe-instances --query "Reservations[].Instances[].MetadataOptions"',
        'kubectl exec -n demo no-irsa -- curl -s 169.254.169.254/latest/meta-data/iam/security-credentials/',
      ],
      doctor: ['imds', 'service-account'],
      doctorSubject: () => ({ pod: 'no-irsa' }),
      evidence: async (ctx, _s, data) => {
        data.metadataOptions = (
          await ctx.control<Json>('GET', '/node/metadata-options')
        ).InstanceMetadataOptions;
      },
    },
    fix: {
      sentence: 'Require IMDSv2 tokens with a hop limit of 1 (and give the workload its own IRSA role).',
      command: () => [
        'aws ec2 modify-instance-metadata-options --instance-id i-… --http-tokens required --http-put-response-hop-limit 1',
        'kubectl delete pod no-irsa -n demo && kubectl run no-irsa …',
      ],
      apply: async (ctx) => ({
        metadataOptions: (
          await ctx.control<Json>('PUT', '/node/metadata-options', {
            HttpTokens: 'required',
            HttpPutResponseHopLimit: 1,
          })
        ).InstanceMetadataOptions,
      }),
      verify: (lines, _s, _ctx, expect) => {
        expect.equal(
          appError(lines)?.name,
          'CredentialsProviderError',
          'the pod without IRSA now gets no credentials',
        );
      },
    },
  },
  {
    name: 'expired-token',
    summary: 'the pod presents a token that has expired (a copy the kubelet never refreshes)',
    setup: {
      sentence:
        'A token made once with `kubectl create token --duration 10m` was saved to a file the pod mounts; 11 minutes later (the instance clock is moved) it is still the one the SDK reads.',
      command: [
        `kubectl create token ${SA} -n ${NS} --audience sts.amazonaws.com --duration 10m > token`,
        'kubectl apply -f pod.yaml   # AWS_WEB_IDENTITY_TOKEN_FILE=/var/run/secrets/saved/token',
      ],
      run: async (ctx) => {
        if (!ctx.target.advanceClock)
          throw new Error('this scenario moves the clock: run it without --endpoint');
        const b = await base(ctx, { annotation: null, createPod: false });
        const minted = await ctx.control<{ token: string; claims: Json }>('POST', '/clusters/local/token', {
          namespace: NS,
          serviceAccount: SA,
          audiences: [AUDIENCE],
          expirationSeconds: 600,
        });
        const dir = mkdtempSync(join(tmpdir(), 'irsakit-saved-token-'));
        writeFileSync(join(dir, 'token'), minted.token, { mode: 0o644 });
        ctx.target.advanceClock(660_000);
        const pod = structuredClone(b.pod);
        const c = appContainer(pod) as Json & { env?: { name: string; value?: string }[] };
        c.env = [
          ...(c.env ?? []),
          { name: 'AWS_ROLE_ARN', value: b.roleArn },
          { name: 'AWS_WEB_IDENTITY_TOKEN_FILE', value: '/var/run/secrets/saved/token' },
        ];
        c.volumeMounts = [{ name: 'saved-token', mountPath: '/var/run/secrets/saved', readOnly: true }];
        (pod.spec as Json).volumes = [{ name: 'saved-token', hostPath: { path: dir } }];
        await mustApply(ctx, yamlOf(pod));
        return { ...b, pod, extra: { dir, exp: minted.claims.exp } };
      },
    },
    symptom: {
      sentence: 'STS checks "exp" against its own clock.',
      check: (lines, s, _ctx, expect) =>
        expectError(
          lines,
          expect,
          'ExpiredTokenException',
          new RegExp(
            `^Token expired: current date/time \\d+ must be before the expiration date/time${String(s.extra.exp)}$`,
          ),
        ),
    },
    cause: {
      sentence:
        'The saved token expired 60 seconds ago; nothing rewrites that file, unlike the projected aws-iam-token the kubelet refreshes at 80% of its life.',
      command: [
        "kubectl exec -n demo s3-reader -- sh -c 'cut -d. -f2 $AWS_WEB_IDENTITY_TOKEN_FILE | base64 -d'",
      ],
      evidence: async (_ctx, s, data, expect) => {
        data.tokenExp = new Date(Number(s.extra.exp) * 1000).toISOString();
        expect.that(
          Number(s.extra.exp) * 1000 < Date.now() + 660_000,
          'the token is past its exp on the instance clock',
        );
      },
    },
    fix: {
      sentence:
        'Let the webhook project a token the kubelet keeps fresh: annotate the ServiceAccount, drop the hand-made file, recreate the pod.',
      command: (s) => [
        `kubectl annotate sa ${SA} -n ${NS} eks.amazonaws.com/role-arn=${s.roleArn}`,
        RECREATE,
      ],
      apply: async (ctx, s) => {
        await annotateRole(ctx, s);
        const c = appContainer(s.pod) as Json & { env?: { name: string }[] };
        c.env = (c.env ?? []).filter((e) => !e.name.startsWith('AWS_'));
        delete c.volumeMounts;
        delete (s.pod.spec as Json).volumes;
        rmSync(String(s.extra.dir), { recursive: true, force: true });
        return undefined;
      },
    },
  },
  {
    name: 'static-keys-override',
    summary: 'static AWS_ACCESS_KEY_ID in the pod env wins over IRSA',
    setup: {
      sentence:
        'The pod spec still carries AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from before IRSA (a revoked key).',
      command: ['kubectl apply -f pod.yaml   # env: AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE …'],
      run: (ctx) =>
        base(ctx, {
          pod: (pod) => {
            const c = appContainer(pod);
            c.env = [
              ...(c.env ?? []),
              { name: 'AWS_ACCESS_KEY_ID', value: 'AKIAIOSFODNN7EXAMPLE' },
              { name: 'AWS_SECRET_ACCESS_KEY', value: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
            ];
          },
        }),
    },
    symptom: {
      sentence: "The webhook injected IRSA, but environment keys come first in the SDK's chain.",
      check: (lines, _s, _ctx, expect) =>
        expectError(
          lines,
          expect,
          'InvalidClientTokenId',
          'The security token included in the request is invalid.',
        ),
    },
    cause: {
      sentence:
        'The default chain takes AWS_ACCESS_KEY_ID before AWS_WEB_IDENTITY_TOKEN_FILE; IRSA is never tried.',
      command: [`kubectl exec -n ${NS} ${POD} -- env | grep AWS_`],
      doctor: ['credential-precedence'],
    },
    fix: {
      sentence:
        'Remove the static keys from the pod spec (and the Secret they came from), then recreate the pod.',
      command: () => ['kubectl set env deployment/NAME AWS_ACCESS_KEY_ID- AWS_SECRET_ACCESS_KEY-', RECREATE],
      apply: async (_ctx, s) => {
        const c = appContainer(s.pod) as Json & { env?: { name: string }[] };
        c.env = (c.env ?? []).filter((e) => !/^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY)$/.test(e.name));
        return undefined;
      },
    },
  },
];

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function toScenario(spec: Spec): Scenario {
  const id = (phase: string) => `${spec.name}:${phase}`;
  return {
    name: spec.name,
    summary: spec.summary,
    async run(ctx, onRecord) {
      const out: StepRecord[] = [];
      const emit = (r: StepRecord) => {
        out.push(r);
        onRecord(r);
        return r;
      };
      let setup: Setup | undefined;
      const r0 = emit(
        await step(
          {
            id: id('setup'),
            title: `Set up: ${spec.summary}`,
            sentence: spec.setup.sentence,
            command: spec.setup.command,
          },
          async (data) => {
            setup = await spec.setup.run(ctx);
            data.issuer = setup.cluster.issuer;
            data.roleArn = setup.roleArn;
            data.pod = `${NS}/${setup.podName}`;
          },
        ),
      );
      if (!r0.ok || !setup) return out;
      const s = setup;
      let run: PodRun | undefined;
      emit(
        await step(
          {
            id: id('symptom'),
            title: 'Symptom, as the SDK reports it',
            sentence: spec.symptom.sentence,
            command: [`kubectl logs -n ${NS} ${s.podName}`],
          },
          async (data, expect) => {
            run = await ctx.waitForApp(NS, s.podName);
            data.app = seen(run.lines);
            if (run.lines.length === 0) data.log = run.log;
            spec.symptom.check(run.lines, s, ctx, expect);
          },
        ),
      );
      emit(
        await step(
          {
            id: id('cause'),
            title: 'Cause',
            sentence: spec.cause.sentence,
            command: [...spec.cause.command, `irsakit doctor --pod ${s.podName} -n ${NS}`],
          },
          async (data, expect) => {
            await spec.cause.evidence?.(ctx, s, data, expect);
            if (spec.cause.doctor) {
              const subject = { namespace: NS, pod: s.podName, ...(spec.cause.doctorSubject?.(s) ?? {}) };
              const report = await doctorFor(ctx, subject);
              const found = findings(report);
              const wanted = spec.cause.doctor;
              data.doctor = found.filter((f) => wanted.includes(f.check as CheckId));
              const others = found.filter((f) => !wanted.includes(f.check as CheckId));
              if (others.length) data.doctorAlsoFound = others.map((f) => `${f.check}: ${f.status}`);
              expect.that(
                found.some((f) => spec.cause.doctor!.includes(f.check as CheckId)),
                `irsakit doctor reports it under ${spec.cause.doctor.join(' or ')} (it reported: ${found.map((f) => `${f.check} ${f.status}`).join(', ') || 'nothing'})`,
              );
            }
          },
        ),
      );
      emit(
        await step(
          {
            id: id('fix'),
            title: 'Fix, and the pod again',
            sentence: spec.fix.sentence,
            command: spec.fix.command(s),
          },
          async (data, expect) => {
            const extra = await spec.fix.apply(ctx, s);
            if (extra) Object.assign(data, extra);
            await recreatePod(ctx, s.pod);
            const again = await ctx.waitForApp(NS, s.podName);
            data.app = seen(again.lines);
            if (spec.fix.verify) spec.fix.verify(again.lines, s, ctx, expect);
            else expectWorks(again.lines, ctx, expect);
          },
        ),
      );
      await ctx.deletePod(NS, s.podName);
      return out;
    },
  };
}

/** Every scenario, in the order of the audit's failure catalogue. */
export const SCENARIOS: readonly Scenario[] = specs.map(toScenario);
