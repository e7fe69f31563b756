/**
 * Named error classes of @pktfabric/net, all subclasses of core's errors so
 * callers can test them with `instanceof` (core's or these).
 */
import { PktfabricError, PortNameError } from '@pktfabric/core';

/** A network port name that does not parse (`zmq:tcp://host:port[@options]`). */
export class NetNameError extends PortNameError {}

/**
 * ZeroMQ refused the endpoint when the port was opened: the address is
 * already bound (`EADDRINUSE`), the interface does not exist (`ENODEV`), the
 * transport is unknown (`EPROTONOSUPPORT`), the address is malformed
 * (`EINVAL`). `code` is ZeroMQ's errno name.
 */
export class NetEndpointError extends PktfabricError {
  constructor(
    readonly endpoint: string,
    readonly op: 'bind' | 'connect',
    readonly code: string,
    detail: string,
  ) {
    super(`${op} ${endpoint} failed: ${code} (${detail})`);
  }
}

/** No peer connected within `waitPeerMs` (an unreachable or absent host). */
export class NetPeerTimeoutError extends PktfabricError {
  constructor(
    readonly endpoint: string,
    readonly waitedMs: number,
  ) {
    super(`${endpoint}: no peer connected within ${waitedMs} ms`);
  }
}

/** The I/O worker of a network port failed after it had started (the port is hung up). */
export class NetIoError extends PktfabricError {
  constructor(
    readonly endpoint: string,
    detail: string,
  ) {
    super(`${endpoint}: I/O worker failed: ${detail}`);
  }
}
