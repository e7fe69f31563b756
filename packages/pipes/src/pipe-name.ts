import { parsePortName, PortNameError, type PortConf } from '@pktfabric/core';
import { END_MASTER, END_SLAVE } from './layout/pipe-layout.js';

export interface PipeName {
  /** Pipe number. */
  id: number;
  /** 0 master `{`, 1 slave `}`. */
  end: number;
  exclusive: boolean;
  /** Key of the pipe in the region's port-name table. */
  key: string;
  /** `@conf:` options: ring and slot counts used if the open creates the pipe, extra buffers. */
  conf: PortConf;
  /** `@N`: the memId the name asks for, or null. */
  memId: number | null;
}

/**
 * Parses a pipe end name with core's libnetmap-style parser: `pipe{N`
 * (master), `pipe}N` (slave), optional `/x` (exclusive) and
 * `@conf:rings=R,slots=S,extra_bufs=E`. Refuses, with PortNameError, names
 * that are valid netmap names but not pipes we can open: other ports,
 * pipes of a parent port (`eth0{3`), monitors (`/t`, `/r`, `/z`) and
 * single-ring binding (`-N`).
 */
export function parsePipeName(name: string): PipeName {
  const p = parsePortName(name);
  if (p.pipe === null || p.port !== 'pipe' || p.subsystem === 'vale') {
    throw new PortNameError(
      name,
      'not a pipe end: pipes are named pipe{N (master) or pipe}N (slave), N = 0..65535',
    );
  }
  if (p.flags.monitor !== null)
    throw new PortNameError(name, 'monitors of pipes are not supported');
  if (p.ring !== null)
    throw new PortNameError(name, 'binding a single ring (-N) is not supported for pipes');
  const c = p.options;
  if (c.txRings !== undefined && c.rxRings !== undefined && c.txRings !== c.rxRings) {
    throw new PortNameError(name, 'a pipe has the same number of rings in both directions');
  }
  if (c.txSlots !== undefined && c.rxSlots !== undefined && c.txSlots !== c.rxSlots) {
    throw new PortNameError(name, 'a pipe has the same number of slots in both directions');
  }
  const id = p.pipe.id;
  return {
    id,
    end: p.pipe.role === 'master' ? END_MASTER : END_SLAVE,
    exclusive: p.flags.exclusive,
    key: `pipe${id}`,
    conf: c,
    memId: p.memId,
  };
}

export function pipeEndName(id: number, end: number): string {
  return `pipe${end === END_MASTER ? '{' : '}'}${id}`;
}
