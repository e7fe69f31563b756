/**
 * vale-ctl's command line (commander): list switches and their ports with
 * per-port counters, attach / detach persistent ports, on a region shared
 * by processes (opened by name with @pktfabric/shm). `valeCtl` is the
 * program as a function, so tests (and other tools) run it in-process on a
 * region they hold.
 */
import { Command, InvalidArgumentError } from 'commander';
import Table from 'cli-table3';
import { PktfabricError, type Region } from '@pktfabric/core';
import {
  attachPort,
  detachPort,
  listSwitches,
  retiredValePorts,
  setSwitchPersistent,
} from '../index.js';
import type { RetiredValePort, SwitchInfo } from '../api.js';
import { parseTool } from './parse.js';

export interface ValeCtlIo {
  out: (s: string) => void;
  err: (s: string) => void;
  /** Opens the region named by --region. @defaultValue @pktfabric/shm's openSharedRegion */
  openRegion?: (name: string) => Region | Promise<Region>;
}

function regionName(v: string): string {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(v))
    throw new InvalidArgumentError('must be 1 to 64 of A-Z a-z 0-9 . _ -');
  return v;
}

function conf(v: string): { rings: number; slots: number } {
  const m = /^(\d+),(\d+)$/.exec(v);
  if (m === null) throw new InvalidArgumentError('must look like RINGS,SLOTS (e.g. 1,1024)');
  return { rings: Number(m[1]), slots: Number(m[2]) };
}

/** The listing as a table (one row per port) or, for a switch with no port, one row saying so. */
export function formatSwitches(list: SwitchInfo[]): string {
  if (list.length === 0) return 'no switches in this region\n';
  const t = new Table({
    head: [
      'port',
      'no',
      'rings',
      'slots',
      'opens',
      'persist',
      'tx pkts',
      'tx drops',
      'rx pkts',
      'rx drops',
      'mon drops',
    ],
    style: { head: [], border: [] },
  });
  for (const s of list) {
    if (s.ports.length === 0)
      t.push([
        `${s.name} (empty${s.persistent ? ', persistent' : ''})`,
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
      ]);
    for (const p of s.ports)
      t.push([
        p.name,
        p.portNo,
        p.rings,
        p.slots,
        p.opens,
        p.persistent ? 'yes' : 'no',
        p.txPackets,
        p.txDrops,
        p.rxPackets,
        p.rxDrops,
        p.monitorDrops,
      ]);
  }
  return `${t.toString()}\n`;
}

/** The switch ports closed for good (the region's retired counters), one row per name. */
export function formatClosed(list: RetiredValePort[]): string {
  if (list.length === 0) return 'no closed switch ports in this region\n';
  const t = new Table({
    head: ['port', 'closes', 'tx pkts', 'tx drops', 'rx pkts', 'rx drops', 'mon drops'],
    style: { head: [], border: [] },
  });
  for (const p of list)
    t.push([p.name, p.closes, p.txPackets, p.txDrops, p.rxPackets, p.rxDrops, p.monitorDrops]);
  return `${t.toString()}\n`;
}

export function buildProgram(): Command {
  return new Command('vale-ctl')
    .description(
      'Lists the VALE switches of a shared pktfabric region and their ports with counters, and attaches or detaches persistent ports (netmap vale-ctl).',
    )
    .requiredOption(
      '--region <name>',
      'the shared region (created with @pktfabric/shm)',
      regionName,
    )
    .option(
      '-a, --attach <port>',
      'create persistent port valeX:Y on its switch (the switch is created if absent)',
    )
    .option('-n, --new <port>', 'same as --attach: a persistent port is always on its switch')
    .option(
      '-d, --detach <port>',
      'detach and free persistent port valeX:Y (refused while it is open)',
    )
    .option('-r, --remove <port>', 'same as --detach')
    .option('-C, --conf <rings,slots>', 'rings and slots of a port made with --attach', conf)
    .option('-p, --persist <switch>', 'keep switch valeX while it has no port')
    .option('-P, --unpersist <switch>', 'let switch valeX go with its last port')
    .option('-l, --list', 'list switches and ports with counters (the default)')
    .option(
      '--closed',
      'list the switch ports closed for good with their counters summed by name, instead',
    )
    .option('--json', 'print the listing as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  vale-ctl --region demo                       list switches, ports and counters\n' +
        '  vale-ctl --region demo -a vale0:p1 -C 2,512  persistent port with 2 rings of 512 slots\n' +
        '  vale-ctl --region demo -d vale0:p1           detach it again\n' +
        '  vale-ctl --region demo --json                the listing as JSON\n' +
        '  vale-ctl --region demo --closed              counters of the ports closed so far\n',
    );
}

/** Runs vale-ctl with `argv` (without node and script). Returns the exit code. */
export async function valeCtl(argv: readonly string[], io: ValeCtlIo): Promise<number> {
  const prog = buildProgram();
  const exit = parseTool(prog, argv, io);
  if (exit !== null) return exit;
  const o = prog.opts<{
    region: string;
    attach?: string;
    new?: string;
    detach?: string;
    remove?: string;
    conf?: { rings: number; slots: number };
    persist?: string;
    unpersist?: string;
    list?: boolean;
    closed?: boolean;
    json?: boolean;
  }>();
  try {
    const open =
      io.openRegion ?? (async (n: string) => (await import('@pktfabric/shm')).openSharedRegion(n));
    const region = await open(o.region);
    let acted = false;
    for (const name of [o.attach, o.new]) {
      if (name === undefined) continue;
      const no = attachPort(region, name, o.conf ?? {});
      io.out(`attached ${name} as port ${no}\n`);
      acted = true;
    }
    for (const name of [o.detach, o.remove]) {
      if (name === undefined) continue;
      const rep = detachPort(region, name);
      io.out(`detached ${name} (${rep.buffers} buffers freed)\n`);
      acted = true;
    }
    if (o.persist !== undefined) {
      setSwitchPersistent(region, o.persist, true);
      acted = true;
    }
    if (o.unpersist !== undefined) {
      setSwitchPersistent(region, o.unpersist, false);
      acted = true;
    }
    if (o.closed === true) {
      const closed = retiredValePorts(region);
      io.out(o.json === true ? `${JSON.stringify(closed, null, 2)}\n` : formatClosed(closed));
    } else if (!acted || o.list === true || o.json === true) {
      const list = listSwitches(region);
      io.out(o.json === true ? `${JSON.stringify(list, null, 2)}\n` : formatSwitches(list));
    }
    return 0;
  } catch (e) {
    const msg = e instanceof PktfabricError ? `${e.name}: ${e.message}` : String(e);
    io.err(`vale-ctl: ${msg}\n`);
    return 1;
  }
}
