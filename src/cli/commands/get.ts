import {
  formatObjects,
  formatTable,
  KNOWN_KIND_NAMES,
  type KubeObject,
  kubectlError,
  resolveKind,
} from '../../cluster/index.js';
import { IrsakitError } from '../../errors/index.js';
import { adminRequest, clientTarget } from '../client.js';
import { type Command, parseFlags, str } from '../command.js';

const USAGE =
  'irsakit get KIND [NAME …] [-n NAMESPACE | -A] [-o yaml|json|wide|name] [--endpoint URL] [--data DIR]';

/** `KIND NAME…` or `KIND/NAME`, kubectl's two spellings. */
export function kindAndNames(
  positionals: string[],
  usage: string,
): { kind: ReturnType<typeof resolveKind> & {}; names: string[] } {
  const [first, ...rest] = positionals;
  if (!first)
    throw new IrsakitError(
      'ERR_USAGE',
      `You must specify the type of resource to get. Use one of: ${KNOWN_KIND_NAMES.join(', ')}\nusage: ${usage}`,
    );
  const [word, slashName] = first.includes('/') ? first.split('/', 2) : [first, undefined];
  const kind = resolveKind(word!);
  if (!kind) throw new IrsakitError('ERR_INPUT', `the server doesn't have a resource type "${word}"`);
  return { kind, names: slashName ? [slashName, ...rest] : rest };
}

export const getCommand: Command = {
  name: 'get',
  summary: 'list or show cluster objects, as kubectl get',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseFlags(
      argv,
      {
        namespace: { type: 'string', short: 'n' },
        'all-namespaces': { type: 'boolean', short: 'A' },
        output: { type: 'string', short: 'o' },
        endpoint: { type: 'string' },
        data: { type: 'string' },
      },
      USAGE,
    );
    const output = str(values.output);
    if (output && !['yaml', 'json', 'wide', 'name'].includes(output)) {
      throw new IrsakitError(
        'ERR_USAGE',
        `unable to match a printer suitable for the output format "${output}", allowed formats are: json,name,wide,yaml`,
      );
    }
    const { kind, names } = kindAndNames(positionals, USAGE);
    const all = values['all-namespaces'] === true;
    const ns = all ? undefined : (str(values.namespace) ?? 'default');
    const target = clientTarget(io, { endpoint: str(values.endpoint), data: str(values.data) });
    let items: KubeObject[];
    try {
      if (names.length > 0) {
        items = [];
        for (const n of names)
          items.push(
            await adminRequest<KubeObject>(
              target,
              'GET',
              `${kind.collection(ns ?? 'default')}/${encodeURIComponent(n)}`,
            ),
          );
      } else {
        items = (await adminRequest<{ items: KubeObject[] }>(target, 'GET', kind.collection(ns))).items;
      }
    } catch (err) {
      throw kubectlError(err);
    }
    if (items.length === 0) {
      io.stderr.write(
        kind.namespaced && ns ? `No resources found in ${ns} namespace.\n` : 'No resources found\n',
      );
      return 0;
    }
    if (output === 'yaml' || output === 'json' || output === 'name') {
      io.stdout.write(formatObjects(items, names.length === 1, output));
    } else {
      io.stdout.write(
        formatTable(kind.kind, items, {
          now: Date.now(),
          allNamespaces: all && kind.namespaced,
          wide: output === 'wide',
        }),
      );
    }
    return 0;
  },
};
