import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The tests' own redis-server (or AIOPS_TEST_REDIS_URL, when empty): never a Redis they were not given.
    globalSetup: ['test/support/global-redis.ts'],
    // Real Prometheus and Redis make some tests slow to start; 2 cores here.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
