/**
 * Adapts a Node MessagePort or Worker (which emit 'message' with the data) to
 * the EventTarget-shaped endpoint comlink expects (listeners get `{ data }`).
 * A few lines of our own instead of comlink's node-adapter, whose `.mjs`
 * entry has no type declarations NodeNext can find.
 */
import type { Serializable } from 'node:child_process';
import type { Endpoint } from 'comlink';

interface NodePortLike {
  postMessage(message: unknown, transfer?: readonly unknown[]): void;
  on(event: 'message', listener: (data: unknown) => void): unknown;
  off(event: 'message', listener: (data: unknown) => void): unknown;
  start?: () => void;
}

type Handler = ((ev: { data: unknown }) => void) | { handleEvent(ev: { data: unknown }): void };

export function nodeEndpoint(port: NodePortLike): Endpoint {
  const wrapped = new Map<Handler, (data: unknown) => void>();
  const ep = {
    postMessage(message: unknown, transfer?: readonly unknown[]): void {
      port.postMessage(message, transfer);
    },
    addEventListener(_type: string, handler: Handler): void {
      const l = (data: unknown): void => {
        if (typeof handler === 'function') handler({ data });
        else handler.handleEvent({ data });
      };
      wrapped.set(handler, l);
      port.on('message', l);
    },
    removeEventListener(_type: string, handler: Handler): void {
      const l = wrapped.get(handler);
      if (l !== undefined) {
        port.off('message', l);
        wrapped.delete(handler);
      }
    },
    start: port.start === undefined ? undefined : () => port.start!(),
  };
  return ep as unknown as Endpoint;
}

/**
 * The IPC channel of a forked child process (from its parent: the
 * ChildProcess; in the child: `process`) as a comlink endpoint. Messages
 * cross as the channel serializes them (fork with `serialization:
 * 'advanced'` for structured clone); nothing is transferred. A message
 * posted once the channel has closed, or that the channel fails to write,
 * is dropped.
 */
export function processEndpoint(
  proc: {
    send?: (message: Serializable, callback: (error: Error | null) => void) => boolean;
    readonly connected?: boolean;
    on(event: 'message', listener: (data: unknown) => void): unknown;
    off(event: 'message', listener: (data: unknown) => void): unknown;
  } = process,
): Endpoint {
  return nodeEndpoint({
    postMessage(message: unknown): void {
      // The callback takes a failed write (EPIPE: the other side has gone), which
      // would otherwise be an 'error' event; that side's exit or disconnect tells.
      if (proc.connected === true) proc.send!(message as Serializable, () => {});
    },
    on: (event, listener) => proc.on(event, listener),
    off: (event, listener) => proc.off(event, listener),
  });
}
