/**
 * Exact layout tests: the named offsets in src/layout/*.ts, and where the
 * code really puts things in the SharedArrayBuffer (checked byte by byte with
 * a DataView, independently of the typed-array accessors under test).
 */
import { describe, expect, it } from 'vitest';
import {
  CACHE_LINE_BYTES,
  createRegion,
  DEFAULT_BUF_COUNT,
  DEFAULT_BUF_SIZE,
  HDR_BITMAPS_OFF_I32,
  HDR_BUF_OWNER_OFF_I32,
  HDR_RETIRED_OFF_I32,
  HDR_RETIRED_SLOTS_I32,
  HDR_OWNER_SLOTS_I32,
  HDR_OWNERS_OFF_I32,
  HDR_FLAGS_I32,
  HDR_MAGIC_I32,
  HDR_MEM_ID_I32,
  HDR_NAME_GEN_I32,
  HDR_NAME_LOCK_I32,
  HDR_NAME_TABLE_OFF_I32,
  HDR_NAME_TABLE_SLOTS_I32,
  HDR_TOTAL_BYTES_I32,
  HDR_VERSION_I32,
  HEADER_BYTES,
  initRing,
  MAX_FRAGS,
  NAME_ENTRY_BYTES,
  NAME_TABLE_OFF_BYTES,
  NR_FORWARD,
  NR_TIMESTAMP,
  NS_BUF_CHANGED,
  NS_FORWARD,
  NS_MOREFRAG,
  NS_REPORT,
  NS_TXMON,
  PC_ALLOCS_I32,
  PC_BAD_INDEX_I32,
  PC_DOUBLE_FREES_I32,
  PC_FAILURES_I32,
  PC_FREE_I32,
  PC_FREES_I32,
  PC_HINT_I32,
  PD_BITMAP_OFF_I32,
  PD_BITMAP_WORDS_I32,
  PD_OBJ_SIZE_I32,
  PD_OBJ_TOTAL_I32,
  PD_OFF_I32,
  PD_RESERVED_I32,
  POOL_BUF,
  POOL_COUNT,
  POOL_IF,
  POOL_RING,
  poolCtrI32,
  poolDescI32,
  REGION_FLAG_EXTERNAL,
  REGION_MAGIC,
  REGION_VERSION,
  regionBytes,
  RING_BUF_SIZE_I32,
  RING_CUR_I32,
  RING_DIR_I32,
  RING_DIR_RX,
  RING_DIR_TX,
  RING_ERRORS_I32,
  RING_FLAGS_I32,
  RING_HEAD_I32,
  RING_HEADER_BYTES,
  RING_PKTS_F64_BYTE,
  RING_BYTES_F64_BYTE,
  RING_DROPS_I32,
  RING_DROP_REASONS,
  RING_DROP_NAMES,
  RING_HWCUR_I32,
  RING_HWTAIL_I32,
  RING_ID_I32,
  RING_MEM_ID_I32,
  RING_NUM_SLOTS_I32,
  RING_OFFSET_MASK_I32,
  RING_OWNER_IF_I32,
  RING_PEER_OFF_I32,
  RING_PIPE_TAIL_I32,
  RING_SHADOW_OFF_I32,
  RING_SLOTS_OFF_I32,
  RING_TAIL_I32,
  RING_TS_F64_BYTE,
  ringBytes,
  ringEmpty,
  ringNext,
  ringPrev,
  ringSpace,
  RingView,
  SHADOW_BYTES,
  SLOT_BUF_IDX_COL,
  SLOT_BYTES,
  SLOT_COLS,
  SLOT_LEN_FLAGS_COL,
  SLOT_PTR_HI_COL,
  SLOT_PTR_LO_COL,
  type Region,
} from '../src/index.js';

const LE = true;
const line = (i32Index: number): number => Math.floor((i32Index * 4) / CACHE_LINE_BYTES);

/** Small region whose layout is computed by hand below. */
const SMALL = {
  bufSize: 128,
  bufCount: 100,
  ringSize: 512, // ringBytes(8) = 256 + 8 * 20 = 416, rounded up to 448
  ringCount: 5,
  ifSize: 384,
  ifCount: 3,
  nameTableSlots: 2,
  owners: 4,
  retiredPorts: 2,
  memId: 7,
};

describe('region header', () => {
  it('is 512 bytes: 8 cache lines', () => {
    expect(CACHE_LINE_BYTES).toBe(64);
    expect(HEADER_BYTES).toBe(8 * CACHE_LINE_BYTES);
    expect(NAME_TABLE_OFF_BYTES).toBe(HEADER_BYTES);
    expect(NAME_ENTRY_BYTES).toBe(64);
  });

  it('keeps the read-only identity words on line 0', () => {
    const ro = [
      HDR_MAGIC_I32,
      HDR_VERSION_I32,
      HDR_TOTAL_BYTES_I32,
      HDR_MEM_ID_I32,
      HDR_FLAGS_I32,
      HDR_NAME_TABLE_OFF_I32,
      HDR_NAME_TABLE_SLOTS_I32,
      HDR_BITMAPS_OFF_I32,
      HDR_OWNERS_OFF_I32,
      HDR_OWNER_SLOTS_I32,
      HDR_BUF_OWNER_OFF_I32,
      HDR_RETIRED_OFF_I32,
      HDR_RETIRED_SLOTS_I32,
    ];
    expect(ro).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    for (const i of ro) expect(line(i)).toBe(0);
  });

  it('puts each pool descriptor on its own line (1..3) and its counters on their own line (4..6)', () => {
    const descFields = [
      PD_OFF_I32,
      PD_OBJ_SIZE_I32,
      PD_OBJ_TOTAL_I32,
      PD_BITMAP_OFF_I32,
      PD_BITMAP_WORDS_I32,
      PD_RESERVED_I32,
    ];
    const ctrFields = [
      PC_FREE_I32,
      PC_ALLOCS_I32,
      PC_FREES_I32,
      PC_FAILURES_I32,
      PC_HINT_I32,
      PC_DOUBLE_FREES_I32,
      PC_BAD_INDEX_I32,
    ];
    expect(POOL_COUNT).toBe(3);
    expect([POOL_IF, POOL_RING, POOL_BUF]).toEqual([0, 1, 2]);
    const seen = new Set<number>();
    for (let p = 0; p < POOL_COUNT; p++) {
      for (const f of descFields) {
        const i = poolDescI32(p, f);
        expect(line(i)).toBe(1 + p);
        expect(seen.has(i)).toBe(false);
        seen.add(i);
      }
      for (const f of ctrFields) {
        const i = poolCtrI32(p, f);
        expect(line(i)).toBe(4 + p);
        expect(seen.has(i)).toBe(false);
        seen.add(i);
      }
    }
    // Exact word indices: line L starts at word 16 * L.
    expect(poolDescI32(POOL_BUF, PD_OFF_I32)).toBe(48);
    expect(poolCtrI32(POOL_BUF, PC_FREE_I32)).toBe(96);
  });

  it('puts the name-table lock on line 7, inside the header', () => {
    expect(line(HDR_NAME_LOCK_I32)).toBe(7);
    expect(line(HDR_NAME_GEN_I32)).toBe(7);
    expect(HDR_NAME_GEN_I32 * 4 + 4).toBeLessThanOrEqual(HEADER_BYTES);
  });

  it('writes magic, version, sizes and memId where the constants say', () => {
    const r = createRegion(SMALL);
    const dv = new DataView(r.sab);
    // 'PKTF' in the first four bytes.
    expect(String.fromCharCode(...new Uint8Array(r.sab, 0, 4))).toBe('PKTF');
    expect(dv.getUint32(HDR_MAGIC_I32 * 4, LE)).toBe(REGION_MAGIC);
    expect(dv.getUint32(HDR_VERSION_I32 * 4, LE)).toBe(REGION_VERSION);
    expect(dv.getUint32(HDR_TOTAL_BYTES_I32 * 4, LE)).toBe(18496);
    expect(dv.getUint32(HDR_MEM_ID_I32 * 4, LE)).toBe(7);
    expect(dv.getUint32(HDR_FLAGS_I32 * 4, LE)).toBe(0);
    expect(dv.getUint32(HDR_NAME_TABLE_OFF_I32 * 4, LE)).toBe(512);
    expect(dv.getUint32(HDR_NAME_TABLE_SLOTS_I32 * 4, LE)).toBe(2);
    expect(dv.getUint32(HDR_BITMAPS_OFF_I32 * 4, LE)).toBe(512 + 2 * 64);
    expect(dv.getUint32(HDR_RETIRED_OFF_I32 * 4, LE)).toBe(1344);
    expect(dv.getUint32(HDR_RETIRED_SLOTS_I32 * 4, LE)).toBe(2);
    expect([r.retiredOff, r.retiredSlots]).toEqual([1344, 2]);
    expect(r.memId).toBe(7);
    expect(r.external).toBe(false);
  });

  it('flags external memory and uses only the start of a larger SharedArrayBuffer', () => {
    const sab = new SharedArrayBuffer(regionBytes(SMALL) + 4096);
    const r = createRegion({ ...SMALL, sab });
    expect(r.sab).toBe(sab);
    expect(r.external).toBe(true);
    expect(r.i32[HDR_FLAGS_I32]! & REGION_FLAG_EXTERNAL).toBe(REGION_FLAG_EXTERNAL);
    expect(r.totalBytes).toBe(18496);
  });
});

describe('pools()', () => {
  it('reports exact offsets, sizes and counts for given options (64-byte aligned)', () => {
    // name table 512 + 2*64 = 640; bitmaps: if 1 word @640 -> 704, ring 1 word
    // @704 -> 768, buf 4 words @768 -> 832; owner table 4*16 @832 -> 896;
    // buffer owners 100*4 @896 -> 1296 -> 1344; retired counters 64 + 3*192
    // @1344 -> 1984; if pool 1984 + 3*384 = 3136; ring pool 3136 + 5*512 =
    // 5696; buf pool 5696 + 100*128 = 18496.
    const r = createRegion(SMALL);
    const pools = r.pools();
    expect(pools.map((p) => [p.name, p.offset, p.objSize, p.objTotal, p.reserved, p.free])).toEqual(
      [
        ['if', 1984, 384, 3, 1, 2],
        ['ring', 3136, 512, 5, 1, 4],
        ['buf', 5696, 128, 100, 2, 98],
      ],
    );
    for (const p of pools) {
      expect(p.offset % 64).toBe(0);
      expect(p.objSize % 64).toBe(0);
      expect([p.allocs, p.frees, p.failures, p.doubleFrees, p.badIndex]).toEqual([0, 0, 0, 0, 0]);
    }
    const bm = [POOL_IF, POOL_RING, POOL_BUF].map((p) => [
      r.i32[poolDescI32(p, PD_BITMAP_OFF_I32)],
      r.i32[poolDescI32(p, PD_BITMAP_WORDS_I32)],
    ]);
    expect(bm).toEqual([
      [640, 1],
      [704, 1],
      [768, 4],
    ]);
    expect(regionBytes(SMALL)).toBe(18496);
    expect(r.totalBytes).toBe(18496);
    expect(r.sab.byteLength).toBe(18496);
    expect([r.ifBase, r.ringBase, r.bufBase]).toEqual([1984, 3136, 5696]);
    expect(r.bufOwnerOff).toBe(896);
    expect(r.owners.capacity).toBe(4);
  });

  it('reports the documented defaults', () => {
    const r = createRegion({ memId: 1 });
    const [ifp, ring, buf] = r.pools();
    expect(buf!.objSize).toBe(DEFAULT_BUF_SIZE);
    expect(buf!.objSize).toBe(2048);
    expect(buf!.objTotal).toBe(DEFAULT_BUF_COUNT);
    expect(buf!.free).toBe(8190);
    expect(ring!.objSize).toBe(ringBytes(1024));
    expect(ring!.objSize).toBe(20736);
    expect(ring!.objTotal).toBe(64);
    expect(ifp!.objSize).toBe(1024);
    expect(ifp!.objTotal).toBe(64);
    // 512 + 64*64 = 4608; bitmaps 2, 2, 256 words -> 4672, 4736, 5760;
    // owner table 256*16 -> 9856; buffer owners 8192*4 -> 42624; retired
    // counters 64 + 65*192 -> 55168.
    expect(r.owners.capacity).toBe(256);
    expect([r.retiredOff, r.retiredSlots]).toEqual([42624, 64]);
    expect([ifp!.offset, ring!.offset, buf!.offset]).toEqual([55168, 120704, 1447808]);
    expect(r.totalBytes).toBe(1447808 + 8192 * 2048);
  });

  it('marks exactly the reserved objects as not free in each bitmap', () => {
    const r = createRegion(SMALL);
    expect([0, 1].map((i) => r.bufPool.isFree(i))).toEqual([false, false]);
    expect(r.bufPool.isFree(2)).toBe(true);
    expect(r.bufPool.isFree(99)).toBe(true);
    expect(r.bufPool.isFree(100)).toBe(false);
    expect(r.ringPool.isFree(0)).toBe(false);
    expect(r.ifPool.isFree(0)).toBe(false);
    expect(r.bufPool.countFree()).toBe(98);
    expect(r.ringPool.countFree()).toBe(4);
    expect(r.ifPool.countFree()).toBe(2);
  });
});

describe('buffers', () => {
  it('places buffer i at bufBase + i * bufSize', () => {
    const r = createRegion(SMALL);
    for (const i of [0, 1, 2, 57, 99]) {
      expect(r.bufOffset(i)).toBe(5696 + i * 128);
      const b = r.buf(i);
      expect(b.byteOffset).toBe(5696 + i * 128);
      expect(b.length).toBe(128);
      expect(b.buffer).toBe(r.sab);
    }
    const b = r.buf(57);
    b.fill(0xab);
    const raw = new Uint8Array(r.sab);
    expect(raw[5696 + 57 * 128 - 1]).toBe(0);
    expect(raw[5696 + 57 * 128]).toBe(0xab);
    expect(raw[5696 + 58 * 128 - 1]).toBe(0xab);
    expect(raw[5696 + 58 * 128]).toBe(0);
  });

  it('reads an out-of-range index as buffer 0, as netmap does', () => {
    const r = createRegion(SMALL);
    expect(r.bufOffset(100)).toBe(r.bufBase);
    expect(r.bufOffset(-1)).toBe(r.bufBase);
    expect(r.bufOffset(0xffffffff)).toBe(r.bufBase);
  });

  it('gives ring objects and if objects 64-aligned offsets in their pools', () => {
    const r = createRegion(SMALL);
    const off = r.allocRingObject();
    expect((off - 3136) % 512).toBe(0);
    expect(off).toBeGreaterThanOrEqual(3136 + 512); // object 0 is reserved
    expect(off % 64).toBe(0);
    const k = r.allocIf();
    expect(k).toBeGreaterThanOrEqual(1);
    expect(r.ifOffset(k)).toBe(1984 + k * 384);
  });
});

describe('ring header', () => {
  it('is four 64-byte lines, one per writer', () => {
    expect(RING_HEADER_BYTES).toBe(4 * 64);
    const ro = [
      RING_NUM_SLOTS_I32,
      RING_BUF_SIZE_I32,
      RING_ID_I32,
      RING_DIR_I32,
      RING_SLOTS_OFF_I32,
      RING_SHADOW_OFF_I32,
      RING_OFFSET_MASK_I32,
      RING_MEM_ID_I32,
      RING_PEER_OFF_I32,
      RING_OWNER_IF_I32,
    ];
    const user = [RING_HEAD_I32, RING_CUR_I32, RING_FLAGS_I32];
    const kernel = [RING_TAIL_I32, RING_HWCUR_I32, RING_HWTAIL_I32, RING_ERRORS_I32];
    const peer = [RING_PIPE_TAIL_I32];
    const groups = [ro, user, kernel, peer];
    const all = groups.flat();
    expect(new Set(all).size).toBe(all.length);
    groups.forEach((g, l) => {
      for (const i of g) expect(line(i)).toBe(l);
    });
    // The f64 timestamp (stamped by rxsync): 8-aligned, on the sync line, clear of its words.
    expect(RING_TS_F64_BYTE % 8).toBe(0);
    expect(Math.floor(RING_TS_F64_BYTE / 64)).toBe(2);
    for (const i of kernel)
      expect(RING_TS_F64_BYTE >= i * 4 + 4 || RING_TS_F64_BYTE + 8 <= i * 4).toBe(true);
  });

  it('keeps the counters on the sync line, after the timestamp, clear of each other', () => {
    // bytes of line 2: TS 152..159, PKTS 160..167, BYTES 168..175, DROPS 176..191
    expect([RING_PKTS_F64_BYTE, RING_BYTES_F64_BYTE, RING_DROPS_I32 * 4]).toEqual([160, 168, 176]);
    expect(RING_PKTS_F64_BYTE % 8).toBe(0);
    expect(RING_BYTES_F64_BYTE % 8).toBe(0);
    expect((RING_DROPS_I32 + RING_DROP_REASONS) * 4).toBe(3 * 64);
    expect(RING_DROP_NAMES.length).toBe(RING_DROP_REASONS);
    expect(RING_TS_F64_BYTE + 8).toBeLessThanOrEqual(RING_PKTS_F64_BYTE);
    for (const i of [RING_TAIL_I32, RING_HWCUR_I32, RING_HWTAIL_I32, RING_ERRORS_I32])
      expect(i * 4).toBeLessThan(RING_TS_F64_BYTE);
    // A new ring object starts with every counter at zero.
    const r = createRegion(SMALL);
    const off = r.allocRingObject();
    const dv = new DataView(r.sab);
    for (let b = RING_PKTS_F64_BYTE; b < 192; b += 4) expect(dv.getUint32(off + b, LE)).toBe(0);
  });

  it('sizes a ring object as header + 16-byte slots + 4-byte shadows, rounded to 64', () => {
    expect(SLOT_BYTES).toBe(16);
    expect(SLOT_COLS).toBe(4);
    expect(SHADOW_BYTES).toBe(4);
    expect(ringBytes(4)).toBe(384); // 256 + 80 = 336 -> 384
    expect(ringBytes(8)).toBe(448); // 256 + 160 = 416 -> 448
    expect(ringBytes(1024)).toBe(20736); // 256 + 20480, already aligned
    expect(ringBytes(32768)).toBe(256 + 32768 * 20);
    for (const n of [4, 16, 128, 2048]) expect(ringBytes(n) % 64).toBe(0);
  });

  it('stores the read-only line and the user/kernel words at the documented bytes', () => {
    const r = createRegion(SMALL);
    const off = r.allocRingObject();
    const k = r.allocIf();
    initRing(r, off, { numSlots: 8, dir: RING_DIR_RX, ringId: 3, ownerIf: k });
    const dv = new DataView(r.sab);
    const u32 = (i: number): number => dv.getUint32(off + i * 4, LE);
    expect(u32(RING_NUM_SLOTS_I32)).toBe(8);
    expect(u32(RING_BUF_SIZE_I32)).toBe(128);
    expect(u32(RING_ID_I32)).toBe(3);
    expect(u32(RING_DIR_I32)).toBe(RING_DIR_RX);
    expect(RING_DIR_TX).toBe(0);
    expect(u32(RING_SLOTS_OFF_I32)).toBe(off + 256);
    expect(u32(RING_SHADOW_OFF_I32)).toBe(off + 256 + 8 * 16);
    expect(u32(RING_OFFSET_MASK_I32)).toBe(0);
    expect(u32(RING_MEM_ID_I32)).toBe(7);
    expect(u32(RING_OWNER_IF_I32)).toBe(k);
    expect(u32(RING_PEER_OFF_I32)).toBe(0);

    const v = new RingView(r, off);
    v.head = 5;
    v.cur = 6;
    v.flags = NR_TIMESTAMP;
    v.ts = 1234.5;
    expect(dv.getUint32(off + 64, LE)).toBe(5);
    expect(dv.getUint32(off + 68, LE)).toBe(6);
    expect(dv.getUint32(off + 72, LE)).toBe(NR_TIMESTAMP);
    expect(dv.getFloat64(off + 152, LE)).toBe(1234.5);
    dv.setUint32(off + 128, 7, LE); // tail, written by this end's sync code
    dv.setUint32(off + 132, 2, LE); // hwcur
    dv.setUint32(off + 136, 3, LE); // hwtail
    expect([v.tail, v.hwcur, v.hwtail]).toEqual([7, 2, 3]);
    expect(v.space()).toBe(2); // (7 - 5) mod 8
  });

  it("points a ring that shares slots at the other ring's slot and shadow arrays", () => {
    const r = createRegion(SMALL);
    const a = r.allocRingObject();
    const b = r.allocRingObject();
    initRing(r, a, { numSlots: 8, dir: RING_DIR_TX, ringId: 0, ownerIf: 1 });
    initRing(r, b, { numSlots: 8, dir: RING_DIR_RX, ringId: 0, ownerIf: 1, shareSlotsOf: a });
    const va = new RingView(r, a);
    const vb = new RingView(r, b);
    expect(vb.slotsBase).toBe(va.slotsBase);
    expect(vb.shadowBase).toBe(va.shadowBase);
    expect(vb.slotsBase * 4).toBe(a + 256);
    va.setBufIdx(3, 42);
    expect(vb.bufIdx(3)).toBe(42);
  });
});

describe('slots', () => {
  function ring(maxOffset = 0): { r: Region; v: RingView; off: number } {
    const r = createRegion(SMALL);
    const off = r.allocRingObject();
    initRing(r, off, { numSlots: 8, dir: RING_DIR_TX, ringId: 0, ownerIf: 1, maxOffset });
    return { r, v: new RingView(r, off), off };
  }

  it('stores {bufIdx u32, len u16, flags u16, ptr u64} by column: bufIdx[n] lenFlags[n] ptrLo[n] ptrHi[n]', () => {
    expect([SLOT_BUF_IDX_COL, SLOT_LEN_FLAGS_COL, SLOT_PTR_LO_COL, SLOT_PTR_HI_COL]).toEqual([
      0, 1, 2, 3,
    ]);
    const { r, v, off } = ring();
    const n = 8;
    const dv = new DataView(r.sab);
    const col = (c: number, i: number): number => off + RING_HEADER_BYTES + (c * n + i) * 4;
    v.setBufIdx(2, 0x12345678);
    v.setLen(2, 0xbeef);
    v.setSlotFlags(2, NS_MOREFRAG | NS_REPORT);
    expect(dv.getUint32(col(0, 2), LE)).toBe(0x12345678);
    expect(dv.getUint16(col(1, 2), LE)).toBe(0xbeef);
    expect(dv.getUint16(col(1, 2) + 2, LE)).toBe(NS_MOREFRAG | NS_REPORT);
    expect(dv.getUint32(col(2, 2), LE)).toBe(0);
    expect(dv.getUint32(col(3, 2), LE)).toBe(0);
    // neighbours untouched
    for (const c of [0, 1, 2, 3]) {
      expect(dv.getUint32(col(c, 1), LE)).toBe(0);
      expect(dv.getUint32(col(c, 3), LE)).toBe(0);
    }

    // setLen keeps flags, setSlotFlags keeps len
    v.setLen(2, 60);
    expect(v.slotFlags(2)).toBe(NS_MOREFRAG | NS_REPORT);
    v.setSlotFlags(2, NS_BUF_CHANGED);
    expect(v.len(2)).toBe(60);
    expect(dv.getUint16(col(1, 2), LE)).toBe(60);
    expect(dv.getUint16(col(1, 2) + 2, LE)).toBe(NS_BUF_CHANGED);

    // reading back what a DataView wrote
    dv.setUint32(col(0, 5), 77, LE);
    dv.setUint16(col(1, 5), 1500, LE);
    dv.setUint16(col(1, 5) + 2, NS_TXMON, LE);
    dv.setUint32(col(3, 5), 0xdeadbeef, LE);
    expect([v.bufIdx(5), v.len(5), v.slotFlags(5), v.ptrHi(5)]).toEqual([
      77,
      1500,
      NS_TXMON,
      0xdeadbeef,
    ]);
    // the column bases hot loops use
    expect(v.bufIdxBase * 4).toBe(col(0, 0));
    expect(v.lenFlagsBase * 4).toBe(col(1, 0));
    expect(v.ptrLoBase * 4).toBe(col(2, 0));
    expect(v.ptrHiBase * 4).toBe(col(3, 0));
    expect(v.shadowBase * 4).toBe(col(4, 0));
  });

  it("has netmap's flag values", () => {
    // Checked against sys/net/netmap.h (FreeBSD / luigirizzo/netmap).
    expect(NS_BUF_CHANGED).toBe(0x0001);
    expect(NS_REPORT).toBe(0x0002);
    expect(NS_FORWARD).toBe(0x0004);
    expect(NS_MOREFRAG).toBe(0x0020);
    expect(NS_TXMON).toBe(0x0040);
    expect(NR_TIMESTAMP).toBe(0x0002);
    expect(NR_FORWARD).toBe(0x0004);
    expect(MAX_FRAGS).toBe(64);
  });

  it('keeps a per-slot offset in the low bits of ptr, masked by the ring', () => {
    const { r, v, off } = ring(100);
    const dv = new DataView(r.sab);
    // ptr of slot 4: low word in the ptrLo column, high word in the ptrHi column (8 slots)
    const lo = off + RING_HEADER_BYTES + (2 * 8 + 4) * 4;
    const hi = off + RING_HEADER_BYTES + (3 * 8 + 4) * 4;
    expect(v.offsetMask).toBe(127); // smallest 2^k - 1 covering 100
    dv.setUint32(lo, 0xcccc_dd00, LE); // unrelated high bits
    dv.setUint32(hi, 0xaaaa_bbbb, LE);
    v.setOffset(4, 100);
    expect(v.offset(4)).toBe(100);
    expect([dv.getUint32(hi, LE), dv.getUint32(lo, LE)]).toEqual([0xaaaa_bbbb, 0xcccc_dd64]);
    v.setOffset(4, 0);
    expect(v.offset(4)).toBe(0);
    expect([dv.getUint32(hi, LE), dv.getUint32(lo, LE)]).toEqual([0xaaaa_bbbb, 0xcccc_dd00]);

    const idx = r.allocBuf();
    v.setBufIdx(4, idx);
    v.setOffset(4, 14);
    v.setLen(4, 50);
    expect(v.payloadOffset(4)).toBe(r.bufBase + idx * 128 + 14);
    const p = v.payload(4);
    expect(p.byteOffset).toBe(r.bufBase + idx * 128 + 14);
    expect(p.length).toBe(50);
  });

  it('has no offset when the ring was made without maxOffset', () => {
    const { r, v, off } = ring(0);
    expect(v.offsetMask).toBe(0);
    v.setOffset(1, 40);
    expect(v.offset(1)).toBe(0);
    const dv = new DataView(r.sab);
    // slot 1's ptrLo and ptrHi words
    expect(dv.getUint32(off + RING_HEADER_BYTES + (2 * 8 + 1) * 4, LE)).toBe(0);
    expect(dv.getUint32(off + RING_HEADER_BYTES + (3 * 8 + 1) * 4, LE)).toBe(0);
  });
});

describe('ring index helpers', () => {
  it('wrap without %', () => {
    expect(ringNext(0, 8)).toBe(1);
    expect(ringNext(7, 8)).toBe(0);
    expect(ringPrev(0, 8)).toBe(7);
    expect(ringPrev(5, 8)).toBe(4);
    expect(ringSpace(2, 6, 8)).toBe(4);
    expect(ringSpace(6, 2, 8)).toBe(4);
    expect(ringSpace(3, 3, 8)).toBe(0);
    expect(ringEmpty(3, 3)).toBe(true);
    expect(ringEmpty(3, 4)).toBe(false);
  });
});
