/** @module dashboard/vite.config — builds the dashboard into dashboard/dist, which the controller serves at `/` (no CDN, no outside network). */
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, target: 'es2022' },
});
