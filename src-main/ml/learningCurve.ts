// Learning-curve study: test error against the number of training frames, for a direct model and
// (with a baseline) a Δ-model trained on the same nested subsets of the same seeded shuffle, both
// scored on the same test frames. The data-efficiency factor says how many more frames the direct
// model needs to reach the Δ-model's error (power-law fit of the direct curve, log-log).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame } from '../../src-shared/atoms/frame';
import type { BaselineSpec } from '../../src-shared/ml/data/delta';
import { linearFit } from '../../src-shared/analysis/statistics';
import { createRng } from '../../src-shared/space/rng';
import type { Metrics } from '../../src-shared/ml/train/loss';
import { evaluateSaved } from './evaluateSaved';
import { loadModelFiles } from './runFolder';
import { runTrainJob, type TrainSettings } from './trainJob';

export interface CurvePoint {
  size: number;
  energy_mae_mev_per_atom: number | null;
  force_mae_ev_per_a: number | null;
  stress_mae_gpa: number | null;
  train_seconds: number;
}

export interface LearningCurveResult {
  direct: CurvePoint[];
  delta?: CurvePoint[];
  /** Geometric mean over Δ points of N_direct(error_Δ) / N_Δ, from a power-law fit of the direct curve (energy MAE). */
  data_efficiency_factor?: number | null;
  test_frames: number;
}

export interface LearningCurveOptions {
  modelType: string;
  modelConfig: Record<string, unknown>;
  train: TrainSettings['train'];
  sizes: number[];
  baseline?: BaselineSpec;
  maxMinutesEach?: number;
  seed: number;
  log(msg: string): void;
}

function point(size: number, m: Metrics, s: number): CurvePoint {
  return { size, energy_mae_mev_per_atom: m.energyMaeMevPerAtom, force_mae_ev_per_a: m.forceMaeEvPerA, stress_mae_gpa: m.stressMaeGpa, train_seconds: s };
}

export function efficiencyFactor(direct: CurvePoint[], delta: CurvePoint[]): number | null {
  const d = direct.filter((p) => p.energy_mae_mev_per_atom && p.energy_mae_mev_per_atom > 0);
  const q = delta.filter((p) => p.energy_mae_mev_per_atom && p.energy_mae_mev_per_atom > 0);
  if (d.length < 2 || q.length === 0) return null;
  const lx = d.map((p) => Math.log(p.size));
  const ly = d.map((p) => Math.log(p.energy_mae_mev_per_atom!));
  let slope: number, intercept: number;
  if (d.length >= 3) ({ slope, intercept } = linearFit(lx, ly));
  else {
    slope = (ly[1] - ly[0]) / (lx[1] - lx[0]);
    intercept = ly[0] - slope * lx[0];
  }
  if (!(slope < 0)) return null; // the direct model does not improve with data: no factor
  let acc = 0;
  for (const p of q) {
    const nDirect = Math.exp((Math.log(p.energy_mae_mev_per_atom!) - intercept) / slope);
    acc += Math.log(nDirect / p.size);
  }
  return Math.exp(acc / q.length);
}

export async function learningCurve(trainFrames: Frame[], testFrames: Frame[], o: LearningCurveOptions): Promise<LearningCurveResult> {
  const sizes = [...new Set(o.sizes)].sort((a, b) => a - b);
  if (sizes.some((s) => !Number.isInteger(s) || s < 1)) throw new Error('--sizes must be positive integers');
  if (sizes[sizes.length - 1] > trainFrames.length) throw new Error(`the largest size (${sizes[sizes.length - 1]}) exceeds the ${trainFrames.length} training frames`);
  // One seeded shuffle; each subset is a prefix, so the subsets are nested.
  const order = trainFrames.map((_, k) => k);
  const rng = createRng(o.seed);
  for (let k = order.length - 1; k > 0; k--) {
    const r = rng.int(k + 1);
    [order[k], order[r]] = [order[r], order[k]];
  }
  const work = mkdtempSync(join(tmpdir(), 'atomforge-lc-'));
  const run = async (size: number, baseline?: BaselineSpec): Promise<CurvePoint> => {
    const frames = order.slice(0, size).map((k) => trainFrames[k]);
    const dir = join(work, `${baseline ? 'delta' : 'direct'}-${size}`);
    const t0 = Date.now();
    const r = await runTrainJob(
      {
        runId: `lc-${size}`,
        runDir: dir,
        label: `${size} frames`,
        datasetName: `subset of ${size}`,
        frames,
        settings: { modelType: o.modelType, modelConfig: o.modelConfig, train: { ...o.train, seed: o.seed }, split: { method: 'random', validFraction: 0, seed: o.seed }, maxMinutes: o.maxMinutesEach, baseline },
      },
      { log: () => undefined },
    );
    if (r.state === 'failed') throw new Error(`training on ${size} frames failed: ${r.message}`);
    const m = await evaluateSaved(loadModelFiles(dir), testFrames);
    const p = point(size, m, (Date.now() - t0) / 1000);
    o.log(`${baseline ? 'Δ     ' : 'direct'} ${String(size).padStart(5)} frames: test energy MAE ${p.energy_mae_mev_per_atom?.toFixed(3) ?? '-'} meV/atom, force MAE ${p.force_mae_ev_per_a?.toFixed(4) ?? '-'} eV/Å (${p.train_seconds.toFixed(1)} s)`);
    return p;
  };
  try {
    const direct: CurvePoint[] = [];
    for (const s of sizes) direct.push(await run(s));
    if (!o.baseline) return { direct, test_frames: testFrames.length };
    const delta: CurvePoint[] = [];
    for (const s of sizes) delta.push(await run(s, o.baseline));
    return { direct, delta, data_efficiency_factor: efficiencyFactor(direct, delta), test_frames: testFrames.length };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
