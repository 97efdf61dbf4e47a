import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The staff app: served by the API server at `/counter/` (hall boards at `/board/:siteId` get the same
 * index.html), so every asset lives under `/counter/`. `npm run dev -w web-counter` proxies the API.
 */
export default defineConfig({
  base: '/counter/',
  plugins: [react()],
  server: {
    port: 5174,
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/socket.io': { target: 'http://127.0.0.1:8080', ws: true },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Rationale: antd and echarts are large by nature; the board never loads them (see main.tsx), so a
    // big staff chunk is expected and the warning would only be noise.
    chunkSizeWarningLimit: 1500,
  },
});
