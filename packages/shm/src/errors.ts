/**
 * The errors of @pktfabric/shm. Every error it throws is a `ShmError` with a
 * `code` string: an errno name from the system call (`EEXIST`, `ENOENT`,
 * `EACCES`, ...), one of the checks of `openShm` (`ESHM_OWNER`, `ESHM_MODE`,
 * `ESHM_SIZE`), `EINVAL` / `ERANGE` for a bad argument, or `ESHM_UNAVAILABLE`
 * when the native addon could not be built or loaded.
 */
export class ShmError extends Error {
  /** An errno name (`EEXIST`) or one of this package's codes (`ESHM_OWNER`). */
  readonly code: string;
  /** For a bad argument: the parameter's name. */
  readonly param: string | undefined;

  constructor(code: string, message: string, options?: { param?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ShmError';
    this.code = code;
    this.param = options?.param;
  }
}

/** The native addon is missing or failed to load; `reason` says why (no compiler, a compile error, ...). */
export class ShmUnavailableError extends ShmError {
  readonly reason: string;

  constructor(reason: string) {
    super(
      'ESHM_UNAVAILABLE',
      `@pktfabric/shm: the native addon is unavailable, so shared memory between processes cannot be used: ${reason}`,
    );
    this.name = 'ShmUnavailableError';
    this.reason = reason;
  }
}
