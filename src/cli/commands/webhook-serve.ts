import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { IrsakitError } from '../../errors/index.js';
import { createCa, issueServerCert } from '../../tls/index.js';
import {
  createFileServiceAccountSource,
  createKubernetesServiceAccountSource,
  createWebhookServer,
  loadKubeConfig,
  resolveWebhookConfig,
  type ServiceAccountSource,
  type WebhookConfigInput,
  type WebhookLogger,
} from '../../webhook/index.js';
import type { CliIo, Command } from '../command.js';
import { parseFlags, str } from '../command.js';

const usage = [
  'irsakit webhook serve [--port 8443] [--host 0.0.0.0] [--tls-cert FILE --tls-key FILE]',
  '  [--kubeconfig FILE | --in-cluster | --service-accounts FILE] [--lookup-wait-ms 2000]',
  '  [--annotation-prefix eks.amazonaws.com] [--region R] [--sts-regional-endpoints] [--token-expiration 86400]',
  '  [--token-audience sts.amazonaws.com] [--token-mount-path PATH] [--sts-endpoint URL]',
  '  [--pod-identity-associations FILE] [--verbose]',
].join('\n');

export const WEBHOOK_SERVE_FLAGS = {
  port: { type: 'string' },
  host: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  kubeconfig: { type: 'string' },
  'in-cluster': { type: 'boolean' },
  'service-accounts': { type: 'string' },
  'lookup-wait-ms': { type: 'string' },
  'annotation-prefix': { type: 'string' },
  region: { type: 'string' },
  'sts-regional-endpoints': { type: 'boolean' },
  'token-expiration': { type: 'string' },
  'token-audience': { type: 'string' },
  'token-mount-path': { type: 'string' },
  'sts-endpoint': { type: 'string' },
  'pod-identity-associations': { type: 'string' },
  verbose: { type: 'boolean' },
} as const;

function int(flag: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) {
    throw new IrsakitError(
      'ERR_USAGE',
      `--${flag} must be an integer from ${min} to ${max}, got "${raw}"\nusage: ${usage}`,
    );
  }
  return n;
}

/** `{"identities":[{"namespace":"ns","serviceAccount":"sa"}]}`, the file EKS maintains for the reference. */
async function readAssociations(path: string): Promise<string[]> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new IrsakitError('ERR_INPUT', `${path}: ${(err as Error).message}`);
  }
  const ids = (doc as { identities?: unknown }).identities;
  if (!Array.isArray(ids)) throw new IrsakitError('ERR_INPUT', `${path}: identities must be an array`);
  return ids.map((i: { namespace?: unknown; serviceAccount?: unknown }, n) => {
    if (typeof i?.namespace !== 'string' || typeof i.serviceAccount !== 'string') {
      throw new IrsakitError(
        'ERR_INPUT',
        `${path}: identities[${n}] needs namespace and serviceAccount strings`,
      );
    }
    return `${i.namespace}/${i.serviceAccount}`;
  });
}

export const webhookServeCommand: Command = {
  name: 'webhook serve',
  summary: 'run the pod identity webhook alone (HTTPS AdmissionReview), for a real Kubernetes cluster',
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values } = parseFlags(argv, WEBHOOK_SERVE_FLAGS, usage);
    const s = (k: keyof typeof WEBHOOK_SERVE_FLAGS) => str(values[k]);
    const port = int('port', s('port') ?? '8443', 0, 65535);
    const host = s('host') ?? '0.0.0.0';
    const lookupWaitMs = int('lookup-wait-ms', s('lookup-wait-ms') ?? '2000', 0, 30_000);
    const certFile = s('tls-cert');
    const keyFile = s('tls-key');
    if ((certFile === undefined) !== (keyFile === undefined)) {
      throw new IrsakitError('ERR_USAGE', `--tls-cert and --tls-key go together\nusage: ${usage}`);
    }
    const sources = [s('kubeconfig'), values['in-cluster'], s('service-accounts')].filter((v) => v);
    if (sources.length > 1) {
      throw new IrsakitError(
        'ERR_USAGE',
        `choose one of --kubeconfig, --in-cluster, --service-accounts\nusage: ${usage}`,
      );
    }

    const input: WebhookConfigInput = {};
    if (s('annotation-prefix')) input.annotationPrefix = s('annotation-prefix')!;
    if (s('region')) input.region = s('region')!;
    if (values['sts-regional-endpoints']) input.stsRegionalEndpoints = true;
    if (s('token-expiration'))
      input.tokenExpiration = int('token-expiration', s('token-expiration')!, 1, 2 ** 31 - 1);
    if (s('token-audience') !== undefined) input.audience = s('token-audience')!;
    if (s('token-mount-path')) input.mountPath = s('token-mount-path')!;
    if (s('sts-endpoint')) {
      const url = s('sts-endpoint')!;
      if (!/^https?:\/\/[^\s/]+/.test(url))
        throw new IrsakitError('ERR_USAGE', `--sts-endpoint must be an http(s) URL, got "${url}"`);
      input.stsEndpoint = url;
    }
    if (s('pod-identity-associations')) {
      input.podIdentity = {
        associations: await readAssociations(resolve(io.cwd, s('pod-identity-associations')!)),
      };
    }
    const config = resolveWebhookConfig(input);

    const verbose = values.verbose === true;
    const log: WebhookLogger = (entry) => {
      if (entry.level === 'debug' && !verbose) return;
      io.stderr.write(
        `${JSON.stringify({ time: new Date().toISOString(), component: 'webhook', ...entry })}\n`,
      );
    };

    let source: ServiceAccountSource;
    let stop = async () => {};
    let ready: (() => boolean) | undefined;
    if (s('service-accounts')) {
      source = createFileServiceAccountSource(resolve(io.cwd, s('service-accounts')!));
    } else {
      const kubeConfig = loadKubeConfig({
        ...(s('kubeconfig') ? { kubeconfig: resolve(io.cwd, s('kubeconfig')!) } : {}),
        inCluster: values['in-cluster'] === true,
      });
      const kube = createKubernetesServiceAccountSource({
        kubeConfig,
        annotationPrefix: config.annotationPrefix,
        lookupWaitMs,
        log,
      });
      await kube.start(10_000);
      if (!kube.ready())
        log({ level: 'warn', msg: 'ServiceAccount list not complete yet; lookups fall back to GET' });
      source = kube;
      ready = kube.ready;
      stop = kube.stop;
    }

    let tls: { certPem: string; keyPem: string };
    if (certFile && keyFile) {
      tls = {
        certPem: await readFile(resolve(io.cwd, certFile), 'utf8'),
        keyPem: await readFile(resolve(io.cwd, keyFile), 'utf8'),
      };
    } else {
      const ca = await createCa('irsakit webhook (generated)');
      const ip = /^[\d.]+$|:/.test(host) && host !== '0.0.0.0' && host !== '::' ? [host] : [];
      tls = await issueServerCert(ca, {
        commonName: 'irsakit-webhook',
        dnsNames: ['localhost'],
        ipAddresses: [...new Set(['127.0.0.1', '::1', ...ip])],
      });
      io.stderr.write(`generated a throwaway CA; caBundle: ${Buffer.from(ca.certPem).toString('base64')}\n`);
    }

    let server: Awaited<ReturnType<typeof createWebhookServer>>;
    try {
      server = await createWebhookServer({
        source: ready ? Object.assign(source, { ready }) : source,
        config,
        tls,
        host,
        port,
        log,
      });
    } catch (err) {
      await stop();
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new IrsakitError('ERR_PORT_IN_USE', `port ${port} on ${host} is taken`);
      }
      throw err;
    }
    io.stdout.write(
      `webhook listening on https://${host.includes(':') ? `[${host}]` : host}:${server.port}/mutate\n`,
    );

    // A rotated Secret is remounted in place: reload the pair when the files change.
    let timer: NodeJS.Timeout | undefined;
    if (certFile && keyFile) {
      let last = '';
      const check = async () => {
        try {
          const [c, k] = await Promise.all([stat(resolve(io.cwd, certFile)), stat(resolve(io.cwd, keyFile))]);
          const sig = `${c.mtimeMs}:${k.mtimeMs}`;
          if (last && sig !== last) {
            server.setTls({
              certPem: await readFile(resolve(io.cwd, certFile), 'utf8'),
              keyPem: await readFile(resolve(io.cwd, keyFile), 'utf8'),
            });
            log({ level: 'info', msg: 'serving certificate reloaded' });
          }
          last = sig;
        } catch (err) {
          log({ level: 'warn', msg: 'cannot reload serving certificate', error: (err as Error).message });
        }
      };
      await check();
      timer = setInterval(check, 30_000);
      timer.unref();
    }

    await new Promise<void>((done) => {
      process.once('SIGTERM', done);
      process.once('SIGINT', done);
    });
    if (timer) clearInterval(timer);
    log({ level: 'info', msg: 'shutting down' });
    await server.close();
    await stop();
    return 0;
  },
};
