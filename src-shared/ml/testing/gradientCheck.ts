// Gradient check of the full training loss: d(loss)/d(weight) from tfjs (float32, second-order
// autodiff through the forces and stress) against central finite differences, in float64, of the
// same loss computed by an INDEPENDENT plain-JavaScript implementation of the model's energy, with
// forces and stress from nested finite differences of that energy. This is the test that catches
// the silently wrong higher-order gradients of tfjs (notes/tfjs-higher-order-gradients.md).
import type { AtomicSystem } from '../../calculators/calculator';
import { cellVolumeA3 } from '../../atoms/frame';
import type { GraphCache } from '../data/graph';
import { makeBatch, type TrainingData } from '../data/trainingData';
import type { AtomisticModel } from '../models/model';
import { batchLoss, trainBatchTensors, type LossWeights } from '../train/loss';

/**
 * The model's energy in float64, split so that finite differences in the weights reuse the
 * weight-independent work: `prepare` (descriptors, graphs) runs once per displaced structure,
 * `energy` (eV, E0 excluded) once per weight perturbation.
 */
export interface EnergyF64<P = unknown> {
  prepare(sys: AtomicSystem, k: number): P;
  energy(prepared: P, weights: Record<string, Float64Array>): number;
}

export interface GradientCheckResult {
  parameters: number;
  /** ‖g_tf - g_fd‖ / ‖g_fd‖ */
  normRelError: number;
  /** max |g_tf - g_fd| / max |g_fd| */
  maxRelError: number;
  lossTf: number;
  lossF64: number;
}

function strained(sys: AtomicSystem, eps: Float64Array): AtomicSystem {
  const m = [1 + eps[0], eps[1], eps[2], eps[3], 1 + eps[4], eps[5], eps[6], eps[7], 1 + eps[8]];
  const apply = (src: ArrayLike<number>) => {
    const out = new Float64Array(src.length);
    for (let i = 0; i < src.length; i += 3) for (let c = 0; c < 3; c++) out[i + c] = src[i] * m[c] + src[i + 1] * m[3 + c] + src[i + 2] * m[6 + c];
    return out;
  };
  return { ...sys, positionsA: apply(sys.positionsA), cellA: sys.cellA ? apply(sys.cellA) : null };
}

/** The displaced structures of one frame: base, ±h per coordinate, ±h per strain component (a <= b). */
interface FramePoints {
  k: number;
  base: unknown;
  plus: unknown[];
  minus: unknown[];
  strainPlus: unknown[];
  strainMinus: unknown[];
  volumeA3: number;
}

function framePoints(data: TrainingData, k: number, w: LossWeights, model: EnergyF64, h: { hA: number; hStrain: number }): FramePoints {
  const f = data.frames[k];
  const pts: FramePoints = { k, base: model.prepare(f, k), plus: [], minus: [], strainPlus: [], strainMinus: [], volumeA3: 0 };
  if (f.forcesEvPerA && w.forces > 0) {
    for (let q = 0; q < f.positionsA.length; q++) {
      for (const [sign, list] of [[1, pts.plus], [-1, pts.minus]] as const) {
        const pos = f.positionsA.slice();
        pos[q] += sign * h.hA;
        list.push(model.prepare({ ...f, positionsA: pos }, k));
      }
    }
  }
  if (f.stressEvPerA3 && w.stress > 0 && f.cellA) {
    pts.volumeA3 = cellVolumeA3(f.cellA);
    for (let a = 0; a < 3; a++) {
      for (let b = a; b < 3; b++) {
        const eps = new Float64Array(9);
        if (a === b) eps[3 * a + b] = h.hStrain;
        else eps[3 * a + b] = eps[3 * b + a] = h.hStrain / 2;
        pts.strainPlus.push(model.prepare(strained(f, eps), k));
        pts.strainMinus.push(model.prepare(strained(f, eps.map((x) => -x)), k));
      }
    }
  }
  return pts;
}

/** The float64 loss of loss.ts over prepared frames; forces and stress by central differences. */
function lossAt(data: TrainingData, points: FramePoints[], w: LossWeights, model: EnergyF64, weights: Record<string, Float64Array>, h: { hA: number; hStrain: number }): number {
  let sE = 0, nE = 0, sF = 0, nF = 0, sS = 0, nS = 0;
  for (const p of points) {
    const f = data.frames[p.k];
    const n = f.numbers.length;
    const g = data.weights[p.k];
    if (f.energyEv !== undefined) {
      const e = model.energy(p.base, weights) / n - (f.energyEv - data.e0SumEv[p.k]) / n;
      sE += g * e * e;
      nE++;
    }
    if (p.plus.length) {
      for (let q = 0; q < 3 * n; q++) {
        const F = -(model.energy(p.plus[q], weights) - model.energy(p.minus[q], weights)) / (2 * h.hA);
        sF += g * (F - f.forcesEvPerA![q]) ** 2;
      }
      nF += 3 * n;
    }
    if (p.strainPlus.length) {
      let c = 0;
      for (let a = 0; a < 3; a++) {
        for (let b = a; b < 3; b++, c++) {
          const s = (model.energy(p.strainPlus[c], weights) - model.energy(p.strainMinus[c], weights)) / (2 * h.hStrain) / p.volumeA3;
          sS += g * (s - f.stressEvPerA3![3 * a + b]) ** 2 * (a === b ? 1 : 2);
        }
      }
      nS += 9;
    }
  }
  const sc = data.scales;
  let L = nE ? (w.energy * sE) / nE / sc.energyEvPerAtom ** 2 : 0;
  if (nF) L += (w.forces * sF) / nF / sc.forceEvPerA ** 2;
  if (nS) L += (w.stress * sS) / nS / sc.stressEvPerA3 ** 2;
  return L;
}

/** Compare tf weight gradients with float64 finite differences, for every weight. */
export function gradientCheck<P>(opts: {
  model: AtomisticModel;
  data: TrainingData;
  graphs: GraphCache;
  indices: number[];
  lossWeights: LossWeights;
  energyF64: EnergyF64<P>;
  hW?: number;
  hA?: number;
  hStrain?: number;
}): GradientCheckResult {
  const { model, data, graphs, indices, lossWeights } = opts;
  const tf = model.tf;
  const host = makeBatch(data, graphs, indices);
  const vars = model.variables;
  const { gTf, lossTf } = tf.tidy(() => {
    const b = trainBatchTensors(model, host);
    const { value, grads } = tf.variableGrads(() => batchLoss(model, b, lossWeights, data.scales).total, vars.map((v) => v.variable));
    return {
      lossTf: value.dataSync()[0],
      gTf: vars.map((v) => Float64Array.from((grads[v.variable.name] ?? tf.zerosLike(v.variable)).dataSync())),
    } as never;
  }) as unknown as { gTf: Float64Array[]; lossTf: number };
  const weights: Record<string, Float64Array> = {};
  for (const v of vars) weights[v.name] = Float64Array.from(v.variable.dataSync());
  const h = opts.hW ?? 1e-5;
  const hx = { hA: opts.hA ?? 1e-4, hStrain: opts.hStrain ?? 1e-5 };
  const ref = opts.energyF64 as EnergyF64;
  const points = indices.map((k) => framePoints(data, k, lossWeights, ref, hx));
  const loss = () => lossAt(data, points, lossWeights, ref, weights, hx);
  const L0 = loss();
  let num = 0, den = 0, maxD = 0, maxG = 0, count = 0;
  vars.forEach((v, k) => {
    const w = weights[v.name];
    for (let q = 0; q < w.length; q++) {
      const x = w[q];
      w[q] = x + h;
      const lp = loss();
      w[q] = x - h;
      const lm = loss();
      w[q] = x;
      const fd = (lp - lm) / (2 * h);
      const d = gTf[k][q] - fd;
      num += d * d;
      den += fd * fd;
      maxD = Math.max(maxD, Math.abs(d));
      maxG = Math.max(maxG, Math.abs(fd));
      count++;
    }
  });
  return { parameters: count, normRelError: Math.sqrt(num / den), maxRelError: maxD / maxG, lossTf, lossF64: L0 };
}
