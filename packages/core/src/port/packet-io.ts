/**
 * The packet layer of every port, written once against `Port`: send /
 * sendBatch copy packets into TX slots and publish with one sync; recv /
 * recvBatch hand out views of RX buffers; batches(), async iteration and Web
 * Streams are built on those. What a receiver is handed (buffer, offset,
 * length) comes from the kring's validated copy, never from a second read of
 * the ring.
 */
import {
  MAX_FRAGS,
  NS_MOREFRAG,
  RING_CUR_I32,
  RING_HEAD_I32,
  RING_TAIL_I32,
  SLOT_LEN_MAX,
} from '../layout/ring-layout.js';
import { OptionError, PeerClosedError } from '../errors.js';
import type { Kring } from './kring.js';
import type { Port } from './port.js';
import { POLLIN, POLLOUT } from './port-api.js';

const MOREFRAG_HI = NS_MOREFRAG << 16;
/** How long an iterator or stream waits in one pollAsync before it looks again. */
const WAIT_SLICE_MS = 1000;

/**
 * The longest packet the port carries: at most MAX_FRAGS slots, and fewer
 * than a ring holds (its TX rings', or the RX rings' for a port with no TX
 * ring, such as a monitor).
 */
export function maxPacketBytes(port: Port): number {
  const k = port.txKrings[0] ?? port.rxKrings[0];
  return k === undefined ? 0 : Math.min(MAX_FRAGS, k.n - 1) * port.region.bufSize;
}

function checkFits(port: Port, bytes: Uint8Array): void {
  if (!(bytes instanceof Uint8Array)) throw new OptionError('packet', 'a Uint8Array', bytes);
  const most = maxPacketBytes(port);
  if (bytes.length > most)
    throw new OptionError(
      'packet length',
      `at most ${most} bytes (min(${MAX_FRAGS}, slots - 1) buffers of ${port.region.bufSize})`,
      bytes.length,
    );
}

export function send(port: Port, bytes: Uint8Array): boolean {
  port.live();
  checkFits(port, bytes);
  const ok = put(port, bytes);
  if (ok) port.txsync();
  return ok;
}

export function sendBatch(
  port: Port,
  list: readonly Uint8Array[],
  from = 0,
  count = list.length - from,
): number {
  port.live();
  if (!Array.isArray(list)) throw new OptionError('list', 'an array of Uint8Array', list);
  if (!Number.isInteger(from) || from < 0 || from > list.length)
    throw new OptionError('from', `an integer from 0 to ${list.length}`, from);
  if (!Number.isInteger(count) || count < 0 || from + count > list.length)
    throw new OptionError('count', `an integer from 0 to ${list.length - from}`, count);
  const end = from + count;
  // Refuse the whole batch before queuing any of it if one packet can never fit.
  const most = maxPacketBytes(port);
  for (let i = from; i < end; i++) {
    const p = list[i];
    if (!(p instanceof Uint8Array) || p.length > most) checkFits(port, p!);
  }
  let k = from;
  while (k < end) {
    // Single-slot packets go in a run on one ring (head and cur stored once);
    // anything else, or a full ring, takes put(), which also moves to the next ring.
    k = putRun(port, list, k, end);
    if (k >= end || !put(port, list[k]!)) break;
    k++;
  }
  if (k > from) port.txsync();
  return k - from;
}

/**
 * Copies packets of `list` from `from` on into the current TX ring while
 * they fit in one buffer and the ring has room, storing head and cur once.
 * Returns the index of the first packet not copied. Does not allocate.
 */
function putRun(port: Port, list: readonly Uint8Array[], from: number, end: number): number {
  const k = port.txKrings[port.txRr]!;
  const { region } = port;
  const i32 = region.i32;
  const u32 = region.u32;
  const u8 = region.u8;
  const bufSize = region.bufSize;
  const base = region.bufBase;
  const b = k.b;
  const n = k.n;
  const bufs = k.bufs;
  const lfs = k.lfs;
  let head = i32[b + RING_HEAD_I32]!;
  let room = i32[b + RING_TAIL_I32]! - head;
  if (room < 0) room += n;
  let i = from;
  while (i < end && room > 0) {
    const bytes = list[i]!;
    const len = bytes.length;
    if (len > bufSize) break;
    u8.set(bytes, base + u32[bufs + head]! * bufSize);
    u32[lfs + head] = len;
    if (k.offMask !== 0) u32[k.ptrs + head] = u32[k.ptrs + head]! & ~k.offMask;
    head = head + 1 === n ? 0 : head + 1;
    room--;
    i++;
  }
  if (i !== from) {
    i32[b + RING_HEAD_I32] = head;
    i32[b + RING_CUR_I32] = head;
  }
  return i;
}

/** Copies one packet into a TX ring with room (round robin); false when none has room. */
function put(port: Port, bytes: Uint8Array): boolean {
  const { region } = port;
  const bufSize = region.bufSize;
  const len = bytes.length;
  const frags = len <= bufSize ? 1 : Math.ceil(len / bufSize);
  const ks = port.txKrings;
  const nr = ks.length;
  const i32 = region.i32;
  const u32 = region.u32;
  for (let t = 0; t < nr; t++) {
    let r = port.txRr + t;
    if (r >= nr) r -= nr;
    const k = ks[r]!;
    const b = k.b;
    const n = k.n;
    let head = i32[b + RING_HEAD_I32]!;
    let room = i32[b + RING_TAIL_I32]! - head;
    if (room < 0) room += n;
    if (room < frags) {
      port.txsync(r);
      room = i32[b + RING_TAIL_I32]! - head;
      if (room < 0) room += n;
      if (room < frags) {
        // Not enough room: make the tail the wake-up point, so that
        // poll(POLLOUT) sleeps until the other side frees slots (netmap's
        // cur = tail) instead of reporting the too-small room as ready.
        i32[b + RING_CUR_I32] = i32[b + RING_TAIL_I32]!;
        continue;
      }
    }
    const base = region.bufBase;
    const u8 = region.u8;
    if (frags === 1) {
      u8.set(bytes, base + u32[k.bufs + head]! * bufSize);
      u32[k.lfs + head] = len;
      if (k.offMask !== 0) u32[k.ptrs + head] = u32[k.ptrs + head]! & ~k.offMask;
      head = head + 1 === n ? 0 : head + 1;
    } else {
      for (let f = 0; f < frags; f++) {
        const from = f * bufSize;
        const l = Math.min(bufSize, len - from);
        u8.set(bytes.subarray(from, from + l), base + u32[k.bufs + head]! * bufSize);
        u32[k.lfs + head] = l | (f + 1 < frags ? MOREFRAG_HI : 0);
        if (k.offMask !== 0) u32[k.ptrs + head] = u32[k.ptrs + head]! & ~k.offMask;
        head = head + 1 === n ? 0 : head + 1;
      }
    }
    i32[b + RING_HEAD_I32] = head;
    i32[b + RING_CUR_I32] = head;
    port.txRr = r;
    return true;
  }
  return false;
}

/** Gives back everything handed out: head = cur on every RX ring. */
function releaseAll(port: Port): void {
  const i32 = port.region.i32;
  const ks = port.rxKrings;
  for (let r = 0; r < ks.length; r++) {
    const b = ks[r]!.b;
    i32[b + RING_HEAD_I32] = i32[b + RING_CUR_I32]!;
  }
}

/** An RX kring with a packet at cur (syncing once if all look empty), or null. */
function readyRx(port: Port, sync: boolean): Kring | null {
  const ks = port.rxKrings;
  const nr = ks.length;
  for (let pass = 0; pass < 2; pass++) {
    for (let t = 0; t < nr; t++) {
      let r = port.rxRr + t;
      if (r >= nr) r -= nr;
      if (ks[r]!.ready()) {
        port.rxRr = r;
        return ks[r]!;
      }
    }
    if (pass === 0 && sync) port.rxsync();
    else break;
  }
  return null;
}

/**
 * Slot `cur`'s descriptor as take() and takeRun() use it: from the kring's
 * validated copy (checks 'slots'), or from the ring's own columns as written
 * (checks 'ring', netmap's trust model), clamped so that a view never leaves
 * the slot's buffer. Writes the payload's byte offset and length into
 * `span` (no allocation); returns len | flags << 16.
 */
function slotSpan(port: Port, k: Kring, cur: number, span: Int32Array): number {
  const { region } = port;
  const trust = k.checks === 'ring';
  const u32 = region.u32;
  const lf = trust ? u32[k.lfs + cur]! : k.vLenFlags[cur]!;
  const bi = trust ? u32[k.bufs + cur]! : k.vBuf[cur]!;
  let off = k.offMask === 0 ? 0 : trust ? u32[k.ptrs + cur]! & k.offMask : k.vOff[cur]!;
  if (off > k.maxOff) off = k.maxOff;
  const len = lf & SLOT_LEN_MAX;
  const room = region.bufSize - off;
  span[0] = region.bufBase + (bi < region.bufCount ? bi : 0) * region.bufSize + off;
  span[1] = len < room ? len : room;
  return lf;
}

const span = new Int32Array(2);

/** The packet at cur of `k` (slotSpan's values); moves cur past it. Copies a multi-slot packet. */
function take(port: Port, k: Kring): Uint8Array {
  const { region } = port;
  const i32 = region.i32;
  const n = k.n;
  let cur = i32[k.b + RING_CUR_I32]!;
  const lf0 = slotSpan(port, k, cur, span);
  let out: Uint8Array;
  if ((lf0 & MOREFRAG_HI) === 0) {
    out = region.u8.subarray(span[0]!, span[0]! + span[1]!);
    cur = cur + 1 === n ? 0 : cur + 1;
  } else {
    const tail = k.hwtail;
    let total = 0;
    let last = cur;
    for (let j = cur; ;) {
      const lf = slotSpan(port, k, j, span);
      total += span[1]!;
      last = j;
      j = j + 1 === n ? 0 : j + 1;
      if ((lf & MOREFRAG_HI) === 0 || j === tail) break;
    }
    out = new Uint8Array(total);
    let at = 0;
    for (;;) {
      slotSpan(port, k, cur, span);
      out.set(region.u8.subarray(span[0]!, span[0]! + span[1]!), at);
      at += span[1]!;
      const done = cur === last;
      cur = cur + 1 === n ? 0 : cur + 1;
      if (done) break;
    }
  }
  i32[k.b + RING_CUR_I32] = cur;
  return out;
}

export function recv(port: Port): Uint8Array | null {
  port.live();
  releaseAll(port);
  const k = readyRx(port, true);
  return k === null ? null : take(port, k);
}

export function recvBatch(port: Port, max = 512, into?: Uint8Array[]): Uint8Array[] {
  port.live();
  if (!Number.isInteger(max) || max < 1) throw new OptionError('max', 'an integer >= 1', max);
  releaseAll(port);
  const out = into ?? [];
  out.length = 0;
  let k = readyRx(port, true);
  while (k !== null) {
    takeRun(port, k, out, max);
    if (out.length >= max) break;
    k = readyRx(port, false);
  }
  return out;
}

/**
 * Appends the packets from cur up to the kring's tail (at most `max` in
 * `out`) as views, from validated values, and stores cur once. A packet over
 * several slots goes through take(). Allocates the views only.
 */
function takeRun(port: Port, k: Kring, out: Uint8Array[], max: number): void {
  if (k.checks === 'ring') {
    // netmap's trust model: each slot as written, clamped (slotSpan).
    for (;;) {
      const cur = port.region.i32[k.b + RING_CUR_I32]!;
      if (cur >>> 0 >= k.n || cur === k.hwtail || out.length >= max) return;
      out.push(take(port, k));
    }
  }
  const { region } = port;
  const i32 = region.i32;
  const u8 = region.u8;
  const n = k.n;
  const b = k.b;
  const tail = k.hwtail;
  const vlf = k.vLenFlags;
  const vbuf = k.vBuf;
  const bufSize = region.bufSize;
  const base = region.bufBase;
  const offMask = k.offMask;
  let cur = i32[b + RING_CUR_I32]!;
  if (cur >>> 0 >= n) return;
  while (cur !== tail && out.length < max) {
    const lf = vlf[cur]!;
    if ((lf & MOREFRAG_HI) !== 0) {
      i32[b + RING_CUR_I32] = cur;
      out.push(take(port, k));
      cur = i32[b + RING_CUR_I32]!;
      continue;
    }
    // Validated at import: the buffer is the sender's, len + offset within it.
    const off = base + vbuf[cur]! * bufSize + (offMask === 0 ? 0 : k.vOff[cur]!);
    out.push(u8.subarray(off, off + (lf & SLOT_LEN_MAX)));
    cur = cur + 1 === n ? 0 : cur + 1;
  }
  i32[b + RING_CUR_I32] = cur;
}

export function giveBack(port: Port): void {
  port.live();
  releaseAll(port);
  port.rxsync();
}

/** Waits for input (or the other side's close) without blocking the event loop. */
async function waitIn(port: Port): Promise<void> {
  await port.pollAsync(POLLIN, WAIT_SLICE_MS);
}

/** What one look for input found (`look`). */
const READY = 0;
/** The other side has closed and everything it sent was read. */
const ENDED = 1;
/** Nothing yet: wait and look again. */
const EMPTY = 2;

/**
 * One look for input, shared by the iterators and the streams: fills `buf`
 * (recvBatch, which gives back what was handed out before) and says whether
 * it holds packets, the stream has ended, or there is nothing yet. peerClosed
 * is read before the last recvBatch, so nothing sent before the close is
 * missed. Allocates only the views.
 */
function look(port: Port, max: number, buf: Uint8Array[]): number {
  recvBatch(port, max, buf);
  if (buf.length > 0) return READY;
  if (!port.peerClosed) return EMPTY;
  recvBatch(port, max, buf);
  return buf.length > 0 ? READY : ENDED;
}

/** Looks until `buf` holds packets (true) or the stream ended (false), waiting between looks. */
async function lookUntil(port: Port, max: number, buf: Uint8Array[]): Promise<boolean> {
  for (;;) {
    const r = look(port, max, buf);
    if (r !== EMPTY) return r === READY;
    await waitIn(port);
  }
}

/**
 * Async iterator over batches: one reused array of views per step. A batch
 * already in the ring is returned without waiting (one settled promise); the
 * iterator waits (pollAsync) only when the ring is empty.
 */
export function batches(port: Port, max: number): AsyncIterableIterator<Uint8Array[]> {
  if (!Number.isInteger(max) || max < 1) throw new OptionError('max', 'an integer >= 1', max);
  const buf: Uint8Array[] = [];
  let finished = false;
  const finish = (): IteratorResult<Uint8Array[]> => {
    finished = true;
    if (!port.isClosed) giveBack(port);
    return { value: undefined, done: true };
  };
  const slow = async (): Promise<IteratorResult<Uint8Array[]>> => {
    await waitIn(port);
    return (await lookUntil(port, max, buf)) ? { value: buf, done: false } : finish();
  };
  const it: AsyncIterableIterator<Uint8Array[]> = {
    next(): Promise<IteratorResult<Uint8Array[]>> {
      if (finished) return Promise.resolve({ value: undefined, done: true });
      const r = look(port, max, buf);
      if (r === READY) return Promise.resolve({ value: buf, done: false });
      return r === ENDED ? Promise.resolve(finish()) : slow();
    },
    return(): Promise<IteratorResult<Uint8Array[]>> {
      return Promise.resolve(finished ? { value: undefined, done: true } : finish());
    },
    [Symbol.asyncIterator]() {
      return it;
    },
  };
  return it;
}

/**
 * Async iterator over packets. It takes packets a batch at a time
 * (recvBatch) and hands them out one per step from that batch, so a packet
 * already received costs one settled promise; the batch is given back when
 * the next one is taken. It waits only when the ring is empty.
 */
export function packets(port: Port, max = 512): AsyncIterableIterator<Uint8Array> {
  const buf: Uint8Array[] = [];
  let at = 0;
  let finished = false;
  const finish = (): IteratorResult<Uint8Array> => {
    finished = true;
    if (!port.isClosed) giveBack(port);
    return { value: undefined, done: true };
  };
  const slow = async (): Promise<IteratorResult<Uint8Array>> => {
    await waitIn(port);
    const ok = await lookUntil(port, max, buf);
    at = 0;
    return ok ? { value: buf[at++]!, done: false } : finish();
  };
  const it: AsyncIterableIterator<Uint8Array> = {
    next(): Promise<IteratorResult<Uint8Array>> {
      if (finished) return Promise.resolve({ value: undefined, done: true });
      if (at < buf.length) return Promise.resolve({ value: buf[at++]!, done: false });
      const r = look(port, max, buf);
      at = 0;
      if (r === READY) return Promise.resolve({ value: buf[at++]!, done: false });
      return r === ENDED ? Promise.resolve(finish()) : slow();
    },
    return(): Promise<IteratorResult<Uint8Array>> {
      return Promise.resolve(finished ? { value: undefined, done: true } : finish());
    },
    [Symbol.asyncIterator]() {
      return it;
    },
  };
  return it;
}

/**
 * A ReadableStream of packets, each chunk a copy (stream consumers may keep
 * chunks). Each pull enqueues every packet that is ready, not just one.
 * Closes when the other side has closed and all was read.
 */
export function readable(port: Port): ReadableStream<Uint8Array> {
  const buf: Uint8Array[] = [];
  return new ReadableStream<Uint8Array>(
    {
      pull: async (ctrl) => {
        if (await lookUntil(port, 512, buf)) {
          for (let i = 0; i < buf.length; i++) ctrl.enqueue(buf[i]!.slice());
        } else {
          giveBack(port);
          ctrl.close();
        }
      },
    },
    { highWaterMark: 1024 },
  );
}

/**
 * A ReadableStream of batches: each chunk is an array of copies of the
 * packets one recvBatch took (at most `max`), all in one new ArrayBuffer
 * (each packet at an 8-byte aligned offset), so a batch costs one buffer
 * allocation, not one per packet. Web Streams cost about a microsecond per
 * chunk in Node, so a stream of single packets tops out near 3 Mpps; a chunk
 * per batch moves the same packets several times faster. Closes when the
 * other side has closed and all was read.
 */
export function readableBatches(port: Port, max = 512): ReadableStream<Uint8Array[]> {
  if (!Number.isInteger(max) || max < 1) throw new OptionError('max', 'an integer >= 1', max);
  const buf: Uint8Array[] = [];
  const copies = (): Uint8Array[] => {
    let bytes = 0;
    for (let i = 0; i < buf.length; i++) bytes += (buf[i]!.length + 7) & ~7;
    const mem = new Uint8Array(bytes);
    const out = new Array<Uint8Array>(buf.length);
    let at = 0;
    for (let i = 0; i < buf.length; i++) {
      const p = buf[i]!;
      mem.set(p, at);
      out[i] = mem.subarray(at, at + p.length);
      at += (p.length + 7) & ~7;
    }
    return out;
  };
  return new ReadableStream<Uint8Array[]>(
    {
      pull: async (ctrl) => {
        if (await lookUntil(port, max, buf)) ctrl.enqueue(copies());
        else {
          giveBack(port);
          ctrl.close();
        }
      },
    },
    { highWaterMark: 4 },
  );
}

/** A WritableStream: each chunk is one packet; a full ring holds the writer back. Errors with PeerClosedError if the other side closes. */
export function writable(port: Port): WritableStream<Uint8Array> {
  return new WritableStream<Uint8Array>({
    write: async (chunk) => {
      while (!send(port, chunk)) {
        if (port.peerClosed) throw new PeerClosedError(port.name);
        await port.pollAsync(POLLOUT, WAIT_SLICE_MS);
      }
    },
  });
}
