import type { Command } from '../command.js';
import { applyCommand } from './apply.js';
import { clusterDescribeCommand, clusterRotateKeysCommand } from './cluster.js';
import { deleteCommand } from './delete.js';
import { demoCommand } from './demo.js';
import { describeCommand } from './describe.js';
import { doctorCommand } from './doctor.js';
import { examplesCommand } from './examples.js';
import { execCommand } from './exec.js';
import { explainCommand } from './explain.js';
import { getCommand } from './get.js';
import { logsCommand } from './logs.js';
import { nodeSetMetadataOptionsCommand } from './node-set-metadata-options.js';
import { policySimulateCommand } from './policy-simulate.js';
import { tokenCommand } from './token.js';
import { upCommand } from './up.js';
import { webhookCertsCommand } from './webhook-certs.js';
import { webhookServeCommand } from './webhook-serve.js';

/**
 * Every CLI command, in the order `irsakit --help` lists them. Each lives in its own file here;
 * adding a command is one import and one entry.
 */
export const COMMANDS: readonly Command[] = [
  demoCommand,
  upCommand,
  examplesCommand,
  tokenCommand,
  applyCommand,
  getCommand,
  describeCommand,
  deleteCommand,
  logsCommand,
  execCommand,
  nodeSetMetadataOptionsCommand,
  clusterDescribeCommand,
  clusterRotateKeysCommand,
  webhookServeCommand,
  webhookCertsCommand,
  policySimulateCommand,
  doctorCommand,
  explainCommand,
];
