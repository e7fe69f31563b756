/** Starting a net-peer process (fixtures/net-peer.ts) and reading what it says. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fixtureUrl, waitFor } from '@pktfabric/core/testing';
import type { PeerArgs, PeerMessage } from './fixtures/protocol.js';

export class Peer {
  readonly child: ChildProcess;
  readonly messages: PeerMessage[] = [];
  exited = false;

  constructor(args: PeerArgs) {
    this.child = fork(
      fileURLToPath(fixtureUrl(import.meta.url, 'net-peer')),
      [JSON.stringify(args)],
      {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    this.child.on('message', (m) => this.messages.push(m as PeerMessage));
    this.child.on('close', () => (this.exited = true));
  }

  /** The first message of `type` (after any already taken); rejects on the peer's error or exit. */
  async next<T extends PeerMessage['type']>(
    type: T,
    timeoutMs = 60_000,
  ): Promise<Extract<PeerMessage, { type: T }>> {
    let found: PeerMessage | undefined;
    await waitFor(
      `peer message ${type}`,
      () => {
        const err = this.messages.find((m) => m.type === 'error');
        if (err !== undefined && err.type === 'error') throw new Error(err.message);
        found = this.messages.find((m) => m.type === type);
        if (found !== undefined) return true;
        if (this.exited) throw new Error(`peer exited before ${type}`);
        return false;
      },
      { timeoutMs },
    );
    this.messages.splice(this.messages.indexOf(found!), 1);
    return found as Extract<PeerMessage, { type: T }>;
  }

  /** Progress messages so far: the highest count reported. */
  progress(): number {
    let most = 0;
    for (const m of this.messages)
      if (m.type === 'progress') most = Math.max(most, m.received, m.sent);
    return most;
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }
}
