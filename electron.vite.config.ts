import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { RollupLog } from 'rollup';

/**
 * zod's sources carry pure-annotation comments in places Rollup cannot use; it drops them and
 * says so, four times a build. Nothing there to act on, so only that warning is left out.
 */
const rollupOptions = {
  onwarn(warning: RollupLog, warn: (warning: RollupLog) => void) {
    if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('/node_modules/zod/')) return;
    warn(warning);
  },
};

// main and preload bundle everything they import (core, shared, axios, ws, zod)
// except the native keychain module, which stays a real dependency.
export default defineConfig({
  main: {
    build: {
      lib: { entry: 'electron/main/index.ts' },
      externalizeDeps: true,
      sourcemap: false,
      rollupOptions,
    },
  },
  preload: {
    build: {
      lib: { entry: 'electron/preload/index.ts', formats: ['cjs'] },
      externalizeDeps: false,
      sourcemap: false,
      rollupOptions,
    },
  },
  renderer: {
    root: 'renderer',
    // The app's windows (index.html) and the account page the server serves (account.html), from one source.
    build: { rollupOptions: { ...rollupOptions, input: { index: 'renderer/index.html', account: 'renderer/account.html' } }, minify: true, sourcemap: false },
    plugins: [react()],
  },
});
