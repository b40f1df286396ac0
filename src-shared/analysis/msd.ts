// Mean-squared displacement and the self-diffusion coefficient (Einstein relation; Allen &
// Tildesley, "Computer Simulation of Liquids", 2nd ed., §8.7; Frenkel & Smit §4.4.1):
//   MSD(τ) = ⟨|r_i(t₀ + τ) − r_i(t₀)|²⟩_{i, t₀},   D = lim MSD(τ) / (6τ) (3D).
// Positions must be unwrapped: an atom leaving through one face and re-entering through the other
// would otherwise appear to jump by a cell vector. `unwrapTrajectory` accumulates the minimum-image
// displacement between consecutive frames (space/space.ts, exact in any triclinic cell; with the
// later frame's cell), which recovers the true path as long as no atom moves more than half a
// cell height between two frames. Frames written unwrapped by our integrators unwrap to themselves.
// D is the slope of an ordinary least-squares line through MSD(τ) over the linear (diffusive) regime,
// divided by 6; its standard error is the OLS one, which underestimates the true uncertainty
// because MSD values at neighbouring lags are strongly correlated (quote it as a lower bound, or
// compare independent trajectory segments).
import { makeSpace, type Space } from '../space/space';
import { linearFit } from './statistics';
import type { TrajectoryFrame } from './rdf';

/** Unwrapped positions [frames][3N] Å; frame 0 is copied as is. */
export function unwrapTrajectory(frames: readonly TrajectoryFrame[]): Float64Array[] {
  if (frames.length === 0) return [];
  const n3 = frames[0].positionsA.length;
  const out: Float64Array[] = [Float64Array.from(frames[0].positionsA)];
  const d = new Float64Array(3);
  let space: Space | null = null;
  let spaceCell: Float64Array | null = null;
  for (let t = 1; t < frames.length; t++) {
    const fr = frames[t], prev = frames[t - 1];
    if (fr.positionsA.length !== n3) throw new Error('unwrapTrajectory: frames differ in atom count');
    // the later frame's cell decides the image (rebuilt only when the cell changes, e.g. NPT)
    if (!space || fr.cellA !== spaceCell) {
      space = makeSpace(fr.cellA, fr.pbc ?? [true, true, true]);
      spaceCell = fr.cellA;
    }
    const u = Float64Array.from(out[t - 1]);
    for (let q = 0; q < n3; q += 3) {
      for (let k = 0; k < 3; k++) d[k] = fr.positionsA[q + k] - prev.positionsA[q + k];
      space.minimumImage(d, d);
      u[q] += d[0];
      u[q + 1] += d[1];
      u[q + 2] += d[2];
    }
    out.push(u);
  }
  return out;
}

export interface MsdOptions {
  /** Time between consecutive frames, fs. */
  frameIntervalFs: number;
  /** Longest lag in frames, default half the trajectory. */
  maxLagFrames?: number;
  /** Use every k-th frame as a time origin, default 1 (all). */
  originStride?: number;
  /** [N] atomic numbers: adds per-element MSDs. */
  numbers?: ArrayLike<number>;
  /** Subtract the centre-of-geometry displacement of each frame first (removes COM drift). Default false. */
  removeDrift?: boolean;
  /** Frames are already unwrapped (skip unwrapping). Default false. */
  unwrapped?: boolean;
}

export interface MsdResult {
  /** [L + 1] lag times, fs (lag 0 included). */
  lagFs: Float64Array;
  /** [L + 1] MSD, Å². */
  msdA2: Float64Array;
  perElement: { z: number; msdA2: Float64Array }[];
}

/** A copy of positions [3N] with their centroid moved to the origin. */
function subtractCentroid(p: Float64Array): Float64Array {
  const n3 = p.length;
  let cx = 0, cy = 0, cz = 0;
  for (let q = 0; q < n3; q += 3) {
    cx += p[q]; cy += p[q + 1]; cz += p[q + 2];
  }
  const n = n3 / 3;
  const c = new Float64Array(n3);
  for (let q = 0; q < n3; q += 3) {
    c[q] = p[q] - cx / n; c[q + 1] = p[q + 1] - cy / n; c[q + 2] = p[q + 2] - cz / n;
  }
  return c;
}

/** MSD(τ) averaged over atoms and time origins. */
export function meanSquaredDisplacement(frames: readonly TrajectoryFrame[], options: MsdOptions): MsdResult {
  const nFrames = frames.length;
  if (nFrames < 2) throw new Error('meanSquaredDisplacement: need at least 2 frames');
  if (!(options.frameIntervalFs > 0)) throw new Error('meanSquaredDisplacement: frameIntervalFs must be > 0');
  let pos: Float64Array[] = options.unwrapped ? frames.map((f) => f.positionsA) : unwrapTrajectory(frames);
  const n3 = pos[0].length;
  const n = n3 / 3;
  if (options.removeDrift) pos = pos.map((p) => subtractCentroid(p));
  const maxLag = Math.min(options.maxLagFrames ?? Math.floor((nFrames - 1) / 2), nFrames - 1);
  const stride = Math.max(1, Math.floor(options.originStride ?? 1));
  const zs = options.numbers ? [...new Set(Array.from(options.numbers))].sort((a, b) => a - b) : [];
  const species = options.numbers ? Int32Array.from(options.numbers as ArrayLike<number>, (z) => zs.indexOf(z)) : null;
  const perCount = zs.map((_, s) => (species ? species.filter((x) => x === s).length : 0));
  const msd = new Float64Array(maxLag + 1);
  const per = zs.map(() => new Float64Array(maxLag + 1));
  const acc = new Float64Array(zs.length);
  for (let lag = 1; lag <= maxLag; lag++) {
    let sum = 0;
    let origins = 0;
    acc.fill(0);
    for (let t0 = 0; t0 + lag < nFrames; t0 += stride) {
      const a = pos[t0], b = pos[t0 + lag];
      for (let i = 0; i < n; i++) {
        const dx = b[3 * i] - a[3 * i], dy = b[3 * i + 1] - a[3 * i + 1], dz = b[3 * i + 2] - a[3 * i + 2];
        const d2 = dx * dx + dy * dy + dz * dz;
        sum += d2;
        if (species) acc[species[i]] += d2;
      }
      origins++;
    }
    msd[lag] = sum / (origins * n);
    for (let s = 0; s < zs.length; s++) per[s][lag] = acc[s] / (origins * perCount[s]);
  }
  return {
    lagFs: Float64Array.from({ length: maxLag + 1 }, (_, k) => k * options.frameIntervalFs),
    msdA2: msd,
    perElement: zs.map((z, s) => ({ z, msdA2: per[s] })),
  };
}

export interface DiffusionFit {
  /** D, Å²/ps. */
  dA2PerPs: number;
  /** OLS standard error of D (a lower bound, see the header), Å²/ps. */
  dStdErrA2PerPs: number;
  /** D, cm²/s (1 Å²/ps = 1e-4 cm²/s). */
  dCm2PerS: number;
  /** Fitted range of lag times, fs. */
  fitFromFs: number;
  fitToFs: number;
  /** Intercept of the MSD line, Å² (≈ 6 × ballistic / vibrational offset). */
  interceptA2: number;
}

/**
 * D = slope / 6 of MSD(τ) over [fitFromFs, fitToFs] (default: 20 % to 80 % of the longest lag,
 * which skips the ballistic start and the noisy end). Pass `msdA2` to fit a per-element curve.
 */
export function diffusionCoefficient(
  msd: MsdResult,
  options: { fitFromFs?: number; fitToFs?: number; msdA2?: Float64Array } = {},
): DiffusionFit {
  const t = msd.lagFs;
  const y = options.msdA2 ?? msd.msdA2;
  const tMax = t[t.length - 1];
  const from = options.fitFromFs ?? 0.2 * tMax;
  const to = options.fitToFs ?? 0.8 * tMax;
  let i0 = 0;
  while (i0 < t.length && t[i0] < from) i0++;
  let i1 = i0;
  while (i1 < t.length && t[i1] <= to) i1++;
  if (i1 - i0 < 3) throw new Error(`diffusionCoefficient: fewer than 3 lags in [${from}, ${to}] fs`);
  const fit = linearFit(t, y, i0, i1);
  const dA2PerPs = (fit.slope / 6) * 1000;
  return {
    dA2PerPs,
    dStdErrA2PerPs: (fit.slopeStdErr / 6) * 1000,
    dCm2PerS: dA2PerPs * 1e-4,
    fitFromFs: t[i0],
    fitToFs: t[i1 - 1],
    interceptA2: fit.intercept,
  };
}
