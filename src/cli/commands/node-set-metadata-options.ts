import { kubectlError } from '../../cluster/index.js';
import { IrsakitError } from '../../errors/index.js';
import { adminRequest, clientTarget } from '../client.js';
import { type Command, parseFlags, str } from '../command.js';

const USAGE =
  'irsakit node set-metadata-options [--http-tokens optional|required] [--http-put-response-hop-limit 1-64] [--http-endpoint enabled|disabled] [--endpoint URL] [--data DIR]';

export const nodeSetMetadataOptionsCommand: Command = {
  name: 'node set-metadata-options',
  summary:
    "change the node's instance metadata options (IMDSv2 tokens, PUT response hop limit, endpoint), as ModifyInstanceMetadataOptions",
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseFlags(
      argv,
      {
        'http-tokens': { type: 'string' },
        'http-put-response-hop-limit': { type: 'string' },
        'http-endpoint': { type: 'string' },
        endpoint: { type: 'string' },
        data: { type: 'string' },
      },
      USAGE,
    );
    if (positionals.length > 0)
      throw new IrsakitError('ERR_USAGE', `unexpected argument "${positionals[0]}"\nusage: ${USAGE}`);
    const change: Record<string, string> = {};
    const tokens = str(values['http-tokens']);
    const hop = str(values['http-put-response-hop-limit']);
    const ep = str(values['http-endpoint']);
    if (tokens !== undefined) change.HttpTokens = tokens;
    if (hop !== undefined) change.HttpPutResponseHopLimit = hop;
    if (ep !== undefined) change.HttpEndpoint = ep;
    const target = clientTarget(io, { endpoint: str(values.endpoint), data: str(values.data) });
    try {
      const res = await adminRequest(
        target,
        Object.keys(change).length ? 'PUT' : 'GET',
        '/node/metadata-options',
        Object.keys(change).length ? change : undefined,
      );
      io.stdout.write(`${JSON.stringify(res, null, 4)}\n`);
    } catch (err) {
      const e = kubectlError(err);
      if (e instanceof IrsakitError)
        throw new IrsakitError(
          'ERR_INPUT',
          e.message.replace(
            /^Error from server \(InvalidParameterValue\): /,
            'An error occurred (InvalidParameterValue) when calling the ModifyInstanceMetadataOptions operation: ',
          ),
        );
      throw e;
    }
    return 0;
  },
};
