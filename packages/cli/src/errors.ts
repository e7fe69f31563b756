/**
 * Named error classes of the pktfabric tools; callers test them with
 * `instanceof` (and `reason`). Option errors use core's OptionError.
 */
import { PktfabricError } from '@pktfabric/core';

/** Why a capture file was refused. */
export type CaptureFileReason =
  /** The file ends inside its file header or section header. */
  | 'truncated-header'
  /** The file ends inside a record (pcap) or block (pcapng). */
  | 'truncated-record'
  /** Neither a pcap magic nor a pcapng section header block. */
  | 'bad-magic'
  /** A format version this reader does not know. */
  | 'bad-version'
  /** A link type the tools cannot send or label (see SUPPORTED_LINK_TYPES). */
  | 'unknown-link-type'
  /** A record longer than the file's snap length or than MAX_RECORD_BYTES. */
  | 'record-too-long'
  /** A pcapng block whose length is too small, not a multiple of 4, past the end, or not repeated. */
  | 'bad-block-length'
  /** A pcapng packet for an interface the section did not describe. */
  | 'bad-interface'
  /** A timestamp fraction of a second at or over one second. */
  | 'bad-timestamp';

/** A capture file (pcap or pcapng) that cannot be read: `offset` is the byte where the problem is. */
export class CaptureFileError extends PktfabricError {
  constructor(
    readonly reason: CaptureFileReason,
    readonly offset: number,
    detail: string,
  ) {
    super(`capture file: ${reason} at byte offset ${offset}: ${detail}`);
  }
}

/** A tool name `pktfabric <tool>` does not know. */
export class UnknownToolError extends PktfabricError {
  constructor(
    readonly tool: string,
    known: readonly string[],
  ) {
    super(`unknown tool '${tool}'; the tools are: ${known.join(', ')}`);
  }
}
