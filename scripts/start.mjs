// `npm start`: the Electron app when the Electron binary is installed; otherwise browser mode
// (the same UI and services, served on 127.0.0.1 and opened in Chromium's app mode).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const forceBrowser = process.argv.includes('--browser');

/** Path of the Electron binary, or null when the package or its binary is missing. */
export function electronBinary() {
  try {
    const p = require('electron');
    return typeof p === 'string' && existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const bin = (name) => join(root, 'node_modules', '.bin', name);
const electron = forceBrowser ? null : electronBinary();
if (electron) {
  run(bin('electron-vite'), ['build']);
  const child = spawn(electron, ['.'], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log(
    forceBrowser
      ? 'Atomforge: starting in browser mode.'
      : 'Atomforge: the Electron binary is not installed, so Atomforge starts in browser mode (same app, served on 127.0.0.1).',
  );
  run(bin('vite'), ['build', '-c', 'vite.renderer.config.ts', '--logLevel', 'warn']);
  const child = spawn(process.execPath, ['--import', require.resolve('tsx'), join(root, 'src-main/host/main.ts'), ...process.argv.slice(2).filter((a) => a !== '--browser')], {
    cwd: root,
    stdio: 'inherit',
  });
  const stop = () => child.kill('SIGTERM');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  child.on('exit', (code) => process.exit(code ?? 0));
}
