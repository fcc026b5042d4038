import type { AwsSide } from './aws-side.js';

export const NODE_ROLE = 'irsakit-node-role';
export const NODE_INSTANCE_PROFILE = 'irsakit-node-role';

const EC2_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

/**
 * The node's instance role. Like many real node roles it carries more than a pod should ever get —
 * here full S3 access — so the IMDS pitfall is visible: a pod that falls back to these credentials can
 * write any bucket.
 */
const NODE_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'WorkerNodeBasics',
      Effect: 'Allow',
      Action: ['ec2:Describe*', 'ecr:GetAuthorizationToken'],
      Resource: '*',
    },
    { Sid: 'TooBroadForPods', Effect: 'Allow', Action: 's3:*', Resource: '*' },
  ],
});

/** Creates the node role, its inline policy and its instance profile the first time a data directory is used. */
export async function ensureNodeRole(aws: AwsSide, account: string): Promise<void> {
  if (aws.iam.getRole(account, NODE_ROLE)) return;
  await aws.iamAction('CreateRole', {
    RoleName: NODE_ROLE,
    AssumeRolePolicyDocument: EC2_TRUST,
    Description: 'Instance role of the irsakit node (deliberately broad: see the IMDS pitfall)',
  });
  await aws.iamAction('PutRolePolicy', {
    RoleName: NODE_ROLE,
    PolicyName: 'node-permissions',
    PolicyDocument: NODE_POLICY,
  });
  await aws.iamAction('CreateInstanceProfile', { InstanceProfileName: NODE_INSTANCE_PROFILE });
  await aws.iamAction('AddRoleToInstanceProfile', {
    InstanceProfileName: NODE_INSTANCE_PROFILE,
    RoleName: NODE_ROLE,
  });
}
