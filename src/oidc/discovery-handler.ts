import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClusterIssuer } from './issuer.js';

/**
 * Serves each cluster's OIDC discovery as EKS does: `<issuer>/.well-known/openid-configuration` and the
 * JWKS at `<issuer>/keys` (EKS's jwks_uri; kube-apiserver's own path `/openid/v1/jwks` is served too).
 * Read-only and anonymous, like the system:service-account-issuer-discovery role grants.
 */
export function discoveryHandler(issuers: () => readonly ClusterIssuer[]) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
        // Short, so a rotation is seen quickly by clients that do honour caching.
        'cache-control': 'public, max-age=60',
      });
      res.end(req.method === 'HEAD' ? undefined : text);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(405, { error: 'method not allowed' });
      return;
    }
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    for (const issuer of issuers()) {
      const prefix = new URL(issuer.url).pathname;
      if (!path.startsWith(`${prefix}/`)) continue;
      const rest = path.slice(prefix.length);
      if (rest === '/.well-known/openid-configuration') {
        send(200, issuer.discovery());
        return;
      }
      if (rest === '/keys' || rest === '/openid/v1/jwks') {
        send(200, issuer.jwks());
        return;
      }
    }
    send(404, { error: 'not found' });
  };
}
