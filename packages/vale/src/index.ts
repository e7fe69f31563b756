export * from './api.js';
export * from './errors.js';
export * from './layout/switch-layout.js';
export * from './layout/vale-port-layout.js';
export { macHash, setLookup } from './lookup.js';
export {
  attachPort,
  detachPort,
  parseValeName,
  setSwitchPersistent,
  VALE_SUM_KIND_WORDS,
  type ValeName,
} from './switch.js';
export { openValeDescriptor, openValePort, ValePort } from './vale-port.js';
export { listSwitches, portCounters, retiredValePorts, valeCountersOf } from './info.js';
export { POLLERR, POLLHUP, POLLIN, POLLOUT } from '@pktfabric/core';
export { openNullPort, PORT_KIND_NULL, type NullPortOptions } from './null-port.js';
export {
  monitorDrops,
  monitorUnserved,
  openMonitor,
  PORT_KIND_MONITOR,
  type MonitorOptions,
} from './monitor.js';
export {
  bridgePass,
  bridgeWays,
  portWays,
  runBridge,
  sameRegion,
  type BridgeOptions,
} from './bridge.js';
export type { BridgeIo, BridgeOpenOptions } from './tools/bridge-program.js';
export { RoomGauge } from './room.js';
export { openToolPort } from './open-named.js';
