import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [react()],
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
    restoreMocks: true,
    // `npm test` runs these beside the API suite on two cores: a render can wait seconds for
    // CPU. The limits catch a hang, not slowness (speed is measured by `npm run bench`).
    testTimeout: 120_000,
  },
});
