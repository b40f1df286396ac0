// The WebAssembly kernels the core loads (base64 in *WasmBytes.ts) are the committed kernels/*.wasm,
// and both are what kernels/build.mjs makes from the AssemblyScript sources now (no stale binary).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kernelBytes } from './wasmModule';

describe('WebAssembly kernels', () => {
  it('the embedded bytes equal kernels/*.wasm', () => {
    for (const name of ['bpnn', 'painn']) expect(Buffer.from(kernelBytes(name)).equals(readFileSync(`kernels/${name}.wasm`))).toBe(true);
  });

  it.skipIf(!existsSync('node_modules/.bin/asc'))('kernels/*.wasm equal a fresh build of kernels/*.ts', () => {
    const r = spawnSync(process.execPath, ['kernels/build.mjs', '--check'], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toContain('bpnn: wasm up to date, bytes module up to date');
    expect(r.stdout + r.stderr).toContain('painn: wasm up to date, bytes module up to date');
    expect(r.status).toBe(0);
  }, 120_000);
});
