import { loadFromExports, loadLive, renderReport, runDoctor, type Snapshot } from '../../doctor/index.js';
import { IrsakitError } from '../../errors/index.js';
import { adminAws, adminRequest, clientTarget } from '../client.js';
import { type CliIo, type Command, parseFlags, str } from '../command.js';

const USAGE =
  'irsakit doctor (--pod NAME | --service-account NAME) [-n NS] [--action A --resource R] [--context k=v …] [--from DIR] [--at TIME] [--json] [--endpoint URL]';

/** `--context k=v` flags as a context map; a key given twice becomes a multi-valued key. */
export function parseContext(values: string[] | undefined, usage: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const kv of values ?? []) {
    const i = kv.indexOf('=');
    if (i <= 0)
      throw new IrsakitError('ERR_USAGE', `--context takes key=value, got "${kv}"\nusage: ${usage}`);
    const k = kv.slice(0, i);
    const v = kv.slice(i + 1);
    const prev = out[k];
    out[k] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
  }
  return out;
}

/** The instant tokens are judged at: --at (RFC 3339 or seconds since the epoch), else now. */
export function parseAt(at: string | undefined): () => number {
  if (at === undefined) return Date.now;
  const ms = /^\d+$/.test(at) ? Number(at) * 1000 : Date.parse(at);
  if (Number.isNaN(ms))
    throw new IrsakitError('ERR_USAGE', `--at takes an RFC 3339 time or epoch seconds, got "${at}"`);
  return () => ms;
}

/** The snapshot to examine: an export folder (--from), else the running instance. */
export async function loadSnapshot(
  io: CliIo,
  values: Record<string, string | boolean | string[] | undefined>,
): Promise<{ snapshot: Snapshot; mintToken?: (ns: string, sa: string, aud: string) => Promise<string> }> {
  const from = str(values.from);
  if (from) return { snapshot: loadFromExports(from.startsWith('/') ? from : `${io.cwd}/${from}`) };
  const target = clientTarget(io, { endpoint: str(values.endpoint), data: str(values.data) });
  // IAM and Organizations are read with credentials from the environment, else the instance's admin key pair,
  // which the control token (already needed for the cluster side) entitles us to.
  let accessKeyId = io.env.IRSAKIT_ADMIN_ACCESS_KEY_ID ?? io.env.AWS_ACCESS_KEY_ID;
  let secretAccessKey = io.env.IRSAKIT_ADMIN_SECRET_ACCESS_KEY ?? io.env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    const admin = await adminAws(target).catch(() => undefined);
    accessKeyId = admin?.credentials.accessKeyId;
    secretAccessKey = admin?.credentials.secretAccessKey;
  }
  const live = await loadLive(
    (method, path, body) => adminRequest(target, method, path, body),
    `irsakit at ${target.endpoint}`,
    {
      ...(accessKeyId && secretAccessKey
        ? { aws: { endpoint: target.endpoint, credentials: { accessKeyId, secretAccessKey } } }
        : {}),
    },
  );
  return { snapshot: live.snapshot, mintToken: live.mintToken };
}

export const doctorCommand: Command = {
  name: 'doctor',
  summary:
    'find why a pod cannot assume its role: provider, annotation, mutation, trust, token, permissions, IMDS',
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseFlags(
      argv,
      {
        pod: { type: 'string' },
        'service-account': { type: 'string' },
        namespace: { type: 'string', short: 'n' },
        action: { type: 'string' },
        resource: { type: 'string' },
        context: { type: 'string', multiple: true },
        from: { type: 'string' },
        at: { type: 'string' },
        json: { type: 'boolean' },
        endpoint: { type: 'string' },
        data: { type: 'string' },
      },
      USAGE,
    );
    const pod = str(values.pod);
    const serviceAccount = str(values['service-account']);
    if (!pod === !serviceAccount)
      throw new IrsakitError('ERR_USAGE', `give exactly one of --pod and --service-account\nusage: ${USAGE}`);
    const action = str(values.action);
    const resource = str(values.resource);
    if (!action !== !resource)
      throw new IrsakitError('ERR_USAGE', `--action and --resource go together\nusage: ${USAGE}`);
    const context = parseContext(values.context as string[] | undefined, USAGE);
    const now = parseAt(str(values.at));
    const { snapshot, mintToken } = await loadSnapshot(io, values);
    const report = await runDoctor(
      snapshot,
      {
        namespace: str(values.namespace) ?? 'default',
        ...(pod ? { pod } : {}),
        ...(serviceAccount ? { serviceAccount } : {}),
        ...(action && resource ? { action, resource } : {}),
        ...(Object.keys(context).length ? { context } : {}),
      },
      { now, ...(mintToken ? { mintToken } : {}) },
    );
    if (values.json)
      io.stdout.write(`${JSON.stringify({ ...report, warnings: snapshot.warnings }, null, 2)}\n`);
    else
      io.stdout.write(
        renderReport(report, {
          color: io.stdout.isTTY === true && !io.env.NO_COLOR,
          warnings: snapshot.warnings,
        }),
      );
    return report.ok ? 0 : 1;
  },
};
