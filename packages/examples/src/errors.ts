/**
 * Named error classes of @pktfabric/examples; callers test them with
 * `instanceof`. Option errors use core's OptionError.
 */
import { PktfabricError } from '@pktfabric/core';

/** An error that crossed a thread boundary as `{ name, message, stack }`. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
}

export function serializeError(e: unknown): SerializedError {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { name: 'Error', message: String(e) };
}

/** Rebuilds an Error from its serialized form, keeping name, message and the remote stack. */
export function reviveError(s: SerializedError): Error {
  const e = new Error(s.message);
  e.name = s.name;
  if (s.stack !== undefined) e.stack = s.stack;
  return e;
}

/** A pktgen end failed: its worker threw or exited early. `cause` is the worker's error. */
export class PktgenError extends PktfabricError {
  constructor(
    readonly mode: string,
    readonly port: string,
    readonly cause: Error,
  ) {
    super(`pktgen ${mode} on ${port} failed: ${cause.name}: ${cause.message}`);
  }
}

/** `-w`: the peer end did not open within the wait time. */
export class PeerWaitError extends PktfabricError {
  constructor(
    readonly port: string,
    readonly waitedMs: number,
  ) {
    super(`${port}: the peer end did not open within ${waitedMs} ms`);
  }
}

/** A pipeline spec (text or JSON) is malformed; `position` is the stage index (0-based) when known. */
export class SpecError extends PktfabricError {
  constructor(
    detail: string,
    readonly position = -1,
  ) {
    super(
      position >= 0
        ? `pipeline spec, stage ${position + 1}: ${detail}`
        : `pipeline spec: ${detail}`,
    );
  }
}

/** A pipeline stage threw (or its worker died); the pipeline was stopped. */
export class StageError extends PktfabricError {
  constructor(
    /** The stage's label, e.g. `swap-mac` or the user module's file name. */
    readonly stage: string,
    /** 0-based position of the stage in the pipeline. */
    readonly index: number,
    readonly replica: number,
    readonly cause: Error,
  ) {
    super(
      `stage ${index + 1} "${stage}"${replica > 0 ? ` (replica ${replica})` : ''} failed: ${cause.name}: ${cause.message}`,
    );
  }
}
