import { defineConfig } from 'vitest/config';

// Unit tests: pure logic, no child processes, no real services.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
