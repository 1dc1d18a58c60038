import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('.', import.meta.url));
const contracts = fileURLToPath(new URL('../../libs/contracts/src/index.ts', import.meta.url));
const apiTarget = (port: string | undefined, fallback: number) => `http://127.0.0.1:${port ?? fallback}`;

// `npm run build:ui` writes dist/budadmin; `npx vite apps/budadmin` is the dev server with the same API routing as server/serve.ts.
export default defineConfig({
  root,
  plugins: [react()],
  resolve: { alias: { '@bud/contracts': contracts } },
  build: {
    outDir: fileURLToPath(new URL('../../dist/budadmin', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    reportCompressedSize: true,
  },
  server: {
    port: 8007,
    proxy: {
      '/api/v1/clusters': apiTarget(process.env.BUDCLUSTER_PORT, 9082),
      '/api/v1/usage': apiTarget(process.env.BUDCLUSTER_PORT, 9082),
      '/api/v1/invoices': apiTarget(process.env.BUDCLUSTER_PORT, 9082),
      '/api/v1/budgets': apiTarget(process.env.BUDCLUSTER_PORT, 9082),
      '/api': apiTarget(process.env.BUDUSECASES_PORT, 9084),
    },
  },
});
