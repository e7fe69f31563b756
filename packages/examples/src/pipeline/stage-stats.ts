/** Counters of one stage replica, as its worker reports them (cloneable). */
export interface StageStats {
  name: string;
  kind: string;
  index: number;
  replica: number;
  /** Packets that came in (gen: packets generated). */
  packets: number;
  /** Bytes of those packets. */
  bytes: number;
  /** Packets the stage dropped (or could not pass on because every next stage had gone). */
  drops: number;
  /** Packets passed on to the next stage (the last stage: packets it kept, i.e. packets - drops). */
  out: number;
  batches: number;
  /** Stage-specific counters (checksum: bad, notIpv4; user stages: whatever they add). */
  counters: Record<string, number>;
  /** ms from the first packet to the last. */
  activeMs: number;
}
