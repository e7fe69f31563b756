/** Errors of the switch. Each extends core's classes, so callers can test either. */
import { ExhaustedError, OptionError, PktfabricError } from '@pktfabric/core';

/** A switch has no free port number (254 ports, netmap's limit), or the region has its maximum of switches. */
export class SwitchFullError extends ExhaustedError {
  constructor(
    readonly what: string,
    readonly limit: number,
  ) {
    super(what, 1);
    this.message = `${what}: at most ${limit}`;
  }
}

/** A user lookup threw or returned something that is not a port, BROADCAST or DROP. */
export class LookupError extends PktfabricError {
  constructor(
    readonly switchName: string,
    reason: string,
    cause?: unknown,
  ) {
    super(`switch ${switchName}: lookup ${reason}`);
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause;
  }
}

/**
 * The two ports of a bridge have no way between them: neither receives
 * what the other can transmit (e.g. two network ports that both only send,
 * `zmq:...@out`, or both only receive, `@in`). `option` is `interface`, the
 * parameter that named them.
 */
export class BridgeDirectionError extends OptionError {
  constructor(a: string, b: string) {
    super(
      'interface',
      'two ports with a way between them: one that receives while the other transmits (a network port @out only transmits, @in only receives)',
      `${a} and ${b}`,
    );
  }
}

/**
 * A port name the bridge cannot open here: a network port (`zmq:...`) given
 * to the `bridge` of this package, which opens only ports of a region.
 * `pktfabric bridge` opens network ports too. `option` is `interface`.
 */
export class BridgePortError extends OptionError {
  constructor(name: string) {
    super(
      'interface',
      'a port of the region (vale*:, pipe{N, pipe}N, null:, monitors); network ports (zmq:...) need `pktfabric bridge`',
      name,
    );
  }
}
