import { defineConfig } from 'vitest/config';

// `npm test`: unit tests beside their sources plus test/ (integration, smoke, golden).
// Long runs (test/long) go behind `npm run test:long`.
//
// Two groups, one after the other: everything but test/integration and test/cluster on two
// workers, then the integration and cluster files one at a time. Each of those runs real
// processes (nats-server, a 3-node cluster, actors, ace) that want both cores; two of them side by side on a 2-core
// machine once took a lifecycle test from 15 s to past its 300 s limit.
const shared = { testTimeout: 60_000, hookTimeout: 60_000, pool: 'forks' as const };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...shared,
          name: 'unit',
          include: ['{actors,streams,contracts,ops,tools,bench}/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['test/long/**', 'test/integration/**', 'test/cluster/**', 'node_modules/**'],
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...shared,
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/cluster/**/*.test.ts'],
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
