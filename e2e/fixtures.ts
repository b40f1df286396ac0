// Test fixtures: a browser-mode host started per test file (fresh user-data folder, real IO
// workers), and a Chromium launched headless with a software WebGL so the 3D view renders.
// Playwright's own Chromium is used when installed; otherwise the system's (e.g. Debian's
// /usr/bin/chromium). Without any, browser tests are skipped with a message.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { chromium, test as base, type Browser } from '@playwright/test';
import { findChromium } from '../src-main/host/chromium';

const require = createRequire(import.meta.url);
export const ROOT = join(import.meta.dirname, '..');

/** Flags that give headless Chromium a working WebGL context through SwiftShader. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--ignore-gpu-blocklist',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function browserExecutable(): string | null {
  try {
    const own = chromium.executablePath();
    if (own && existsSync(own)) return own;
  } catch {
    /* Playwright's browser is not installed */
  }
  return findChromium();
}

export interface Host {
  url: string;
  home: string;
  proc: ChildProcess;
  output: () => string;
}

export async function startHostProcess(): Promise<Host> {
  const home = mkdtempSync(join(tmpdir(), 'atomforge-e2e-'));
  const proc = spawn(process.execPath, ['--import', require.resolve('tsx'), join(ROOT, 'src-main/host/main.ts'), '--no-open'], {
    cwd: ROOT,
    env: { ...process.env, ATOMFORGE_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`host did not start:\n${out}`)), 30_000);
    const check = () => {
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    proc.stdout!.on('data', check);
    proc.on('exit', (code) => reject(new Error(`host exited (${code}):\n${out}`)));
  });
  return { url, home, proc, output: () => out };
}

export async function stopHost(h: Host) {
  h.proc.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 200));
  rmSync(h.home, { recursive: true, force: true });
}

export const test = base.extend<object, { host: Host; browserInstance: Browser }>({
  host: [
    async ({}, use) => {
      const h = await startHostProcess();
      await use(h);
      await stopHost(h);
    },
    { scope: 'worker' },
  ],
  browserInstance: [
    async ({}, use) => {
      const exe = browserExecutable();
      const b = await chromium.launch({ executablePath: exe ?? undefined, args: CHROMIUM_ARGS, headless: true });
      await use(b);
      await b.close();
    },
    { scope: 'worker' },
  ],
});

export const hasBrowser = browserExecutable() !== null;
export { expect } from '@playwright/test';
