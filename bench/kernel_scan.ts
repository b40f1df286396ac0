// bench/kernel_scan: one fit of the kernel model (models/kernel.ts) on an mlearn element, scored on its
// test split with the float64 fast path, settings from the environment so that many fits can run at
// once (one per core) in a hyper-parameter scan; prints one JSON line. The scans in
// bench/accuracy.md were made with this fit (bench/accuracy.ts then checks a setting through the CLI).
//   EL=Mo|Si M=1000 ELL=2 LAM=1e-6 WE=10 WS=0.05 NR=20 AW=1,1.5,2,2.5,3.5,5 ZS=1,2,4,8,16,32 RC=5 SFK=G4|G5|none
//   SCALE=feature|block (the kernel's descriptor scaling); KERNEL=gaussian|polynomial DEG=2 (its degree)
//   SAVE=DIR (also write the fitted model there as a run folder: `eval --model DIR`, or a committee member)
//   PS=nMax,lMax (add the power spectrum of models/powerSpectrum.ts; PSRC its cutoff, default RC)
//   GW=Surface:5,Vacancy:2 (per-config_type loss weights of the training frames; others 1)
//   DATA=../shared/data npx tsx bench/kernel_scan.ts
import { mkdirSync } from 'node:fs';
import { readFramesFromPath } from '../src-main/node/readFile';
import { saveModelFiles } from '../src-main/ml/runFolder';
import { prepareTrainingData } from '../src-shared/ml/data/trainingData';
import { createGraphCache } from '../src-shared/ml/data/graph';
import { defaultPowerSpectrum } from '../src-shared/ml/models/powerSpectrum';
import { graphSpecOf, featureLayout, type SymmetryFunctionConfig } from '../src-shared/ml/models/symmetryFunctions';
import { createKernelModel, fitKernelModel, type KernelConfig } from '../src-shared/ml/models/kernel';
import { fastModelCalculator } from '../src-shared/ml/inference/index';
import { tfNode } from '../src-main/ml/tfNode';
import type { Frame } from '../src-shared/atoms/frame';

const env = (k: string, d: string) => process.env[k] ?? d;
const el = env('EL', 'Mo');
const rc = Number(env('RC', '5')), n = Number(env('NR', '20')), lo = 1.5, dr = (rc - 0.5 - lo) / (n - 1);
const ps = process.env.PS ? process.env.PS.split(',').map(Number) : null;
const sf: SymmetryFunctionConfig = {
  cutoffA: rc,
  radial: [{ etaPerA2: 0, rsA: 0 }, ...Array.from({ length: n }, (_, k) => ({ etaPerA2: 1 / (2 * dr * dr), rsA: lo + k * dr }))],
  powerSpectrum: ps ? defaultPowerSpectrum({ cutoffA: Number(env('PSRC', String(rc))), nMax: ps[0], lMax: ps[1] }) : null,
  angular: env('SFK', 'G4') === 'none' ? null : {
    kind: env('SFK', 'G4') as 'G4' | 'G5',
    cutoffA: rc,
    etaPerA2: env('AW', `1,1.5,2,2.5,3.5,${rc}`).split(',').map(Number).map((r) => 1 / (2 * r * r)),
    zeta: env('ZS', '1,2,4,8,16,32').split(',').map(Number),
    lambda: [-1, 1],
  },
};
const config: KernelConfig = { symmetryFunctions: sf, sparsePoints: Number(env('M', '1000')), lengthScale: Number(env('ELL', '2')), regularization: Number(env('LAM', '1e-6')), ridge: 1e-6, scaling: env('SCALE', 'feature') as 'feature' | 'block' };
if (env('KERNEL', 'gaussian') === 'polynomial') Object.assign(config, { kernel: 'polynomial', degree: Number(env('DEG', '2')) });
const weights = { energyWeight: Number(env('WE', '10')), forceWeight: 1, stressWeight: Number(env('WS', '0.05')) };

async function read(path: string): Promise<Frame[]> {
  const r = await readFramesFromPath(path, {});
  if ('error' in r || !r.result.ok) throw new Error(`cannot read ${path}`);
  return r.result.frames;
}
const t0 = Date.now();
const dir = `${env('DATA', '../shared/data')}/mlearn_Zuo2020/`;
const train = await read(`${dir}${el}_train.xyz`), test = await read(`${dir}${el}_test.xyz`);
const frames = [...train, ...test];
const groupWeights = process.env.GW ? { weights: Object.fromEntries(process.env.GW.split(',').map((kv) => [kv.split(':')[0], Number(kv.split(':')[1])])) } : undefined;
const data = prepareTrainingData(frames, { split: { method: 'indices', train: train.map((_, k) => k), valid: [], test: test.map((_, k) => train.length + k) }, groupWeights });
const graphs = createGraphCache(frames, graphSpecOf(sf));
const { tf } = await tfNode('cpu');
const model = createKernelModel(tf, config, {
  species: data.species,
  e0: data.e0,
  scales: data.scales,
  seed: 0,
  trainingGraphs: function* () {
    for (const k of data.split.train) yield { graph: graphs.get(k), species: data.atomSpecies[k] };
  },
});
fitKernelModel(model, data, graphs, weights);
if (process.env.SAVE) {
  mkdirSync(process.env.SAVE, { recursive: true });
  saveModelFiles(process.env.SAVE, model.save({ createdBy: 'bench/kernel_scan.ts' }));
}
const calc = fastModelCalculator(model.save())!;
function score(idx: readonly number[]) {
  let e = 0, f = 0, nf = 0;
  const byGroup: Record<string, number[]> = {};
  for (const k of idx) {
    const fr = frames[k], p = calc.compute(fr, { forces: true });
    const err = (p.energyEv - fr.energyEv!) / fr.numbers.length;
    e += Math.abs(err);
    const g = String(fr.info?.config_type ?? '-');
    (byGroup[g] ??= []).push(Math.round(1e4 * err) / 10);
    p.forcesEvPerA!.forEach((v, q) => {
      f += Math.abs(v - fr.forcesEvPerA![q]);
      nf++;
    });
  }
  return { energyMaeMevPerAtom: (1000 * e) / idx.length, forceMaeEvPerA: f / nf, energyErrorsMevPerAtom: idx.length < 60 ? byGroup : undefined };
}
const F = featureLayout(sf, data.species.numbers.length).nFeatures;
console.log(JSON.stringify({ element: el, features: F, ...config, symmetryFunctions: undefined, angularKind: sf.angular?.kind ?? 'none', powerSpectrum: ps, ...weights, train: score(data.split.train), test: score(data.split.test), seconds: (Date.now() - t0) / 1000 }));
model.dispose();
