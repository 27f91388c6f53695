import { defineConfig } from 'vitest/config';

// Integration tests: bundled actions as child processes, real data sets, real services.
export default defineConfig({
  test: {
    include: ['test/itg/**/*.test.itg.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
