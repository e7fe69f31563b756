/**
 * The one place the tools open a port by name. Each port kind registers one
 * opener (pipes, switch ports, null ports and monitors through
 * `openToolPort` of @pktfabric/vale; network ports add theirs here), so
 * pktgen, the pipeline generator and capture run on any kind unchanged.
 */
import type { OpenOptions, Port, Region } from '@pktfabric/core';
import { openToolPort } from '@pktfabric/vale';

/**
 * Opens `name` (`pipe{1`, `pipe}1`, `vale0:p1`, `null:x`, `pipe{1/t`,
 * `vale0:p1/r`, ...) in `region` with the kind that name belongs to.
 */
export function openNamedPort(region: Region, name: string, opts: OpenOptions = {}): Port {
  return openToolPort(region, name, opts);
}
