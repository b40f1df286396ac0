// Browser-mode entry (`npm start` without the Electron binary): starts the host on 127.0.0.1 and
// opens the UI in Chromium's app mode when a Chromium is found, else prints the URL.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnTsWorker } from '../node/tsWorker';
import { Backend } from '../backend/backend';
import { appVersion, RENDERER_OUT_DIR, RESOURCES_DIR, userDataDir } from '../node/paths';
import { findChromium } from './chromium';
import { startHost } from './server';

const args = new Set(process.argv.slice(2));
const noOpen = args.has('--no-open') || process.env.ATOMFORGE_NO_OPEN === '1';
const port = Number(process.env.ATOMFORGE_PORT ?? 0);

if (!existsSync(join(RENDERER_OUT_DIR, 'index.html'))) {
  console.error(`Atomforge: the renderer is not built (${RENDERER_OUT_DIR} is missing); run \`npm run build:web\` or \`npm start\`.`);
  process.exit(1);
}

const dataDir = userDataDir();
mkdirSync(dataDir, { recursive: true });
const backend = new Backend({
  mode: 'browser',
  version: appVersion(),
  userDataDir: dataDir,
  resourcesDir: RESOURCES_DIR,
  allowAnyPath: true,
  spawnIoWorker: () => spawnTsWorker(new URL('../workers/ioWorker.ts', import.meta.url)),
  spawnMdWorker: () => spawnTsWorker(new URL('../workers/mdWorker.ts', import.meta.url)),
  spawnTrainWorker: () => spawnTsWorker(new URL('../workers/trainWorker.ts', import.meta.url)),
});
const host = await startHost({ backend, rendererDir: RENDERER_OUT_DIR, port });

const shutdown = async () => {
  backend.dispose();
  await host.close();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);

const chromium = noOpen ? null : findChromium();
if (chromium) {
  console.log(`Atomforge (browser mode) is running at ${host.url} - opening it in ${chromium}`);
  const profile = join(dataDir, 'chromium-profile');
  const child = spawn(
    chromium,
    [
      `--app=${host.url}`,
      `--user-data-dir=${profile}`,
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--window-size=1440,900',
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
    ],
    { stdio: 'ignore' },
  );
  child.on('exit', () => void shutdown());
} else {
  console.log(`Atomforge (browser mode) is running: open ${host.url} in a browser (Ctrl+C to stop).`);
}
