import { createCa, issueServerCert } from '../tls/index.js';
import type { WebhookConfigInput } from './config.js';
import { createWebhookServer, type WebhookLogger, type WebhookServer } from './create-webhook-server.js';
import type { ServiceAccountSource } from './types.js';

export interface LocalWebhookOptions {
  source: ServiceAccountSource;
  port: number;
  host?: string;
  config?: WebhookConfigInput;
  /** Serving pair; when absent a throwaway CA and a certificate for localhost/127.0.0.1/::1 are made. */
  tls?: { certPem: string; keyPem: string };
  log?: WebhookLogger;
}

/**
 * The one call `irsakit up` makes: the webhook on its port, fed by the local cluster store. Returns the server
 * and the CA that signed its certificate (the local API server's `caBundle`).
 */
export async function startLocalWebhook(
  opts: LocalWebhookOptions,
): Promise<WebhookServer & { readonly caPem: string | undefined }> {
  let caPem: string | undefined;
  let tls = opts.tls;
  if (!tls) {
    const ca = await createCa('irsakit local webhook CA');
    tls = await issueServerCert(ca, {
      commonName: 'irsakit-webhook',
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1', '::1'],
    });
    caPem = ca.certPem;
  }
  const server = await createWebhookServer({
    source: opts.source,
    config: opts.config ?? {},
    tls,
    host: opts.host ?? '127.0.0.1',
    port: opts.port,
    ...(opts.log ? { log: opts.log } : {}),
  });
  return Object.assign(server, { caPem });
}
