export { type Config, type ConfigSources, loadConfig, PORT_OFFSETS } from './config.js';
