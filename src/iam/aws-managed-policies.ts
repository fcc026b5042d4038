/**
 * A few AWS managed policies that IRSA setups attach, with their real ids, ARNs and current documents
 * (default version). They are not stored: they exist in every account, as in AWS, and the store only
 * records attachments to them. Kept small on purpose (ReadOnlyAccess alone is thousands of lines).
 */
export interface AwsManagedPolicy {
  readonly name: string;
  readonly arn: string;
  readonly policyId: string;
  readonly path: string;
  readonly description: string;
  readonly defaultVersionId: string;
  readonly createDate: string;
  readonly updateDate: string;
  readonly document: string;
}

const doc = (statement: unknown[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: statement }, null, 4);

export const AWS_MANAGED_POLICIES: readonly AwsManagedPolicy[] = [
  {
    name: 'AdministratorAccess',
    arn: 'arn:aws:iam::aws:policy/AdministratorAccess',
    policyId: 'ANPAIWMBCKSKIEE64ZLYK',
    path: '/',
    description: 'Provides full access to AWS services and resources.',
    defaultVersionId: 'v1',
    createDate: '2015-02-06T18:39:46Z',
    updateDate: '2015-02-06T18:39:46Z',
    document: doc([{ Effect: 'Allow', Action: '*', Resource: '*' }]),
  },
  {
    name: 'AmazonS3FullAccess',
    arn: 'arn:aws:iam::aws:policy/AmazonS3FullAccess',
    policyId: 'ANPAIFIR6V6BVTRAHWINE',
    path: '/',
    description: 'Provides full access to all buckets via the AWS Management Console.',
    defaultVersionId: 'v2',
    createDate: '2015-02-06T18:40:58Z',
    updateDate: '2021-09-27T20:16:37Z',
    document: doc([{ Effect: 'Allow', Action: ['s3:*', 's3-object-lambda:*'], Resource: '*' }]),
  },
  {
    name: 'AmazonS3ReadOnlyAccess',
    arn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
    policyId: 'ANPAIZTJ4DXE7G6AGAE6M',
    path: '/',
    description: 'Provides read only access to all buckets via the AWS Management Console.',
    defaultVersionId: 'v3',
    createDate: '2015-02-06T18:40:59Z',
    updateDate: '2023-08-10T21:31:39Z',
    document: doc([
      {
        Effect: 'Allow',
        Action: ['s3:Get*', 's3:List*', 's3:Describe*', 's3-object-lambda:Get*', 's3-object-lambda:List*'],
        Resource: '*',
      },
    ]),
  },
  {
    // The node role's policy (the IMDS fallback path uses the node's instance profile).
    name: 'AmazonEKSWorkerNodePolicy',
    arn: 'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
    policyId: 'ANPAIBVMOY52IPQ6HD3PO',
    path: '/',
    description: 'This policy allows Amazon EKS worker nodes to connect to Amazon EKS Clusters.',
    defaultVersionId: 'v3',
    createDate: '2018-05-27T21:09:01Z',
    updateDate: '2024-11-06T00:00:00Z',
    document: doc([
      {
        Sid: 'WorkerNodePermissions',
        Effect: 'Allow',
        Action: [
          'ec2:DescribeInstances',
          'ec2:DescribeInstanceTypes',
          'ec2:DescribeRouteTables',
          'ec2:DescribeSecurityGroups',
          'ec2:DescribeSubnets',
          'ec2:DescribeVolumes',
          'ec2:DescribeVolumesModifications',
          'ec2:DescribeVpcs',
          'eks:DescribeCluster',
          'eks-auth:AssumeRoleForPodIdentity',
        ],
        Resource: '*',
      },
    ]),
  },
];

const byArn = new Map(AWS_MANAGED_POLICIES.map((p) => [p.arn, p]));

export function awsManagedPolicy(arn: string): AwsManagedPolicy | undefined {
  return byArn.get(arn);
}
