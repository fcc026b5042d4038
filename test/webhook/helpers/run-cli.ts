// Entry for child-process tests: runs the CLI from source (through tsx), exactly as bin/irsakit.js runs dist.
import { main } from '../../../src/cli/index.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`internal error: ${(err as Error).stack}\n`);
    process.exitCode = 70;
  },
);
