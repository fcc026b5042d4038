import type { Command } from '../command.js';
import { clusterDescribeCommand, clusterRotateKeysCommand } from './cluster.js';
import { tokenCommand } from './token.js';
import { upCommand } from './up.js';

/**
 * Every CLI command, in the order `irsakit --help` lists them. Each lives in its own file here;
 * adding a command is one import and one entry.
 */
export const COMMANDS: readonly Command[] = [
  upCommand,
  tokenCommand,
  clusterDescribeCommand,
  clusterRotateKeysCommand,
];
