// Worker threads from TypeScript sources when running without a build (browser-mode host, CLI,
// tests): a small bootstrap registers tsx's loader inside the worker, then imports the module.
// Electron builds use electron-vite's `?nodeWorker` instead.
import { Worker } from 'node:worker_threads';

const BOOTSTRAP = new URL('./tsWorkerBootstrap.mjs', import.meta.url);

export function spawnTsWorker(url: URL): Worker {
  return new Worker(BOOTSTRAP, { argv: [url.href] });
}
