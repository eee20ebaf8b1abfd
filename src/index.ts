export { runCli, createProgram } from './cli.js';
export { parseConfig, loadConfig, configJsonSchema } from './config/load.js';
export { runCheck, runChecks } from './core/run-check.js';
export { exitCodeFor, EXIT } from './core/outcome.js';
export { LocalHost } from './host/local.js';
export { checks } from './checks/api.js';
export { remediations } from './remediations/api.js';
export type * from './core/types.js';
