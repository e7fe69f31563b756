import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One file at a time: the smoke run and the process tests each keep both
    // cores busy, and a run starved of its CPU can miss its short window.
    fileParallelism: false,
  },
});
