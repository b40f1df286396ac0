// Training throughput of the Behler-Parrinello model (src-shared/ml) against the same model written
// in PyTorch (bench/train_torch.py), measured in the same run on the same data, batches, initial
// weights, loss (energy + forces + stress, forces by double backward), Adam with clipping, and
// one thread. Printed as ms per epoch, steps/s, and the ratio to PyTorch, per tfjs backend.
//
// Data: the first --frames structures of ../shared/data/mlearn_Zuo2020/Si_train.xyz (DFT, 64-atom
// cells). Model: 9 radial + 16 angular (G4) symmetry functions, rc = 5 Å (angular 3.5 Å), MLP
// 25-16-16-1 tanh. Batches: fixed, --batch-atoms atoms each, in file order (the same list is sent to
// PyTorch). "fixed" times the bare loop (batch tensors made per step, as the trainer does);
// "trainer" times createTrainer epochs (seeded reshuffle, batch assembly, no validation): the best of
// 2 after --warmup epochs.
// The initial loss on the first batch is printed by both codes as a check that the models agree.
// On cpu and wasm the symmetry functions run as fused kernels (models/symmetryFunctionsKernel.ts);
// --path graph forces the plain tf graph (what other backends use) for comparison.
//
// Timing: the best of --epochs epochs after --warmup untimed ones (default 3: the fused path's float64
// JavaScript reaches V8's optimising tier only after a few epochs of 4 steps); PyTorch runs in a child process and its epochs alternate with
// ours (one PyTorch epoch after each of ours), so a busy machine slows both alike.
//
// Fused loss (src-shared/ml/train/bpFusedGrad.ts): for bpnn on cpu and wasm a second row per backend,
// "fused f64", times the loss and its gradient computed in float64 JavaScript (no tf ops) with the
// gradients applied by the same tfjs Adam; the trainer takes this path by default there. The graph
// row times tf.variableGrads of the tfjs loss, its trainer column with the graph path forced.
// --loss-path both|graph|fused picks the rows (default both).
//
// --model painn times the PaiNN model instead (models/painn.ts; --painn-config '{"features":16}' over its
// defaults F=32, K=16, L=2, rc=5 Å); it has no PyTorch twin, so compare it with a bpnn run on the same data.
//
// Backends (issue 10): --backends present (the default) times every backend that starts on this
// machine, side by side: tensorflow (tfjs-node, where installed; CUDA with tfjs-node-gpu), webgpu
// (the Dawn Node binding, where it finds a GPU adapter), wasm, cpu; the ones missing are listed
// with the reason, and "x wasm" gives each against wasm. Reads are asynchronous (webgpu has no
// synchronous read in Node), so every epoch ends when the device has finished it.
//
// Run: npx tsx bench/train.ts [--frames 40] [--batch-atoms 256] [--epochs 3] [--backends present|cpu,wasm,webgpu,tensorflow] [--path auto|graph] [--loss-path both|graph|fused] [--warmup 3] [--no-torch] [--model bpnn|painn]
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import * as tfWasm from '@tensorflow/tfjs-backend-wasm';
import { extxyzFormat } from '../src-shared/io/formats/extxyz';
import { readText } from '../src-shared/io/read';
import { planBatches, type HostBatch } from '../src-shared/ml/data/batch';
import { createGraphCache } from '../src-shared/ml/data/graph';
import { makeBatch, prepareTrainingData } from '../src-shared/ml/data/trainingData';
import { createModel, modelType } from '../src-shared/ml/models/registry';
import { defaultSymmetryFunctions } from '../src-shared/ml/models/symmetryFunctions';
import { setSymmetryFunctionPath, type SymmetryFunctionPath } from '../src-shared/ml/models/symmetryFunctionsKernel';
import { ALL_BACKENDS, describeBackend, initBackend, type BackendName } from '../src-shared/ml/tf/backend';
import { nodeWebgpu } from '../src-main/ml/tfNode';
import type { Tensor } from '../src-shared/ml/tf/types';
import { encodeWithArrays } from '../src-shared/ml/train/checkpoint';
import { batchLoss, trainBatchTensors } from '../src-shared/ml/train/loss';
import { createOptimizer } from '../src-shared/ml/train/optimizer';
import { createTrainer, defaultTrainConfig } from '../src-shared/ml/train/trainer';
import { createBpFusedLoss, setTrainLossPath, trainLossPath, type TrainLossPath } from '../src-shared/ml/train/bpFusedGrad';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const k = args.indexOf(`--${name}`);
  return k >= 0 ? args[k + 1] : def;
};
const FRAMES = Number(opt('frames', '40'));
const BATCH_ATOMS = Number(opt('batch-atoms', '256'));
const EPOCHS = Number(opt('epochs', '3'));
const WARMUP = Math.max(1, Number(opt('warmup', '3')));
const BACKENDS_OPT = opt('backends', 'present');
const BACKENDS = (BACKENDS_OPT === 'present' ? ALL_BACKENDS : BACKENDS_OPT.split(',')) as BackendName[];
for (const b of BACKENDS) if (!ALL_BACKENDS.includes(b)) throw new Error(`--backends: unknown backend ${b} (known: ${ALL_BACKENDS.join(', ')}, or present)`);
const MODEL = opt('model', 'bpnn');
if (MODEL !== 'bpnn' && MODEL !== 'painn') throw new Error(`--model must be bpnn or painn, got ${MODEL}`);
const TORCH = !args.includes('--no-torch') && MODEL === 'bpnn';
setSymmetryFunctionPath(opt('path', 'auto') as SymmetryFunctionPath);
const LOSS_PATHS = opt('loss-path', 'both');
if (!['both', 'graph', 'fused'].includes(LOSS_PATHS)) throw new Error(`--loss-path must be both, graph or fused, got ${LOSS_PATHS}`);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DATA = opt('data', join(ROOT, '..', 'shared', 'data', 'mlearn_Zuo2020', 'Si_train.xyz'));

const read = readText(extxyzFormat, readFileSync(DATA, 'utf8'), { fileName: DATA });
if (!read.ok) throw new Error(`cannot read ${DATA}: ${read.error.message}`);
const frames = read.frames.slice(0, FRAMES);
const all = frames.map((_, k) => k);
const data = prepareTrainingData(frames, { split: { method: 'indices', train: all, valid: [] } });
const bpConfig = { symmetryFunctions: defaultSymmetryFunctions({ cutoffA: 5.0, angularCutoffA: 3.5, nRadial: 8, nAngularEta: 2 }), hidden: [16, 16], activation: 'tanh' };
const modelConfig = MODEL === 'painn' ? modelType('painn').parseConfig(JSON.parse(opt('painn-config', '{}'))) : bpConfig;
const spec = modelType(MODEL).graphSpec(modelType(MODEL).parseConfig(modelConfig));
let t0 = performance.now();
const graphs = createGraphCache(frames, spec);
for (const k of all) graphs.get(k);
const graphMs = performance.now() - t0;
const plan = planBatches(all, (k) => frames[k].numbers.length, BATCH_ATOMS);
const hosts: HostBatch[] = plan.map((idx) => makeBatch(data, graphs, idx));
const lossWeights = { energy: 1, forces: 1, stress: 0.1 };
const optimizer = { type: 'adam' as const, lr: 1e-3, clipGradNorm: 10 };
const atoms = hosts.reduce((s, h) => s + h.nAtoms, 0);
const edges = hosts.reduce((s, h) => s + h.edgeI.length, 0);
const triplets = hosts.reduce((s, h) => s + h.tripletA.length, 0);

console.log(`bench/train: ${frames.length} frames of ${DATA.split('/').slice(-2).join('/')} (${atoms} atoms, ${edges} edges, ${triplets} triplets), ${hosts.length} batches of <= ${BATCH_ATOMS} atoms`);
if (MODEL === 'painn') console.log(`model painn: ${JSON.stringify(modelConfig)}; loss E + F + 0.1 S; Adam lr 1e-3, clip 10`);
else console.log(`model bpnn: ${bpConfig.symmetryFunctions.radial.length} radial + ${16} angular functions, rc ${spec.cutoffA} Å (angular ${spec.triplets?.cutoffA} Å), MLP [25, 16, 16, 1] tanh; loss E + F + 0.1 S; Adam lr 1e-3, clip 10; descriptor path ${opt('path', 'auto')}`);
console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}; graphs (neighbour lists + triplets) built once in ${graphMs.toFixed(0)} ms`);

function makeModel() {
  return createModel(tf, MODEL, modelConfig, {
    species: data.species,
    e0: data.e0,
    scales: data.scales,
    seed: 1,
    trainingGraphs: function* () {
      for (const k of all) yield { graph: graphs.get(k), species: data.atomSpecies[k] };
    },
  });
}

interface Row {
  name: string;
  msPerEpoch: number;
  stepsPerS: number;
  firstLoss?: number;
  trainerMsPerEpoch?: number;
  torchMsPerEpoch?: number;
  cpuMsPerEpoch?: number;
  torchCpuMsPerEpoch?: number;
}
const rows: Row[] = [];

/** PyTorch in a child process, one epoch per request, so that its epochs alternate with ours. */
interface TorchDriver {
  head: { torch: string; threads: number; first_batch_loss: number };
  epoch(): Promise<{ ms: number; cpuMs: number }>;
  close(): void;
}

async function startTorch(): Promise<TorchDriver | null> {
  const dir = mkdtempSync(join(tmpdir(), 'atomforge-bench-train-'));
  const model = makeModel();
  const exp = { model: model.save(), batches: hosts, loss: lossWeights, optimizer };
  model.dispose();
  const { json, bin } = encodeWithArrays(exp);
  writeFileSync(join(dir, 'bench.json'), json);
  writeFileSync(join(dir, 'bench.bin'), bin);
  const child = spawn(process.env.PYTHON ?? '/usr/bin/python3', [join(ROOT, 'bench', 'train_torch.py'), dir], { env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const r = await lines.next();
    if (r.done) throw new Error(`PyTorch exited: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
    return JSON.parse(r.value);
  };
  try {
    const head = await next();
    return {
      head,
      async epoch() {
        child.stdin.write('epoch\n');
        const r = await next();
        return { ms: r.ms as number, cpuMs: r.cpu_ms as number };
      },
      close: () => child.stdin.end('quit\n'),
    };
  } catch (e) {
    console.log(String(e));
    return null;
  }
}

await initBackend(tf, { prefer: 'cpu' }); // the export model needs some backend
const torch = TORCH ? await startTorch() : null;
const torchTimes: number[] = [];
const torchCpu: number[] = [];
/** CPU time of this process in ms (user + system): steadier than wall time on a shared machine. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const missing: string[] = [];
for (const backend of BACKENDS) {
  let report;
  try {
    report = await initBackend(tf, {
      prefer: backend,
      loadTensorflow: () => {
        const name = '@tensorflow/tfjs-node';
        return import(name);
      },
      wasm: { setWasmPaths: tfWasm.setWasmPaths, pathPrefix: join(ROOT, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist') + '/' },
      webgpu: nodeWebgpu(),
    });
  } catch (e) {
    missing.push(`${backend}: ${String(e instanceof Error ? e.message : e).split('\n')[0]}`);
    continue;
  }
  if (report.backend !== backend) {
    missing.push(`${backend}: ${report.attempts[0].error}`);
    continue;
  }
  console.log(`backend ${describeBackend(report)}`);
  const name = `tfjs ${report.backend}${report.adapter ? ` (${report.adapter})` : ''}`.slice(0, 28);
  const fusedHere = MODEL === 'bpnn' && (report.backend === 'cpu' || report.backend === 'wasm');
  if (LOSS_PATHS !== 'fused' || !fusedHere) rows.push(await timeBackend(name, 'graph'));
  if (LOSS_PATHS !== 'graph' && fusedHere) rows.push(await timeBackend(`fused f64 + ${report.backend} Adam`, 'fused'));
}

/** Best-of-EPOCHS timing of one loss path on the active backend (PyTorch epochs interleaved), and the trainer on it. */
async function timeBackend(name: string, path: Exclude<TrainLossPath, 'auto'>): Promise<Row> {
  const model = makeModel();
  const vars = model.variables.map((v) => v.variable);
  const fused = path === 'fused' ? createBpFusedLoss(model, data.atomSpecies, graphs) : null;
  let firstLoss: number;
  if (fused) firstLoss = fused.evaluate(hosts[0], lossWeights, data.scales, { gradient: false }).loss.total;
  else {
    const lossT = tf.tidy(() => batchLoss(model, trainBatchTensors(model, hosts[0]), lossWeights, data.scales).total);
    firstLoss = (await lossT.data())[0];
    lossT.dispose();
  }
  const adam = createOptimizer(tf, model.variables, optimizer);
  const epoch = async () => {
    let last: Tensor | null = null;
    for (const h of hosts) {
      last?.dispose();
      if (fused) {
        const r = fused.evaluate(h, lossWeights, data.scales);
        const list = tf.tidy(() => r.grads.map((g, k) => tf.tensor(Float32Array.from(g), vars[k].shape)));
        last = adam.apply(list, optimizer.lr);
        tf.dispose(list);
        continue;
      }
      last = tf.tidy(() => {
        const b = trainBatchTensors(model, h);
        const { grads } = tf.variableGrads(() => batchLoss(model, b, lossWeights, data.scales).total, vars);
        return adam.apply(model.variables.map((v) => grads[v.variable.name] as Tensor), optimizer.lr);
      });
    }
    await last?.data(); // the device has finished the epoch
    last?.dispose();
  };
  for (let e = 0; e < WARMUP; e++) await epoch(); // warm-up (kernel compilation, JIT tiers, the fused path's descriptor cache)
  const times: number[] = [], cpu: number[] = [];
  const paired: number[] = [], pairedCpu: number[] = [];
  for (let e = 0; e < EPOCHS; e++) {
    t0 = performance.now();
    const c0 = cpuMs();
    await epoch();
    times.push(performance.now() - t0);
    cpu.push(cpuMs() - c0);
    if (torch) {
      const r = await torch.epoch();
      paired.push(r.ms);
      pairedCpu.push(r.cpuMs);
    }
  }
  adam.dispose();
  torchTimes.push(...paired);
  torchCpu.push(...pairedCpu);
  const ms = Math.min(...times);
  // the trainer on the same data and loss path: reshuffled batches assembled per step, no validation
  const before = trainLossPath();
  setTrainLossPath(path);
  const trainer = createTrainer({ model, data, graphs, config: { ...defaultTrainConfig(), maxEpochs: WARMUP + 2, batchAtoms: BATCH_ATOMS, loss: lossWeights, optimizer, emaDecay: 0, earlyStopping: null, checkpointEvery: 0 } });
  const epochMs: number[] = [];
  await trainer.run({ onEpoch: (e) => epochMs.push(e.ms) });
  setTrainLossPath(before);
  trainer.dispose();
  model.dispose();
  return { name, msPerEpoch: ms, stepsPerS: hosts.length / (ms / 1000), firstLoss, trainerMsPerEpoch: Math.min(...epochMs.slice(WARMUP)), torchMsPerEpoch: paired.length ? Math.min(...paired) : undefined, cpuMsPerEpoch: Math.min(...cpu), torchCpuMsPerEpoch: pairedCpu.length ? Math.min(...pairedCpu) : undefined };
}
torch?.close();
const torchRow: Row | null = torch
  ? { name: `PyTorch ${torch.head.torch} (${torch.head.threads} thread)`, msPerEpoch: Math.min(...torchTimes), stepsPerS: hosts.length / (Math.min(...torchTimes) / 1000), firstLoss: torch.head.first_batch_loss, cpuMsPerEpoch: Math.min(...torchCpu) }
  : null;

const fmt = (x: number, d = 1) => x.toFixed(d).padStart(9);
const wasmRow = rows.find((r) => r.name.startsWith('tfjs wasm'));
console.log('\n' + ['code'.padEnd(28), 'ms/epoch'.padStart(9), 'steps/s'.padStart(9), 'x wasm'.padStart(7), 'x PyTorch'.padStart(10), 'CPU ms/epoch'.padStart(13), 'x PyTorch'.padStart(10), 'trainer ms/epoch'.padStart(17), 'loss(batch 0, init)'.padStart(20)].join(' '));
for (const r of [...rows, ...(torchRow ? [torchRow] : [])]) {
  const ratio = r.torchMsPerEpoch ? (r.msPerEpoch / r.torchMsPerEpoch).toFixed(2).padStart(10) : ''.padStart(10);
  const cpuRatio = r.torchCpuMsPerEpoch && r.cpuMsPerEpoch ? (r.cpuMsPerEpoch / r.torchCpuMsPerEpoch).toFixed(2).padStart(10) : ''.padStart(10);
  const vsWasm = wasmRow ? (wasmRow.msPerEpoch / r.msPerEpoch).toFixed(2).padStart(7) : ''.padStart(7);
  console.log([r.name.padEnd(28), fmt(r.msPerEpoch), fmt(r.stepsPerS, 2), vsWasm, ratio, (r.cpuMsPerEpoch ? fmt(r.cpuMsPerEpoch) : '').padStart(13), cpuRatio, (r.trainerMsPerEpoch ? fmt(r.trainerMsPerEpoch) : '').padStart(17), (r.firstLoss?.toPrecision(7) ?? '').padStart(20)].join(' '));
}
console.log('(x PyTorch = our best epoch / the best of the PyTorch epochs run alternately with ours, by wall time and by');
console.log(' process CPU time (steadier on a shared machine): < 1 is faster.');
console.log(' x wasm = wasm ms/epoch / this backend\'s: > 1 is faster than wasm; ms/epoch and steps/s are the best of --epochs epochs)');
for (const m of missing) console.log(`not on this machine: ${m}`);
