/** Public options and constants of the switch. */
import type { OpenOptions } from '@pktfabric/core';

/** A lookup's answer: flood to every other port. */
export const BROADCAST = 254;
/** A lookup's answer: drop the frame. */
export const DROP = 255;

/** Default switches per region (netmap's NM_BRIDGES). */
export const DEFAULT_MAX_SWITCHES = 8;
/** Largest `maxSwitches`. */
export const MAX_SWITCHES = 64;
/** Rings per direction of a switch port: 1 .. 16 (netmap's NM_BDG_MAXRINGS). */
export const MAX_VALE_RINGS = 16;
/** Slots per ring of a switch port: at most 4096. */
export const MAX_VALE_SLOTS = 4096;
/** Default slots per ring (netmap's NM_BRIDGE_RINGSIZE). */
export const DEFAULT_VALE_SLOTS = 1024;
/** Most slots one forwarding pass takes from a TX ring (netmap's NM_BDG_BATCH). */
export const VALE_BATCH = 1024;

export interface ValeOpenOptions extends OpenOptions {
  /**
   * Rings per direction when the open creates the port, 1 .. 16 (also
   * `@conf:rings=N` in the name). Opening an existing port with another
   * count is an OptionError. @defaultValue 1
   */
  rings?: number;
  /**
   * Slots per ring when the open creates the port: a power of two from 4 to
   * 4096 that fits the region's ring objects (also `@conf:slots=N`).
   * @defaultValue 1024, or the largest that fits the region's ringSize
   */
  slots?: number;
  /**
   * Switches the region may hold, checked when this open creates a switch:
   * 1 .. 64. @defaultValue 8
   */
  maxSwitches?: number;
}

/**
 * The frame a user lookup sees: `data[offset .. offset + length)` is the
 * frame's first slot (at least the 14-byte Ethernet header). The object is
 * reused for every frame and valid only during the call; `data` is the
 * whole region.
 */
export interface Frame {
  readonly data: Uint8Array;
  offset: number;
  length: number;
}

/**
 * A replaceable lookup (netmap's bdg_ops.lookup): returns the destination
 * port number (0 .. 253, see `ValePort.portNo`), `BROADCAST` or `DROP`.
 * Runs in the sending thread, once per packet; must not allocate to be fast.
 */
export type LookupFn = (frame: Frame, srcPort: number) => number;

/** A switch port's own counters (its KIND words, u32, wrapping). */
export interface ValePortCounters {
  txPackets: number;
  txDrops: number;
  rxPackets: number;
  rxDrops: number;
  txBytes: number;
  rxBytes: number;
  monitorDrops: number;
}

/** One port of a switch, as `listSwitches` reports it. */
export interface PortInfo extends ValePortCounters {
  name: string;
  portNo: number;
  ifIndex: number;
  rings: number;
  slots: number;
  opens: number;
  persistent: boolean;
}

/** A switch port's counters summed over every port closed under its name (retiredValePorts). */
export interface RetiredValePort extends ValePortCounters {
  name: string;
  /** Ports closed under this name. */
  closes: number;
}

export interface SwitchInfo {
  name: string;
  persistent: boolean;
  customLookup: boolean;
  ports: PortInfo[];
}
