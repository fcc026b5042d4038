import { explain, renderExplain } from '../../doctor/index.js';
import { IrsakitError } from '../../errors/index.js';
import { type Command, parseFlags, str } from '../command.js';
import { loadSnapshot, parseContext } from './doctor.js';

const USAGE =
  'irsakit explain (--role ARN | --pod NAME [-n NS]) --action A --resource R [--context k=v …] [--from DIR] [--json] [--endpoint URL]';

export const explainCommand: Command = {
  name: 'explain',
  summary:
    'show the full IAM decision for a role session: every layer, the deciding statements, the near misses',
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseFlags(
      argv,
      {
        role: { type: 'string' },
        pod: { type: 'string' },
        namespace: { type: 'string', short: 'n' },
        action: { type: 'string' },
        resource: { type: 'string' },
        context: { type: 'string', multiple: true },
        from: { type: 'string' },
        json: { type: 'boolean' },
        endpoint: { type: 'string' },
        data: { type: 'string' },
      },
      USAGE,
    );
    const role = str(values.role);
    const pod = str(values.pod);
    const action = str(values.action);
    const resource = str(values.resource);
    if (!role === !pod)
      throw new IrsakitError('ERR_USAGE', `give exactly one of --role and --pod\nusage: ${USAGE}`);
    if (!action || !resource)
      throw new IrsakitError('ERR_USAGE', `--action and --resource are required\nusage: ${USAGE}`);
    const context = parseContext(values.context as string[] | undefined, USAGE);
    const { snapshot } = await loadSnapshot(io, values);
    const result = explain(snapshot, {
      ...(role ? { roleArn: role } : {}),
      ...(pod ? { pod, namespace: str(values.namespace) ?? 'default' } : {}),
      action,
      resource,
      ...(Object.keys(context).length ? { context } : {}),
    });
    if (values.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else io.stdout.write(renderExplain(result, { color: io.stdout.isTTY === true && !io.env.NO_COLOR }));
    return result.decision.decision === 'Allow' ? 0 : 1;
  },
};
