import { kubectlError } from '../../cluster/index.js';
import { IrsakitError } from '../../errors/index.js';
import { adminRequest, clientTarget } from '../client.js';
import { type Command, parseFlags, str } from '../command.js';
import { readStdin } from './apply.js';

const USAGE = 'irsakit exec POD [-n NAMESPACE] [-c CONTAINER] [-i] -- COMMAND [ARG …]';

export const execCommand: Command = {
  name: 'exec',
  summary:
    "run a command in a pod's container context (its env, user, paths); output is returned when it ends",
  usage: USAGE,
  async run(argv, io) {
    const dash = argv.indexOf('--');
    if (dash === -1) throw new IrsakitError('ERR_USAGE', `give the command after --\nusage: ${USAGE}`);
    const command = argv.slice(dash + 1);
    const { values, positionals } = parseFlags(
      argv.slice(0, dash),
      {
        namespace: { type: 'string', short: 'n' },
        container: { type: 'string', short: 'c' },
        stdin: { type: 'boolean', short: 'i' },
        tty: { type: 'boolean', short: 't' },
        endpoint: { type: 'string' },
        data: { type: 'string' },
      },
      USAGE,
    );
    const pod = positionals[0]?.replace(/^(pod|pods|po)\//, '');
    if (!pod || command.length === 0)
      throw new IrsakitError('ERR_USAGE', `expected POD and a command\nusage: ${USAGE}`);
    const ns = str(values.namespace) ?? 'default';
    const target = clientTarget(io, { endpoint: str(values.endpoint), data: str(values.data) });
    const stdin = values.stdin ? await readStdin(io) : '';
    const container = str(values.container);
    try {
      const res = await adminRequest<{ stdout: string; stderr: string; exitCode: number }>(
        target,
        'POST',
        `/k8s/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(pod)}/exec`,
        { command, stdin, ...(container ? { container } : {}) },
      );
      io.stdout.write(res.stdout);
      io.stderr.write(res.stderr);
      if (res.exitCode !== 0) io.stderr.write(`command terminated with exit code ${res.exitCode}\n`);
      return res.exitCode;
    } catch (err) {
      throw kubectlError(err);
    }
  },
};
