import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

// main and preload bundle everything they import (core, shared, axios, ws, zod)
// except the native keychain module, which stays a real dependency.
export default defineConfig({
  main: {
    build: {
      lib: { entry: 'electron/main/index.ts' },
      externalizeDeps: true,
      sourcemap: false,
    },
  },
  preload: {
    build: {
      lib: { entry: 'electron/preload/index.ts', formats: ['cjs'] },
      externalizeDeps: false,
      sourcemap: false,
    },
  },
  renderer: {
    root: 'renderer',
    build: { rollupOptions: { input: 'renderer/index.html' }, minify: true, sourcemap: false },
    plugins: [react()],
  },
});
