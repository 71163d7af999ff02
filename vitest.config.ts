import { defineConfig } from 'vitest/config';

// `npm test`: unit tests beside their sources plus test/ (integration, smoke, golden).
// Long runs (test/long) go behind `npm run test:long`.
export default defineConfig({
  test: {
    include: ['{actors,streams,contracts,ops,tools,bench}/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['test/long/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
