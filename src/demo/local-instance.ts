import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/index.js';
import { isIrsakitError } from '../errors/index.js';
import { startInstance } from '../runtime/index.js';
import type { ControlRequest, DemoTarget } from './context.js';

function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

/** A base port whose four listener ports are free now (the OS cannot hand out four consecutive ports). */
async function freeBase(host: string): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const base = 20_000 + Math.floor(Math.random() * 10_000) * 4;
    const ok = await Promise.all([0, 1, 2, 3].map((o) => portFree(base + o, host)));
    if (ok.every(Boolean)) return base;
  }
  throw new Error('no free range of four ports found');
}

export interface LocalTarget {
  readonly target: DemoTarget;
  readonly dataDir: string;
  close(): Promise<void>;
}

/**
 * The demo's own instance: a fresh temporary data directory, a free port range, every listener on 127.0.0.1.
 * Its clock can be moved forward (the expired-token scenario). close() stops it and removes its files.
 */
export async function startLocalTarget(opts: {
  control: (endpoint: string, token: string) => ControlRequest;
  log?: (line: string) => void;
}): Promise<LocalTarget> {
  const dataDir = mkdtempSync(join(tmpdir(), 'irsakit-demo-'));
  let offset = 0;
  const now = () => Date.now() + offset;
  const host = '127.0.0.1';
  let lastErr: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freeBase(host);
    const config = loadConfig({ flags: { port: String(port), data: dataDir, host }, env: {} });
    try {
      const instance = await startInstance(config, { now, ...(opts.log ? { log: opts.log } : {}) });
      const aws = instance.endpoints.aws;
      const token = instance.state.adminToken;
      const control = opts.control(aws, token);
      return {
        dataDir,
        target: {
          aws,
          region: config.region,
          account: instance.state.account,
          admin: instance.state.admin,
          control,
          advanceClock: (ms) => {
            offset += ms;
          },
        },
        async close() {
          await instance.close();
          rmSync(dataDir, { recursive: true, force: true });
          // The kubelet keeps pods' directories under the temp dir, named after the data directory.
          const pods = join(
            tmpdir(),
            `irsakit-pods-${createHash('sha256').update(dataDir).digest('hex').slice(0, 12)}`,
          );
          rmSync(pods, { recursive: true, force: true });
        },
      };
    } catch (err) {
      lastErr = err;
      if (!(isIrsakitError(err) && err.code === 'ERR_PORT_IN_USE')) break;
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
  throw lastErr;
}
