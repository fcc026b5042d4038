// irsakit demo: the IRSA journey end to end, and the classic misconfigurations, as data-returning steps.
export { type AppLine, appLines, type ControlRequest, DemoContext, type DemoTarget } from './context.js';
export {
  blockedForOthers,
  EXAMPLE_ACCOUNT,
  EXAMPLE_ISSUER_HOSTPATH,
  EXAMPLES_DIR,
  localize,
  readExample,
} from './examples.js';
export { JOURNEY } from './journey.js';
export { type LocalTarget, startLocalTarget } from './local-instance.js';
export { progressLine, type RenderOptions, renderJson, renderSummary, renderText } from './render.js';
export { type RunDemoOptions, runDemo } from './run-demo.js';
export { SCENARIOS, type Scenario } from './scenarios.js';
export type { StepRecord } from './types.js';
