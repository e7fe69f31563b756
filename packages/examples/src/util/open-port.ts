/**
 * The one place the tools open a port by name. Each port kind registers one
 * opener here (pipes and switch ports today; network ports add theirs), so
 * pktgen and the pipeline generator run on any kind unchanged.
 */
import type { OpenOptions, Port, Region } from '@pktfabric/core';
import { openPort as openPipePort } from '@pktfabric/pipes';
import { openValePort } from '@pktfabric/vale';

/** Opens `name` (`pipe{1`, `pipe}1`, `vale0:p1`, ...) in `region` with the kind that name belongs to. */
export function openNamedPort(region: Region, name: string, opts: OpenOptions = {}): Port {
  if (name.startsWith('vale')) return openValePort(region, name, opts);
  return openPipePort(region, name, opts);
}
