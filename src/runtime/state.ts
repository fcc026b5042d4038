import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/index.js';
import type { Migration, Store } from '../store/index.js';
import { createCa, issueServerCert, type KeyPairPem } from '../tls/index.js';

const RUNTIME_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'instance settings: admin credentials, admin API token, local CA',
    up(db) {
      db.exec('CREATE TABLE runtime_kv (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    },
  },
];

export interface AdminKeyPair {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface RuntimeState {
  readonly account: string;
  readonly admin: AdminKeyPair;
  /** Bearer token for the /_irsakit/ control API. */
  readonly adminToken: string;
  readonly ca: KeyPairPem;
  /** Serving certificate for the HTTPS listeners (issuer, webhook), signed by the CA. */
  readonly serving: KeyPairPem;
  /** True when this start created the data directory's state (first use). */
  readonly fresh: boolean;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** AWS-shaped ids: prefix + uppercase base32 characters (AKIA… access keys are 20 characters). */
export function awsId(prefix: string, length = 20, random: (n: number) => Buffer = randomBytes): string {
  const bytes = random(length);
  let out = prefix;
  for (let i = 0; out.length < length; i++) out += ALNUM[(bytes[i] ?? 0) % 32];
  return out;
}

/**
 * Loads the instance's persistent settings, creating them the first time a data directory is used:
 * the account's administrator key pair (from IRSAKIT_ADMIN_* if set then, generated otherwise), the admin
 * API token, and the local CA. The serving certificate is re-issued at each start for the current host.
 */
export async function loadRuntimeState(store: Store, config: Config): Promise<RuntimeState> {
  store.migrate('runtime', RUNTIME_MIGRATIONS);
  const get = store.db.prepare<[string], { value: string }>('SELECT value FROM runtime_kv WHERE key = ?');
  const put = store.db.prepare('INSERT INTO runtime_kv (key, value) VALUES (?, ?)');
  const existing = get.get('state');
  let fresh = false;
  let state: { account: string; admin: AdminKeyPair; adminToken: string; ca: KeyPairPem };
  if (existing) {
    state = JSON.parse(existing.value);
  } else {
    fresh = true;
    state = {
      account: config.account,
      admin: {
        accessKeyId: config.adminAccessKeyId ?? awsId('AKIA'),
        secretAccessKey: config.adminSecretAccessKey ?? randomBytes(30).toString('base64'),
      },
      adminToken: randomBytes(24).toString('base64url'),
      ca: await createCa('irsakit local CA'),
    };
    store.tx(() => put.run('state', JSON.stringify(state)));
  }
  if (store.dataDir !== null) {
    // The CLI on this machine reads the admin API token from here (owner-only, like a kubeconfig).
    writeFileSync(join(store.dataDir, 'admin-token'), `${state.adminToken}\n`, { mode: 0o600 });
    writeFileSync(join(store.dataDir, 'ca.pem'), state.ca.certPem, { mode: 0o644 });
  }
  const ips = new Set(['127.0.0.1']);
  const dns = new Set(['localhost']);
  if (/^[\d.]+$/.test(config.host) || config.host.includes(':')) ips.add(config.host);
  else dns.add(config.host);
  const serving = await issueServerCert(state.ca, {
    commonName: 'irsakit',
    dnsNames: [...dns],
    ipAddresses: [...ips],
  });
  return { ...state, serving, fresh };
}
