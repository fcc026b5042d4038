import { describeObject, type KubeObject, kubectlError } from '../../cluster/index.js';
import { adminRequest, clientTarget } from '../client.js';
import { type Command, parseFlags, str } from '../command.js';
import { kindAndNames } from './get.js';

const USAGE = 'irsakit describe KIND [NAME …] [-n NAMESPACE] [--endpoint URL] [--data DIR]';

export const describeCommand: Command = {
  name: 'describe',
  summary:
    'show a cluster object in detail (pods: containers, state, env, mounts, volumes), as kubectl describe',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseFlags(
      argv,
      { namespace: { type: 'string', short: 'n' }, endpoint: { type: 'string' }, data: { type: 'string' } },
      USAGE,
    );
    const { kind, names } = kindAndNames(positionals, USAGE);
    const ns = str(values.namespace) ?? 'default';
    const target = clientTarget(io, { endpoint: str(values.endpoint), data: str(values.data) });
    try {
      const items =
        names.length > 0
          ? await Promise.all(
              names.map((n) =>
                adminRequest<KubeObject>(target, 'GET', `${kind.collection(ns)}/${encodeURIComponent(n)}`),
              ),
            )
          : (await adminRequest<{ items: KubeObject[] }>(target, 'GET', kind.collection(ns))).items;
      io.stdout.write(items.map(describeObject).join('\n\n'));
    } catch (err) {
      throw kubectlError(err);
    }
    return 0;
  },
};
