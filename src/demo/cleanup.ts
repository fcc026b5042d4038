import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import {
  DeleteOpenIDConnectProviderCommand,
  DeletePolicyCommand,
  DeleteRoleCommand,
  DeleteRolePermissionsBoundaryCommand,
  DetachRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListPoliciesCommand,
} from '@aws-sdk/client-iam';
import {
  DetachPolicyCommand,
  ListTargetsForPolicyCommand,
  DeletePolicyCommand as OrgDeletePolicyCommand,
  ListPoliciesCommand as OrgListPoliciesCommand,
} from '@aws-sdk/client-organizations';
import { DeleteBucketCommand, DeleteObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { DemoContext } from './context.js';
import { issuerHostPath } from './examples.js';
import { BUCKET, NS, ROLE } from './setup.js';

/** Names the journey and the scenarios create, and nothing else. */
const POLICIES = ['s3-read-irsa-demo-bucket', 'list-only-boundary'];
const SCP_NAME = 'deny-reading-demo-objects';

async function quietly(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch {
    // already gone
  }
}

/**
 * Removes what a demo run creates in an instance it did not start (--endpoint): the demo namespace's pods,
 * the role, its policies, the SCP, the bucket and the provider for the cluster's issuer. Best effort: anything
 * already absent is skipped, so it also clears what an interrupted run left behind.
 */
export async function removeDemoObjects(ctx: DemoContext): Promise<void> {
  const pods = await ctx
    .control<{ items?: { metadata: { name: string } }[] }>('GET', `/k8s/api/v1/namespaces/${NS}/pods`)
    .catch(() => ({ items: [] }));
  for (const p of pods.items ?? []) await ctx.deletePod(NS, p.metadata.name);

  await quietly(() => ctx.iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: ROLE })));
  await quietly(async () => {
    const attached = await ctx.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: ROLE }));
    for (const p of attached.AttachedPolicies ?? []) {
      await ctx.iam.send(new DetachRolePolicyCommand({ RoleName: ROLE, PolicyArn: p.PolicyArn }));
    }
  });
  await quietly(() => ctx.iam.send(new DeleteRoleCommand({ RoleName: ROLE })));
  await quietly(async () => {
    const local = await ctx.iam.send(new ListPoliciesCommand({ Scope: 'Local' }));
    for (const p of local.Policies ?? []) {
      if (POLICIES.includes(p.PolicyName ?? ''))
        await quietly(() => ctx.iam.send(new DeletePolicyCommand({ PolicyArn: p.Arn })));
    }
  });
  await quietly(async () => {
    const scps = await ctx.org.send(new OrgListPoliciesCommand({ Filter: 'SERVICE_CONTROL_POLICY' }));
    for (const p of scps.Policies ?? []) {
      if (p.Name !== SCP_NAME) continue;
      const targets = await ctx.org.send(new ListTargetsForPolicyCommand({ PolicyId: p.Id }));
      for (const t of targets.Targets ?? [])
        await ctx.org.send(new DetachPolicyCommand({ PolicyId: p.Id, TargetId: t.TargetId }));
      await ctx.org.send(new OrgDeletePolicyCommand({ PolicyId: p.Id }));
    }
  });
  await quietly(async () => {
    const objects = await ctx.s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    for (const o of objects.Contents ?? [])
      await ctx.s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: o.Key }));
    await ctx.s3.send(new DeleteBucketCommand({ Bucket: BUCKET }));
  });
  await quietly(async () => {
    const issuer = (await ctx.eks.send(new DescribeClusterCommand({ name: 'local' }))).cluster?.identity?.oidc
      ?.issuer;
    if (!issuer) return;
    for (const url of [issuerHostPath(issuer), `${issuerHostPath(issuer)}/`]) {
      await quietly(() =>
        ctx.iam.send(
          new DeleteOpenIDConnectProviderCommand({
            OpenIDConnectProviderArn: `arn:aws:iam::${ctx.account}:oidc-provider/${url}`,
          }),
        ),
      );
    }
  });
}
