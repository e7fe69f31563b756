/**
 * Errors crossing the thread boundary: a worker fixture sends what it caught
 * as a plain object (`serializeError`, inside an `ErrorMessage`), and the test
 * rebuilds it (`WorkerError`) with the original name, message, stack and the
 * error's own primitive fields.
 *
 * Worker-side safe: imports nothing, so fixtures can load it
 * (`@pktfabric/core/testing/errors`) without pulling in vitest.
 */

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  /** The error's own enumerable number, string and boolean properties. */
  fields: Record<string, unknown>;
}

/** The message a fixture posts when it fails; `FixtureWorker` rejects on it. */
export interface ErrorMessage {
  type: 'error';
  error: SerializedError;
}

export function serializeError(e: unknown): SerializedError {
  if (e instanceof Error) {
    const fields: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(e)) {
      if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') fields[k] = v;
    }
    return e.stack === undefined
      ? { name: e.name, message: e.message, fields }
      : { name: e.name, message: e.message, stack: e.stack, fields };
  }
  return { name: 'Error', message: String(e), fields: {} };
}

/** `{ type: 'error', error: serializeError(e) }`. */
export function errorMessage(e: unknown): ErrorMessage {
  return { type: 'error', error: serializeError(e) };
}

const RESERVED = new Set(['name', 'message', 'stack', 'fields']);

/**
 * An error rebuilt from a worker's message: same name, message and stack; its
 * fields both in `fields` and as own properties (so `err.portName` reads as
 * it did in the worker).
 */
export class WorkerError extends Error {
  readonly fields: Record<string, unknown>;
  constructor(e: SerializedError) {
    super(e.message);
    this.name = e.name;
    this.fields = { ...e.fields };
    if (e.stack !== undefined) this.stack = e.stack;
    for (const [k, v] of Object.entries(e.fields)) {
      if (!RESERVED.has(k)) Object.defineProperty(this, k, { value: v, enumerable: true });
    }
  }
}
