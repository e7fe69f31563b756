/**
 * copyRegionBytes: word loop for short aligned runs, copyWithin otherwise;
 * either way exactly `len` bytes move and nothing around them changes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { copyRegionBytes, WORD_COPY_MAX_BYTES } from '../src/index.js';
import { testSeed } from '../testing/index.js';

const SIZE = 4096;

function views(): { u8: Uint8Array; u32: Uint32Array } {
  const sab = new SharedArrayBuffer(SIZE);
  const u8 = new Uint8Array(sab);
  for (let i = 0; i < SIZE; i++) u8[i] = (i * 131 + 7) & 0xff;
  return { u8, u32: new Uint32Array(sab) };
}

describe('copyRegionBytes', () => {
  const seed = testSeed(import.meta.url);
  it('moves exactly len bytes from `from` to `to`, aligned or not, and touches nothing else', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2047 - 400 }),
        fc.integer({ min: 2048, max: SIZE - 400 }),
        fc.integer({ min: 0, max: 400 }),
        fc.boolean(),
        (from0, to0, len, align) => {
          const from = align ? from0 & ~3 : from0;
          const to = align ? to0 & ~3 : to0;
          const { u8, u32 } = views();
          const expected = u8.slice();
          expected.copyWithin(to, from, from + len);
          copyRegionBytes(u8, u32, to, from, len);
          expect(Buffer.from(u8).equals(Buffer.from(expected))).toBe(true);
        },
      ),
      { numRuns: 3000, seed },
    );
  });

  it('takes the word loop on both sides of its limit and at every tail length', () => {
    for (const len of [
      0,
      1,
      2,
      3,
      4,
      5,
      15,
      16,
      17,
      60,
      64,
      63,
      WORD_COPY_MAX_BYTES,
      WORD_COPY_MAX_BYTES + 1,
    ]) {
      const { u8, u32 } = views();
      const before = u8.slice();
      copyRegionBytes(u8, u32, 2048, 64, len);
      expect(Array.from(u8.subarray(2048, 2048 + len))).toEqual(
        Array.from(before.subarray(64, 64 + len)),
      );
      expect(u8[2048 + len]).toBe(before[2048 + len]);
      expect(u8[2047]).toBe(before[2047]);
    }
  });
});
