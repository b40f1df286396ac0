// MD throughput with trained Behler-Parrinello and PaiNN models (issue 5, "fast inference for MD"): atom-steps/s
// of NVE velocity Verlet (1 fs, 300 K Maxwell-Boltzmann start) on diamond-silicon supercells of 64,
// 512 and 4096 atoms, for
//   fast   src-shared/ml/inference (fastModelCalculator): float64, WebAssembly SIMD kernels
//          (kernels/bpnn.ts, kernels/painn.ts)
//   fastTs the same calculator on its TypeScript kernels (no WebAssembly)
//   tfjs   the training graph as a Calculator (models/calculator.ts modelCalculator), float32,
//          tfjs-backend-wasm (or --tfjs-backend cpu), neighbour graph rebuilt each call
//   torch  the same model and weights in PyTorch (bench/mlmd_torch.py: descriptors / messages in the
//          graph from positions, energy + autograd forces, Debian python3-torch, 1 thread), float32
//          and float64; its numpy Verlet-list rebuilds are EXCLUDED from its time (ours included)
// all in this one run, printed as ratios (fast / other). The initial potential energies of all codes
// are printed as a check that they run the same model.
//
// Models (--models bpnn,painn): bpnn with the default config of the app (defaultBehlerParrinelloConfig:
// 9 radial G2 + 16 angular G4, rc = 5 Å for both, MLP 25-16-16-1 tanh; --config train for
// bench/train.ts's angular cutoff 3.5 Å) and PaiNN with the app's default (defaultPainnConfig: F 32,
// 16 Bessel functions, 2 blocks, rc 5 Å, head 16, SiLU), statistics and E0 from
// resources/examples/Si_mlearn_test.xyz, trained there for --epochs (bpnn) and --painn-epochs epochs
// (tfjs) so that the weights are a real model's.
// Timing: per code and size, --warmup untimed steps, then timed steps until --min-s seconds (at least
// 2 steps, at most --max-steps); the best of --repeats rounds, the codes alternating inside a
// round so that a busy machine slows all alike. Wall time, and CPU time of the process (steadier on
// a shared machine). The machine's load average is printed before and after. "fast ×" = our fast
// path's rate over that code's, by wall time and by CPU time (the latter is the fairer one on a
// loaded machine: every code here is single-threaded).
//
// Run: npx tsx bench/mlmd.ts [--models bpnn,painn] [--sizes 64,512,4096] [--codes fast,fastTs,tfjs,torch]
//      [--min-s 2] [--repeats 2] [--epochs 3] [--painn-epochs 1] [--config default|train]
//      [--tfjs-backend wasm|cpu] [--json]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import * as tfWasm from '@tensorflow/tfjs-backend-wasm';
import type { Calculator } from '../src-shared/calculators/calculator';
import { extxyzFormat } from '../src-shared/io/formats/extxyz';
import { readText } from '../src-shared/io/read';
import { maxwellBoltzmannVelocities } from '../src-shared/md/maxwellBoltzmann';
import { velocityVerlet } from '../src-shared/md/velocityVerlet';
import { diamondSilicon, modelFromFrames } from '../src-shared/ml/inference/fixtures';
import { fastModelCalculator } from '../src-shared/ml/inference/index';
import { modelCalculator } from '../src-shared/ml/models/calculator';
import type { AtomisticModel } from '../src-shared/ml/models/model';
import { defaultPainnConfig } from '../src-shared/ml/models/painn';
import { loadModel } from '../src-shared/ml/models/registry';
import { defaultBehlerParrinelloConfig } from '../src-shared/ml/models/behlerParrinello';
import type { SavedModel } from '../src-shared/ml/models/serialization';
import { defaultSymmetryFunctions } from '../src-shared/ml/models/symmetryFunctions';
import { initBackend, type BackendName } from '../src-shared/ml/tf/backend';
import { createTrainer, defaultTrainConfig } from '../src-shared/ml/train/trainer';
import { createRng } from '../src-shared/space/rng';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const k = args.indexOf(`--${name}`);
  return k >= 0 ? args[k + 1] : def;
};
const MODELS = opt('models', 'bpnn,painn').split(',');
const SIZES = opt('sizes', '64,512,4096').split(',').map(Number);
const CODES = opt('codes', 'fast,fastTs,tfjs,torch').split(',');
const MIN_S = Number(opt('min-s', '2'));
const REPEATS = Number(opt('repeats', '2'));
const EPOCHS = Number(opt('epochs', '3'));
const PAINN_EPOCHS = Number(opt('painn-epochs', '1'));
const TFJS_BACKEND = opt('tfjs-backend', 'wasm') as BackendName;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MASS_SI = 28.0855;

// ---- the models: default configs, trained briefly on the Si example
await initBackend(tf, { prefer: TFJS_BACKEND, wasm: { setWasmPaths: tfWasm.setWasmPaths, pathPrefix: join(ROOT, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist') + '/' } });
const read = readText(extxyzFormat, readFileSync(join(ROOT, 'resources/examples/Si_mlearn_test.xyz'), 'utf8'), { fileName: 'Si_mlearn_test.xyz' });
if (!read.ok) throw new Error('cannot read resources/examples/Si_mlearn_test.xyz');

async function trained(type: string, config: unknown, epochs: number): Promise<{ saved: SavedModel; model: AtomisticModel }> {
  const { model: init, data, graphs } = modelFromFrames(tf, type, config, read.ok ? read.frames : [], 1);
  let saved: SavedModel = init.save();
  if (epochs > 0) {
    const trainer = createTrainer({ model: init, data, graphs, config: { ...defaultTrainConfig(), maxEpochs: epochs, batchAtoms: 512, emaDecay: 0, earlyStopping: null, checkpointEvery: 0 } });
    await trainer.run({});
    saved = trainer.bestModel();
    trainer.dispose();
  }
  init.dispose();
  return { saved, model: loadModel(tf, saved) };
}

const cpuModel = cpus()[0]?.model ?? 'unknown CPU';
const bpConfig = opt('config', 'default') === 'train' ? { ...defaultBehlerParrinelloConfig(), symmetryFunctions: defaultSymmetryFunctions({ cutoffA: 5.0, angularCutoffA: 3.5, nRadial: 8, nAngularEta: 2 }) } : defaultBehlerParrinelloConfig();
const painnConfig = defaultPainnConfig();
const models: { type: string; saved: SavedModel; model: AtomisticModel; label: string }[] = [];
for (const type of MODELS) {
  const t0 = performance.now();
  if (type === 'bpnn') {
    const sf = bpConfig.symmetryFunctions;
    const label = `bpnn ${sf.radial.length} G2 + ${sf.angular ? sf.angular.etaPerA2.length * sf.angular.zeta.length * sf.angular.lambda.length : 0} ${sf.angular?.kind ?? ''} (rc ${sf.cutoffA} Å, angular ${sf.angular?.cutoffA ?? '-'} Å), MLP ${bpConfig.hidden.join('-')} ${bpConfig.activation}, trained ${EPOCHS} epochs`;
    models.push({ type, ...(await trained('bpnn', bpConfig, EPOCHS)), label });
  } else if (type === 'painn') {
    const c = painnConfig;
    const label = `painn F ${c.features}, K ${c.radialBasis}, ${c.layers} blocks, rc ${c.cutoffA} Å, head ${c.headHidden.join('-')} ${c.activation}, trained ${PAINN_EPOCHS} epochs`;
    models.push({ type, ...(await trained('painn', c, PAINN_EPOCHS)), label });
  } else throw new Error(`--models: unknown model "${type}" (bpnn, painn)`);
  console.log(`model ${models[models.length - 1].label} (prepared in ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
}
console.log(`bench/mlmd: NVE velocity Verlet, dt 1 fs, Si diamond at 300 K`);
console.log(`machine: ${cpus().length} x ${cpuModel}, node ${process.version}; load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);

interface Result {
  steps: number;
  wallS: number;
  cpuS: number;
  e0Ev: number;
}

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

function system(n: number) {
  const reps = Math.round(Math.cbrt(n / 8));
  const sys = diamondSilicon(reps, { seed: 7 });
  const masses = new Float64Array(n).fill(MASS_SI);
  const velocities = maxwellBoltzmannVelocities(masses, 300, createRng(11 + n));
  return { sys, masses, velocities };
}

function runOurs(calc: Calculator, n: number, warmup: number, maxSteps: number): Result {
  const { sys, masses, velocities } = system(n);
  const integ = velocityVerlet(calc, { dtFs: 1 });
  const state = integ.init({ ...sys, massesAmu: masses, velocitiesAPerFs: velocities });
  const e0Ev = state.potentialEnergyEv;
  for (let s = 0; s < warmup; s++) integ.step(state);
  let steps = 0;
  const t0 = performance.now(), c0 = cpuNow();
  while (steps < maxSteps && (steps < 2 || performance.now() - t0 < MIN_S * 1000)) {
    integ.step(state);
    steps++;
  }
  return { steps, wallS: (performance.now() - t0) / 1000, cpuS: cpuNow() - c0, e0Ev };
}

function runTorch(saved: SavedModel, n: number, dtype: 'float32' | 'float64'): Result | null {
  const { sys, masses, velocities } = system(n);
  const dir = mkdtempSync(join(tmpdir(), 'atomforge-mlmd-'));
  const plain = (a: ArrayLike<number>) => Array.from(a);
  const doc = {
    model: { ...saved, weights: saved.weights.map((w) => ({ ...w, data: plain(w.data) })), buffers: saved.buffers.map((b) => ({ ...b, data: plain(b.data) })) },
    runs: [{ name: `${n}`, symbols: Array(n).fill('Si'), positions: plain(sys.positionsA), velocities: plain(velocities), masses: plain(masses), cell: plain(sys.cellA!), dtFs: 1, skinA: 1, dtype, warmup: 1, maxSteps: 1000, minSeconds: MIN_S }],
  };
  writeFileSync(join(dir, 'run.json'), JSON.stringify(doc));
  // glibc: keep freed memory in the heap (PyTorch allocates per op; fresh pages are slow to fault in some VMs)
  const env = { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', MALLOC_MMAP_THRESHOLD_: '33554432', MALLOC_TRIM_THRESHOLD_: '1073741824', MALLOC_TOP_PAD_: '268435456' };
  const r = spawnSync(process.env.PYTHON ?? '/usr/bin/python3', [join(ROOT, 'bench', 'mlmd_torch.py'), join(dir, 'run.json')], { env, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) {
    console.log(`PyTorch failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-3).join(' | ')}`);
    return null;
  }
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  torchVersion = String(out.torch ?? torchVersion).split('+')[0];
  return { steps: out.steps, wallS: out.loop_s, cpuS: out.cpu_s, e0Ev: out.e0_ev };
}

/** The PyTorch version mlmd_torch.py reports (Debian python3-torch: 1.13). */
let torchVersion = '?';
const LABEL: Record<string, string> = {
  fast: 'ours fast (f64, wasm SIMD)',
  fastTs: 'ours fast (f64, TypeScript)',
  tfjs: `tfjs graph (f32, ${TFJS_BACKEND})`,
  get torch32() { return `PyTorch ${torchVersion} (f32, 1 thread)`; },
  get torch64() { return `PyTorch ${torchVersion} (f64, 1 thread)`; },
};

const json: Record<string, unknown>[] = [];
for (const m of models) {
  console.log(`\n=== ${m.label}`);
  for (const n of SIZES) {
    const rows: Record<string, Result> = {};
    const best = (key: string, r: Result | null) => {
      if (r && (!rows[key] || r.steps / r.wallS > rows[key].steps / rows[key].wallS)) rows[key] = r;
    };
    for (let rep = 0; rep < REPEATS; rep++) {
      if (CODES.includes('fast')) best('fast', runOurs(fastModelCalculator(m.saved, { kernel: 'wasm' })!, n, 5, 100000));
      if (CODES.includes('fastTs')) best('fastTs', runOurs(fastModelCalculator(m.saved, { kernel: 'ts' })!, n, 3, 100000));
      if (CODES.includes('tfjs') && (rep === 0 || n <= 512)) best('tfjs', runOurs(modelCalculator(m.model), n, 1, n >= 4096 ? 2 : 1000));
      if (CODES.includes('torch')) {
        best('torch32', runTorch(m.saved, n, 'float32'));
        if (rep === 0 || n <= 512) best('torch64', runTorch(m.saved, n, 'float64'));
      }
    }
    const fast = rows.fast;
    console.log(`\n${m.type}, ${n} atoms (${REPEATS} rounds, best):`);
    console.log(`  ${'code'.padEnd(30)} ${'atom-steps/s'.padStart(13)} ${'(CPU time)'.padStart(12)} ${'steps'.padStart(6)} ${'fast ×'.padStart(8)} ${'(CPU)'.padStart(7)} ${'E0 eV/atom'.padStart(16)}`);
    for (const [key, r] of Object.entries(rows)) {
      const rate = (n * r.steps) / r.wallS, cpuRate = (n * r.steps) / r.cpuS;
      const ratio = fast && key !== 'fast' ? ((n * fast.steps) / fast.wallS / rate).toFixed(2) : '';
      const cpuRatio = fast && key !== 'fast' ? ((n * fast.steps) / fast.cpuS / cpuRate).toFixed(2) : '';
      console.log(`  ${LABEL[key].padEnd(30)} ${rate.toFixed(0).padStart(13)} ${cpuRate.toFixed(0).padStart(12)} ${String(r.steps).padStart(6)} ${ratio.padStart(8)} ${cpuRatio.padStart(7)} ${(r.e0Ev / n).toFixed(9).padStart(16)}`);
    }
    json.push({ model: m.type, atoms: n, ...Object.fromEntries(Object.entries(rows).flatMap(([k, r]) => [[`${k}_atom_steps_per_s`, (n * r.steps) / r.wallS], [`${k}_atom_steps_per_cpu_s`, (n * r.steps) / r.cpuS]])) });
  }
}
console.log(`\nload average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log('(fast × = our fast path\'s atom-steps/s over that code\'s, by wall time and by CPU time; PyTorch excludes its neighbour-list rebuilds)');
if (args.includes('--json')) console.log(JSON.stringify(json));
for (const m of models) m.model.dispose();
