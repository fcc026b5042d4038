import { resolve } from 'node:path';
import { IrsakitError } from '../errors/index.js';

/** Port offsets from --port (the AWS endpoint). Documented in the README; tests and tools rely on them. */
export const PORT_OFFSETS = { aws: 0, issuer: 1, webhook: 2, imds: 3 } as const;

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly ports: {
    readonly aws: number;
    readonly issuer: number;
    readonly webhook: number;
    readonly imds: number;
  };
  /** Absolute data directory, or null with --in-memory. */
  readonly dataDir: string | null;
  readonly account: string;
  readonly region: string;
  /** Where CLI commands find a running instance. */
  readonly endpoint: string;
  /** Taken the first time a data directory is used; ignored afterwards (the stored pair wins). */
  readonly adminAccessKeyId: string | undefined;
  readonly adminSecretAccessKey: string | undefined;
}

/** Raw values as they arrive: flags (already split by the CLI) and the process environment. */
export interface ConfigSources {
  flags: Record<string, string | boolean | undefined>;
  env: Record<string, string | undefined>;
}

const DEFAULTS = {
  host: '127.0.0.1',
  port: '4600',
  data: './.irsakit',
  account: '111122223333',
  region: 'us-east-1',
  endpoint: 'http://127.0.0.1:4600',
};

/** flag name → environment variable. Precedence: flag, then environment, then default. */
const ENV_NAMES = {
  host: 'IRSAKIT_HOST',
  port: 'IRSAKIT_PORT',
  data: 'IRSAKIT_DATA',
  account: 'IRSAKIT_ACCOUNT',
  region: 'IRSAKIT_REGION',
  endpoint: 'IRSAKIT_ENDPOINT',
} as const;

type Key = keyof typeof ENV_NAMES;

// Region names as AWS forms them: partition prefix, area, number (us-east-1, eu-central-2, us-gov-west-1, cn-north-1).
const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/**
 * Validates every source once and returns a frozen Config, or throws ERR_CONFIG whose message lists
 * every problem (one per line, each naming the flag), so a user fixes them all in one go.
 */
export function loadConfig({ flags, env }: ConfigSources): Config {
  const problems: string[] = [];
  const pick = (key: Key): { value: string; from: string } => {
    const flag = flags[key];
    if (typeof flag === 'string') return { value: flag, from: `--${key}` };
    if (flag === true) {
      problems.push(`--${key} needs a value`);
      return { value: DEFAULTS[key], from: `--${key}` };
    }
    const fromEnv = env[ENV_NAMES[key]];
    if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv, from: ENV_NAMES[key] };
    return { value: DEFAULTS[key], from: 'default' };
  };

  const portRaw = pick('port');
  const port = Number(portRaw.value);
  const maxOffset = Math.max(...Object.values(PORT_OFFSETS));
  if (!/^\d+$/.test(portRaw.value) || port < 1 || port + maxOffset > 65535) {
    problems.push(
      `${portRaw.from}: port must be an integer from 1 to ${65535 - maxOffset}, got "${portRaw.value}"`,
    );
  }

  const host = pick('host');
  if (!/^[A-Za-z0-9.:-]+$/.test(host.value))
    problems.push(`${host.from}: not a host name or address: "${host.value}"`);

  const account = pick('account');
  if (!/^\d{12}$/.test(account.value)) {
    problems.push(`${account.from}: an AWS account ID is exactly 12 digits, got "${account.value}"`);
  }

  const region = pick('region');
  if (!REGION_RE.test(region.value))
    problems.push(`${region.from}: not an AWS region name: "${region.value}"`);

  const endpoint = pick('endpoint');
  try {
    const u = new URL(endpoint.value);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
  } catch {
    problems.push(`${endpoint.from}: must be an http:// or https:// URL, got "${endpoint.value}"`);
  }

  const inMemory = flags['in-memory'];
  if (inMemory !== undefined && typeof inMemory !== 'boolean') problems.push('--in-memory takes no value');
  if (inMemory === true && typeof flags.data === 'string')
    problems.push('--data and --in-memory exclude each other');
  const data = pick('data');

  const ak = env.IRSAKIT_ADMIN_ACCESS_KEY_ID;
  const sk = env.IRSAKIT_ADMIN_SECRET_ACCESS_KEY;
  if ((ak === undefined) !== (sk === undefined)) {
    problems.push('IRSAKIT_ADMIN_ACCESS_KEY_ID and IRSAKIT_ADMIN_SECRET_ACCESS_KEY must be set together');
  }
  if (ak !== undefined && !/^AKIA[A-Z0-9]{12,124}$/.test(ak)) {
    problems.push(
      'IRSAKIT_ADMIN_ACCESS_KEY_ID: a long-term access key id starts with AKIA and has 16 to 128 characters A-Z0-9',
    );
  }
  if (sk !== undefined && sk.length < 16)
    problems.push('IRSAKIT_ADMIN_SECRET_ACCESS_KEY: too short (16 characters at least)');

  if (problems.length > 0) {
    throw new IrsakitError('ERR_CONFIG', `invalid configuration:\n  ${problems.join('\n  ')}`, { problems });
  }

  const ports = {
    aws: port + PORT_OFFSETS.aws,
    issuer: port + PORT_OFFSETS.issuer,
    webhook: port + PORT_OFFSETS.webhook,
    imds: port + PORT_OFFSETS.imds,
  };
  return Object.freeze({
    host: host.value,
    port,
    ports: Object.freeze(ports),
    dataDir: inMemory === true ? null : resolve(data.value),
    account: account.value,
    region: region.value,
    endpoint: endpoint.value.replace(/\/+$/, ''),
    adminAccessKeyId: ak,
    adminSecretAccessKey: sk,
  });
}
