import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { IrsakitError } from '../errors/index.js';

export const LOCK_FILE = 'irsakit.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM means the process exists but belongs to someone else: still alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the data directory's exclusive lock (a file holding the owner's pid, created with O_EXCL).
 * A lock left by a dead process (kill -9) is taken over; a live owner makes this throw ERR_DATA_DIR_LOCKED.
 * Returns the release function.
 */
export function lockDataDir(dataDir: string): () => void {
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(path, 'utf8') === String(process.pid)) unlinkSync(path);
        } catch {
          // already gone: nothing to release
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let owner = Number.NaN;
      try {
        owner = Number(readFileSync(path, 'utf8'));
      } catch {
        continue; // removed between our open and read: try again
      }
      if (Number.isInteger(owner) && owner > 0 && alive(owner)) {
        throw new IrsakitError(
          'ERR_DATA_DIR_LOCKED',
          `the data directory ${dataDir} is in use by another irsakit (pid ${owner}); stop it or use --data with another directory`,
          { pid: owner },
        );
      }
      try {
        unlinkSync(path); // stale lock from a process that died
      } catch {
        // someone else removed it first
      }
    }
  }
  throw new IrsakitError('ERR_DATA_DIR_LOCKED', `could not lock the data directory ${dataDir}`);
}
