export * from './api.js';
export * from './errors.js';
export * from './layout/net-layout.js';
export * from './layout/wire-layout.js';
export * from './net-name.js';
export * from './counters.js';
export * from './wire.js';
export * from './net-port.js';
export { MAX_MESSAGE_BYTES } from './pump-out.js';
