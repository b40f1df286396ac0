// QM7 one-fold scan (issue 7, bench/qm7.md): test on split=0, train KRR on a random subset of the
// other folds (seeded), and print the test MAE (kcal/mol) over a σ × λ grid, to see whether the
// kernel width or the regulariser explains a gap to a published number.
// Run: [POSITIONS_SCALE=S] [FIRST=1000 SEED=5] npx tsx bench/qm7_scan.ts [REP=bob] [METRIC=l1] [KERNEL=laplacian] [N_TRAIN=2866] [SIGMAS=1000,...] [LAMBDAS=1e-10,...]
import { readFileSync } from 'node:fs';
import { readText } from '../src-shared/io/read';
import { formatByName } from '../src-shared/io/registry';
import { featurizeAll, representationById } from '../src-shared/representations/registry';
import { selfDistances, kernelFromDistances, medianDistance } from '../src-shared/property/kernels';
import { solveKrr, predictFromKernel } from '../src-shared/property/krr';
import { createRng } from '../src-shared/space/rng';
import { compositionFeatures, fitComposition } from '../src-shared/property/compositionBaseline';
import { predictLinear } from '../src-shared/property/linearRidge';
const r = readText(formatByName('extxyz')!, readFileSync(new URL('../../shared/data/qm7_Rupp2012/qm7.xyz', import.meta.url)), { fileName: 'qm7.xyz' });
if (!r.ok) throw new Error('read');
// POSITIONS_SCALE=0.529177 makes the Coulomb entries Z_iZ_j/r with r in Å instead of Bohr.
const posScale = Number(process.env.POSITIONS_SCALE ?? 1);
const frames = posScale === 1 ? r.frames : r.frames.map((f) => ({ ...f, positionsA: f.positionsA.map((x) => x * posScale) }));
const y = Float64Array.from(frames, (f) => Number(f.info.atomization_energy_kcal_mol));
const rep = process.argv[2] ?? 'bob';
const metric = (process.argv[3] ?? 'l1') as 'l1' | 'l2';
const kernel = (process.argv[4] ?? 'laplacian') as 'laplacian' | 'gaussian';
const nTrain = Number(process.argv[5] ?? 2866);
const fz = representationById(rep)!.fit(frames);
const X = featurizeAll(fz, frames);
// DIAG_SCALE=s (bob only) multiplies the element-count bags (½Z^2.4 entries) by s; 0 drops them.
const diagScale = Number(process.env.DIAG_SCALE ?? 1);
if (rep === 'bob' && diagScale !== 1) {
  // diagonal bags come first in the layout and are named by one atomic number ("6"), pair bags "6-8"
  const bags = fz.describe().bags as { bag: string; size: number }[];
  const nDiag = bags.filter((b) => !b.bag.includes('-')).reduce((s, b) => s + b.size, 0);
  for (let m = 0; m < frames.length; m++) for (let k = 0; k < nDiag; k++) X[m * fz.dimension + k] *= diagScale;
}
// FIRST=N (with N_TRAIN < N): instead of the folds, shuffle the first N molecules of QM7 (the smallest:
// the file is ordered by size) with SEED and test on those after the first N_TRAIN, as qmllib's
// test_krr_bob does (first 1,000, 700 training, 300 test: MAE < 2.6 kcal/mol asserted there).
const first = Number(process.env.FIRST ?? 0);
const rng = createRng(Number(process.env.SEED ?? 5));
const shuffled = (a: number[]) => {
  for (let i = a.length - 1; i > 0; i--) { const j = rng.int(i + 1); [a[i], a[j]] = [a[j], a[i]]; }
  return a;
};
const firstN = first > 0 ? shuffled(Array.from({ length: first }, (_, i) => i)) : [];
const test = first > 0 ? firstN.slice(nTrain) : frames.map((_, i) => i).filter((i) => frames[i].info.split === 0);
const pool = first > 0 ? firstN : shuffled(frames.map((_, i) => i).filter((i) => frames[i].info.split !== 0));
const train = pool.slice(0, nTrain);
const idx = [...train, ...test];
const Xs = new Float64Array(idx.length * fz.dimension);
idx.forEach((i, k) => Xs.set(X.subarray(i * fz.dimension, (i + 1) * fz.dimension), k * fz.dimension));
const t0 = performance.now();
const D = selfDistances(Xs, idx.length, fz.dimension, metric);
console.log(`${rep} ${metric} ${kernel} dim ${fz.dimension} n_train ${nTrain} distances ${((performance.now() - t0) / 1000).toFixed(0)} s median ${medianDistance(D, idx.length).toExponential(3)}`);
const tr = train.map((_, k) => k), te = test.map((_, k) => nTrain + k);
const ys = idx.map((i) => y[i]);
// BASELINE=counts: fit y ≈ Σ_e n_e c_e (least squares on the element counts, training molecules
// only), learn the residual with KRR and add the baseline back ("dressed atoms").
// BASELINE=bob-sums: the same with the bag sums (element counts and Σ(Z_AZ_B/r)^p per pair,
// p = 1..4: a linear pair potential) as the baseline's features.
if (process.env.BASELINE === 'counts' || process.env.BASELINE === 'bob-sums') {
  const sel = idx.map((i) => frames[i]);
  const sums = process.env.BASELINE === 'bob-sums' ? representationById('bob-sums')!.fit(frames) : null;
  const comp = sums ? null : compositionFeatures(sel);
  const [F, S] = sums ? [featurizeAll(sums, sel), sums.dimension] : [comp!.counts, comp!.elements.length];
  const base = predictLinear(fitComposition(F, S, tr, ys), F, idx.length);
  ys.forEach((_, k) => (ys[k] -= base[k]));
  let m = 0; te.forEach((k) => (m += Math.abs(ys[k] - tr.reduce((s, t) => s + ys[t], 0) / tr.length) / te.length));
  console.log(`baseline alone: test MAE ${m.toFixed(3)}`);
}
const sigmas = (process.argv[6] ?? '1000,2000,4000,8000,16000,32000').split(',').map(Number);
const lambdas = (process.argv[7] ?? '1e-10,1e-7,1e-4').split(',').map(Number);
for (const s of sigmas) for (const l of lambdas) {
  try {
    const K = kernelFromDistances(D, idx.length, tr, tr, kernel, s);
    const fit = solveKrr(K, tr.length, tr.map((k) => ys[k]), l);
    const Kq = kernelFromDistances(D, idx.length, te, tr, kernel, s);
    const p = predictFromKernel(Kq, te.length, tr.length, fit.alpha, fit.yMean);
    let mae = 0, rmse = 0, worst = 0, worstAt = -1;
    te.forEach((k, q) => {
      const e = Math.abs(p[q] - ys[k]);
      mae += e / te.length;
      rmse += (e * e) / te.length;
      if (e > worst) [worst, worstAt] = [e, idx[k]];
    });
    console.log(`sigma ${s} lambda ${l} MAE ${mae.toFixed(3)} RMSE ${Math.sqrt(rmse).toFixed(3)} max ${worst.toFixed(1)} (molecule ${worstAt})`);
  } catch (e) { console.log(`sigma ${s} lambda ${l} failed ${(e as Error).message}`); }
}
