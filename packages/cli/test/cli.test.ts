/**
 * The pktfabric command as users run it (the committed bin shim, built
 * output): every tool's --help; capture and stat in other processes on a
 * region shared by name while this process moves known traffic; replay of
 * each bad file refused with nothing sent.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  IF_PEER_IF_I32,
  ifWord,
  readPortCounters,
  RING_DROP_NAMES,
  SLOT_LEN_MAX,
  sumRings,
  type Region,
} from '@pktfabric/core';
import { waitFor } from '@pktfabric/core/testing';
import { createPipe, openPort, SlotError } from '@pktfabric/pipes';
import { createSharedRegion, shmAvailable, unlinkSharedRegion } from '@pktfabric/shm';
import { TOOLS } from '../src/index.js';
import { BAD_FILES } from './helpers/bad-files.js';
import { wiresharkRead } from './helpers/wiregasm.js';

const BIN = fileURLToPath(new URL('../bin/pktfabric.js', import.meta.url));
/** Shared memory is there, or this is CI, where its absence must fail. */
const runShm = shmAvailable() || !!process.env['CI'];

function pktfabric(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
}

/** Runs the command in the background; resolves with its exit code and output. */
function start(...args: string[]) {
  const p = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  let err = '';
  p.stdout.on('data', (d: Buffer) => out.push(d));
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<{ code: number | null; raw: Uint8Array; err: string }>((resolve) =>
    p.on('close', (code) => resolve({ code, raw: new Uint8Array(Buffer.concat(out)), err })),
  );
  return { done, kill: (sig: NodeJS.Signals) => p.kill(sig) };
}

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

let n = 0;
function region(): { name: string; region: Region } {
  const name = `pktf-cli-test-${process.pid}-${n++}`;
  const r = createSharedRegion(name, { bufCount: 8192 });
  cleanups.push(() => {
    r.detach();
    try {
      unlinkSharedRegion(name);
    } catch {
      // the last user removed it
    }
  });
  return { name, region: r };
}

describe('pktfabric', () => {
  it('lists its tools and each one answers --help', () => {
    const top = pktfabric('--help');
    expect(top.status).toBe(0);
    for (const t of Object.keys(TOOLS)) {
      expect(top.stdout).toContain(`  ${t} `);
      const h = pktfabric(t, '--help');
      expect(h.status, `${t}: ${h.stderr}`).toBe(0);
      expect(h.stdout).toMatch(/^Usage: /);
    }
    expect(Object.keys(TOOLS)).toEqual([
      'pktgen',
      'pipeline',
      'regions',
      'stat',
      'capture',
      'replay',
      'vale-ctl',
      'bridge',
    ]);
    const bad = pktfabric('nosuchtool');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("unknown tool 'nosuchtool'");
  });

  it('refuses a bad option value with a clear error and exit code 1', () => {
    const r = pktfabric(
      'replay',
      '--region',
      'x',
      '-f',
      '/nonexistent',
      '-i',
      'pipe{1',
      '-B',
      'ether',
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/OptionError: -B must be ether,RATE/);
  });
});

describe.runIf(runShm)('tools on a region shared by processes', () => {
  it('capture in another process writes what this one sends; Wireshark reads it back', async () => {
    const { name, region: r } = region();
    const dir = mkdtempSync(join(tmpdir(), 'pktf-cap-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'out.pcapng');
    createPipe(r, { id: 1, slots: 256 }).release();
    const tx = openPort(r, 'pipe{1');
    cleanups.push(() => tx.close());
    const cap = start(
      'capture',
      '--region',
      name,
      '-i',
      'pipe}1',
      '-w',
      file,
      '-c',
      '100',
      '-T',
      '0',
    );
    await waitFor('capture to open pipe}1', () => tx.peerOpen);
    const frames = Array.from({ length: 100 }, (_, i) => new Uint8Array(60 + i).fill(i));
    let sent = 0;
    await waitFor('the frames to go', () => {
      sent += tx.sendBatch(frames, sent);
      return sent === frames.length;
    });
    const res = await waitFor('capture to exit', cap.done);
    expect(res.code, res.err).toBe(0);
    expect(res.err).toMatch(/100 packets captured .* 0 dropped by the port/);
    const ws = await wiresharkRead(readFileSync(file));
    expect(ws.frames.map((f) => f.bytes)).toEqual(frames);
  });

  it('capture ends cleanly on Ctrl-C with a complete file, and streams to stdout with -w -', async () => {
    const { name, region: r } = region();
    const dir = mkdtempSync(join(tmpdir(), 'pktf-int-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    createPipe(r, { id: 3, slots: 64 }).release();
    createPipe(r, { id: 5, slots: 64 }).release();
    const frames = Array.from({ length: 10 }, (_, i) => new Uint8Array(64).fill(i + 1));
    for (const [id, out, format] of [
      [3, join(dir, 'int.pcapng'), 'pcapng'],
      [5, '-', 'pcap'],
    ] as const) {
      const tx = openPort(r, `pipe{${id}`);
      cleanups.push(() => tx.close());
      const cap = start(
        'capture',
        '--region',
        name,
        '-i',
        `pipe}${id}`,
        '-w',
        out,
        '-F',
        format,
        '-T',
        '0',
      );
      await waitFor('capture to open', () => tx.peerOpen);
      expect(tx.sendBatch(frames)).toBe(10);
      // The capture has taken all ten when its port's rx counter says so.
      const rxIf = r.i32[ifWord(r, tx.ifIdx, IF_PEER_IF_I32)]!; // the other end
      await waitFor(
        'capture to take the frames',
        () => sumRings(readPortCounters(r, rxIf), 'rx', 'pkts') === 10,
      );
      cap.kill('SIGINT');
      const res = await waitFor('capture to exit', cap.done);
      expect(res.code, res.err).toBe(0);
      expect(res.err).toMatch(/10 packets captured .*\(stopped\)/);
      const bytes = out === '-' ? res.raw : readFileSync(out);
      const ws = await wiresharkRead(bytes);
      expect(ws.fileType).toMatch(format === 'pcap' ? /nanosecond pcap/ : /pcapng/);
      expect(ws.frames.map((f) => f.bytes)).toEqual(frames);
    }
  });

  it('stat --json --once reports the counts of a known pattern, drops by reason', async () => {
    const { name, region: r } = region();
    createPipe(r, { id: 4, slots: 64 }).release();
    const m = openPort(r, 'pipe{4');
    const s = openPort(r, 'pipe}4');
    cleanups.push(() => {
      m.close();
      s.close();
    });
    // 30 frames of 100 bytes, all received; then 3 more of which the sender spoils one.
    for (let i = 0; i < 3; i++)
      expect(m.sendBatch(Array.from({ length: 10 }, () => new Uint8Array(100)))).toBe(10);
    expect(s.recvBatch(64).length).toBe(30);
    s.giveBack();
    expect(m.sendBatch([new Uint8Array(10), new Uint8Array(20), new Uint8Array(30)])).toBe(3);
    const v = m.txRings[0]!;
    const k = (v.hwcur + 63) % 64; // the last published slot
    r.u32[v.lenFlagsBase + k] = (r.u32[v.lenFlagsBase + k]! & ~SLOT_LEN_MAX) | 5000;
    expect(() => s.rxsync()).toThrow(SlotError);
    const res = pktfabric('stat', '--region', name, '--json', '--once', '-i', '50');
    expect(res.status, res.stderr).toBe(0);
    const lines = res.stdout.trim().split('\n');
    expect(lines.length).toBe(1);
    const j = JSON.parse(lines[0]!) as { ports: Array<Record<string, unknown>> };
    const by = new Map(j.ports.map((p) => [p['name'], p]));
    expect(by.get('pipe{4')).toMatchObject({ state: 'open', txPkts: 33, txBytes: 3060, rxPkts: 0 });
    expect(by.get('pipe}4')).toMatchObject({
      rxPkts: 33,
      rxBytes: 3030,
      errors: 1,
      drops: Object.fromEntries(RING_DROP_NAMES.map((d) => [d, d === 'bad-slot' ? 1 : 0])),
      occupancy: 3,
    });
    // The same numbers read in this process.
    expect(sumRings(readPortCounters(r, s.ifIdx), 'rx', 'bytes')).toBe(3030);
  });

  it('replay refuses each bad file with a typed error naming the offset, sending nothing', () => {
    const { name, region: r } = region();
    const dir = mkdtempSync(join(tmpdir(), 'pktf-bad-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    createPipe(r, { id: 2, slots: 64 }).release();
    const rx = openPort(r, 'pipe}2');
    cleanups.push(() => rx.close());
    for (const [what, bytes, reason, offset] of BAD_FILES) {
      const f = join(dir, 'bad.pcap');
      writeFileSync(f, bytes);
      const res = pktfabric(
        'replay',
        '--region',
        name,
        '-f',
        f,
        '-i',
        'pipe{2',
        '-B',
        'constant,1g',
      );
      expect(res.status, what).toBe(1);
      expect(res.stderr, what).toContain(
        `CaptureFileError: capture file: ${reason} at byte offset ${offset}`,
      );
    }
    expect(rx.recvBatch(64).length).toBe(0);
    expect(sumRings(readPortCounters(r, rx.ifIdx), 'rx', 'pkts')).toBe(0);
    // and a good file goes through the same way
    const good = join(dir, 'good.pcap');
    writeFileSync(good, goodFile());
    const ok = pktfabric(
      'replay',
      '--region',
      name,
      '-f',
      good,
      '-i',
      'pipe{2',
      '-B',
      'constant,10g',
      '-T',
      '0',
    );
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/^Sent 2 packets, 140 bytes, .* lost by the model 0\./m);
    expect(rx.recvBatch(64).map((p) => p.length)).toEqual([60, 80]);
  });
});

function goodFile(): Uint8Array {
  const dv = new DataView(new ArrayBuffer(24 + 16 + 60 + 16 + 80));
  dv.setUint32(0, 0xa1b2c3d4, true);
  dv.setUint16(4, 2, true);
  dv.setUint16(6, 4, true);
  dv.setUint32(16, 65535, true);
  dv.setUint32(20, 1, true);
  let o = 24;
  for (const len of [60, 80]) {
    dv.setUint32(o, 1, true);
    dv.setUint32(o + 8, len, true);
    dv.setUint32(o + 12, len, true);
    o += 16 + len;
  }
  return new Uint8Array(dv.buffer);
}
