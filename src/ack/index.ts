export {
  ACK_API_VERSION,
  type AckClients,
  type AckResult,
  applyAckObjects,
  isAckObject,
} from './apply-ack-objects.js';
