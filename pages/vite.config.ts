// Web app build: `vite build --config pages/vite.config.ts` (from the repo root) → pages/dist, which the
// Worker serves as static assets with SPA fallback (wrangler.toml [assets]).
// Dev: `vite --config pages/vite.config.ts` proxies /api, /v1, /ws and /health to the Worker on :8787.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const pagesDir = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const backend = process.env.NETRA_API_URL ?? 'http://localhost:8787';

export default defineConfig({
  root: pagesDir,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: true,
    rolldownOptions: {
      output: {
        // Vendor code in its own long-cached chunks; zod (the protocol schemas) loads only with the chat screen.
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
            { name: 'zod', test: /node_modules[\\/]zod[\\/]/ },
          ],
        },
      },
    },
  },
  server: {
    port: 5173,
    // The shared protocol module lives outside pages/.
    fs: { allow: [repoRoot] },
    proxy: {
      '/api': { target: backend, changeOrigin: true },
      '/v1': { target: backend, changeOrigin: true },
      '/health': { target: backend, changeOrigin: true },
      '/ws': { target: backend, changeOrigin: true, ws: true },
    },
  },
  preview: { port: 4173 },
});
