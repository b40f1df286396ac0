// Test helpers for representation invariance checks (the e3nn `assert_equivariant` idea, GUIDE §2):
// random proper rotations, reflections, translations and like-atom permutations applied to a whole
// frame, including the oriented data it carries (forces and per-atom vectors rotate as Q v,
// stress and per-atom 3×3 tensors as Q T Qᵀ), so that a representation's declared invariances can
// be confirmed and its undeclared ones refuted.
import type { Frame, PerAtomArray } from '../atoms/frame';
import { cloneFrame } from '../atoms/frame';
import type { Rng } from '../space/rng';

/** Uniform random rotation (det +1), [9] row-major, from a normalised Gaussian quaternion. */
export function randomRotation(rng: Rng): Float64Array {
  let w = rng.normal(), x = rng.normal(), y = rng.normal(), z = rng.normal();
  const n = Math.hypot(w, x, y, z);
  w /= n; x /= n; y /= n; z /= n;
  return new Float64Array([
    1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
    2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
    2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y),
  ]);
}

/** A random improper rotation (det -1): a rotation followed by the mirror x -> -x. */
export function randomReflection(rng: Rng): Float64Array {
  const q = randomRotation(rng);
  for (let j = 0; j < 3; j++) q[j] = -q[j];
  return q;
}

/** Random permutation that only exchanges atoms of the same element: perm[newIndex] = oldIndex. */
export function likeAtomPermutation(numbers: ArrayLike<number>, rng: Rng): number[] {
  const byZ = new Map<number, number[]>();
  for (let i = 0; i < numbers.length; i++) {
    const l = byZ.get(numbers[i]) ?? [];
    l.push(i);
    byZ.set(numbers[i], l);
  }
  const perm = new Array<number>(numbers.length);
  for (const idx of byZ.values()) {
    const shuffledIdx = idx.slice();
    for (let i = shuffledIdx.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [shuffledIdx[i], shuffledIdx[j]] = [shuffledIdx[j], shuffledIdx[i]];
    }
    idx.forEach((slot, k) => (perm[slot] = shuffledIdx[k]));
  }
  return perm;
}

/** Random permutation of all atoms (may exchange different elements). */
export function anyPermutation(n: number, rng: Rng): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

function rotVec(q: Float64Array, v: ArrayLike<number>, o: number, out: Float64Array | number[], oo: number): void {
  const x = v[o], y = v[o + 1], z = v[o + 2];
  out[oo] = q[0] * x + q[1] * y + q[2] * z;
  out[oo + 1] = q[3] * x + q[4] * y + q[5] * z;
  out[oo + 2] = q[6] * x + q[7] * y + q[8] * z;
}

function rotTensor(q: Float64Array, t: ArrayLike<number>, o: number, out: Float64Array | number[], oo: number): void {
  const r = new Float64Array(9);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) s += q[3 * i + a] * t[o + 3 * a + b] * q[3 * j + b];
      r[3 * i + j] = s;
    }
  for (let k = 0; k < 9; k++) out[oo + k] = r[k];
}

/**
 * A transformed copy of a frame: x -> Q x + t, then atoms reordered by `permutation`
 * (perm[newIndex] = oldIndex). Per-atom arrays of width 3 rotate as vectors, width 9 as tensors;
 * info arrays of length 3 / 9 likewise; stress as a tensor. Scalars and other widths are copied.
 */
export function transformFrame(frame: Frame, t: { rotation?: Float64Array; translationA?: [number, number, number]; permutation?: number[] }): Frame {
  const f = cloneFrame(frame);
  const n = f.numbers.length;
  const q = t.rotation;
  if (q) {
    for (let i = 0; i < n; i++) rotVec(q, frame.positionsA, 3 * i, f.positionsA, 3 * i);
    if (frame.forcesEvPerA) for (let i = 0; i < n; i++) rotVec(q, frame.forcesEvPerA, 3 * i, f.forcesEvPerA!, 3 * i);
    if (frame.stressEvPerA3) rotTensor(q, frame.stressEvPerA3, 0, f.stressEvPerA3!, 0);
    if (frame.cellA) for (let r = 0; r < 3; r++) rotVec(q, frame.cellA, 3 * r, f.cellA!, 3 * r);
    for (const [k, a] of Object.entries(frame.arrays)) {
      if (a.kind !== 'real') continue;
      const dst = f.arrays[k].data as Float64Array;
      if (a.width === 3) for (let i = 0; i < n; i++) rotVec(q, a.data, 3 * i, dst, 3 * i);
      if (a.width === 9) for (let i = 0; i < n; i++) rotTensor(q, a.data, 9 * i, dst, 9 * i);
    }
    for (const [k, v] of Object.entries(frame.info)) {
      if (!Array.isArray(v) || typeof v[0] !== 'number') continue;
      const dst = (f.info[k] as number[]).slice();
      if (v.length === 3) rotVec(q, v as number[], 0, dst, 0);
      if (v.length === 9) rotTensor(q, v as number[], 0, dst, 0);
      f.info[k] = dst;
    }
  }
  if (t.translationA) for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) f.positionsA[3 * i + c] += t.translationA[c];
  const p = t.permutation;
  if (p) {
    const src = cloneFrame(f);
    for (let i = 0; i < n; i++) {
      f.symbols[i] = src.symbols[p[i]];
      f.numbers[i] = src.numbers[p[i]];
      for (let c = 0; c < 3; c++) f.positionsA[3 * i + c] = src.positionsA[3 * p[i] + c];
      if (f.forcesEvPerA) for (let c = 0; c < 3; c++) f.forcesEvPerA[3 * i + c] = src.forcesEvPerA![3 * p[i] + c];
    }
    for (const [k, a] of Object.entries(src.arrays)) {
      const w = a.width;
      const dst = f.arrays[k] as PerAtomArray;
      for (let i = 0; i < n; i++) for (let c = 0; c < w; c++) (dst.data as unknown as unknown[])[w * i + c] = (a.data as unknown as unknown[])[w * p[i] + c];
    }
  }
  return f;
}

/** Largest |a_k - b_k| relative to max(1, max|a|). */
export function maxRelativeDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 1, d = 0;
  for (let k = 0; k < a.length; k++) scale = Math.max(scale, Math.abs(a[k]));
  for (let k = 0; k < a.length; k++) d = Math.max(d, Math.abs(a[k] - b[k]));
  return a.length === b.length ? d / scale : Infinity;
}
