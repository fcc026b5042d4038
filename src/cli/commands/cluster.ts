import type { ClusterInfo } from '../../oidc/index.js';
import { adminRequest, clientTarget } from '../client.js';
import { type Command, parseFlags, str } from '../command.js';

const DESCRIBE_USAGE = 'irsakit cluster describe [NAME] [--json] [--endpoint URL]';
const ROTATE_USAGE = 'irsakit cluster rotate-keys [NAME] [--endpoint URL]';
const COMMON = { endpoint: { type: 'string' }, data: { type: 'string' } } as const;

export const clusterDescribeCommand: Command = {
  name: 'cluster describe',
  summary: "show a cluster's OIDC issuer URL, CA and the thumbprint IAM computes for it",
  usage: DESCRIBE_USAGE,
  async run(argv, io) {
    const { values, positionals } = parseFlags(
      argv,
      { ...COMMON, json: { type: 'boolean' } },
      DESCRIBE_USAGE,
    );
    const target = clientTarget(io, { endpoint: str(values.endpoint), data: str(values.data) });
    const info = await adminRequest<ClusterInfo>(
      target,
      'GET',
      `/clusters/${encodeURIComponent(positionals[0] ?? 'local')}`,
    );
    if (values.json) {
      io.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
    } else {
      io.stdout.write(
        `name:        ${info.name}\narn:         ${info.arn}\nissuer:      ${info.issuerUrl}\nthumbprint:  ${info.thumbprint}\nversion:     ${info.version}\n`,
      );
    }
    return 0;
  },
};

export const clusterRotateKeysCommand: Command = {
  name: 'cluster rotate-keys',
  summary: 'make a new service-account signing key; old keys stay published until their tokens expire',
  usage: ROTATE_USAGE,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, COMMON, ROTATE_USAGE);
    const target = clientTarget(io, { endpoint: str(values.endpoint), data: str(values.data) });
    const r = await adminRequest<{ kid: string; retiredKid: string }>(
      target,
      'POST',
      `/clusters/${encodeURIComponent(positionals[0] ?? 'local')}/rotate-keys`,
    );
    io.stdout.write(`new signing key ${r.kid}; ${r.retiredKid} stays in the JWKS until its tokens expire\n`);
    return 0;
  },
};
