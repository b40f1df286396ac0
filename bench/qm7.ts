// QM7 benchmark (issue 7): 5-fold cross-validated kernel ridge regression of PBE0 atomisation
// energies on the 7,165 QM7 molecules (../shared/data/qm7_Rupp2012, folds = its `split` key, the
// `P` folds of Montavon et al. 2012), next to the published errors:
//   cm-eigen  + Gaussian  (L2)  Rupp et al., PRL 108, 058301 (2012): "~10 kcal/mol" (9.9 is the
//                               figure usually quoted; Rupp's descriptor is the eigenvalue spectrum)
//   cm-sorted + Gaussian  (L2)  the issue and the data README quote the same ~9.9 for the sorted CM
//   cm-sorted + Laplacian (L1)  no verified published number here (Hansen et al. 2013 compare it)
//   bob       + Laplacian (L1)  Hansen et al., JPCL 6, 2326 (2015): 1.5 kcal/mol
// σ and λ come from nested CV inside each training part (crossValidation.ts), never from the test
// fold. Prints MAE and RMSE in kcal/mol, the ratio to the published MAE and wall times; then a
// speed reference measured in the same run (blocked Cholesky against unblocked Gaussian
// elimination) and a size-extensivity table on QM7 pairs placed 50 Å apart.
// Run: npx tsx bench/qm7.ts [--only bob:krr-laplacian,...] [--inner-max-train 1200] [--json out.json]
//      [--skip-extensivity] [--data PATH] [--baseline composition (KRR on the residual of a per-element
//      least-squares baseline fitted per fold; the published numbers used none)]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Frame } from '../src-shared/atoms/frame';
import { readText } from '../src-shared/io/read';
import { formatByName } from '../src-shared/io/registry';
import { choleskyInPlace, solveDenseNaive } from '../src-shared/property/cholesky';
import { crossValidateKrr, foldsFromInfo } from '../src-shared/property/crossValidation';
import { compositionFeatures } from '../src-shared/property/compositionBaseline';
import { extensivityStudy, pairFrames } from '../src-shared/property/extensivity';
import { medianDistance, selfDistances } from '../src-shared/property/kernels';
import { propertyModelById, trainPropertyModel, type PropertyModelId } from '../src-shared/property/propertyModel';
import { featurizeAll, representationById, type RepresentationId } from '../src-shared/representations/registry';
import { createRng } from '../src-shared/space/rng';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const k = args.indexOf(`--${name}`);
  return k >= 0 ? args[k + 1] : undefined;
};
const here = dirname(fileURLToPath(import.meta.url));
const DATA = opt('data') ?? join(here, '..', '..', 'shared', 'data', 'qm7_Rupp2012', 'qm7.xyz');
const TARGET = 'atomization_energy_kcal_mol';

interface Case {
  representation: RepresentationId;
  model: PropertyModelId;
  published: number | null;
  source: string;
}

const CASES: Case[] = [
  { representation: 'cm-eigen', model: 'krr-gaussian', published: 9.9, source: 'Rupp 2012 (eigenvalues, Gaussian)' },
  { representation: 'cm-eigen', model: 'krr-laplacian', published: 9.9, source: 'Rupp 2012 figure (eigenvalues; Laplacian L1 kernel as in Hansen 2013)' },
  { representation: 'cm-sorted', model: 'krr-gaussian', published: 9.9, source: 'as quoted for "sorted CM" (Rupp 2012)' },
  { representation: 'cm-sorted', model: 'krr-laplacian', published: null, source: '(no verified reference)' },
  { representation: 'bob', model: 'krr-laplacian', published: 1.5, source: 'Hansen 2015 (BoB, Laplacian)' },
];

function readQm7(): Frame[] {
  const r = readText(formatByName('extxyz')!, readFileSync(DATA), { fileName: 'qm7.xyz' });
  if (!r.ok) throw new Error(`${DATA}: ${r.error.message}`);
  return r.frames;
}

function pad(s: string | number, n: number, right = false): string {
  const t = String(s);
  return right ? t.padEnd(n) : t.padStart(n);
}

function main(): void {
  if (!existsSync(DATA)) {
    console.log(`QM7 not found at ${DATA}; nothing to benchmark (pass --data PATH).`);
    return;
  }
  const only = opt('only')?.split(',');
  const innerMaxTrain = Number(opt('inner-max-train') ?? 1200);
  const t0 = performance.now();
  const frames = readQm7();
  const y = Float64Array.from(frames, (f) => Number(f.info[TARGET]));
  const folds = foldsFromInfo(frames, 'split');
  if ('error' in folds) throw new Error(folds.error);
  console.log(`QM7: ${frames.length} molecules, ${folds.labels.length} folds (split), target ${TARGET}; read in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`nested CV: σ × median distance over 2^-2..2^4 (extended at the edge), λ 1e-1..1e-11; inner 4-fold CV on ≤ ${innerMaxTrain} training molecules\n`);

  const rows: Record<string, unknown>[] = [];
  const header = `${pad('representation', 10, true)} ${pad('model', 14, true)} ${pad('dim', 5)} ${pad('MAE', 7)} ${pad('RMSE', 7)} ${pad('published', 9)} ${pad('ratio', 6)}  ${pad('time s', 7)}  σ (per fold)                 λ (per fold)`;
  const lines: string[] = [];
  for (const c of CASES) {
    if (only && !only.includes(`${c.representation}:${c.model}`)) continue;
    const t = performance.now();
    const fz = representationById(c.representation)!.fit(frames);
    const X = featurizeAll(fz, frames);
    const tFeat = (performance.now() - t) / 1000;
    const model = propertyModelById(c.model)!;
    process.stderr.write(`${c.representation} + ${c.model}: ${fz.dimension} features in ${tFeat.toFixed(1)} s\n`);
    const res = crossValidateKrr(X, frames.length, fz.dimension, y, folds, {
      kernel: model.kernel!,
      innerMaxTrain,
      baseline: opt('baseline') === 'composition' ? compositionFeatures(frames) : undefined,
      onProgress: (p) => {
        if (p.stage !== 'search' || p.done === 1) process.stderr.write(`\r  ${p.stage === 'distances' ? `distances ${p.done}/${p.total}` : `fold ${p.fold + 1}/${p.folds} ${p.stage}`}          `);
      },
    });
    process.stderr.write('\n');
    const time = (performance.now() - t) / 1000;
    const ratio = c.published ? res.mae / c.published : null;
    const line = `${pad(c.representation, 10, true)} ${pad(c.model, 14, true)} ${pad(fz.dimension, 5)} ${pad(res.mae.toFixed(2), 7)} ${pad(res.rmse.toFixed(2), 7)} ${pad(c.published ?? '-', 9)} ${pad(ratio ? ratio.toFixed(2) : '-', 6)}  ${pad(time.toFixed(0), 7)}  ${res.folds.map((f) => f.sigma.toPrecision(3)).join(' ').padEnd(28)} ${res.folds.map((f) => f.lambda.toExponential(0)).join(' ')}`;
    lines.push(line);
    console.log(header);
    console.log(line);
    rows.push({
      representation: c.representation,
      model: c.model,
      metric: res.metric,
      baseline: opt('baseline') ?? 'none',
      dimension: fz.dimension,
      mae_kcal_mol: res.mae,
      rmse_kcal_mol: res.rmse,
      published_mae_kcal_mol: c.published,
      published_source: c.source,
      ratio_to_published: ratio,
      folds: res.folds,
      timings_s: { total: time, features: tFeat, ...res.timingsS },
    });
  }
  if (lines.length) {
    console.log('\nsummary (kcal/mol; ratio = our MAE / published MAE):');
    console.log(header);
    for (const l of lines) console.log(l);
    for (const c of CASES) if (!only || only.includes(`${c.representation}:${c.model}`)) console.log(`  ${c.representation} + ${c.model}: reference ${c.source}`);
  }

  // Speed reference in the same run: blocked Cholesky vs unblocked Gaussian elimination.
  const n = 1500;
  const rng = createRng(1);
  const B = Float64Array.from({ length: n * 8 }, () => rng.normal());
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < 8; k++) s += Math.abs(B[i * 8 + k] - B[j * 8 + k]);
      A[i * n + j] = A[j * n + i] = Math.exp(-s / 8) + (i === j ? 1e-8 : 0);
    }
  let tc = performance.now();
  choleskyInPlace(A.slice(), n);
  tc = (performance.now() - tc) / 1000;
  let tn = performance.now();
  solveDenseNaive(A, n, new Float64Array(n).fill(1));
  tn = (performance.now() - tn) / 1000;
  console.log(`\nCholesky n=${n}: blocked ${tc.toFixed(2)} s (${((n ** 3 / 3) / tc / 1e9).toFixed(2)} GFLOP/s), unblocked Gaussian elimination ${tn.toFixed(2)} s (${((2 * n ** 3) / 3 / tn / 1e9).toFixed(2)} GFLOP/s): ${(tn / tc).toFixed(1)}× faster`);

  const extensivity = args.includes('--skip-extensivity') ? null : extensivityTable(frames, y);
  console.log(`\ntotal ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  const out = opt('json');
  if (out) writeFileSync(out, JSON.stringify({ data: DATA, target: TARGET, inner_max_train: innerMaxTrain, rows, cholesky: { n, blocked_s: tc, naive_s: tn }, extensivity }, null, 1));
}

/** Models trained on 2000 QM7 molecules (folds 1-4), pairs of fold-0 molecules 50 Å apart. */
function extensivityTable(frames: Frame[], y: Float64Array): Record<string, unknown>[] {
  const rng = createRng(3);
  const trainIdx = frames.map((_, i) => i).filter((i) => frames[i].info.split !== 0);
  const testIdx = frames.map((_, i) => i).filter((i) => frames[i].info.split === 0);
  const pick = (idx: number[], k: number) => Array.from({ length: k }, () => idx[rng.int(idx.length)]);
  const tr = pick(trainIdx, 2000);
  const train = tr.map((i) => frames[i]);
  const targets = tr.map((i) => y[i]);
  const pairs = Array.from({ length: 25 }, () => [frames[pick(testIdx, 1)[0]], frames[pick(testIdx, 1)[0]]] as const);
  const joined = pairFrames(pairs);
  const singles = pick(testIdx, 200);
  const cases: { representation: RepresentationId; model: PropertyModelId; lambda: number }[] = [
    { representation: 'cm-eigen', model: 'krr-gaussian', lambda: 1e-8 },
    { representation: 'bob', model: 'krr-laplacian', lambda: 1e-8 },
    { representation: 'bob', model: 'linear-sum', lambda: 1e-6 },
    { representation: 'bob-sums', model: 'linear-sum', lambda: 1e-8 },
    { representation: 'acsf-sum', model: 'linear-sum', lambda: 1e-8 },
  ];
  console.log('\nsize extensivity on QM7: trained on 2000 molecules, 25 pairs of test molecules 50 Å apart (kcal/mol)');
  console.log(`${pad('representation', 10, true)} ${pad('model', 14, true)} ${pad('test MAE', 9)} ${pad('mean |E(AB)-E(A)-E(B)|', 24)} ${pad('max', 8)} ${pad('relative', 9)}`);
  const rows: Record<string, unknown>[] = [];
  for (const c of cases) {
    let sigma: number | undefined;
    const spec = propertyModelById(c.model)!;
    if (spec.kernel) {
      const fz = representationById(c.representation)!.fit([...train, ...joined]);
      const X = featurizeAll(fz, train);
      sigma = medianDistance(selfDistances(X, train.length, fz.dimension, spec.defaultMetric!), train.length) * (spec.kernel === 'laplacian' ? 16 : 1);
    }
    const m = trainPropertyModel({ representation: c.representation, model: c.model, frames: train, targets, layoutFrames: joined, sigma, lambda: c.lambda });
    const p = m.predict(singles.map((i) => frames[i]));
    const mae = p.reduce((s, v, k) => s + Math.abs(v - y[singles[k]]), 0) / singles.length;
    const s = extensivityStudy(m.predict, pairs);
    console.log(`${pad(c.representation, 10, true)} ${pad(c.model, 14, true)} ${pad(mae.toFixed(2), 9)} ${pad(s.meanAbsDifference.toFixed(2), 24)} ${pad(s.maxAbsDifference.toFixed(2), 8)} ${pad(s.meanRelativeDifference.toExponential(1), 9)}`);
    rows.push({ representation: c.representation, model: c.model, test_mae_kcal_mol: mae, mean_abs_difference_kcal_mol: s.meanAbsDifference, max_abs_difference_kcal_mol: s.maxAbsDifference, mean_relative_difference: s.meanRelativeDifference });
  }
  return rows;
}

main();
