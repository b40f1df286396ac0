// Errors of a saved model on labelled frames (energy per atom, force components, stress), with
// Δ-models handled: the correction is scored on reference minus baseline, which is the error of
// baseline + correction. A committee is scored on the mean of its members' predictions (what `calc`,
// `md` and the app use for a committee folder), with each member's own errors beside it.
import type { Frame } from '../../src-shared/atoms/frame';
import { subtractBaseline } from '../../src-shared/ml/data/delta';
import type { SavedModel } from '../../src-shared/ml/models/serialization';
import { dataForModel, evaluateModel, type FramePrediction } from '../../src-shared/ml/train/evaluate';
import { metricsFromSums, type ErrorSums, type Metrics } from '../../src-shared/ml/train/loss';
import { baselineCalculator } from './baseline';
import { baselineOf, modelFromSaved } from './modelFiles';

function withoutBaseline(saved: SavedModel, frames: readonly Frame[]): readonly Frame[] {
  const base = baselineOf(saved);
  return base ? subtractBaseline(frames, base, baselineCalculator(base) ?? undefined).frames : frames;
}

/** Errors (and with `collect`, predictions) of a saved model on frames whose labels already have its baseline removed. */
async function scoreSaved(saved: SavedModel, target: readonly Frame[], collect: boolean): Promise<{ metrics: Metrics; predictions: FramePrediction[] }> {
  const model = await modelFromSaved(saved);
  try {
    const { data, graphs } = dataForModel(model, target);
    const r = evaluateModel(model, data, graphs, data.split.train, { collect });
    return { metrics: r.metrics, predictions: r.predictions ?? [] };
  } finally {
    model.dispose();
  }
}

export async function evaluateSaved(saved: SavedModel, frames: readonly Frame[]): Promise<Metrics> {
  return (await scoreSaved(saved, withoutBaseline(saved, frames), false)).metrics;
}

/**
 * Errors of predictions (total energy eV, forces eV/Å, stress eV/Å³ per frame; null where not
 * predicted) against the frames' labels, with the definitions of the training metrics: energy per
 * atom, every force component, the 9 stress components of periodic frames.
 */
export function metricsOfPredictions(frames: readonly Frame[], energyEv: Float64Array, forces: (Float64Array | null)[], stress: (Float64Array | null)[]): Metrics {
  const e: ErrorSums = { n: 0, abs: 0, sq: 0 }, fs: ErrorSums = { n: 0, abs: 0, sq: 0 }, ss: ErrorSums = { n: 0, abs: 0, sq: 0 };
  const add = (x: ErrorSums, err: number) => {
    x.n++;
    x.abs += Math.abs(err);
    x.sq += err * err;
  };
  let atoms = 0;
  frames.forEach((f, k) => {
    const n = f.numbers.length;
    atoms += n;
    if (f.energyEv !== undefined && n > 0) add(e, (energyEv[k] - f.energyEv) / n);
    const fp = forces[k], sp = stress[k];
    if (f.forcesEvPerA && fp) for (let q = 0; q < 3 * n; q++) add(fs, fp[q] - f.forcesEvPerA[q]);
    if (f.stressEvPerA3 && sp) for (let q = 0; q < 9; q++) add(ss, sp[q] - f.stressEvPerA3[q]);
  });
  return metricsFromSums(frames.length, atoms, e, fs, ss);
}

export interface CommitteeEvaluation {
  /** Errors of the committee mean. */
  mean: Metrics;
  /** Errors of each member alone. */
  members: Metrics[];
}

/** Errors of a committee's mean prediction (members must share their baseline, as `committee train` makes them). */
export async function evaluateCommitteeSaved(members: readonly SavedModel[], frames: readonly Frame[]): Promise<CommitteeEvaluation> {
  if (members.length === 0) throw new Error('a committee needs at least one member');
  const key = (s: SavedModel) => JSON.stringify(baselineOf(s) ?? null);
  if (members.some((m) => key(m) !== key(members[0]))) throw new Error('the committee members have different baselines; evaluate them one by one');
  const target = withoutBaseline(members[0], frames);
  const K = members.length;
  const energyEv = new Float64Array(frames.length);
  const forces: (Float64Array | null)[] = target.map((f) => (f.forcesEvPerA ? new Float64Array(3 * f.numbers.length) : null));
  const stress: (Float64Array | null)[] = target.map(() => null);
  const perMember: Metrics[] = [];
  for (const saved of members) {
    const r = await scoreSaved(saved, target, true); // the shared baseline is removed once, above
    perMember.push(r.metrics);
    for (const p of r.predictions) {
      energyEv[p.frame] += p.energyEv / K;
      const fm = forces[p.frame];
      if (fm && p.forcesEvPerA) for (let q = 0; q < fm.length; q++) fm[q] += p.forcesEvPerA[q] / K;
      if (p.stressEvPerA3) {
        const sm = (stress[p.frame] ??= new Float64Array(9));
        for (let q = 0; q < 9; q++) sm[q] += p.stressEvPerA3[q] / K;
      }
    }
  }
  return { mean: metricsOfPredictions(target, energyEv, forces, stress), members: perMember };
}
