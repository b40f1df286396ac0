// Test helpers for the DFT-output readers: compare frames with the reference JSON that
// scripts/fixtures/gen_dft.py wrote ({symbols, positions [3N], cell [9] | null, pbc, energy | null,
// forces [3N] | null, stress [9] | null}), and read a fixture in small chunks (streaming check).
// Pure (no node:fs, no vitest): specs load the files and pass their contents.
import type { Frame } from '../../atoms/frame';
import type { FormatSpec } from '../format';
import { readStream, readText, type ReadResult } from '../read';

export interface ExpectedFrame {
  symbols: string[];
  positions: number[];
  cell: number[] | null;
  pbc: boolean[];
  energy: number | null;
  forces: number[] | null;
  stress: number[] | null;
  free_energy?: number | null;
}

/** Largest |a - b| over two arrays of the same length (throws on a length mismatch). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, what = 'array'): number {
  if (a.length !== b.length) throw new Error(`${what}: length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs(a[k] - b[k]));
  return m;
}

/** Throws with a message naming the frame and field when a frame differs from its reference. */
export function checkFrames(frames: Frame[], expected: ExpectedFrame[], tol: { positions?: number; energy?: number; forces?: number; stress?: number } = {}): void {
  if (frames.length !== expected.length) throw new Error(`${frames.length} frames, expected ${expected.length}`);
  frames.forEach((f, i) => {
    const e = expected[i];
    const fail = (msg: string) => {
      throw new Error(`frame ${i}: ${msg}`);
    };
    if (f.symbols.join() !== e.symbols.join()) fail(`symbols ${f.symbols.join()} vs ${e.symbols.join()}`);
    const near = (a: ArrayLike<number>, b: ArrayLike<number>, t: number, what: string) => {
      const d = maxAbsDiff(a, b, what);
      if (!(d <= t)) fail(`${what} differ by ${d} (tolerance ${t})`);
    };
    near(f.positionsA, e.positions, tol.positions ?? 1e-10, 'positions');
    if ((f.cellA === null) !== (e.cell === null)) fail(`cell ${f.cellA ? 'present' : 'absent'}, expected ${e.cell ? 'present' : 'absent'}`);
    if (f.cellA && e.cell) near(f.cellA, e.cell, tol.positions ?? 1e-10, 'cell');
    if (f.pbc.join() !== e.pbc.join()) fail(`pbc ${f.pbc} vs ${e.pbc}`);
    if ((f.energyEv === undefined) !== (e.energy === null)) fail(`energy ${f.energyEv} vs ${e.energy}`);
    if (f.energyEv !== undefined && e.energy !== null) near([f.energyEv], [e.energy], tol.energy ?? 1e-9, 'energy');
    if (!f.forcesEvPerA !== (e.forces === null)) fail(`forces ${f.forcesEvPerA ? 'present' : 'absent'}, expected ${e.forces ? 'present' : 'absent'}`);
    if (f.forcesEvPerA && e.forces) near(f.forcesEvPerA, e.forces, tol.forces ?? 1e-10, 'forces');
    if (!f.stressEvPerA3 !== (e.stress === null)) fail(`stress ${f.stressEvPerA3 ? 'present' : 'absent'}, expected ${e.stress ? 'present' : 'absent'}`);
    if (f.stressEvPerA3 && e.stress) near(f.stressEvPerA3, e.stress, tol.stress ?? 1e-12, 'stress');
  });
}

/** Read text in one piece; throws the located error message when it fails. */
export function readOrThrow(format: FormatSpec, text: string | Uint8Array, fileName: string): Extract<ReadResult, { ok: true }> {
  const r = readText(format, text, { fileName });
  if (!r.ok) throw new Error(r.error.message);
  return r;
}

/** Read bytes in chunks of `size` (every line split somewhere) and return the result. */
export function readInChunks(format: FormatSpec, bytes: Uint8Array, size: number, fileName: string): Promise<ReadResult> {
  const chunks: Uint8Array[] = [];
  for (let k = 0; k < bytes.length; k += size) chunks.push(bytes.subarray(k, k + size));
  return readStream(format, chunks, { fileName });
}
