import { defineConfig } from 'vitest/config';

// `pool: 'forks'`: Temporal's native bridge crashes under worker threads (sdk-typescript #876).
export default defineConfig({
  test: {
    pool: 'forks',
    projects: [
      // Unit tests are pure (plain data, in-memory fakes, no global state): they share one module graph per
      // worker, so Temporal's client and the app layer are loaded once, not once a file (4x faster on 2 cores).
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], isolate: false } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
