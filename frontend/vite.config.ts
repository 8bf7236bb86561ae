import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));

// Django serves the build from its static files; templates find each entry through the manifest.
export default defineConfig({
  base: '/static/frontend/',
  build: {
    outDir: resolve(here, '../annotation_platform/static_build/frontend'),
    emptyOutDir: true,
    manifest: true,
    sourcemap: true,
    rollupOptions: {
      input: {
        upload: resolve(here, 'src/pages/upload.ts'),
        jobs: resolve(here, 'src/pages/jobs.ts'),
        annotate: resolve(here, 'src/pages/annotate.ts'),
      },
    },
  },
});
