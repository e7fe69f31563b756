import type { PacketBatch } from '../packet-batch.js';

/** What a stage function gets besides the batch. */
export interface StageContext {
  /** The stage's display name. */
  readonly name: string;
  /** 0-based position in the pipeline. */
  readonly index: number;
  /** Which replica this worker is (0-based) and how many there are. */
  readonly replica: number;
  readonly replicas: number;
  /** The stage's parameters from the spec, as text. */
  readonly params: Readonly<Record<string, string>>;
  /** Named counters reported with the stage's stats (e.g. checksum's `bad`); add to them freely. */
  readonly counters: Record<string, number>;
}

/**
 * A stage function: called once per batch, in the stage's worker. It may
 * rewrite packet bytes in place, change lengths, and `drop(i)` packets; it
 * must not keep references to the batch after returning. Throwing stops the
 * pipeline with the stage's name and the error.
 */
export type BatchFn = (batch: PacketBatch, ctx: StageContext) => void;
