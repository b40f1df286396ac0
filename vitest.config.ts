import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src-shared/**/*.spec.ts', 'src-main/**/*.spec.ts', 'src-renderer/**/*.spec.ts'],
    environment: 'node',
    testTimeout: 60_000,
    pool: 'forks',
  },
});
