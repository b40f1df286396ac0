// Parallel extended-XYZ reading must give exactly what the sequential reader gives: frames,
// warnings (with file line numbers), label keys and located errors, whatever the cuts. Files are
// generated with varying atom counts, plain-XYZ frames whose comment is a bare integer (a line
// that looks like a count), blank lines between frames, empty frames, CRLF, and corrupt frames;
// cuts are also forced at every line start and at random bytes, so wrong cuts must be detected.
import { createReadStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { extxyzFormat } from '../../src-shared/io/formats/extxyz';
import { poscarFormat } from '../../src-shared/io/formats/poscar';
import { type ReadProgress, type ReadResult, type StreamReadOptions, readStream } from '../../src-shared/io/read';
import { type ParallelReadOptions, closeParallelReadWorkers, findFrameSplits, readFramesParallel } from './parallelRead';
import { xorshift32 } from '../../src-shared/space/rng';

const dir = mkdtempSync(join(tmpdir(), 'atomforge-parallel-'));
afterAll(async () => {
  await closeParallelReadWorkers();
  rmSync(dir, { recursive: true, force: true });
});

const rng = xorshift32;

interface GenOptions {
  frames: number;
  maxAtoms: number;
  tricky?: boolean;
  crlf?: boolean;
}

/** Extended XYZ text; `tricky` adds plain frames with integer comments, blank lines, empty frames, virials without a cell. */
function generate(seed: number, o: GenOptions): string {
  const r = rng(seed);
  const el = ['Cu', 'Ni', 'O', 'H', 'Si'];
  const num = () => ((r() - 0.5) * 20).toFixed(1 + Math.floor(r() * 9));
  const lines: string[] = [];
  for (let f = 0; f < o.frames; f++) {
    const n = o.tricky && r() < 0.1 ? 0 : 1 + Math.floor(r() * o.maxAtoms);
    const kind = o.tricky ? Math.floor(r() * 4) : 0;
    lines.push(o.tricky && r() < 0.3 ? `  ${n} ` : String(n));
    if (kind === 1) {
      // plain XYZ whose comment is a bare integer, or empty, or the next frame's count
      lines.push(r() < 0.5 ? String(Math.floor(r() * 50)) : r() < 0.5 ? '' : String(n + 1));
      for (let i = 0; i < n; i++) lines.push(`${el[Math.floor(r() * 5)]} ${num()} ${num()} ${num()}`);
    } else {
      const energyKey = r() < 0.5 ? 'energy' : 'REF_energy';
      const cell = kind === 2 ? '' : `Lattice="${[num(), 0, 0, 0, num(), 0, 0, 0, num()].join(' ')}" `;
      const virial = kind === 2 ? ` virial="${[1, 0, 0, 0, 1, 0, 0, 0, 1].join(' ')}"` : '';
      const note = o.tricky && r() < 0.3 ? ` note="7" comment="Properties=species:S:1:pos:R:3 12"` : '';
      lines.push(`${cell}Properties=species:S:1:pos:R:3:forces:R:3:tag:I:1 ${energyKey}=${num()} frame=${f} pbc="T T ${r() < 0.5 ? 'T' : 'F'}"${virial}${note}`);
      for (let i = 0; i < n; i++) lines.push(`${el[Math.floor(r() * 5)]} ${num()} ${num()} ${num()} ${num()} ${num()} ${num()} ${Math.floor(r() * 9)}`);
    }
    if (o.tricky && r() < 0.2) lines.push('', r() < 0.5 ? '   ' : '');
  }
  const text = lines.join('\n') + '\n';
  return o.crlf ? text.replace(/\n/g, '\r\n') : text;
}

let fileNo = 0;
function file(text: string): string {
  const p = join(dir, `f${fileNo++}.xyz`);
  writeFileSync(p, text);
  return p;
}

async function sequential(path: string, opts: Partial<StreamReadOptions> = {}): Promise<ReadResult> {
  return readStream(extxyzFormat, createReadStream(path, { highWaterMark: 1 << 20 }), { fileName: 'test.xyz', ...opts });
}

async function same(path: string, opts: ParallelReadOptions = {}, expectMode?: 'parallel' | 'sequential') {
  const seq = await sequential(path, opts as Partial<StreamReadOptions>);
  const par = await readFramesParallel(path, { fileName: 'test.xyz', minBytes: 0, ...opts });
  const { parallel, ...rest } = par;
  expect(rest).toEqual(seq);
  if (expectMode) expect(parallel.mode, parallel.reason).toBe(expectMode);
  return { seq, par };
}

/** Offsets of every line start after the first. */
function lineStarts(text: string): number[] {
  const b = Buffer.from(text);
  const out: number[] = [];
  for (let i = 0; i < b.length - 1; i++) if (b[i] === 10) out.push(i + 1);
  return out;
}

describe('readFramesParallel gives exactly the sequential result', () => {
  it('on frames of varying atom counts, for 2, 3 and 4 ranges', async () => {
    const path = file(generate(1, { frames: 400, maxAtoms: 60 }));
    for (const workers of [2, 3, 4]) {
      const { par } = await same(path, { workers }, 'parallel');
      expect(par.parallel.ranges).toBe(workers);
      expect(par.frameCount).toBe(400);
    }
  });

  it('on comment lines that look like counts, blank lines and empty frames; warnings keep their file lines', async () => {
    const path = file(generate(2, { frames: 300, maxAtoms: 12, tricky: true }));
    for (const workers of [2, 3, 4]) {
      const { seq } = await same(path, { workers }, 'parallel');
      expect(seq.warningCount).toBeGreaterThan(10); // virial without a cell
    }
    const { par } = await same(path, { workers: 4, maxWarnings: 5 }, 'parallel');
    expect(par.warnings).toHaveLength(5);
  });

  it('bit for bit, on ranges sent in several batches, with trailing blank lines', async () => {
    // ~6 MB: each of 2 ranges spans several of the worker's 2 MB reads, so frames arrive in batches.
    const path = file(generate(9, { frames: 12000, maxAtoms: 12 }) + '\n  \n\n');
    const { seq, par } = await same(path, { workers: 2 }, 'parallel');
    expect(statSync(path).size).toBeGreaterThan(5e6);
    expect(par.frameCount).toBe(12000);
    const bits = (a: ArrayBufferView | null | undefined) => (a ? Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex') : a);
    seq.frames.forEach((f, i) => {
      const g = par.frames[i];
      for (const k of ['numbers', 'positionsA', 'cellA', 'forcesEvPerA', 'stressEvPerA3'] as const) expect(bits(g[k]), `frame ${i} ${k}`).toBe(bits(f[k]));
      expect(Object.is(g.energyEv, f.energyEv)).toBe(true);
      for (const [name, col] of Object.entries(f.arrays)) expect(bits(g.arrays[name].data as ArrayBufferView)).toBe(bits(col.data as ArrayBufferView));
    });
  });

  it('with CRLF line ends', async () => {
    const path = file(generate(3, { frames: 200, maxAtoms: 20, tricky: true, crlf: true }));
    await same(path, { workers: 3 }, 'parallel');
  });

  it('with the user label key mapping passed to the workers', async () => {
    const path = file(generate(4, { frames: 100, maxAtoms: 10 }));
    const { par } = await same(path, { workers: 2, labelKeys: { energy: 'REF_energy', forces: '' } }, 'parallel');
    expect(Object.keys(par.labelKeys.energy)).toEqual(['REF_energy']);
  });

  it('for a cut at every line start: a wrong one is detected and the file is read sequentially', async () => {
    const text = generate(5, { frames: 25, maxAtoms: 4, tricky: true });
    const path = file(text);
    const seq = await sequential(path);
    const modes = { parallel: 0, sequential: 0 };
    for (const at of lineStarts(text)) {
      const { parallel, ...rest } = await readFramesParallel(path, { fileName: 'test.xyz', splitsForTest: [at] });
      expect(rest, `cut at ${at}`).toEqual(seq);
      modes[parallel.mode]++;
    }
    expect(modes.parallel).toBeGreaterThan(20);
    expect(modes.sequential).toBeGreaterThan(20);
  });

  it('for cuts just off line starts (between CR and LF, inside leading spaces), where frames could still agree', async () => {
    const text = generate(13, { frames: 40, maxAtoms: 3, tricky: true, crlf: true });
    const path = file(text);
    const seq = await sequential(path);
    // line numbers of warnings after a bad cut would be off by one
    expect(seq.warnings[seq.warnings.length - 1].line).toBeGreaterThan(0.8 * lineStarts(text).length);
    for (const at of lineStarts(text)) {
      for (const cut of [at - 1, at + 1, at + 2]) {
        const { parallel: _p, ...rest } = await readFramesParallel(path, { fileName: 'test.xyz', splitsForTest: [cut] });
        expect(rest, `cut at ${cut}`).toEqual(seq);
      }
    }
  });

  it('for random cuts at any byte, CRLF included', async () => {
    const text = generate(6, { frames: 40, maxAtoms: 6, tricky: true, crlf: true });
    const path = file(text);
    const seq = await sequential(path);
    const r = rng(99);
    const size = Buffer.byteLength(text);
    for (let t = 0; t < 60; t++) {
      const cuts = [...new Set(Array.from({ length: 1 + Math.floor(r() * 3) }, () => 1 + Math.floor(r() * (size - 1))))].sort((a, b) => a - b);
      const { parallel: _p, ...rest } = await readFramesParallel(path, { fileName: 'test.xyz', splitsForTest: cuts });
      expect(rest, `cuts ${cuts}`).toEqual(seq);
    }
  });

  it('cuts found by the search are frame starts of the sequential parse', async () => {
    const text = generate(7, { frames: 300, maxAtoms: 15, tricky: true });
    const path = file(text);
    const starts = new Set<number>();
    const seq = await sequential(path, { onFrame: () => {} });
    expect(seq.ok).toBe(true);
    // frame starts: the count line of every frame, found by reading frame by frame
    const lines = text.split('\n');
    let off = 0;
    let i = 0;
    while (i < lines.length) {
      if (lines[i].trim() === '') {
        off += lines[i++].length + 1;
        continue;
      }
      starts.add(off);
      const n = Number(lines[i].trim());
      for (let k = 0; k < n + 2; k++) off += lines[i++].length + 1;
    }
    const cuts = findFrameSplits(path, statSync(path).size, 8);
    expect(cuts.length).toBeGreaterThan(4);
    for (const c of cuts) expect(starts.has(c), `cut ${c}`).toBe(true);
  });
});

describe('errors, fallbacks, progress and cancellation', () => {
  it('a corrupt frame in the middle gives the sequential error and line', async () => {
    const text = generate(8, { frames: 200, maxAtoms: 10 });
    const lines = text.split('\n');
    const bad = Math.floor(lines.length * 0.6);
    lines[bad] = lines[bad].replace(/ \S+ /, ' 1.2.3 ');
    const path = file(lines.join('\n'));
    const { seq, par } = await same(path, { workers: 4 }, 'sequential');
    expect(seq.ok).toBe(false);
    if (!par.ok) expect(par.error.line).toBe(bad + 1);
    expect(par.parallel.reason).toMatch(/range/);
  });

  it('a wrong atom count and a truncated file give the sequential errors', async () => {
    const text = generate(9, { frames: 150, maxAtoms: 10 });
    const lines = text.split('\n');
    const k = lines.findIndex((l, i) => i > lines.length / 3 && /^\d+$/.test(l));
    lines[k] = String(Number(lines[k]) + 1);
    await same(file(lines.join('\n')), { workers: 3 }, 'sequential');
    await same(file(text.slice(0, Math.floor(text.length * 0.9))), { workers: 3 }, 'sequential');
  });

  it('falls back when workers cannot start, for other formats, and for small files', async () => {
    const path = file(generate(10, { frames: 50, maxAtoms: 5 }));
    const r1 = await same(path, { workers: 2, spawnWorker: () => { throw new Error('no threads'); } }, 'sequential');
    expect(r1.par.parallel.reason).toMatch(/no threads/);
    const missing = await same(path, { workers: 2, spawnWorker: () => new Worker(join(dir, 'no-such-worker.mjs')) }, 'sequential');
    expect(missing.par.parallel.reason).toMatch(/worker/);
    const r2 = await readFramesParallel(path, { workers: 2 });
    expect(r2.parallel.reason).toMatch(/smaller than/);
    const r3 = await readFramesParallel(path, { workers: 2, minBytes: 0, format: poscarFormat });
    expect(r3.parallel.mode).toBe('sequential');
  });

  it('reports progress up to the file size, calls onFrame in order, honours collect: false', async () => {
    const path = file(generate(11, { frames: 3000, maxAtoms: 40 }));
    const size = statSync(path).size;
    const seen: ReadProgress[] = [];
    const idx: number[] = [];
    const r = await readFramesParallel(path, { workers: 3, minBytes: 0, collect: false, onProgress: (p) => seen.push(p), onFrame: (_f, i) => idx.push(i) });
    // streamed frames are read sequentially so that memory stays bounded (the parallel ranges would
    // hold their frames until delivered in order)
    expect(r.parallel.mode).toBe('sequential');
    expect(r.parallel.reason).toMatch(/bounded memory/);
    expect(r.frames).toEqual([]);
    expect(r.frameCount).toBe(3000);
    expect(idx).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(seen.length).toBeGreaterThan(1);
    expect(seen[seen.length - 1]).toEqual({ bytesRead: size, totalBytes: size, frames: 3000 });
    for (let i = 1; i < seen.length; i++) expect(seen[i].bytesRead).toBeGreaterThanOrEqual(seen[i - 1].bytesRead);
  });

  it('honours an AbortSignal', async () => {
    const path = file(generate(12, { frames: 3000, maxAtoms: 40 }));
    const before = new AbortController();
    before.abort();
    const r1 = await readFramesParallel(path, { workers: 2, minBytes: 0, signal: before.signal });
    expect(r1).toMatchObject({ ok: false, cancelled: true });
    const during = new AbortController();
    const r2 = await readFramesParallel(path, { workers: 2, minBytes: 0, signal: during.signal, onProgress: () => during.abort() });
    expect(r2).toMatchObject({ ok: false, cancelled: true });
    await same(path, { workers: 2 }, 'parallel'); // the pool recovers
  });
});
