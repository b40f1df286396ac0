// Invariant features of the vector and tensor data a dataset carries, for tabular learning on
// structures that come with forces, dipoles, stress or other oriented columns (tensorInvariants.ts
// explains the invariants). The columns are chosen from the data (fitInvariantLayout):
//   per atom:  forces, and every real per-atom array of width 1, 3, 6 or 9 (velocities, charges,
//              per-atom dipoles or stresses) -> per-atom invariants, pooled per structure by sum
//              and by mean (permutation invariant)
//   per frame: stress, and every numeric info array of length 3, 6 or 9 (dipole, virial) ->
//              invariants directly
// Scalar info values are never used as features (they are what one usually predicts).
// A column is used only when every frame has it with the same width (missing values are not
// zero-filled, GUIDE §6.9): the others are listed in `skipped` with the reason.
// Rotation/reflection invariance requires the columns to transform with the structure (v -> Q v,
// T -> Q T Qᵀ), which is what forces, dipoles and stresses do.
import type { Frame } from '../atoms/frame';
import { perRowInvariants, poolRows, TENSOR_FEATURE_NAMES } from './tensorInvariants';

export interface InvariantColumn {
  source: 'atoms' | 'frame';
  name: string;
  width: number;
  /** Invariants per row (1 for scalars and vectors, 7 for tensors). */
  k: number;
}

export interface InvariantLayout {
  columns: InvariantColumn[];
  dimension: number;
  names: string[];
  skipped: { name: string; reason: string }[];
}

const POSITIONAL = new Set(['pos', 'positions', 'species', 'numbers', 'Z', 'image', 'id', 'type', 'selective_dynamics']);

function atomColumn(f: Frame, name: string): { data: ArrayLike<number>; width: number } | null {
  if (name === 'forces') return f.forcesEvPerA ? { data: f.forcesEvPerA, width: 3 } : null;
  const a = f.arrays[name];
  if (!a || a.kind !== 'real') return null;
  return { data: a.data, width: a.width };
}

function frameColumn(f: Frame, name: string): { data: ArrayLike<number>; width: number } | null {
  if (name === 'stress') return f.stressEvPerA3 ? { data: f.stressEvPerA3, width: 9 } : null;
  const v = f.info[name];
  if (!Array.isArray(v) || v.length === 0 || typeof v[0] !== 'number') return null;
  return { data: v as number[], width: v.length };
}

function kOf(width: number): number {
  return width === 6 || width === 9 ? TENSOR_FEATURE_NAMES.length : 1;
}

function namesOf(width: number): string[] {
  if (width === 1) return ['value'];
  if (width === 3) return ['norm'];
  return TENSOR_FEATURE_NAMES;
}

export function fitInvariantLayout(frames: readonly Frame[]): InvariantLayout {
  const skipped: InvariantLayout['skipped'] = [];
  const candidates = new Map<string, 'atoms' | 'frame'>();
  for (const f of frames) {
    if (f.forcesEvPerA) candidates.set('atoms:forces', 'atoms');
    for (const [k, a] of Object.entries(f.arrays)) if (a.kind === 'real' && !POSITIONAL.has(k)) candidates.set(`atoms:${k}`, 'atoms');
    if (f.stressEvPerA3) candidates.set('frame:stress', 'frame');
    for (const [k, v] of Object.entries(f.info)) if (Array.isArray(v) && v.length > 1 && typeof v[0] === 'number') candidates.set(`frame:${k}`, 'frame');
  }
  const columns: InvariantColumn[] = [];
  for (const [key, source] of candidates) {
    const name = key.slice(key.indexOf(':') + 1);
    let width = -1;
    let reason = '';
    for (let i = 0; i < frames.length && !reason; i++) {
      const c = source === 'atoms' ? atomColumn(frames[i], name) : frameColumn(frames[i], name);
      if (!c) reason = `missing in frame ${i}`;
      else if (width >= 0 && c.width !== width) reason = `width ${c.width} in frame ${i}, ${width} before`;
      else width = c.width;
    }
    if (!reason && ![1, 3, 6, 9].includes(width)) reason = `width ${width} is not a scalar, vector or 3×3 tensor`;
    if (!reason && source === 'frame' && width === 1) reason = 'scalar per-frame values are targets, not features';
    if (reason) skipped.push({ name, reason });
    else columns.push({ source, name, width, k: kOf(width) });
  }
  columns.sort((a, b) => (a.source === b.source ? a.name.localeCompare(b.name) : a.source === 'atoms' ? -1 : 1));
  const names: string[] = [];
  for (const c of columns) {
    const base = namesOf(c.width);
    if (c.source === 'atoms') for (const pool of ['sum', 'mean']) for (const b of base) names.push(`${c.name}.${b}.${pool}`);
    else for (const b of base) names.push(`${c.name}.${b}`);
  }
  return { columns, dimension: names.length, names, skipped };
}

/** Invariant feature vector of one frame, [layout.dimension]. */
export function invariantFeatures(frame: Frame, layout: InvariantLayout, out?: Float64Array): Float64Array {
  const v = out ?? new Float64Array(layout.dimension);
  let at = 0;
  for (const c of layout.columns) {
    const col = c.source === 'atoms' ? atomColumn(frame, c.name) : frameColumn(frame, c.name);
    if (!col || col.width !== c.width) throw new Error(`invariant features: frame lacks ${c.source === 'atoms' ? 'per-atom column' : 'per-frame value'} "${c.name}" (width ${c.width})`);
    const { values, k } = perRowInvariants(col.data, col.width);
    if (c.source === 'atoms') {
      poolRows(values, k, 'sum', v, at);
      poolRows(values, k, 'mean', v, at + k);
      at += 2 * k;
    } else {
      v.set(values.subarray(0, k), at);
      at += k;
    }
  }
  return v;
}

/** Per-atom invariants of the per-atom columns only, [N, k] (for per-atom classifiers). */
export function perAtomInvariantFeatures(frame: Frame, layout: InvariantLayout): { values: Float64Array; k: number } {
  const cols = layout.columns.filter((c) => c.source === 'atoms');
  const n = frame.numbers.length;
  const K = cols.reduce((s, c) => s + c.k, 0);
  const out = new Float64Array(n * K);
  let at = 0;
  for (const c of cols) {
    const col = atomColumn(frame, c.name);
    if (!col) throw new Error(`invariant features: frame lacks per-atom column "${c.name}"`);
    const { values, k } = perRowInvariants(col.data, col.width);
    for (let i = 0; i < n; i++) for (let f = 0; f < k; f++) out[i * K + at + f] = values[i * k + f];
    at += c.k;
  }
  return { values: out, k: K };
}
