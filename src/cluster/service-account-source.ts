import type { ServiceAccountSource, ServiceAccount as WebhookServiceAccount } from '../webhook/index.js';
import type { ObjectStore } from './object-store.js';

/** The webhook's view of the cluster's ServiceAccounts: read straight from the store, so never stale. */
export function storeServiceAccountSource(
  objects: ObjectStore,
): ServiceAccountSource & { ready: () => boolean } {
  return {
    get: async (namespace, name) =>
      objects.get('ServiceAccount', namespace, name) as WebhookServiceAccount | undefined,
    ready: () => true,
  };
}
