/**
 * `pktfabric bridge`: vale's bridge with the tools' own port opener and
 * closer (openNamedPort / closeNamedPort), so it joins any port of a region
 * to a network port (`zmq:...`), which vale, knowing no network ports,
 * cannot open itself.
 */
import type { Port, Region } from '@pktfabric/core';
import type { BridgeIo, BridgeOpenOptions } from '@pktfabric/vale';
import { closeNamedPort, openNamedPort } from './util/open-port.js';

export const bridgePorts: Required<Pick<BridgeIo, 'open' | 'close'>> = {
  // A network port's I/O worker opens a region that is not a SharedArrayBuffer by its name.
  open: (region: Region, name: string, o: BridgeOpenOptions): Promise<Port> =>
    openNamedPort(region, name, { regionName: o.regionName }),
  // A network port's close waits for its I/O worker (an `out` port sends what was left).
  close: (port: Port): Promise<void> => closeNamedPort(port),
};

/** Runs the bridge with `argv` (the words after `bridge`) and `io`, opening ports with bridgePorts. Resolves with the exit code. */
export async function bridgeTool(
  argv: readonly string[],
  io: Omit<BridgeIo, 'open' | 'close'>,
): Promise<number> {
  const url = new URL('./tools/bridge-program.js', import.meta.resolve('@pktfabric/vale'));
  const m = (await import(url.href)) as {
    bridgeCli(argv: readonly string[], io: BridgeIo): Promise<number>;
  };
  return m.bridgeCli(argv, { ...io, ...bridgePorts });
}
