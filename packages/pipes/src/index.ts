export * from './api.js';
export * from './errors.js';
export * from './layout/pipe-layout.js';
export * from './pipe-name.js';
export * from './pipe.js';
export * from './pipe-sync.js';
export * from './endpoint.js';
