/** Errors of the switch. Each extends core's classes, so callers can test either. */
import { ExhaustedError, PktfabricError } from '@pktfabric/core';

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
