/**
 * copyBytes (region <-> message copies): every path (aligned word loop,
 * short byte loop, Buffer.copy) moves exactly `len` bytes and nothing else.
 */
import { describe, expect, it } from 'vitest';
import { copyBytes, words } from '../src/region-buffer.js';

function filled(n: number, k: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * k + 11) & 0xff;
  return b;
}

describe('copyBytes', () => {
  it('copies len bytes between two buffers, aligned or not, on both sides of the word-loop limit', () => {
    let cases = 0;
    for (const len of [0, 1, 3, 4, 7, 60, 64, 127, 128, 159, 160, 161, 200, 1500, 1514]) {
      for (const [from, to] of [
        [0, 0],
        [8, 20],
        [1, 4],
        [4, 3],
        [5, 7],
      ] as const) {
        const src = filled(4096, 131);
        const dst = filled(4096, 17);
        const expected = Buffer.from(dst);
        src.copy(expected, to, from, from + len);
        copyBytes(src, words(src), from, dst, words(dst), to, len);
        expect(dst.equals(expected)).toBe(true);
        cases++;
      }
    }
    expect(cases).toBe(75);
  });
});
