/**
 * Link state of a network port, from ZeroMQ's socket events: a connection
 * accepted or made is a peer up, a disconnect a peer gone. When the last
 * peer has been gone for `peerTimeoutMs` the link is LINK_HUP and the user's
 * port reports POLLHUP; a peer coming back makes it LINK_UP again. Every
 * connection after the first counts in RECONNECTS. ZeroMQ reconnects a connecting socket by itself, and its
 * heartbeats (ZMTP PING / PONG) turn a peer that vanished without closing
 * into a disconnect.
 */
import { ifWord, portDoorbell, type Notifier, type Region } from '@pktfabric/core';
import type { CounterWriter } from './counters.js';
import {
  LINK_CLOSED,
  LINK_HUP,
  LINK_UP,
  NET_LINK_I32,
  NET_PEERS_I32,
} from './layout/net-layout.js';

export class LinkWatch {
  peers = 0;
  private everUp = false;
  private state = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly i32: Int32Array;
  private readonly linkWord: number;
  private readonly peersWord: number;
  private readonly userBell: Notifier;

  constructor(
    region: Region,
    netIf: number,
    userIf: number,
    private readonly peerTimeoutMs: number,
    private readonly counters: CounterWriter,
    private readonly onFirstUp: () => void,
  ) {
    this.i32 = region.i32;
    this.linkWord = ifWord(region, netIf, NET_LINK_I32);
    this.peersWord = ifWord(region, netIf, NET_PEERS_I32);
    this.userBell = portDoorbell(region, userIf, netIf);
  }

  /** One ZeroMQ socket event. */
  event(type: string): void {
    if (type === 'accept' || type === 'connect') {
      this.peers++;
      this.stopTimer();
      // Every connection after the first counts: a peer coming back, or a
      // new one (which may connect before the old one's disconnect is seen).
      if (this.everUp) {
        this.counters.reconnects++;
        this.counters.flush();
      }
      if (this.state !== LINK_UP) {
        Atomics.store(this.i32, this.peersWord, this.peers);
        this.set(LINK_UP);
        if (!this.everUp) {
          this.everUp = true;
          this.onFirstUp();
        }
      }
    } else if (type === 'disconnect') {
      this.peers = Math.max(0, this.peers - 1);
      if (this.peers === 0 && this.timer === null)
        this.timer = setTimeout(() => {
          this.timer = null;
          if (this.peers === 0) this.set(LINK_HUP);
        }, this.peerTimeoutMs);
    }
    Atomics.store(this.i32, this.peersWord, this.peers);
  }

  /** The worker is stopping: LINK_CLOSED (the user's port reports POLLHUP for good). */
  close(): void {
    this.stopTimer();
    this.peers = 0;
    Atomics.store(this.i32, this.peersWord, 0);
    this.set(LINK_CLOSED);
  }

  private stopTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private set(state: number): void {
    this.state = state;
    Atomics.store(this.i32, this.linkWord, state);
    this.userBell.ring();
  }
}
