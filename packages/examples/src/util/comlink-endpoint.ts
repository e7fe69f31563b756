/**
 * Adapts a Node MessagePort or Worker (which emit 'message' with the data) to
 * the EventTarget-shaped endpoint comlink expects (listeners get `{ data }`).
 * A few lines of our own instead of comlink's node-adapter, whose `.mjs`
 * entry has no type declarations NodeNext can find.
 */
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
