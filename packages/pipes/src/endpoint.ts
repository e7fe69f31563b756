/**
 * A pipe end as a port: core's `Port` with the pipe's sync strategy, and the
 * pipe-specific names. Everything a user calls on an end (syncs, poll, send /
 * recv, iteration, streams, extra buffers, close) is core's, shared with
 * every other port kind.
 */
import {
  checkRegion,
  attachRegion,
  checkOpenOptions,
  IF_RING_TABLE_I32,
  ifWord,
  Kring,
  OptionError,
  Port,
  RING_PEER_OFF_I32,
  type OpenOptions,
  type PortDescriptor,
  type PortSync,
  type Region,
} from '@pktfabric/core';
import { closeEnd, openEnd } from './pipe.js';
import { PipeSync } from './pipe-sync.js';
import { pipeEndName } from './pipe-name.js';

/**
 * Opens `pipe{N` (master) or `pipe}N` (slave), optionally `/x` (exclusive),
 * in a region this thread holds. Creates the pipe with default options when
 * it does not exist yet. Throws PortNameError, BusyError, ExhaustedError,
 * OptionError (naming `region`, `name` or the bad option). Allocates.
 */
export function openPort(region: Region, name: string, opts: OpenOptions = {}): PipeEndpoint {
  return new PipeEndpoint(region, name, opts);
}

/** Re-opens an end from a descriptor received from another thread (`endpoint.descriptor()` or `{ sab, name }`). */
export function openDescriptor(desc: PortDescriptor, opts: OpenOptions = {}): PipeEndpoint {
  if (desc === null || typeof desc !== 'object')
    throw new OptionError('desc', 'an object { sab, name }', desc);
  return openPort(attachRegion(desc.sab), desc.name, opts);
}

function checkOpenArgs(region: unknown, name: unknown, opts: unknown): OpenOptions {
  checkRegion(region);
  if (typeof name !== 'string') throw new OptionError('name', 'a string such as "pipe{1"', name);
  return checkOpenOptions(opts);
}

export class PipeEndpoint extends Port {
  readonly pipeId: number;
  /** 0 master, 1 slave. */
  readonly end: number;

  /**
   * `wrapSync`, for port kinds built on a pipe (a network port): wraps the
   * pipe's sync strategy, e.g. to add a hang-up condition of its own; it is
   * given the sync and the other end's if index.
   */
  constructor(
    region: Region,
    name: string,
    opts: OpenOptions = {},
    wrapSync?: (sync: PipeSync, peerIf: number) => PortSync,
  ) {
    const o = checkOpenArgs(region, name, opts);
    const checks = o.checks ?? 'slots';
    const spin = o.spin;
    const opened = openEnd(region, name, o);
    try {
      const i32 = region.i32;
      const ring = (k: number): number => i32[ifWord(region, opened.ifIdx, IF_RING_TABLE_I32 + k)]!;
      const tx: Kring[] = [];
      const rx: Kring[] = [];
      const links: Array<[Kring, number]> = [];
      for (let r = 0; r < opened.rings; r++) {
        const t = ring(r);
        const x = ring(opened.rings + r);
        const kt = new Kring(region, t, `${name} tx${r}`, checks);
        const kx = new Kring(region, x, `${name} rx${r}`, checks);
        tx.push(kt);
        rx.push(kx);
        // Each ring is linked to the other end's ring that shares its slots.
        links.push(
          [kt, i32[(t >>> 2) + RING_PEER_OFF_I32]!],
          [kx, i32[(x >>> 2) + RING_PEER_OFF_I32]!],
        );
      }
      const pipeSync = new PipeSync(region, opened.masterIf, opened.end, opened.peerIf, links);
      const sync = wrapSync === undefined ? pipeSync : wrapSync(pipeSync, opened.peerIf);
      super({
        region,
        name,
        ifIdx: opened.ifIdx,
        tx,
        rx,
        sync,
        ...(spin !== undefined ? { spin } : {}),
      });
    } catch (e) {
      closeEnd(region, opened.masterIf, opened.end);
      throw e;
    }
    this.pipeId = opened.id;
    this.end = opened.end;
  }

  /** Name of the other end, e.g. `pipe}3` for `pipe{3`. */
  get peerName(): string {
    return pipeEndName(this.pipeId, 1 - this.end);
  }
}
