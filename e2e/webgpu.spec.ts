// WebGPU backend parity in headless Chromium: a tiny page (e2e/webgpu, built here with Vite and
// served from 127.0.0.1, where Chromium allows WebGPU) runs the training engine on cpu and then on
// webgpu (SwiftShader's software adapter on a machine without a GPU, the real GPU elsewhere) and
// the energies, forces, stress, loss gradients w.r.t. every weight and a short training run must
// agree within float32 tolerance. Skipped with a message where Chromium offers no adapter.
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { mkdirSync, writeFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { chromium, type Browser } from '@playwright/test';
import { build } from 'vite';
import { browserExecutable, CHROMIUM_ARGS, expect, hasBrowser, ROOT, test } from './fixtures';
import { GPU_PARITY_TOLERANCE } from '../src-shared/ml/testing/backendParity';
import type { ParityPageResult } from './webgpu/main';

const OUT = join(ROOT, 'out', 'webgpu-page');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };

test.skip(!hasBrowser, "No Chromium found (neither Playwright's nor a system one such as /usr/bin/chromium): WebGPU parity test skipped.");

let server: Server;
let url = '';
let browser: Browser;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  await build({ configFile: false, root: join(ROOT, 'e2e', 'webgpu'), base: './', logLevel: 'warn', build: { outDir: OUT, emptyOutDir: true, chunkSizeWarningLimit: 5000 } });
  server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    try {
      const body = await readFile(join(OUT, path === '/' ? 'index.html' : path));
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? (path === '/' ? 'text/html' : 'application/octet-stream') });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/`;
  browser = await chromium.launch({ executablePath: browserExecutable() ?? undefined, args: [...CHROMIUM_ARGS, '--enable-unsafe-webgpu'], headless: true });
});

test.afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
});

test('webgpu trains like cpu: energies, forces, stress, force-loss gradients, training run', async () => {
  test.setTimeout(300_000);
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { __parity?: unknown }).__parity !== undefined, null, { timeout: 280_000, polling: 500 });
  const r = (await page.evaluate(() => (window as unknown as { __parity: unknown }).__parity)) as ParityPageResult & { error?: string };
  expect(r.error, r.error).toBeUndefined();
  expect(errors).toEqual([]);
  mkdirSync(join(ROOT, 'out', 'test-results'), { recursive: true });
  writeFileSync(join(ROOT, 'out', 'test-results', 'webgpu-parity.json'), JSON.stringify({ ...r, models: r.models.map((m) => ({ name: m.name, errors: m.errors, ms: m.ms, tensorsPerEpoch: m.test.tensorsPerEpoch })) }, null, 1));
  test.skip(r.skipped !== null, `no WebGPU adapter in headless Chromium here: ${r.skipped}`);
  console.log(`webgpu adapter: ${r.adapter}; largest single-op errors vs cpu: ${JSON.stringify(r.ops)}`);
  // the adapter computes: single ops agree with cpu to WGSL precision (cos/sin 2^-11 absolute)
  expect(r.ops.cos).toBeLessThan(2 ** -11);
  expect(r.ops.exp).toBeLessThan(1e-4);
  expect(r.backend).toBe('webgpu');
  expect(r.adapter).toBeTruthy();
  expect(r.models.map((m) => m.name)).toEqual(['bpnn', 'painn']);
  for (const m of r.models) {
    console.log(`${m.name}: scaled errors ${JSON.stringify(m.errors)}; cpu ${m.ms.cpu.toFixed(0)} ms, webgpu ${m.ms.webgpu.toFixed(0)} ms`);
    for (const [k, tol] of Object.entries(GPU_PARITY_TOLERANCE)) expect(m.errors[k as keyof typeof m.errors], `${m.name} ${k}`).toBeLessThan(tol);
    expect(m.test.backend).toBe('webgpu');
    expect(m.reference.backend).toBe('cpu');
    // not trivially equal: the model has forces and gradients, and training lowered the loss
    expect(Math.max(...m.reference.forcesEvPerA.map(Math.abs))).toBeGreaterThan(1e-3);
    expect(Math.max(...m.test.forceLossGrads.flat().map(Math.abs))).toBeGreaterThan(1e-4);
    // GPU memory: the live tensor count is flat across epochs
    expect(new Set(m.test.tensorsPerEpoch).size, `tensors per epoch ${m.test.tensorsPerEpoch}`).toBe(1);
  }
  await page.close();
});
