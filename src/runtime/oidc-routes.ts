import { IrsakitError } from '../errors/index.js';
import type { ClusterInfo, ClusterIssuer } from '../oidc/index.js';
import type { AdminRoute } from './admin-route.js';

function issuerFor(issuers: ReadonlyMap<string, ClusterIssuer>, name: string): ClusterIssuer {
  const issuer = issuers.get(name);
  if (!issuer) {
    throw new IrsakitError(
      'ERR_UNKNOWN_CLUSTER',
      `no cluster named "${name}" (clusters: ${[...issuers.keys()].join(', ')})`,
    );
  }
  return issuer;
}

/** Control API routes of the cluster issuers: describe, mint a token (kubectl create token), rotate keys. */
export function oidcRoutes(
  issuers: ReadonlyMap<string, ClusterIssuer>,
  clusters: () => ClusterInfo[],
): AdminRoute[] {
  return [
    { method: 'GET', path: '/clusters', handle: async () => ({ body: { clusters: clusters() } }) },
    {
      method: 'GET',
      path: '/clusters/{name}',
      handle: async ({ params }) => {
        issuerFor(issuers, params.name ?? '');
        return { body: clusters().find((c) => c.name === params.name) };
      },
    },
    {
      method: 'POST',
      path: '/clusters/{name}/token',
      handle: async ({ params, body }) => {
        const issuer = issuerFor(issuers, params.name ?? '');
        const b = (body ?? {}) as Record<string, unknown>;
        if (typeof b.namespace !== 'string' || typeof b.serviceAccount !== 'string') {
          throw new IrsakitError('ERR_INPUT', 'namespace and serviceAccount are required strings');
        }
        const audiences = Array.isArray(b.audiences) ? b.audiences.map(String) : undefined;
        const minted = await issuer.mint({
          namespace: b.namespace,
          serviceAccount: b.serviceAccount,
          ...(audiences ? { audiences } : {}),
          ...(typeof b.expirationSeconds === 'number' ? { expirationSeconds: b.expirationSeconds } : {}),
          ...(b.pod && typeof b.pod === 'object' ? { pod: b.pod as { name: string; uid: string } } : {}),
        });
        return { body: minted };
      },
    },
    {
      method: 'POST',
      path: '/clusters/{name}/rotate-keys',
      handle: async ({ params }) => ({ body: issuerFor(issuers, params.name ?? '').rotateKeys() }),
    },
  ];
}
