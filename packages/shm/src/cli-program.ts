/**
 * pktfabric-regions' command line (main); cli.ts runs it.
 *
 * pktfabric-regions: the regions shared by processes on this machine (named
 * shared-memory objects /dev/shm/pktfabric-*): `list` shows each one and who
 * uses it, `clean` removes those whose every user has died.
 */
import { readdirSync } from 'node:fs';
import { Command } from 'commander';
import { OWNER_LIVE, PortTable } from '@pktfabric/core';
import { processAlive, SHM_NAME_PREFIX, unlinkShm } from './index.js';
import { openSharedRegion } from './region.js';

interface Entry {
  name: string;
  ok: boolean;
  detail: string;
  /** Processes recorded as users, and whether each is alive. */
  users: Array<{ pid: number; alive: boolean }>;
}

function scan(dir: string, only: readonly string[]): Entry[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter(
      (f) =>
        f.startsWith(SHM_NAME_PREFIX) &&
        (only.length === 0 || only.includes(f.slice(SHM_NAME_PREFIX.length))),
    );
  } catch {
    return [];
  }
  return names.sort().map((f) => {
    const name = f.slice(SHM_NAME_PREFIX.length);
    try {
      const region = openSharedRegion(name);
      const pids = new Map<number, boolean>();
      for (let id = 1; id <= region.owners.capacity; id++) {
        const o = region.owners.info(id);
        if (o.state === OWNER_LIVE && !pids.has(o.pid)) pids.set(o.pid, processAlive(o.pid));
      }
      const ports = new PortTable(region).list().map((p) => p.name);
      const users = [...pids].map(([pid, alive]) => ({ pid, alive }));
      return {
        name,
        ok: true,
        detail: `${region.totalBytes} bytes, memId ${region.memId}, ${region.bufCount} buffers; ports: ${ports.join(' ') || '-'}`,
        users,
      };
    } catch (e) {
      return { name, ok: false, detail: `not a usable region: ${(e as Error).message}`, users: [] };
    }
  });
}

const abandoned = (e: Entry): boolean => e.ok && e.users.every((u) => !u.alive);

export function main(argv: string[]): number {
  const program = new Command('pktfabric-regions')
    .description('regions shared by processes on this machine (named shared-memory objects)')
    .option('--dir <path>', 'where the objects appear', '/dev/shm');
  let code = 0;
  program
    .command('list')
    .argument('[names...]', 'only these regions')
    .description('each region: size, ports, and the processes using it (alive or dead)')
    .action((names: string[]) => {
      const all = scan(program.opts<{ dir: string }>().dir, names);
      if (all.length === 0) console.log('no pktfabric regions');
      for (const e of all) {
        const users =
          e.users.map((u) => `${u.pid}${u.alive ? '' : ' (dead)'}`).join(', ') || 'none';
        console.log(
          `${e.name}: ${e.detail}; users: ${users}${abandoned(e) ? '  [abandoned]' : ''}`,
        );
      }
    });
  program
    .command('clean')
    .argument('[names...]', 'only these regions')
    .description('remove the regions whose every user has died (or that have none)')
    .option('-n, --dry-run', 'only say what would be removed')
    .action((names: string[], o: { dryRun?: boolean }) => {
      for (const e of scan(program.opts<{ dir: string }>().dir, names).filter(abandoned)) {
        if (o.dryRun === true) console.log(`would remove ${e.name}`);
        else {
          unlinkShm(e.name);
          console.log(`removed ${e.name}`);
        }
      }
    });
  try {
    program.parse(argv);
  } catch (e) {
    console.error(`pktfabric-regions: ${(e as Error).message}`);
    code = 1;
  }
  return code;
}
