// Model and dataset files are data (issue 9): no loader can evaluate code (no eval, Function, vm,
// or import/require of a name taken from a file), hostile JSON keys and strings in a model file or
// an extended-XYZ header stay inert (no prototype pollution, nothing run), and in Electron mode the
// host opens only files the user chose in the file dialog.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readText } from '../../src-shared/io/read';
import { formatByName } from '../../src-shared/io/registry';
import { decodeModel, MODEL_FORMAT } from '../../src-shared/ml/models/serialization';
import { cleanupHomes, createTestHost, ROOT, tempDir } from '../../test-support/hostHarness';
import { loadCheckpoint, loadModelFiles } from '../ml/runFolder';

afterAll(cleanupHomes);

/** Every non-spec TypeScript file under `dir`. */
function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (name.endsWith('.ts') && !name.endsWith('.spec.ts')) out.push(p);
  }
  return out;
}

// Folders whose code reads user files (formats, models, checkpoints, potentials, datasets, the host).
const LOADERS = ['src-shared/io', 'src-shared/ml/models', 'src-shared/ml/train', 'src-shared/ml/data', 'src-shared/potentials', 'src-main/ml', 'src-main/node', 'src-main/backend', 'src-main/workers', 'src-main/host'];
// tfNode.ts imports optional tfjs packages by constant names (not from any file): allowed there only.
const CONSTANT_IMPORTS = new Set(['src-main/ml/tfNode.ts']);

describe('model and dataset files are data, never code', () => {
  it('no loader uses eval, Function, vm, or a dynamic import/require', () => {
    const files = LOADERS.flatMap((d) => sources(join(ROOT, d)));
    expect(files.length).toBeGreaterThan(50);
    const hits: string[] = [];
    for (const f of files) {
      const rel = relative(ROOT, f);
      const text = readFileSync(f, 'utf8').replace(/\/\/.*$/gm, '');
      if (/\beval\s*\(|new\s+Function\s*\(|(?<![.\w])Function\s*\(|node:vm|\brunInNewContext\b|\brunInThisContext\b|v8\.deserialize/.test(text)) hits.push(`${rel}: eval/Function/vm`);
      if (!CONSTANT_IMPORTS.has(rel) && /\bimport\s*\(\s*(?!['"`])/.test(text)) hits.push(`${rel}: import() of a computed name`);
      if (/\brequire\s*\(\s*(?!['"`])/.test(text)) hits.push(`${rel}: require() of a computed name`);
    }
    expect(hits).toEqual([]);
  });

  it('hostile keys and strings in a model file stay inert', () => {
    const dir = tempDir('atomforge-hostile-');
    const run = join(dir, 'run');
    mkdirSync(run);
    const json = `{"format":"${MODEL_FORMAT}","version":1,"type":"bpnn\\"); globalThis.pwned = 1; (\\"","config":{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"toString":"function(){globalThis.pwned=1}"},"species":["Si"],"e0":{"method":"none","valuesEv":[0]},"scales":{},"metadata":{"__proto__":{"polluted":true}},"arrays":[{"name":"w","shape":[1],"dtype":"float32","byteOffset":0,"length":1}]}`;
    writeFileSync(join(run, 'model.json'), json);
    writeFileSync(join(run, 'model.bin'), new Uint8Array(4));
    const m = loadModelFiles(run);
    expect(m.type).toBe('bpnn"); globalThis.pwned = 1; ("');
    expect(decodeModel(json, new Uint8Array(4)).weights).toHaveLength(1);
    expect((globalThis as Record<string, unknown>).pwned).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
    // A checkpoint that names a data file outside its folder is refused, not followed.
    writeFileSync(join(run, 'checkpoint.json'), JSON.stringify({ format: 'atomforge-checkpoint', $blob: { file: '../../etc/passwd', sha256: 'x' } }));
    expect(() => loadCheckpoint(run)).toThrow(/invalid data file/);
  });

  it('hostile keys in an extended-XYZ header stay inert', () => {
    const text = '1\n__proto__=5 constructor=7 toString=x hasOwnProperty=1 Properties=species:S:1:pos:R:3\nH 0 0 0\n';
    const r = readText(formatByName('extxyz')!, text, { fileName: 'h.xyz' });
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.frames[0].positionsA.length).toBe(3);
      expect(Object.getPrototypeOf(r.frames[0].info) === Object.prototype || Object.getPrototypeOf(r.frames[0].info) === null).toBe(true);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.toString).toBe(Object.prototype.toString);
    expect(typeof ({} as { hasOwnProperty: unknown }).hasOwnProperty).toBe('function');
  });
});

describe('Electron mode: only files the user chose', () => {
  it('a path never chosen in the file dialog is refused; the chosen one opens', async () => {
    const dir = tempDir('atomforge-choose-');
    const chosen = join(dir, 'chosen.xyz');
    const other = join(dir, 'other.xyz');
    for (const p of [chosen, other]) writeFileSync(p, '1\nc\nH 0 0 0\n');
    const { b, conn } = createTestHost({}, { allowAnyPath: false, showOpenDialog: async () => chosen });
    await expect(b.dispatch('dataset.open', { jobId: 'a', source: { kind: 'path', path: chosen } }, conn)).rejects.toThrow(/open files through the file dialog/);
    await expect(b.dispatch('dataset.open', { jobId: 'b', source: { kind: 'path', path: '/etc/passwd' } }, conn)).rejects.toThrow(/open files through the file dialog/);
    expect(await b.dispatch('dialog.openFile', {}, conn)).toEqual({ path: chosen });
    const ds = await b.dispatch('dataset.open', { jobId: 'c', source: { kind: 'path', path: chosen } }, conn);
    expect(ds.name).toBe('chosen.xyz');
    expect(ds.summary.frames).toBe(1);
    await expect(b.dispatch('dataset.open', { jobId: 'd', source: { kind: 'path', path: other } }, conn)).rejects.toThrow(/open files through the file dialog/);
    await expect(b.dispatch('dataset.open', { jobId: 'e', source: { kind: 'path', path: join(dir, '..', 'x', '..', 'choose-other', '..', '..', other) } }, conn)).rejects.toThrow(/file dialog/);
  });
});
