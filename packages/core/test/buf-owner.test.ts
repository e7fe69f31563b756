/**
 * The buffer-owner map's codes and the rule it keeps: a buffer is in one
 * place at a time. (Moves between ring slots are tested with real pipes in
 * packages/pipes/test/ownership.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import {
  BUF_OWNER_EXTRA,
  BUF_OWNER_NONE,
  BUF_OWNER_SLOT,
  BUF_OWNER_TAKEN,
  bufOwnerKind,
  CLAIM_BAD_INDEX,
  CLAIM_ELSEWHERE,
  CLAIM_FREE,
  CLAIM_OK,
  claimBuf,
  createRegion,
  DoubleFreeError,
  extraOwnerCode,
  OwnedBufferError,
  slotCode,
  slotOwnerRing,
  takenOwnerCode,
} from '../src/index.js';

describe('owner codes', () => {
  it('keep the kind apart from the ring index, up to the largest ring and slot', () => {
    for (const [ring, slot] of [
      [0, 0],
      [1, 5],
      [16384, 1],
      [32768, 100],
      [65535, 32767],
    ] as const) {
      const c = slotCode(ring, slot);
      expect(bufOwnerKind(c)).toBe(BUF_OWNER_SLOT);
      expect(slotOwnerRing(c)).toBe(ring);
      expect(c & 0x7fff).toBe(slot);
    }
    for (const k of [1, 2, 65535, (1 << 29) - 1]) {
      expect(bufOwnerKind(extraOwnerCode(k))).toBe(BUF_OWNER_EXTRA);
      expect(bufOwnerKind(takenOwnerCode(k))).toBe(BUF_OWNER_TAKEN);
    }
    expect(bufOwnerKind(0)).toBe(BUF_OWNER_NONE);
  });
});

describe('claimBuf and freeBuf', () => {
  it('claims a loose buffer once, refuses a free one, a bad index, and one on an extra list', () => {
    const r = createRegion({ bufSize: 64, bufCount: 64, memId: 3 });
    const a = r.allocBuf();
    expect(claimBuf(r, a, extraOwnerCode(1))).toBe(CLAIM_OK);
    expect(r.bufOwner(a)).toBe(extraOwnerCode(1));
    expect(claimBuf(r, a, extraOwnerCode(2))).toBe(CLAIM_ELSEWHERE); // still on list 1
    const f = r.allocBuf();
    r.freeBuf(f);
    expect(claimBuf(r, f, extraOwnerCode(1))).toBe(CLAIM_FREE);
    for (const bad of [0, 1, 64, -1, 2 ** 31])
      expect(claimBuf(r, bad, extraOwnerCode(1))).toBe(CLAIM_BAD_INDEX);
  });

  it('freeBuf refuses a buffer an extra list holds (OwnedBufferError) and leaves the pool as it was', () => {
    const r = createRegion({ bufSize: 64, bufCount: 64, memId: 4 });
    const { head, count } = r.allocExtraBufs(3, 5);
    expect(count).toBe(3);
    const free0 = r.bufPool.countFree();
    let e: unknown = null;
    try {
      r.freeBuf(head);
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(OwnedBufferError);
    expect((e as OwnedBufferError).holder).toBe('extra');
    expect(r.bufPool.countFree()).toBe(free0);
    // freeBufs frees the others and reports the held one
    const loose = [r.allocBuf(), r.allocBuf()];
    expect(() => r.freeBufs([loose[0]!, head, loose[1]!])).toThrow(OwnedBufferError);
    expect(r.bufPool.countFree()).toBe(free0);
    expect(() => r.freeBuf(loose[0]!)).toThrow(DoubleFreeError);
    // the list itself frees them
    expect(r.freeExtraList(head)).toBe(3);
    expect(r.bufOwner(head)).toBe(0);
  });
});
