// Least squares by normal equations in float64, shared by the closed-form models (linear.ts,
// kernel.ts): rows are added one at a time with a scale (sqrt of the row's loss weight), only the
// upper triangle is accumulated, and the solve adds the model's penalty and a relative jitter that
// grows until the Cholesky factorisation succeeds (constant or duplicated columns).
import { solveSpd } from '../data/referenceEnergies';
import type { TrainingData } from '../data/trainingData';

/** Loss-term weights of a closed-form fit (the same dimensionless loss as gradient training). */
export interface ClosedFormWeights {
  energyWeight?: number;
  forceWeight?: number;
  stressWeight?: number;
}

/** Progress of a stepwise closed-form fit: training frames whose rows are in, of all of them. */
export interface FitProgress {
  frames: number;
  totalFrames: number;
}

/**
 * Rows of each label kind in the training split and the scale of each kind's rows, so that the
 * least-squares sum is the training loss: sqrt(w_term / (count · s_term²)), energies per atom.
 */
export function closedFormRowScales(data: TrainingData, w: ClosedFormWeights) {
  const counts = { energy: 0, forces: 0, stress: 0 };
  for (const k of data.split.train) {
    const f = data.frames[k];
    counts.energy += f.energyEv !== undefined ? 1 : 0;
    counts.forces += f.forcesEvPerA ? 3 * f.numbers.length : 0;
    counts.stress += f.stressEvPerA3 ? 9 : 0;
  }
  const { scales } = data;
  return {
    counts,
    wE: Math.sqrt((w.energyWeight ?? 1) / Math.max(1, counts.energy)) / scales.energyEvPerAtom,
    wF: Math.sqrt((w.forceWeight ?? 1) / Math.max(1, counts.forces)) / scales.forceEvPerA,
    wS: Math.sqrt((w.stressWeight ?? 1) / Math.max(1, counts.stress)) / scales.stressEvPerA3,
  };
}

export interface NormalEquations {
  readonly columns: number;
  /** Add the row `row` [columns] with target `target`, both multiplied by `scale`. */
  add(row: Float64Array, scale: number, target: number): void;
  /**
   * Add `rows` rows at once: `block` [rows·columns] row-major, each row q with `targets[q]`, all
   * multiplied by `scale`. Same result as `add` per row, but AᵀA is touched once per block instead of
   * once per row (a row-by-row rank-1 update streams the whole matrix through memory every time).
   */
  addBlock(block: Float64Array, rows: number, scale: number, targets: ArrayLike<number>): void;
  /** Σ of the scaled squared targets (for the loss at the solution). */
  readonly yy: number;
  /** Full symmetric AᵀA (upper triangle mirrored) and Aᵀy. */
  finish(): { AtA: Float64Array; Aty: Float64Array };
}

export function normalEquations(columns: number): NormalEquations {
  const C = columns;
  const AtA = new Float64Array(C * C), Aty = new Float64Array(C);
  let yy = 0;
  return {
    columns: C,
    add(row, scale, target) {
      const t = target * scale;
      for (let a = 0; a < C; a++) {
        const ra = row[a] * scale;
        if (ra === 0) continue;
        Aty[a] += ra * t;
        const o = a * C;
        for (let b = a; b < C; b++) AtA[o + b] += ra * row[b] * scale;
      }
      yy += t * t;
    },
    addBlock(block, rows, scale, targets) {
      // transpose into column-major [C × rows], dropping columns that are zero in every row
      const live: number[] = [];
      for (let a = 0; a < C; a++) {
        for (let q = 0; q < rows; q++) {
          if (block[q * C + a] !== 0) {
            live.push(a);
            break;
          }
        }
      }
      const L = live.length;
      const T = new Float64Array(L * rows);
      for (let u = 0; u < L; u++) for (let q = 0; q < rows; q++) T[u * rows + q] = block[q * C + live[u]] * scale;
      for (let u = 0; u < L; u++) {
        const a = live[u], ou = u * rows;
        let ty = 0;
        for (let q = 0; q < rows; q++) ty += T[ou + q] * targets[q];
        Aty[a] += ty * scale;
        const o = a * C;
        for (let v = u; v < L; v++) {
          const ov = v * rows;
          let d = 0;
          for (let q = 0; q < rows; q++) d += T[ou + q] * T[ov + q];
          AtA[o + live[v]] += d;
        }
      }
      for (let q = 0; q < rows; q++) yy += targets[q] * scale * targets[q] * scale;
    },
    get yy() {
      return yy;
    },
    finish() {
      for (let a = 0; a < C; a++) for (let b = 0; b < a; b++) AtA[a * C + b] = AtA[b * C + a];
      return { AtA, Aty };
    },
  };
}

/**
 * Solve (AᵀA + P) x = Aᵀy, `penalty(A)` adding P to a copy of AᵀA; columns with no data get a unit
 * diagonal. Returns x and the unpenalised loss |Ax - y|² = xᵀAᵀAx - 2xᵀAᵀy + yᵀy.
 */
export function solveRegularized(AtA: Float64Array, Aty: Float64Array, yy: number, C: number, penalty: (A: Float64Array) => void): { x: Float64Array; loss: number } {
  let trace = 0;
  for (let a = 0; a < C; a++) trace += AtA[a * C + a];
  let jitter = 1e-12 * (trace / C || 1);
  let x: Float64Array | null = null;
  for (let attempt = 0; !x; attempt++) {
    const A = AtA.slice();
    penalty(A);
    for (let a = 0; a < C; a++) A[a * C + a] += jitter + (AtA[a * C + a] === 0 ? 1 : 0);
    try {
      x = solveSpd(A, Aty, C);
    } catch (e) {
      if (attempt > 12) throw e;
      jitter *= 10;
    }
  }
  let quad = 0, lin = 0;
  for (let a = 0; a < C; a++) {
    lin += x[a] * Aty[a];
    let s = 0;
    for (let b = 0; b < C; b++) s += AtA[a * C + b] * x[b];
    quad += x[a] * s;
  }
  return { x, loss: Math.max(0, quad - 2 * lin + yy) };
}
