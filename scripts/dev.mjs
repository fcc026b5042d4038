// Runs the CLI from source (no build): node --import tsx scripts/dev.mjs <args>
import { main } from '../src/cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
