export type { CliIo, Command } from './command.js';
export { main } from './main.js';
