/**
 * Opens a port by name, whatever its kind in this region: `vale*:` switch
 * ports, `null:` null ports, pipe ends, and a copy or zero-copy monitor of any
 * of them (`/t`, `/r`, `/tr`, `/z`). The tools of this package use it, and so
 * do pktgen, the pipeline and capture (through examples' openNamedPort).
 */
import { parsePortName, type OpenOptions, type Port, type Region } from '@pktfabric/core';
import { openPort as openPipePort } from '@pktfabric/pipes';
import { openMonitor } from './monitor.js';
import { openNullPort } from './null-port.js';
import { openValePort } from './vale-port.js';

export function openToolPort(region: Region, name: string, opts: OpenOptions = {}): Port {
  if (typeof name === 'string' && name.includes('/') && isMonitorName(name))
    return openMonitor(region, name, opts);
  if (typeof name === 'string' && name.startsWith('vale')) return openValePort(region, name, opts);
  if (typeof name === 'string' && name.startsWith('null:')) return openNullPort(region, name, opts);
  return openPipePort(region, name, opts);
}

/** True when `name` parses and asks for a monitor (a bad name is left to the opener's own error). */
function isMonitorName(name: string): boolean {
  try {
    return parsePortName(name).flags.monitor !== null;
  } catch {
    return false;
  }
}
