import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { IrsakitError } from '../../errors/index.js';
import { createCa, issueServerCert } from '../../tls/index.js';
import type { CliIo, Command } from '../command.js';
import { parseFlags, str } from '../command.js';

const usage =
  'irsakit webhook certs [--service irsakit-webhook] [--namespace irsakit] [--out ./webhook-certs] [--days 825]';

/** The names the API server may use to reach a Service: it dials <svc>.<ns>.svc. */
export function serviceDnsNames(service: string, namespace: string): string[] {
  return [
    service,
    `${service}.${namespace}`,
    `${service}.${namespace}.svc`,
    `${service}.${namespace}.svc.cluster.local`,
  ];
}

export const webhookCertsCommand: Command = {
  name: 'webhook certs',
  summary: 'make a CA and serving certificate for the in-cluster webhook Service; print the caBundle',
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values } = parseFlags(
      argv,
      {
        service: { type: 'string' },
        namespace: { type: 'string' },
        out: { type: 'string' },
        days: { type: 'string' },
      },
      usage,
    );
    const service = str(values.service) ?? 'irsakit-webhook';
    const namespace = str(values.namespace) ?? 'irsakit';
    const dns1123 = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
    for (const [flag, v] of [
      ['--service', service],
      ['--namespace', namespace],
    ] as const) {
      if (!dns1123.test(v))
        throw new IrsakitError('ERR_INVALID_NAME', `${flag} "${v}" is not a DNS-1123 label`);
    }
    const daysRaw = str(values.days) ?? '825';
    const days = Number(daysRaw);
    if (!/^\d+$/.test(daysRaw) || days < 1 || days > 3650) {
      throw new IrsakitError(
        'ERR_USAGE',
        `--days must be an integer from 1 to 3650, got "${daysRaw}"\nusage: ${usage}`,
      );
    }
    const out = resolve(io.cwd, str(values.out) ?? 'webhook-certs');
    const names = serviceDnsNames(service, namespace);
    const ca = await createCa(`${service} webhook CA`);
    const leaf = await issueServerCert(ca, { commonName: names[2]!, dnsNames: names, validDays: days });
    await mkdir(out, { recursive: true });
    await writeFile(join(out, 'ca.crt'), ca.certPem);
    await writeFile(join(out, 'tls.crt'), leaf.certPem);
    await writeFile(join(out, 'tls.key'), leaf.keyPem, { mode: 0o600 });
    await chmod(join(out, 'tls.key'), 0o600);
    // The CA key is not kept: a new pair is made for each rotation, so nothing can sign further certificates.
    io.stderr.write(
      [
        `wrote ${join(out, 'ca.crt')}, tls.crt and tls.key for ${names.join(', ')}`,
        'next:',
        `  kubectl -n ${namespace} create secret tls ${service}-tls --cert=${join(out, 'tls.crt')} --key=${join(out, 'tls.key')}`,
        `  sed "s|__CA_BUNDLE__|<the line on stdout>|" deploy/mutatingwebhook.yaml | kubectl apply -f -`,
        '',
      ].join('\n'),
    );
    io.stdout.write(`${Buffer.from(ca.certPem).toString('base64')}\n`);
    return 0;
  },
};
