/**
 * The bench cases, collected from the registered transports
 * (transports/registry.ts): their names, what each does, and the two
 * reference cases the ratio columns divide by.
 */
import type { CaseMode, Work } from './api.js';
import { MAX_FRAME_BYTES, MIN_FRAME_BYTES, WORK_BYTES } from './packet-work.js';
import type { Family, Transport } from './transport.js';
import { TRANSPORTS } from './transports/registry.js';

/** The name of a case (as reported and in bench-results.json). */
export type CaseName = (typeof TRANSPORTS)[number]['cases'][number]['name'];

/** Any registered transport. */
export type AnyTransport = Transport<CaseName>;

export interface CaseInfo {
  /** The transport's name. */
  transport: string;
  work: Work;
  /** The checks mode its ports are opened with; null for cases without ports. */
  mode: CaseMode;
  /**
   * Bytes per packet (len): the work's, or the case's frameBytes (`frame`
   * work). The index cases declare 60 bytes and touch none.
   */
  packetSize: number;
  /** The hand-ring case doing the same per-packet work, or null if there is none (or a round-trip case). */
  handRing: CaseName | null;
  /** The case doing the same through a lower-level API (TransportCase.lowLevel), or null. */
  lowLevel: CaseName | null;
}

/** The transport every "vs hand ring" ratio divides by (the case with the same work). */
export const HAND_RING_TRANSPORT = 'handring';
/** The baseline every "vs postMessage" ratio divides by. */
export const POSTMESSAGE_CASE: CaseName = 'postmessage-64b';

const transports: readonly AnyTransport[] = TRANSPORTS;

/** Every case, in the order the bench reports them (the registry's order). */
export const ALL_CASES: readonly CaseName[] = transports.flatMap((t) => t.cases.map((c) => c.name));

const byCase = new Map<string, AnyTransport>();
for (const t of transports) {
  if (transports.filter((u) => u.name === t.name).length > 1)
    throw new Error(`bench: two transports are named ${t.name}`);
  for (const c of t.cases) {
    if (byCase.has(c.name)) throw new Error(`bench: two transports run a case ${c.name}`);
    byCase.set(c.name, t);
  }
}

for (const t of transports) {
  for (const c of t.cases) {
    if (c.lowLevel !== undefined && !byCase.has(c.lowLevel))
      throw new Error(`bench: case ${c.name} names an unknown low-level case ${c.lowLevel}`);
    if (c.threads !== undefined && !byCase.has(c.threads))
      throw new Error(`bench: case ${c.name} names an unknown thread case ${c.threads}`);
    const fb = c.frameBytes;
    if (
      c.work === 'frame'
        ? fb === undefined || !Number.isInteger(fb) || fb < MIN_FRAME_BYTES || fb > MAX_FRAME_BYTES
        : fb !== undefined
    )
      throw new Error(
        `bench: case ${c.name}: frameBytes goes with the frame work only, from ${MIN_FRAME_BYTES} to ${MAX_FRAME_BYTES} bytes`,
      );
  }
}

/** Bytes per packet of a case: its work's, or its frameBytes (checked above). */
function packetSizeOf(c: { work: Work; frameBytes?: number }): number {
  return c.work === 'frame' ? c.frameBytes! : WORK_BYTES[c.work];
}

function handRingFor(work: Work): CaseName | null {
  const hr = transports.find((t) => t.name === HAND_RING_TRANSPORT);
  return hr?.cases.find((c) => c.work === work)?.name ?? null;
}

/** What each case does. */
export const CASES: Readonly<Record<CaseName, CaseInfo>> = Object.fromEntries(
  transports.flatMap((t) =>
    t.cases.map((c) => [
      c.name,
      {
        transport: t.name,
        work: c.work,
        mode: c.mode ?? null,
        packetSize: packetSizeOf(c),
        handRing: c.rtt === undefined ? handRingFor(c.work) : null,
        lowLevel: (c.lowLevel ?? null) as CaseName | null,
      },
    ]),
  ),
) as Record<CaseName, CaseInfo>;

/** True if `name` is a registered case. */
export function isCaseName(name: string): name is CaseName {
  return byCase.has(name);
}

/** The transport that runs `caseName`. */
export function transportOf(caseName: CaseName): AnyTransport {
  const t = byCase.get(caseName);
  if (t === undefined) throw new RangeError(`unknown bench case ${caseName}`);
  return t;
}

/** The chart family of a case, or undefined for a name no transport runs (e.g. from an old results file). */
export function familyOf(caseName: string): Family | undefined {
  return byCase.get(caseName)?.family;
}

/** Every family of the registered transports, once each, in registry order. */
export const FAMILIES: readonly Family[] = transports
  .map((t) => t.family)
  .filter((f, i, all) => all.findIndex((g) => g.label === f.label) === i);
