// Renderer build settings shared by electron-vite (Electron targets) and plain Vite (browser mode,
// tests), so both builds produce the same UI from the same values.
import { resolve } from 'node:path';
import vue from '@vitejs/plugin-vue';
import { defineConfig, type UserConfig } from 'vite';

export const rendererRoot = resolve(import.meta.dirname, 'src-renderer');
export const rendererOutDir = resolve(import.meta.dirname, 'out/renderer');

export const rendererConfig: UserConfig = {
  root: rendererRoot,
  base: './',
  plugins: [vue()],
  build: {
    outDir: rendererOutDir,
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    rollupOptions: { input: resolve(rendererRoot, 'index.html') },
  },
};

export default defineConfig(rendererConfig);
