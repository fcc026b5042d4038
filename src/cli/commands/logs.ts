import { kubectlError } from '../../cluster/index.js';
import { IrsakitError } from '../../errors/index.js';
import { adminRequest, clientTarget } from '../client.js';
import { type Command, parseFlags, str } from '../command.js';

const USAGE = 'irsakit logs POD [-n NAMESPACE] [-c CONTAINER] [-p|--previous] [--endpoint URL] [--data DIR]';

export const logsCommand: Command = {
  name: 'logs',
  summary: "print a pod container's output (stdout and stderr), as kubectl logs",
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseFlags(
      argv,
      {
        namespace: { type: 'string', short: 'n' },
        container: { type: 'string', short: 'c' },
        previous: { type: 'boolean', short: 'p' },
        endpoint: { type: 'string' },
        data: { type: 'string' },
      },
      USAGE,
    );
    const [first, container2] = positionals;
    if (!first) throw new IrsakitError('ERR_USAGE', `expected POD\nusage: ${USAGE}`);
    const pod = first.replace(/^(pod|pods|po)\//, '');
    const ns = str(values.namespace) ?? 'default';
    const container = str(values.container) ?? container2;
    const q = new URLSearchParams({
      wrap: 'json',
      ...(container ? { container } : {}),
      ...(values.previous ? { previous: 'true' } : {}),
    });
    const target = clientTarget(io, { endpoint: str(values.endpoint), data: str(values.data) });
    try {
      const res = await adminRequest<{ log: string }>(
        target,
        'GET',
        `/k8s/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(pod)}/log?${q}`,
      );
      io.stdout.write(res.log);
    } catch (err) {
      throw kubectlError(err);
    }
    return 0;
  },
};
