/**
 * Error classes of @pktfabric/pipes. Every port kind shares the sync and
 * lifecycle errors, so they live in @pktfabric/core and are re-exported here.
 */
export {
  ClosedError,
  PeerClosedError,
  PeerCorruptError,
  RingStateError,
  SlotError,
} from '@pktfabric/core';
