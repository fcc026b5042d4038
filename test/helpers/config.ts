import { createServer } from 'node:net';
import type { Config } from '../../src/config/index.js';
import { loadConfig } from '../../src/config/index.js';

/** A config for a test instance on `port` (+ offsets) with its own data dir, or in memory. */
export function testConfig(opts: { port: number; dataDir?: string }): Config {
  return loadConfig({
    flags: {
      port: String(opts.port),
      ...(opts.dataDir ? { data: opts.dataDir } : { 'in-memory': true }),
    },
    env: {},
  });
}

function free(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A base port whose four listener ports (base..base+3) are free right now on 127.0.0.1. */
export async function freePortBase(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 8000) * 4;
    const ok = await Promise.all([0, 1, 2, 3].map((o) => free(base + o)));
    if (ok.every(Boolean)) return base;
  }
  throw new Error('no free port range found');
}
