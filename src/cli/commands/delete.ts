import { kubectlError } from '../../cluster/index.js';
import { IrsakitError } from '../../errors/index.js';
import { adminRequest, clientTarget } from '../client.js';
import { type Command, parseFlags, str } from '../command.js';
import { sendManifests } from './apply.js';
import { kindAndNames } from './get.js';

const USAGE = 'irsakit delete (-f FILE|DIR|- | KIND NAME …) [-n NAMESPACE] [--endpoint URL] [--data DIR]';

export const deleteCommand: Command = {
  name: 'delete',
  summary: "delete cluster objects by manifest or by name (a deleted pod's processes are stopped)",
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseFlags(
      argv,
      {
        filename: { type: 'string', short: 'f', multiple: true },
        namespace: { type: 'string', short: 'n' },
        endpoint: { type: 'string' },
        data: { type: 'string' },
      },
      USAGE,
    );
    const files = (values.filename as string[] | undefined) ?? [];
    const ns = str(values.namespace);
    const target = clientTarget(io, { endpoint: str(values.endpoint), data: str(values.data) });
    if (files.length > 0) {
      if (positionals.length > 0)
        throw new IrsakitError('ERR_USAGE', `give -f or KIND NAME, not both\nusage: ${USAGE}`);
      return sendManifests(io, values, files, 'delete');
    }
    const { kind, names } = kindAndNames(positionals, USAGE);
    if (names.length === 0)
      throw new IrsakitError(
        'ERR_USAGE',
        `resource(s) were provided, but no name was specified\nusage: ${USAGE}`,
      );
    let code = 0;
    for (const n of names) {
      try {
        await adminRequest(target, 'DELETE', `${kind.collection(ns ?? 'default')}/${encodeURIComponent(n)}`);
        io.stdout.write(`${kind.kind.toLowerCase()} "${n}" deleted\n`);
      } catch (err) {
        const e = kubectlError(err);
        if (!(e instanceof IrsakitError)) throw e;
        io.stderr.write(`${e.message}\n`);
        code = 1;
      }
    }
    return code;
  },
};
