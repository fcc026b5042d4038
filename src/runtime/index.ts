export { ADMIN_PREFIX } from './admin-api.js';
export type { AdminRequest, AdminResponse, AdminRoute } from './admin-route.js';
export {
  type Endpoints,
  type HealthReport,
  type Instance,
  type InstanceOptions,
  startInstance,
} from './instance.js';
export { closeServer, listen } from './listen.js';
export { type AdminKeyPair, awsId, type RuntimeState } from './state.js';
