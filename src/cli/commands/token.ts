import { IrsakitError } from '../../errors/index.js';
import { adminRequest, clientTarget } from '../client.js';
import { type Command, parseFlags, str } from '../command.js';

const USAGE =
  'irsakit token --namespace NS --service-account SA [--audience sts.amazonaws.com] [--duration SECONDS] [--pod NAME] [--cluster local] [--json]';

export const tokenCommand: Command = {
  name: 'token',
  summary: 'print a service-account token from the cluster issuer, as `kubectl create token` does',
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseFlags(
      argv,
      {
        namespace: { type: 'string', short: 'n' },
        'service-account': { type: 'string' },
        audience: { type: 'string', multiple: true },
        duration: { type: 'string' },
        pod: { type: 'string' },
        'pod-uid': { type: 'string' },
        cluster: { type: 'string' },
        json: { type: 'boolean' },
        endpoint: { type: 'string' },
        data: { type: 'string' },
      },
      USAGE,
    );
    const namespace = str(values.namespace);
    const serviceAccount = str(values['service-account']);
    if (!namespace || !serviceAccount) {
      throw new IrsakitError('ERR_USAGE', `--namespace and --service-account are required\nusage: ${USAGE}`);
    }
    let expirationSeconds: number | undefined;
    const duration = str(values.duration);
    if (duration !== undefined) {
      // kubectl accepts Go durations (1h, 10m) as well as seconds.
      const m = /^(\d+)(s|m|h)?$/.exec(duration);
      if (!m)
        throw new IrsakitError(
          'ERR_USAGE',
          `--duration must be seconds or a duration like 10m or 1h, got "${duration}"`,
        );
      expirationSeconds = Number(m[1]) * (m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1);
    }
    const pod = str(values.pod);
    const target = clientTarget(io, { endpoint: str(values.endpoint), data: str(values.data) });
    const minted = await adminRequest<{ token: string; claims: unknown; expiresAt: number }>(
      target,
      'POST',
      `/clusters/${encodeURIComponent(str(values.cluster) ?? 'local')}/token`,
      {
        namespace,
        serviceAccount,
        audiences: (values.audience as string[] | undefined) ?? ['sts.amazonaws.com'],
        ...(expirationSeconds !== undefined ? { expirationSeconds } : {}),
        ...(pod ? { pod: { name: pod, uid: str(values['pod-uid']) ?? '' } } : {}),
      },
    );
    io.stdout.write(values.json ? `${JSON.stringify(minted, null, 2)}\n` : `${minted.token}\n`);
    return 0;
  },
};
