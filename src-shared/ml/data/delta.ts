// Δ-learning: the model learns the correction from a cheap baseline to the accurate labels,
// E_ref = E_baseline + E_Δ (same for forces and stress). The baseline is either a calculator (any
// classical potential; then the model can run MD as baseline + correction) or labels stored in the
// data at a cheaper level of theory (e.g. `energy_baseline`, `forces_baseline`; then the model can
// only be evaluated on frames that carry them). Labels the baseline cannot provide are masked, never
// zero-filled (a frame with reference forces but no baseline forces trains on its energy only).
import type { Frame } from '../../atoms/frame';
import type { Calculator } from '../../calculators/calculator';

export type BaselineSpec =
  | { kind: 'potential'; spec: string; fileText?: string }
  | { kind: 'data'; energyKey: string; forcesKey?: string; stressKey?: string };

export interface BaselineReport {
  frames: number;
  /** Labels dropped because the baseline could not provide them. */
  maskedEnergy: number;
  maskedForces: number;
  maskedStress: number;
  /** Error of the baseline alone against the reference labels (before subtraction). */
  baselineEnergyMaeMevPerAtom: number | null;
  baselineForceMaeEvPerA: number | null;
}

export function describeBaseline(b: BaselineSpec): string {
  return b.kind === 'potential' ? `potential ${b.spec}` : `data keys ${[b.energyKey, b.forcesKey, b.stressKey].filter(Boolean).join(', ')}`;
}

/** The per-atom forces column of a data baseline: the given key, or `forces_baseline` by convention. */
function dataForces(f: Frame, key: string | undefined): Float64Array | null {
  const col = f.arrays[key ?? 'forces_baseline'];
  return col && col.kind === 'real' && col.width === 3 ? col.data : null;
}

function dataStress(f: Frame, key: string | undefined): Float64Array | null {
  const v = f.info[key ?? 'stress_baseline'];
  if (Array.isArray(v) && v.length === 9 && v.every((x) => typeof x === 'number')) return Float64Array.from(v as number[]);
  return null;
}

/**
 * Frames whose labels are reference minus baseline (new frame objects; inputs untouched).
 * @param calc the baseline calculator for kind 'potential' (ignored for 'data')
 */
export function subtractBaseline(frames: readonly Frame[], baseline: BaselineSpec, calc?: Calculator): { frames: Frame[]; report: BaselineReport } {
  const report: BaselineReport = { frames: frames.length, maskedEnergy: 0, maskedForces: 0, maskedStress: 0, baselineEnergyMaeMevPerAtom: null, baselineForceMaeEvPerA: null };
  let eSum = 0, eN = 0, fSum = 0, fN = 0;
  const out = frames.map((f) => {
    let eB: number | undefined;
    let fB: Float64Array | null = null;
    let sB: Float64Array | null = null;
    if (baseline.kind === 'potential') {
      if (!calc) throw new Error('subtractBaseline: a potential baseline needs its calculator');
      const periodic = !!f.cellA && f.pbc.every(Boolean);
      calc.reset?.();
      const r = calc.compute(f, { forces: !!f.forcesEvPerA, stress: !!f.stressEvPerA3 && periodic });
      eB = r.energyEv;
      fB = f.forcesEvPerA ? r.forcesEvPerA!.slice() : null;
      sB = f.stressEvPerA3 && periodic ? r.stressEvPerA3!.slice() : null;
    } else {
      const v = f.info[baseline.energyKey];
      eB = typeof v === 'number' ? v : undefined;
      fB = dataForces(f, baseline.forcesKey);
      sB = dataStress(f, baseline.stressKey);
    }
    const n = f.numbers.length;
    let energyEv: number | undefined;
    if (f.energyEv !== undefined) {
      if (eB === undefined || !Number.isFinite(eB)) report.maskedEnergy++;
      else {
        energyEv = f.energyEv - eB;
        eSum += Math.abs(energyEv) / n;
        eN++;
      }
    }
    let forcesEvPerA: Float64Array | undefined;
    if (f.forcesEvPerA) {
      if (!fB || fB.length !== 3 * n) report.maskedForces++;
      else {
        forcesEvPerA = new Float64Array(3 * n);
        for (let k = 0; k < 3 * n; k++) {
          forcesEvPerA[k] = f.forcesEvPerA[k] - fB[k];
          fSum += Math.abs(forcesEvPerA[k]);
        }
        fN += 3 * n;
      }
    }
    let stressEvPerA3: Float64Array | undefined;
    if (f.stressEvPerA3) {
      if (!sB) report.maskedStress++;
      else stressEvPerA3 = Float64Array.from(f.stressEvPerA3, (x, k) => x - sB![k]);
    }
    return { ...f, energyEv, forcesEvPerA, stressEvPerA3 };
  });
  report.baselineEnergyMaeMevPerAtom = eN ? (1000 * eSum) / eN : null;
  report.baselineForceMaeEvPerA = fN ? fSum / fN : null;
  return { frames: out, report };
}
