// CLI `study KIND ...`: learning-curve (direct vs Δ-models) and drift (energy-drift diagnosis).
import { basename } from 'node:path';
import { readFileSync } from 'node:fs';
import { modelTypes } from '../../src-shared/ml/models/registry';
import { learningCurve } from '../ml/learningCurve';
import { parseBaselineArg } from '../ml/baseline';
import { load, readOptions, type Command, optString as str, fail } from './common';
import { DRIFT_STUDY_OPTIONS, runDriftStudy } from './studyDrift';

const LC_OPTIONS = [
  { name: 'model', type: 'string' as const, valueName: 'TYPE|RUNDIR', help: `learning-curve: model type (${modelTypes().map((t) => t.name).join(', ')}); drift: trained model run folder` },
  { name: 'baseline', type: 'string' as const, valueName: 'SPEC|data:KEY', help: 'learning-curve: also train Δ-models on this baseline' },
  { name: 'sizes', type: 'string' as const, valueName: '4,8,16,32', help: 'learning-curve: training-set sizes (frames)' },
  { name: 'max-minutes-each', type: 'string' as const, valueName: 'K', help: 'learning-curve: time budget per model' },
  { name: 'epochs', type: 'string' as const, valueName: 'N', help: 'learning-curve: epochs per model (default 200)' },
  { name: 'config', type: 'string' as const, valueName: 'cfg.json', help: 'learning-curve: {"model": {...}, "train": {...}}' },
];

async function runLearningCurve(trainPath: string, testPath: string | undefined, o: Record<string, string | boolean>): Promise<number> {
  if (!testPath) return fail('study learning-curve needs TRAIN.xyz TEST.xyz');
  const type = str(o, 'model');
  if (!type || !modelTypes().some((t) => t.name === type)) return fail(`--model must be one of ${modelTypes().map((t) => t.name).join(', ')}`);
  const sizes = (str(o, 'sizes') ?? '4,8,16,32').split(',').map((x) => Number(x.trim()));
  if (sizes.some((x) => !Number.isInteger(x) || x < 1)) return fail(`--sizes must be positive integers separated by commas, got "${str(o, 'sizes')}"`);
  let cfg: { model?: Record<string, unknown>; train?: Record<string, unknown> } = {};
  const cfgPath = str(o, 'config');
  if (cfgPath) {
    try {
      cfg = JSON.parse(readFileSync(cfgPath, 'utf8'));
    } catch (e) {
      return fail(`${cfgPath}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const epochs = Number(str(o, 'epochs') ?? 200);
  if (!Number.isInteger(epochs) || epochs < 1) return fail(`--epochs must be a positive integer`);
  const maxMin = str(o, 'max-minutes-each') !== undefined ? Number(str(o, 'max-minutes-each')) : undefined;
  if (maxMin !== undefined && !(maxMin > 0)) return fail('--max-minutes-each must be > 0');
  let baseline;
  if (str(o, 'baseline')) {
    const b = parseBaselineArg(str(o, 'baseline')!);
    if ('error' in b) return fail(b.error);
    baseline = b;
  }
  const tr = await load(trainPath, o);
  if (!tr) return 1;
  const te = await load(testPath, o);
  if (!te) return 1;
  try {
    const r = await learningCurve(tr.frames, te.frames, {
      modelType: type,
      modelConfig: cfg.model ?? {},
      train: { maxEpochs: epochs, ...(cfg.train ?? {}) },
      sizes,
      baseline,
      maxMinutesEach: maxMin,
      seed: Number(str(o, 'seed') ?? 0),
      log: (m) => console.error(m),
    });
    if (o.json) console.log(JSON.stringify(r));
    else {
      console.log(`learning curve on ${basename(testPath)} (${r.test_frames} test frames):`);
      console.log('size,direct_energy_mae_mev_per_atom,direct_force_mae_ev_per_a' + (r.delta ? ',delta_energy_mae_mev_per_atom,delta_force_mae_ev_per_a' : ''));
      r.direct.forEach((p, k) => console.log([p.size, p.energy_mae_mev_per_atom, p.force_mae_ev_per_a, ...(r.delta ? [r.delta[k].energy_mae_mev_per_atom, r.delta[k].force_mae_ev_per_a] : [])].join(',')));
      if (r.data_efficiency_factor != null) console.log(`data-efficiency factor (frames direct / frames Δ at equal energy error): ${r.data_efficiency_factor.toFixed(2)}`);
    }
    return 0;
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  }
}

const study: Command = {
  spec: {
    name: 'study',
    summary: 'studies: learning-curve (direct vs Δ-learning), drift (energy-drift diagnosis)',
    positionals: [
      { name: 'KIND', help: 'learning-curve | drift' },
      { name: 'IN', help: 'learning-curve: TRAIN.xyz; drift: starting structure' },
      { name: 'TEST', help: 'learning-curve: TEST.xyz', optional: true },
    ],
    options: [
      ...LC_OPTIONS,
      ...DRIFT_STUDY_OPTIONS.filter((d) => !LC_OPTIONS.some((l) => l.name === d.name)),
      ...(DRIFT_STUDY_OPTIONS.some((d) => d.name === 'seed') ? [] : [{ name: 'seed', type: 'string' as const, valueName: 'S', help: 'seed' }]),
      ...(DRIFT_STUDY_OPTIONS.some((d) => d.name === 'json') ? [] : [{ name: 'json', type: 'boolean' as const, help: 'print one JSON object' }]),
      ...readOptions.filter((r) => !DRIFT_STUDY_OPTIONS.some((d) => d.name === r.name)),
    ],
  },
  async run({ positionals: [kind, input, test], options }) {
    if (kind === 'learning-curve') return runLearningCurve(input, test, options);
    if (kind === 'drift') {
      if (test) return fail('study drift takes one structure file');
      return runDriftStudy(input, options);
    }
    return fail(`unknown study "${kind}"; known: learning-curve, drift`);
  },
};

export const STUDY_COMMANDS: Command[] = [study];
