// CLI for property models (issue 7): `atomforge property cv DATA --representation R --model M
// --target KEY --folds INFO_KEY [--json]` runs nested cross-validation of kernel ridge regression
// (src-shared/property/crossValidation.ts) over the folds named by a per-frame info key (or k random
// folds with --k), and prints one JSON object: mae, rmse (target units), per-fold numbers and the
// chosen σ, λ. `property classify DATA --target KEY [--per-atom] ...` cross-validates the softmax
// classifier (propertyClassify.ts). `property representations` lists the representation registry.
// The argument parser has no sub-commands, so `property` takes two positionals, SUBCOMMAND and
// DATA (`property representations -` for the listing, which reads no file).
import { compositionFeatures } from '../../src-shared/property/compositionBaseline';
import { symbolOf } from '../../src-shared/atoms/elements';
import { promises as fsp } from 'node:fs';
import { basename } from 'node:path';
import { crossValidateKrr, CvCancelled, foldsFromInfo, randomFolds, type FoldAssignment } from '../../src-shared/property/crossValidation';
import { PROPERTY_MODELS, propertyModelById } from '../../src-shared/property/propertyModel';
import { csvNumericTarget, numericTarget, parseCsv, unitsOfKey, type NumericTarget } from '../../src-shared/property/targets';
import { featurizeAll, REPRESENTATIONS, representationById } from '../../src-shared/representations/registry';
import { runClassify } from './propertyClassify';
import { fail, load, optNumber as num, optString as str, readOptions, type Command } from './common';

type Opts = Record<string, string | boolean>;

function list(o: Opts, k: string): number[] | undefined {
  const s = str(o, k);
  if (s === undefined) return undefined;
  const v = s.split(',').map((x) => Number(x.trim()));
  if (!v.length || v.some((x) => !(x > 0) || !Number.isFinite(x))) throw new Error(`--${k} must be a comma-separated list of positive numbers, got "${s}"`);
  return v;
}

const KRR_MODELS = PROPERTY_MODELS.filter((m) => m.kernel);

const property: Command = {
  spec: {
    name: 'property',
    summary: 'property models on representations: `property cv DATA ...` cross-validates kernel ridge regression; `property classify DATA --target KEY [--per-atom]` cross-validates the softmax classifier; `property representations -` lists representations',
    positionals: [
      { name: 'SUBCOMMAND', help: 'cv | classify | representations' },
      { name: 'DATA', help: 'structures with per-frame targets (extended XYZ, ...); "-" for representations' },
    ],
    options: [
      { name: 'representation', type: 'string', valueName: 'ID', help: `${REPRESENTATIONS.map((r) => r.id).join('|')} (default cm-eigen)` },
      { name: 'model', type: 'string', valueName: 'ID', help: `${KRR_MODELS.map((m) => m.id).join('|')} (default krr-laplacian)` },
      { name: 'target', type: 'string', valueName: 'KEY', help: 'per-frame info key (or "energy") to learn; with --csv, the CSV column' },
      { name: 'csv', type: 'string', valueName: 'FILE', help: 'read the target from this CSV (joined by a "frame" column, else by row order)' },
      { name: 'folds', type: 'string', valueName: 'INFO_KEY', help: 'per-frame info key naming each frame\'s fold (e.g. split)' },
      { name: 'k', type: 'string', valueName: 'K', help: 'K random folds instead of --folds (seeded by --seed)' },
      { name: 'metric', type: 'string', valueName: 'l1|l2', help: 'distance (default: l2 for gaussian, l1 for laplacian)' },
      { name: 'sigma', type: 'string', valueName: 'S', help: 'fix the kernel width σ (representation units); default: nested CV' },
      { name: 'lambda', type: 'string', valueName: 'L', help: 'fix the regulariser λ; default: nested CV' },
      { name: 'sigma-factors', type: 'string', valueName: 'F,..', help: 'σ grid as multiples of the median distance (default 0.25,0.5,1,2,4,8,16)' },
      { name: 'lambdas', type: 'string', valueName: 'L,..', help: 'λ grid (default 1e-1,1e-3,1e-5,1e-7,1e-9,1e-11)' },
      { name: 'inner-folds', type: 'string', valueName: 'K', help: 'folds of the inner (hyper-parameter) CV (default 4)' },
      { name: 'inner-max-train', type: 'string', valueName: 'N', help: 'largest subsample of a training part used to choose σ, λ (default 1200)' },
      { name: 'no-sigma-refine', type: 'boolean', help: 'cv: keep the subsample\'s σ (default: when the training part exceeds --inner-max-train, σ is refined on an 80/20 hold-out of the whole part)' },
      { name: 'seed', type: 'string', valueName: 'S', help: 'random seed (subsamples, random folds; default 1)' },
      { name: 'baseline', type: 'string', valueName: 'none|composition', help: 'cv: learn the residual from a per-element ("dressed atom") least-squares baseline, fitted per fold on its training part (default none)' },
      { name: 'predictions', type: 'string', valueName: 'FILE.csv', help: 'write frame,fold,target,prediction,nearest_train_distance,out_of_domain' },
      { name: 'per-atom', type: 'boolean', help: 'classify: --target is a per-atom column (e.g. structure_type); features are atom-centred symmetry functions' },
      { name: 'frame', type: 'string', valueName: 'I', help: 'classify --per-atom: also print the true and predicted class of every atom of frame I' },
      { name: 'l2', type: 'string', valueName: 'X', help: 'classify: L2 penalty of the softmax weights (default 1e-3 per structure, 1e-2 per atom)' },
      { name: 'json', type: 'boolean', help: 'print one JSON object' },
      ...readOptions,
    ],
  },
  async run({ positionals: [sub, data], options }) {
    if (sub === 'representations') {
      const rows = REPRESENTATIONS.map((r) => ({ id: r.id, title: r.title, invariances: r.invariances, size_extensive: r.sizeExtensive, extensivity_note: r.extensivityNote, cost_scaling: r.costScaling, default_metric: r.defaultMetric, citation: r.citation }));
      if (options.json) console.log(JSON.stringify(rows));
      else for (const r of rows) console.log(`${r.id.padEnd(11)} ${r.title.padEnd(48)} ${r.cost_scaling.padEnd(38)} ${r.size_extensive ? 'extensive' : ''}`);
      return 0;
    }
    if (sub === 'classify') return runClassify(data, options);
    if (sub !== 'cv') return fail(`unknown property sub-command "${sub}" (cv, classify, representations)`, 2);
    try {
      return await runCv(data, options);
    } catch (e) {
      if (e instanceof CvCancelled) return fail('cancelled', 130);
      return fail(e instanceof Error ? e.message : String(e));
    }
  },
};

async function runCv(data: string, options: Opts): Promise<number> {
  const repId = str(options, 'representation') ?? 'cm-eigen';
  const rep = representationById(repId);
  if (!rep) return fail(`--representation must be one of ${REPRESENTATIONS.map((r) => r.id).join(', ')}, got "${repId}"`, 2);
  const modelId = str(options, 'model') ?? 'krr-laplacian';
  const model = propertyModelById(modelId);
  if (!model?.kernel) return fail(`--model must be one of ${KRR_MODELS.map((m) => m.id).join(', ')}, got "${modelId}"`, 2);
  const targetKey = str(options, 'target');
  if (!targetKey) return fail('--target KEY is required (a per-frame info key such as atomization_energy_kcal_mol, or "energy")', 2);
  const metric = str(options, 'metric');
  if (metric !== undefined && metric !== 'l1' && metric !== 'l2') return fail(`--metric must be l1 or l2, got "${metric}"`, 2);
  const foldKey = str(options, 'folds');
  const k = num(options, 'k');
  if (!foldKey && k === undefined) return fail('--folds INFO_KEY (or --k K for random folds) is required', 2);
  const seed = num(options, 'seed') ?? 1;
  const baselineKind = str(options, 'baseline') ?? 'none';
  if (baselineKind !== 'none' && baselineKind !== 'composition') return fail(`--baseline must be none or composition, got "${baselineKind}"`, 2);
  const tty = process.stderr.isTTY || process.env.ATOMFORGE_PROGRESS === '1';
  const t0 = performance.now();

  const d = await load(data, options);
  if (!d) return 1;
  const frames = d.frames;
  let target: NumericTarget;
  const csvPath = str(options, 'csv');
  if (csvPath) {
    let text: string;
    try {
      text = await fsp.readFile(csvPath, 'utf8');
    } catch (e) {
      return fail(`cannot read ${csvPath}: ${(e as Error).message}`);
    }
    const table = parseCsv(text, basename(csvPath));
    if ('error' in table) return fail(`${table.error.file}:${table.error.line}: ${table.error.message}`);
    const t = csvNumericTarget(table, targetKey, frames.length, { fileName: basename(csvPath) });
    if ('error' in t) return fail(`${t.error.file}:${t.error.line}: ${t.error.message}`);
    target = t;
  } else {
    const t = numericTarget(frames, targetKey);
    if ('error' in t) return fail(t.error);
    target = t;
  }
  let folds: FoldAssignment;
  if (foldKey) {
    const f = foldsFromInfo(frames, foldKey);
    if ('error' in f) return fail(f.error);
    folds = f;
  } else folds = randomFolds(frames.length, k!, seed);
  console.error(`${basename(data)}: ${frames.length} frames; target ${targetKey}${target.units ? ` (${target.units})` : ''}: ${frames.length - target.missing} values${target.missing ? `, ${target.missing} missing (excluded)` : ''}; ${folds.labels.length} folds`);

  const tf = performance.now();
  const featurizer = rep.fit(frames);
  const X = featurizeAll(featurizer, frames, (done, total) => {
    if (tty) process.stderr.write(`\rfeatures (${rep.id}, ${featurizer.dimension} per frame): ${done}/${total}   `);
  });
  if (tty) process.stderr.write('\n');
  const featureS = (performance.now() - tf) / 1000;

  let lastLine = '';
  const res = crossValidateKrr(X, frames.length, featurizer.dimension, target.values, folds, {
    kernel: model.kernel,
    metric: metric as 'l1' | 'l2' | undefined,
    sigma: num(options, 'sigma'),
    lambda: num(options, 'lambda'),
    sigmaFactors: list(options, 'sigma-factors'),
    lambdas: list(options, 'lambdas'),
    innerFolds: num(options, 'inner-folds'),
    innerMaxTrain: num(options, 'inner-max-train'),
    refineSigma: !options['no-sigma-refine'],
    seed,
    baseline: baselineKind === 'composition' ? compositionFeatures(frames) : undefined,
    onProgress(p) {
      if (!tty) return;
      const line = p.stage === 'distances' ? `distances: ${p.done}/${p.total}` : `fold ${p.fold + 1}/${p.folds}: ${p.stage === 'search' ? `choosing σ, λ ${p.done}/${p.total}` : p.stage === 'refine' ? `refining σ at full size ${p.done}/${p.total}` : 'fitting'}`;
      if (line !== lastLine) process.stderr.write(`\r${line.padEnd(48)}`);
      lastLine = line;
    },
  });
  if (tty) process.stderr.write('\n');
  const predPath = str(options, 'predictions');
  if (predPath) {
    const lines = ['frame,fold,target,prediction,nearest_train_distance,out_of_domain'];
    for (let i = 0; i < frames.length; i++) if (Number.isFinite(res.predictions[i])) lines.push(`${i},${folds.labels[folds.ids[i]]},${target.values[i]},${res.predictions[i]},${res.nearestTrainDistance[i]},${res.outOfDomain[i]}`);
    await fsp.writeFile(predPath, lines.join('\n') + '\n');
  }
  const units = target.units ?? unitsOfKey(targetKey);
  const oodFrames = [...res.outOfDomain.keys()].filter((i) => res.outOfDomain[i]);
  const summary = {
    file: data,
    representation: rep.id,
    model: model.id,
    kernel: res.kernel,
    metric: res.metric,
    target: targetKey,
    target_units: units,
    mae: res.mae,
    rmse: res.rmse,
    max_abs_error: res.maxAbs,
    r2: res.r2,
    n: res.n,
    excluded: res.excluded,
    fold_key: foldKey ?? null,
    baseline: baselineKind,
    out_of_domain: {
      rule: 'nearest training distance above the 99th percentile of the training structures\' nearest-neighbour distances across the other training folds (per fold)',
      assessed: res.domain.assessed,
      n: res.domain.nOut,
      mae: Number.isFinite(res.domain.maeOut) ? res.domain.maeOut : null,
      mae_in_domain: Number.isFinite(res.domain.maeIn) ? res.domain.maeIn : null,
      frames: oodFrames,
    },
    folds: res.folds.map((f) => ({
      fold: f.fold,
      n_train: f.nTrain,
      n_test: f.nTest,
      mae: f.mae,
      rmse: f.rmse,
      sigma: f.sigma,
      lambda: f.lambda,
      inner_mae: Number.isFinite(f.innerMae) ? f.innerMae : null,
      lambda_raised: f.lambdaRaised,
      ...(f.domain ? { out_of_domain: { threshold: f.domain.threshold, n: f.domain.nOut, mae: Number.isFinite(f.domain.maeOut) ? f.domain.maeOut : null, mae_in_domain: Number.isFinite(f.domain.maeIn) ? f.domain.maeIn : null } } : {}),
      ...(f.refine ? { sigma_subsample: f.refine.sigmaSubsample, sigma_refine: f.refine.tried.map((t) => ({ sigma: t.sigma, holdout_mae: Number.isFinite(t.mae) ? t.mae : null })) } : {}),
      ...(f.baseline ? { baseline_mae: f.baseline.mae, baseline_per_element: Object.fromEntries(Object.entries(f.baseline.perElement).map(([z, v]) => [symbolOf(Number(z)), v])) } : {}),
    })),
    hyperparameters: {
      selection: num(options, 'sigma') !== undefined && num(options, 'lambda') !== undefined ? 'fixed' : 'nested-cv',
      sigma: res.folds.map((f) => f.sigma),
      lambda: res.folds.map((f) => f.lambda),
      median_distance: res.medianDistance,
      inner_folds: num(options, 'inner-folds') ?? 4,
      inner_max_train: num(options, 'inner-max-train') ?? 1200,
      sigma_refined_at_full_size: res.folds.some((f) => f.refine !== undefined),
    },
    feature_dimension: featurizer.dimension,
    layout: featurizer.describe(),
    timings_s: { total: (performance.now() - t0) / 1000, features: featureS, distances: res.timingsS.distances, search: res.timingsS.search, fit: res.timingsS.fit },
  };
  if (options.json) console.log(JSON.stringify(summary));
  else {
    const u = units ? ` ${units}` : '';
    if (baselineKind === 'composition') console.log(`composition baseline alone, per fold: MAE ${res.folds.map((f) => f.baseline!.mae.toFixed(3)).join(', ')}${u}`);
    console.log(`${rep.id} + ${model.id} (${res.metric})${baselineKind === 'composition' ? ' on the residual of the composition baseline' : ''} on ${targetKey}: MAE ${res.mae.toFixed(4)}${u}, RMSE ${res.rmse.toFixed(4)}${u} over ${res.n} structures, ${res.folds.length} folds`);
    for (const f of res.folds) console.log(`  fold ${f.fold.padEnd(4)} n_train ${String(f.nTrain).padStart(6)}  n_test ${String(f.nTest).padStart(5)}  MAE ${f.mae.toFixed(4)}  RMSE ${f.rmse.toFixed(4)}  σ ${f.sigma.toPrecision(4)}  λ ${f.lambda.toExponential(0)}${f.lambdaRaised ? ' (raised)' : ''}${f.refine && f.refine.sigmaSubsample !== f.sigma ? ` (subsample σ ${f.refine.sigmaSubsample.toPrecision(4)})` : ''}`);
    if (oodFrames.length) console.log(`  out of the training domain: ${oodFrames.length} structure(s) (frames ${oodFrames.slice(0, 12).join(', ')}${oodFrames.length > 12 ? ', ...' : ''}), MAE ${summary.out_of_domain.mae!.toFixed(4)}${u} there against ${summary.out_of_domain.mae_in_domain?.toFixed(4) ?? '-'}${u} elsewhere`);
    console.log(`  time ${summary.timings_s.total.toFixed(1)} s (distances ${res.timingsS.distances.toFixed(1)}, σ/λ search ${res.timingsS.search.toFixed(1)}, fits ${res.timingsS.fit.toFixed(1)})`);
  }
  return 0;
}

export const PROPERTY_COMMANDS: Command[] = [property];
