// Soak test (issue 9; not CI): long training and MD, watching for leaks and a stalled host.
//
//   node --expose-gc --import tsx bench/soak.ts [--seconds 60] [--sample-s 5]   (long run: --seconds 3600)
//
// (--expose-gc lets the heap be sampled after a full collection; without it heap figures are noisier.)
//
// Phase 1 (host): a Backend with real worker threads runs three jobs at once, one training run
// (BPNN on 8 Si frames) and two MD runs (64-atom Si, Stillinger-Weber, NVE and Langevin), while
// the host's main thread, the one that serves the UI, measures its event-loop delay
// (perf_hooks.monitorEventLoopDelay) and the round trip of an API call (app.info) every 100 ms.
// RSS (the whole process: main thread and all workers), the main heap and the jobs' progress are
// sampled every --sample-s seconds.
// Phase 2 (tensors): the same training in this thread, tf.memory().numTensors and heap sampled
// after every epoch (a leak of one tensor per step shows as a steady climb).
// Each phase lasts --seconds; --phase host|tensors runs one of them (two processes can run both at once). Printed: per-sample table, then the first-half vs second-half
// means of RSS, heap and tensors (flat = ratio near 1), lag percentiles, and job throughput.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createTestHost, ROOT } from '../test-support/hostHarness';
import { readFramesFromPath } from '../src-main/node/readFile';
import { runTrainJob } from '../src-main/ml/trainJob';
import { tfNode } from '../src-main/ml/tfNode';
import type { MdRunInfo, TrainRunInfo } from '../src-shared/protocol/api';

function parseArgs(argv: string[]) {
  const a = { seconds: 60, sampleS: 5, phase: 'both' as 'both' | 'host' | 'tensors' };
  for (let i = 0; i < argv.length; i++) {
    const v = Number(argv[i + 1]);
    if (argv[i] === '--seconds') a.seconds = v;
    else if (argv[i] === '--sample-s') a.sampleS = v;
    else if (argv[i] === '--phase' && ['both', 'host', 'tensors'].includes(argv[i + 1])) a.phase = argv[i + 1] as typeof a.phase;
    else throw new Error(`unknown option ${argv[i]} ${argv[i + 1] ?? ''}; usage: bench/soak.ts [--seconds S] [--sample-s S] [--phase both|host|tensors]`);
    i++;
  }
  if (!(a.seconds > 0 && a.sampleS > 0)) throw new Error('--seconds and --sample-s must be > 0');
  return a;
}

const MB = 2 ** 20;
/** Event-loop delay sampling interval; the histogram holds interval + delay, so this is subtracted. */
const RES_MS = 10;
const excess = (h: { percentile(p: number): number }, p: number) => Math.max(0, h.percentile(p) / 1e6 - RES_MS);
/** Heap in use after a full collection when --expose-gc is on. */
function heapMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / MB;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
/** Second-half mean / first-half mean (samples after the first, warm-up, one). */
function drift(xs: number[]): number {
  const w = xs.slice(1);
  const h = Math.floor(w.length / 2);
  return h >= 1 ? mean(w.slice(w.length - h)) / mean(w.slice(0, h)) : NaN;
}

const DATA = join(ROOT, 'fixtures/uncertainty/si_mlearn_8.xyz');
const MODEL = { hidden: [8], symmetryFunctions: { cutoffA: 4.2, radial: [{ etaPerA2: 0, rsA: 0 }, { etaPerA2: 4, rsA: 2.3 }, { etaPerA2: 2, rsA: 3.5 }] } };
const SPLIT = { method: 'random' as const, validFraction: 0.25, seed: 0 };

async function hostPhase(seconds: number, sampleS: number) {
  const { b, conn, events } = createTestHost();
  const ds = await b.dispatch('dataset.open', { jobId: 'd', source: { kind: 'path', path: DATA } }, conn);
  console.log(`  machine: ${cpus().length} CPUs, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const ex = await b.dispatch('dataset.open', { jobId: 'e', source: { kind: 'example' } }, conn);
  const md = (runId: string, integrator: 'nve' | 'langevin', params: Record<string, number>) =>
    b.dispatch('md.start', { runId, datasetId: ex.id, frameIndex: 9, potential: { spec: 'sw:bundled:Si_StillingerWeber1985.sw' }, settings: { integrator, params, steps: 1e8, seed: 1, initialTemperatureK: 300, thermoStride: 100, frameStride: 10_000 } }, conn);
  // Reference: the same measurement with no job running (the machine's own noise), same script.
  const idle = monitorEventLoopDelay({ resolution: RES_MS });
  idle.enable();
  const idlePings: number[] = [];
  for (const t1 = performance.now() + Math.min(15, seconds / 4) * 1000; performance.now() < t1; ) {
    const p0 = performance.now();
    await b.dispatch('app.info', {}, conn);
    idlePings.push(performance.now() - p0);
    await sleep(100);
  }
  idle.disable();
  const lag = monitorEventLoopDelay({ resolution: RES_MS });
  lag.enable();
  await b.dispatch('train.start', { runId: 'soak-train', datasetId: ds.id, modelType: 'bpnn', modelConfig: MODEL, train: { maxEpochs: 1e6, checkpointEvery: 10, batchAtoms: 64, earlyStopping: null }, split: SPLIT, backend: 'cpu' }, conn);
  await md('soak-nve', 'nve', { dtFs: 1 });
  await md('soak-langevin', 'langevin', { dtFs: 1, temperatureK: 300, frictionPerFs: 0.01 });
  // Warm-up: the workers load their modules (tsx compiles them) before the clock starts.
  const w0 = performance.now();
  const running = () => (b.train.list().find((r) => r.runId === 'soak-train')?.epoch ?? 0) >= 1 && b.md.list().every((r) => r.step > 0);
  while (!running()) {
    if (performance.now() - w0 > 300_000) throw new Error('the jobs did not start within 300 s');
    await sleep(200);
  }
  console.log(`  warm-up (workers loading): ${((performance.now() - w0) / 1000).toFixed(0)} s`);
  lag.reset();
  const start = { epoch: b.train.list().find((r) => r.runId === 'soak-train')!.epoch, mdSteps: b.md.list().reduce((s, r) => s + r.step, 0) };
  let failures = 0;
  const pings: number[] = [];
  const samples: { t: number; rssMb: number; heapMb: number; epoch: number; mdSteps: number; lagP99Ms: number }[] = [];
  const t0 = performance.now();
  let nextSample = 0;
  while (performance.now() - t0 < seconds * 1000) {
    const p0 = performance.now();
    await b.dispatch('app.info', {}, conn);
    pings.push(performance.now() - p0);
    const t = (performance.now() - t0) / 1000;
    if (t >= nextSample) {
      nextSample += sampleS;
      // The harness logs every event; count failures and drop the log so that it does not grow.
      failures += events.filter((e) => (e.event === 'train.status' || e.event === 'md.status') && (e.payload as { state: string }).state === 'failed').length;
      events.length = 0;
      const tr = b.train.list().find((r) => r.runId === 'soak-train') as TrainRunInfo | undefined;
      const mdSteps = b.md.list().reduce((s, r: MdRunInfo) => s + r.step, 0);
      samples.push({ t, rssMb: process.memoryUsage.rss() / MB, heapMb: heapMb(), epoch: (tr?.epoch ?? 0) - start.epoch, mdSteps: mdSteps - start.mdSteps, lagP99Ms: excess(lag, 99) });
      const s = samples[samples.length - 1];
      console.log(`  t ${s.t.toFixed(0).padStart(5)} s  RSS ${s.rssMb.toFixed(0).padStart(5)} MB  main heap ${s.heapMb.toFixed(1).padStart(6)} MB  epoch ${String(s.epoch).padStart(5)}  MD steps ${String(s.mdSteps).padStart(8)}  lag p99 so far ${s.lagP99Ms.toFixed(1)} ms`);
    }
    await sleep(100);
  }
  lag.disable();
  const states = [b.train.list().find((r) => r.runId === 'soak-train')?.state, ...b.md.list().map((r) => r.state)];
  failures += events.filter((e) => (e.event === 'train.status' || e.event === 'md.status') && (e.payload as { state: string }).state === 'failed').length;
  await b.dispatch('train.control', { runId: 'soak-train', action: 'stop' }, conn);
  for (const r of b.md.list()) await b.dispatch('md.control', { runId: r.runId, action: 'stop' }, conn);
  await sleep(1000);
  const last = samples[samples.length - 1];
  const wall = last.t || 1;
  return {
    seconds: wall,
    rssDrift: drift(samples.map((s) => s.rssMb)),
    heapDrift: drift(samples.map((s) => s.heapMb)),
    rssFirstMb: samples[1]?.rssMb ?? samples[0].rssMb,
    rssLastMb: last.rssMb,
    lagP50Ms: excess(lag, 50),
    lagP99Ms: excess(lag, 99),
    lagMaxMs: lag.max / 1e6 - RES_MS,
    idleLagP50Ms: excess(idle, 50),
    idleLagP99Ms: excess(idle, 99),
    idlePingP99Ms: pct(idlePings, 99),
    pingP50Ms: pct(pings, 50),
    pingP99Ms: pct(pings, 99),
    epochsPerS: last.epoch / wall,
    mdStepsPerS: last.mdSteps / wall,
    statesWhileRunning: states,
    failures,
    b,
  };
}

async function tensorPhase(seconds: number) {
  const frames = await readFramesFromPath(DATA);
  if ('error' in frames || !frames.result.ok) throw new Error(`cannot read ${DATA}`);
  const { tf } = await tfNode('cpu');
  const dir = mkdtempSync(join(tmpdir(), 'atomforge-soak-'));
  const tensors: number[] = [];
  const heap: number[] = [];
  let epochs = 0;
  const t0 = performance.now();
  try {
    const r = await runTrainJob(
      { runId: 'soak', runDir: dir, label: 'soak', datasetName: 'si8', frames: frames.result.frames, settings: { modelType: 'bpnn', modelConfig: MODEL, train: { maxEpochs: 1e6, checkpointEvery: 10, batchAtoms: 64, earlyStopping: null }, split: SPLIT, backend: 'cpu', maxMinutes: seconds / 60 } },
      {
        log: () => {},
        onEpoch: () => {
          epochs++;
          tensors.push(tf.memory().numTensors);
          heap.push(heapMb());
        },
      },
    );
    if (r.state === 'failed') throw new Error(`training failed: ${r.message}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const wall = (performance.now() - t0) / 1000;
  return { seconds: wall, epochs, tensorsFirst: tensors[1] ?? tensors[0], tensorsLast: tensors[tensors.length - 1], tensorsMax: Math.max(...tensors), tensorDrift: drift(tensors), heapDrift: drift(heap), heapFirstMb: heap[1] ?? heap[0], heapLastMb: heap[heap.length - 1] };
}

async function main() {
  const a = parseArgs(process.argv.slice(2));
  console.log(`soak: ${a.seconds} s per phase, samples every ${a.sampleS} s, node ${process.version}`);
  let failures = 0;
  if (a.phase !== 'tensors') {
  console.log('phase 1: host with 1 training + 2 MD runs in worker threads');
  const h = await hostPhase(a.seconds, a.sampleS);
  console.log(`  ${h.seconds.toFixed(0)} s; jobs ${h.statesWhileRunning.join(', ')}; failures ${h.failures}`);
  console.log(`  RSS ${h.rssFirstMb.toFixed(0)} -> ${h.rssLastMb.toFixed(0)} MB (second/first half ${h.rssDrift.toFixed(3)}), main heap second/first half ${h.heapDrift.toFixed(3)}`);
  console.log(`  event-loop delay with 3 jobs: p50 ${h.lagP50Ms.toFixed(1)} ms, p99 ${h.lagP99Ms.toFixed(1)} ms, max ${h.lagMaxMs.toFixed(1)} ms; app.info round trip p50 ${h.pingP50Ms.toFixed(2)} ms, p99 ${h.pingP99Ms.toFixed(2)} ms`);
  console.log(`  reference, no job running (same script, before the jobs): delay p50 ${h.idleLagP50Ms.toFixed(1)} ms, p99 ${h.idleLagP99Ms.toFixed(1)} ms; app.info p99 ${h.idlePingP99Ms.toFixed(2)} ms; p99 ratio jobs/idle ${(h.lagP99Ms / Math.max(h.idleLagP99Ms, 0.1)).toFixed(2)}`);
  console.log(`  throughput: ${h.epochsPerS.toFixed(2)} epochs/s, ${h.mdStepsPerS.toFixed(0)} MD steps/s (2 runs, 64 atoms)`);
  h.b.dispose();
  failures = h.failures;
  }
  if (a.phase !== 'host') {
  console.log('phase 2: training in this thread, tensors per epoch');
  const t = await tensorPhase(a.seconds);
  console.log(`  ${t.seconds.toFixed(0)} s, ${t.epochs} epochs; live tensors ${t.tensorsFirst} -> ${t.tensorsLast} (max ${t.tensorsMax}, second/first half ${t.tensorDrift.toFixed(3)}); heap ${t.heapFirstMb.toFixed(1)} -> ${t.heapLastMb.toFixed(1)} MB (second/first half ${t.heapDrift.toFixed(3)})`);
  }
  process.exit(failures ? 1 : 0);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(2);
});
