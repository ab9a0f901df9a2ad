import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.spec.ts'],
    // The property tests walk thousands of cases beside the API suite on two cores; the limit
    // catches a hang, not slowness (speed is measured by `npm run bench`).
    testTimeout: 60_000,
  },
});
