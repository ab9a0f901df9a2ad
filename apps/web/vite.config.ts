import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const apiTarget = process.env.HANDOFF_API_URL ?? 'http://localhost:3000';

export default defineConfig({
  plugins: [react()],
  // The API serves dist/ at the site root with an SPA fallback, so assets must be root-relative.
  base: '/',
  server: {
    port: 5173,
    proxy: {
      '/api': { target: apiTarget, changeOrigin: true },
      '/socket.io': { target: apiTarget, changeOrigin: true, ws: true },
    },
  },
  preview: {
    proxy: {
      '/api': { target: apiTarget, changeOrigin: true },
      '/socket.io': { target: apiTarget, changeOrigin: true, ws: true },
    },
  },
  build: {
    outDir: 'dist',
    sourcemap: true,
    target: 'es2022',
  },
});
