import type { Check } from './check-context.js';
import { hasEnv, mutableContainers, spec } from './kube.js';

const TITLE = "IMDS exposure: can the pod reach the node role's credentials?";

/**
 * Whether a pod reaches the node's credentials (audit §3.1, §3.5): IMDSv1 (HttpTokens optional) answers any pod;
 * IMDSv2's PUT response carries IP TTL = hop limit, so a pod behind its own interface needs 2, while hostNetwork
 * pods share the node's network namespace and need only 1. Unspecified options take EC2's defaults
 * (HttpEndpoint enabled, HttpTokens optional, hop limit 1).
 */
export function imdsReach(
  opts: { HttpTokens?: string; HttpPutResponseHopLimit?: number; HttpEndpoint?: string },
  hostNetwork: boolean,
): { reachable: boolean; how: string } {
  const endpoint = opts.HttpEndpoint ?? 'enabled';
  const tokens = opts.HttpTokens ?? 'optional';
  const hop = opts.HttpPutResponseHopLimit ?? 1;
  if (endpoint === 'disabled')
    return { reachable: false, how: 'HttpEndpoint=disabled: the IMDS does not answer' };
  if (tokens === 'optional')
    return { reachable: true, how: 'HttpTokens=optional: IMDSv1 answers any pod, whatever the hop limit' };
  if (hostNetwork)
    return {
      reachable: true,
      how: `hostNetwork: true: the pod is the node to the IMDS, so hop limit ${hop} lets its IMDSv2 token through`,
    };
  if (hop >= 2)
    return {
      reachable: true,
      how: `HttpTokens=required with hop limit ${hop}: the IMDSv2 token response reaches the pod (one hop more than the node)`,
    };
  return {
    reachable: false,
    how: 'HttpTokens=required with hop limit 1: the IMDSv2 token response dies one hop before the pod',
  };
}

export const checkImds: Check = (snap, r) => {
  const base = { id: 'imds', title: TITLE } as const;
  if (!r.pod) return { ...base, status: 'skip', evidence: ['no pod given (--pod NAME)'] };
  const sp = spec(r.pod);
  const nodeName = typeof sp.nodeName === 'string' ? sp.nodeName : undefined;
  if (!nodeName)
    return { ...base, status: 'skip', evidence: ['the pod is not scheduled (no spec.nodeName)'] };
  const node = snap.nodes.find((n) => n.name === nodeName || n.instanceId === nodeName);
  if (!node?.metadataOptions) {
    return {
      ...base,
      status: 'skip',
      evidence: [
        `the metadata options of node ${nodeName} are unknown (add aws ec2 describe-instances output)`,
      ],
    };
  }
  const hostNetwork = sp.hostNetwork === true;
  const reach = imdsReach(node.metadataOptions, hostNetwork);
  const mo = node.metadataOptions;
  const evidence = [
    `node ${nodeName}${node.instanceId ? ` (${node.instanceId})` : ''}: HttpEndpoint=${mo.HttpEndpoint ?? 'enabled'} HttpTokens=${mo.HttpTokens ?? 'optional'} HttpPutResponseHopLimit=${mo.HttpPutResponseHopLimit ?? 1}; pod hostNetwork=${hostNetwork}`,
    reach.how,
  ];
  if (!reach.reachable) return { ...base, status: 'pass', evidence };
  const profileRole = node.instanceProfileArn
    ? snap.roles.find((x) => x.instanceProfileArns.includes(node.instanceProfileArn!))
    : undefined;
  const creds = profileRole
    ? `role ${profileRole.name}`
    : node.instanceProfileArn
      ? `instance profile ${node.instanceProfileArn}`
      : 'the node role';
  const irsa = mutableContainers(r.pod).included.every((c) => hasEnv(c, 'AWS_WEB_IDENTITY_TOKEN_FILE'));
  evidence.push(
    irsa
      ? `the pod can read the credentials of ${creds}; SDKs use IRSA first, but any code or SDK that misses it (old SDK, pinned instance provider, failed exchange) silently falls back to ${creds}`
      : `the pod has no IRSA environment, so its SDKs fall back to ${creds} through the IMDS`,
  );
  return {
    ...base,
    status: 'fail',
    evidence,
    fix: {
      summary: hostNetwork
        ? 'drop hostNetwork from the pod, and require IMDSv2 with hop limit 1 on the node'
        : 'require IMDSv2 with hop limit 1 on the node (and in its launch template)',
      command: `aws ec2 modify-instance-metadata-options --instance-id ${node.instanceId ?? 'INSTANCE_ID'} --http-tokens required --http-put-response-hop-limit 1`,
    },
    data: { node: nodeName, metadataOptions: mo, hostNetwork, reachable: true },
  };
};
