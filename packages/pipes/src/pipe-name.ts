import { PortNameError } from '@pktfabric/core';
import { END_MASTER, END_SLAVE, MAX_PIPE_ID } from './layout/pipe-layout.js';

export interface PipeName {
  /** Pipe number. */
  id: number;
  /** 0 master `{`, 1 slave `}`. */
  end: number;
  exclusive: boolean;
  /** Key of the pipe in the region's port-name table. */
  key: string;
}

const PIPE_RE = /^pipe([{}])(\d{1,5})(?:\/([a-z]+))?$/;

/** Parses `pipe{N`, `pipe}N`, with an optional `/x` (exclusive). Throws PortNameError. */
export function parsePipeName(name: string): PipeName {
  if (typeof name !== 'string')
    throw new PortNameError(String(name), 'a port name must be a string');
  const m = PIPE_RE.exec(name);
  if (m === null)
    throw new PortNameError(
      name,
      'a pipe end is named pipe{N (master) or pipe}N (slave), N = 0..65535, optionally /x',
    );
  const id = Number(m[2]);
  if (id > MAX_PIPE_ID) throw new PortNameError(name, `pipe number must be 0..${MAX_PIPE_ID}`);
  const flags = m[3] ?? '';
  for (const f of flags)
    if (f !== 'x')
      throw new PortNameError(name, `unknown flag '${f}' for a pipe (only /x, exclusive)`);
  return {
    id,
    end: m[1] === '{' ? END_MASTER : END_SLAVE,
    exclusive: flags.includes('x'),
    key: `pipe${id}`,
  };
}

export function pipeEndName(id: number, end: number): string {
  return `pipe${end === END_MASTER ? '{' : '}'}${id}`;
}
