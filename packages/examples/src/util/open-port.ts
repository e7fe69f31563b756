/**
 * The one place the tools open a port by name. Each port kind registers one
 * opener here (pipes today; switch ports and network ports add theirs), so
 * pktgen and the pipeline generator run on any kind unchanged.
 */
import type { OpenOptions, Port, Region } from '@pktfabric/core';
import { openPort as openPipePort } from '@pktfabric/pipes';

/** Opens `name` (`pipe{1`, `pipe}1`, ...) in `region` with the kind that name belongs to. */
export function openNamedPort(region: Region, name: string, opts: OpenOptions = {}): Port {
  return openPipePort(region, name, opts);
}
