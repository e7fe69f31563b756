/** Errors of the bench engine, matched by class (`instanceof`), not by text. */

export type BenchFailure =
  /** The run did not finish within the hang guard; both workers were terminated. */
  | 'hang'
  /** A worker threw; the error crossed as { name, message, stack }. */
  | 'worker-error'
  /** A worker exited before it reported its result. */
  | 'worker-exit'
  /** The receiver did not get exactly what the sender sent (count or checksum). */
  | 'integrity'
  /** The receiver never saw the measured window open and close. */
  | 'no-window';

/** One run of one bench case failed. */
export class BenchCaseError extends Error {
  override readonly name = 'BenchCaseError';
  readonly caseName: string;
  readonly reason: BenchFailure;

  constructor(caseName: string, reason: BenchFailure, detail: string) {
    super(`bench case ${caseName}: ${reason}: ${detail}`);
    this.caseName = caseName;
    this.reason = reason;
  }
}
