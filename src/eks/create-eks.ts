import { type AwsContext, AwsError, type RestJsonService } from '../aws/service.js';
import type { ClusterInfo } from '../oidc/types.js';

export interface EksOptions {
  /** The local clusters, read on every call (clusters come and go while the emulator runs). */
  readonly clusters: () => readonly ClusterInfo[];
  /** Where `cluster.endpoint` points (the local API server or the emulator), e.g. https://127.0.0.1:6443. */
  readonly endpoint?: (cluster: ClusterInfo) => string;
  readonly roleArn?: (cluster: ClusterInfo) => string | undefined;
}

export interface Eks {
  readonly service: RestJsonService;
}

const notFound = (name: string) =>
  new AwsError('ResourceNotFoundException', `No cluster found for name: ${name}.`, 404);

/** DescribeCluster's `cluster` object, in EKS's camelCase REST-JSON shape (timestamps as epoch seconds). */
export function clusterShape(c: ClusterInfo, opts: EksOptions): Record<string, unknown> {
  return {
    name: c.name,
    arn: c.arn,
    createdAt: new Date(c.createdAt),
    version: c.version,
    endpoint: opts.endpoint?.(c),
    roleArn: opts.roleArn?.(c),
    identity: { oidc: { issuer: c.issuerUrl } },
    status: 'ACTIVE',
    certificateAuthority: { data: Buffer.from(c.caCertificatePem, 'utf8').toString('base64') },
    platformVersion: 'eks.1',
    tags: {},
    accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' },
  };
}

/**
 * EKS (REST-JSON, signing name `eks`): DescribeCluster and ListClusters for the local clusters, so
 * `aws eks describe-cluster --name local --query cluster.identity.oidc.issuer` prints the issuer.
 */
export function createEks(opts: EksOptions): Eks {
  const find = (name: string) => opts.clusters().find((c) => c.name === name);
  const arnFor = (ctx: AwsContext, name: string) =>
    `arn:aws:eks:${ctx.region}:${ctx.account}:cluster/${name}`;

  return {
    service: {
      protocol: 'rest-json',
      signingName: 'eks',
      routes: [
        {
          method: 'GET',
          path: '/clusters',
          operation: 'ListClusters',
          async handle(_params, query, _body, ctx) {
            await ctx.authorize('eks:ListClusters', `arn:aws:eks:${ctx.region}:${ctx.account}:cluster/*`);
            const names = opts
              .clusters()
              .map((c) => c.name)
              .sort();
            const max = Math.max(1, Math.min(100, Number(query.get('maxResults') ?? 100) || 100));
            const start = Number(query.get('nextToken') ?? 0) || 0;
            const page = names.slice(start, start + max);
            const next = start + page.length < names.length ? String(start + page.length) : undefined;
            return { body: { clusters: page, nextToken: next } };
          },
        },
        {
          method: 'GET',
          path: '/clusters/{name}',
          operation: 'DescribeCluster',
          async handle(params, _query, _body, ctx) {
            const name = params.name ?? '';
            const cluster = find(name);
            await ctx.authorize('eks:DescribeCluster', cluster?.arn ?? arnFor(ctx, name));
            if (!cluster) throw notFound(name);
            return { body: { cluster: clusterShape(cluster, opts) } };
          },
        },
      ],
    },
  };
}
