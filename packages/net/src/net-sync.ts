/**
 * The sync strategy of the port a user holds: the pipe's, plus the network
 * link. The port hangs up (POLLHUP, `peerClosed`) when the pipe's other end
 * closed (the I/O worker stopped) or when the link is LINK_HUP (every peer
 * gone for peerTimeoutMs); it is open (`peerOpen`) while a peer is
 * connected. A peer coming back clears LINK_HUP.
 */
import {
  ifWord,
  type DestroyReport,
  type Kring,
  type PortSync,
  type Region,
} from '@pktfabric/core';
import type { PipeSync } from '@pktfabric/pipes';
import { LINK_HUP, LINK_UP, NET_LINK_I32 } from './layout/net-layout.js';

export class NetSync implements PortSync {
  private readonly i32: Int32Array;
  private readonly linkWord: number;

  constructor(
    private readonly inner: PipeSync,
    region: Region,
    netIf: number,
  ) {
    this.i32 = region.i32;
    this.linkWord = ifWord(region, netIf, NET_LINK_I32);
  }

  txsync(k: Kring): boolean {
    return this.inner.txsync(k);
  }

  rxsync(k: Kring): boolean {
    return this.inner.rxsync(k);
  }

  pending(k: Kring): boolean {
    return this.inner.pending(k);
  }

  wakePeer(): void {
    this.inner.wakePeer();
  }

  hungUp(): boolean {
    return this.inner.hungUp() || Atomics.load(this.i32, this.linkWord) >= LINK_HUP;
  }

  peerOpen(): boolean {
    return this.inner.peerOpen() && Atomics.load(this.i32, this.linkWord) === LINK_UP;
  }

  close(): DestroyReport | null {
    return this.inner.close();
  }
}
