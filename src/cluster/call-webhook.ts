import { request } from 'node:https';

export interface WebhookCallResult {
  readonly ok: true;
  readonly body: unknown;
}

export interface WebhookCallError {
  readonly ok: false;
  /** In the API server's words, after `failed calling webhook "…": `. */
  readonly message: string;
}

/** How Go's net/http words a failed dial, so the refusal reads as kube-apiserver's. */
function dialMessage(err: NodeJS.ErrnoException, host: string, port: string): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return `dial tcp ${host}:${port}: connect: connection refused`;
    case 'ECONNRESET':
      return 'read: connection reset by peer';
    case 'ENOTFOUND':
      return `dial tcp: lookup ${host}: no such host`;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `tls: failed to verify certificate: x509: certificate is valid for other names, not ${host}`;
    case 'CERT_HAS_EXPIRED':
      return 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
    default:
      return err.message;
  }
}

/**
 * POSTs an AdmissionReview to a webhook over HTTPS as kube-apiserver does: the URL gets `?timeout=Ns`, the server
 * certificate is verified against the configuration's caBundle, and the whole call is bounded by timeoutSeconds.
 */
export function callWebhook(
  url: string,
  caBundle: string | undefined,
  timeoutSeconds: number,
  review: unknown,
): Promise<WebhookCallResult | WebhookCallError> {
  const target = new URL(url);
  target.searchParams.set('timeout', `${timeoutSeconds}s`);
  const shown = `Post "${target.toString()}"`;
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const port = target.port || '443';
  const payload = JSON.stringify(review);
  const ca = caBundle ? Buffer.from(caBundle, 'base64').toString('utf8') : undefined;
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: WebhookCallResult | WebhookCallError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = request(
      target,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
        ...(ca ? { ca } : {}),
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) =>
          done({ ok: false, message: `failed to call webhook: ${shown}: ${err.message}` }),
        );
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) > 299) {
            const detail = text.trim()
              ? `an error on the server ("${text.trim().slice(0, 200)}") has prevented the request from succeeding`
              : `the server responded with the status code ${res.statusCode} but did not return more information`;
            return done({ ok: false, message: `failed to call webhook: ${detail}` });
          }
          try {
            done({ ok: true, body: JSON.parse(text) });
          } catch (err) {
            done({ ok: false, message: `received invalid webhook response: ${(err as Error).message}` });
          }
        });
      },
    );
    const timer = setTimeout(() => {
      done({ ok: false, message: `failed to call webhook: ${shown}: context deadline exceeded` });
      req.destroy();
    }, timeoutSeconds * 1000);
    req.on('error', (err: NodeJS.ErrnoException) =>
      done({ ok: false, message: `failed to call webhook: ${shown}: ${dialMessage(err, host, port)}` }),
    );
    req.end(payload);
  });
}
