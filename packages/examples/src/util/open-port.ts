/**
 * The one place the tools open a port by name. Each port kind registers one
 * opener (pipes, switch ports, null ports and monitors through
 * `openToolPort` of @pktfabric/vale; network ports through `openNetPort` of
 * @pktfabric/net), so pktgen, the pipeline generator and capture run on any
 * kind unchanged.
 */
import type { OpenOptions, Port, Region } from '@pktfabric/core';
import { isNetName, NetPort, openNetPort } from '@pktfabric/net';
import { openToolPort } from '@pktfabric/vale';

export interface NamedPortOptions extends OpenOptions {
  /**
   * Which way the tool moves packets through the port: a network port that
   * does not say it in its name (`@in` / `@out` / `@both`) takes it from here.
   */
  direction?: 'in' | 'out' | 'both';
  /** Whether a network port binds, when its name does not say (`@bind` / `@connect`). */
  bind?: boolean;
  /** Name of the shared region (@pktfabric/shm) the port's region lives in, if any. */
  regionName?: string;
}

/**
 * Opens `name` (`pipe{1`, `pipe}1`, `vale0:p1`, `null:x`, `pipe{1/t`,
 * `vale0:p1/r`, `zmq:tcp://host:port[@options]`, ...) in `region` with the
 * kind that name belongs to. Async because a network port starts its I/O
 * worker.
 */
export async function openNamedPort(
  region: Region,
  name: string,
  opts: NamedPortOptions = {},
): Promise<Port> {
  const { direction, bind, regionName, ...open } = opts;
  if (isNetName(name))
    return openNetPort(region, name, {
      ...open,
      ...(direction !== undefined && !/@(.*,)?(in|out|both)(,|$)/.test(name) ? { direction } : {}),
      ...(bind !== undefined && !/@(.*,)?(bind|connect)(,|$)/.test(name) ? { bind } : {}),
      ...(regionName !== undefined ? { regionName } : {}),
    });
  return openToolPort(region, name, open);
}

/**
 * Closes a port opened by openNamedPort; for a network port, also waits
 * until its I/O worker has sent what was left and stopped (a thread that
 * exits takes its worker threads with it).
 */
export async function closeNamedPort(port: Port): Promise<void> {
  if (!port.isClosed) port.close();
  if (port instanceof NetPort) await port.ioDone();
}
