/**
 * Which pipes a pipeline needs: between consecutive stages, one pipe for
 * every (upstream replica, downstream replica) pair. An upstream replica
 * spreads its packets round-robin over its pipes; a downstream replica
 * merges all of its pipes. With one replica on each side that is one pipe.
 * The upstream side opens the master end `pipe{N`, the downstream side the
 * slave end `pipe}N`.
 */
import type { PipelineSpec } from './spec.js';

export interface Topology {
  /** Pipe numbers, 1..P. */
  pipeIds: number[];
  /** inputs[stage][replica]: port names it reads. */
  inputs: string[][][];
  /** outputs[stage][replica]: port names it writes. */
  outputs: string[][][];
}

/**
 * `netIn` / `netOut`: network port names (net-ends.ts) the first stage reads
 * and the last stage writes instead of nothing.
 */
export function planTopology(
  spec: PipelineSpec,
  netIn: string | null = null,
  netOut: string | null = null,
): Topology {
  const st = spec.stages;
  const inputs = st.map((s) => Array.from({ length: s.replicas }, () => [] as string[]));
  const outputs = st.map((s) => Array.from({ length: s.replicas }, () => [] as string[]));
  const pipeIds: number[] = [];
  let id = 1;
  for (let i = 0; i + 1 < st.length; i++) {
    for (let a = 0; a < st[i]!.replicas; a++) {
      for (let b = 0; b < st[i + 1]!.replicas; b++) {
        pipeIds.push(id);
        outputs[i]![a]!.push(`pipe{${id}`);
        inputs[i + 1]![b]!.push(`pipe}${id}`);
        id++;
      }
    }
  }
  if (netIn !== null) inputs[0]![0]!.push(netIn);
  if (netOut !== null) outputs[st.length - 1]![0]!.push(netOut);
  return { pipeIds, inputs, outputs };
}
