/** Opens a port by name for the tools of this package: `vale*:` switch ports, `null:` null ports, pipe ends. */
import type { OpenOptions, Port, Region } from '@pktfabric/core';
import { openPort as openPipePort } from '@pktfabric/pipes';
import { openNullPort } from './null-port.js';
import { openValePort } from './vale-port.js';

export function openToolPort(region: Region, name: string, opts: OpenOptions = {}): Port {
  if (name.startsWith('vale')) return openValePort(region, name, opts);
  if (name.startsWith('null:')) return openNullPort(region, name, opts);
  return openPipePort(region, name, opts);
}
