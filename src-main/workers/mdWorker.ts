// MD worker thread: builds the calculator from its spec, runs an MD job (src-shared/md/job.ts),
// appends the trajectory (extended XYZ) and thermo rows (CSV) to the run folder as it goes, and
// streams thermo batches and the latest frame to the host. Pause, resume and stop arrive as
// messages between batches. Also runs the time-step study (short NVE runs at several dt).
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import type { Frame } from '../../src-shared/atoms/frame';
import { calculatorFromSpec } from '../../src-shared/potentials/registry';
import { runMdJob, type ThermoSample } from '../../src-shared/md/job';
import { timestepStudy } from '../../src-shared/md/timestepStudy';
import type { MdState } from '../../src-shared/md/state';
import type { ThermoColumns } from '../../src-shared/protocol/api';
import { ThermoWriter, TrajectoryWriter } from '../node/runFiles';
import { msdOfFrames, rdfOfFrames } from '../../src-shared/analysis/trajectoryAnalysis';
import { runAudit } from '../../src-shared/audits/runAudit';
import { driftStudy } from '../../src-shared/md/driftStudy';
import { noisyForcesCalculator, rotatedForcesCalculator } from '../../src-shared/md/forceVariants';
import type { FromMdWorker, ToMdWorker, WorkerPotential, WorkerSystem } from './mdMessages';
import type { Calculator } from '../../src-shared/calculators/calculator';
import { CommitteeWatch, committeeFromFiles } from '../ml/committeeMd';

if (!parentPort) throw new Error('mdWorker must run in a worker thread');
const port = parentPort;
const post = (m: FromMdWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

let stopRequested = false;
let paused = false;
let resumeWaiters: (() => void)[] = [];

const THERMO_KEYS = ['step', 'timeFs', 'epotEv', 'ekinEv', 'etotEv', 'temperatureK', 'pressureGpa', 'conservedEv'] as const;

function columns(rows: ThermoSample[]): ThermoColumns {
  const out = {} as ThermoColumns;
  for (const k of THERMO_KEYS) out[k] = Float64Array.from(rows, (r) => r[k]);
  return out;
}

async function makeCalculator(p: WorkerPotential): Promise<Calculator> {
  if (p.committee) return committeeFromFiles(p.spec, p.committee, (m) => console.warn(`mdWorker: ${m}`));
  if (p.model) {
    // Trained models run on the float64 fast inference path ("model:RUNID", or ",engine=fast");
    // ",engine=graph" selects the tfjs training graph (loaded only then, or as the fallback for
    // what the fast path cannot run; the calculator's name, shown with the run, says which ran).
    const { decodeModel } = await import('../../src-shared/ml/models/serialization');
    const { modelCalculatorFromSaved, parseModelSpec } = await import('../ml/modelFiles');
    const ms = parseModelSpec(p.spec);
    if ('error' in ms) throw new Error(ms.error);
    return modelCalculatorFromSaved(decodeModel(p.model.json, p.model.bin), ms.runRef, { engine: ms.engine, onNote: (m) => console.warn(`mdWorker: ${m}`) });
  }
  const r = calculatorFromSpec(p.spec, p.fileText);
  if ('error' in r) throw new Error(r.error);
  return r.calculator;
}

function frameOf(sys: WorkerSystem, s: MdState): Frame {
  return {
    symbols: sys.symbols,
    numbers: s.numbers,
    positionsA: s.positionsA,
    cellA: s.cellA,
    pbc: sys.pbc,
    energyEv: s.potentialEnergyEv,
    forcesEvPerA: s.forcesEvPerA,
    stressEvPerA3: s.stressEvPerA3 ?? undefined,
    info: { step: s.step, time_fs: s.timeFs, kinetic_energy_ev: s.kineticEnergyEv, conserved_energy_ev: s.conservedEnergyEv },
    arrays: { velocities: { kind: 'real', width: 3, data: s.velocitiesAPerFs } },
  };
}

async function start(msg: Extract<ToMdWorker, { type: 'start' }>) {
  const calc = await makeCalculator(msg.potential);
  const watch = new CommitteeWatch(calc, msg.uncertainty ?? {}, msg.runDir);
  const traj = new TrajectoryWriter(join(msg.runDir, 'trajectory.xyz'));
  const thermo = new ThermoWriter(join(msg.runDir, 'thermo.csv'));
  let pending: ThermoSample[] = [];
  let lastFlush = 0;
  let latest: MdState | null = null;
  let lastFramePost = 0;
  const flush = (force = false) => {
    const now = Date.now();
    if (!force && now - lastFlush < 100) return;
    lastFlush = now;
    if (pending.length) {
      const rows = columns(pending);
      pending = [];
      const sigma = watch.take();
      if (sigma) rows.forceStdMaxEvPerA = sigma;
      post({ type: 'thermo', rows }, [...THERMO_KEYS.map((k) => rows[k].buffer as ArrayBuffer), ...(sigma ? [sigma.buffer as ArrayBuffer] : [])]);
    }
    if (latest && (force || now - lastFramePost > 100)) {
      lastFramePost = now;
      const positionsA = Float32Array.from(latest.positionsA);
      post({ type: 'frame', step: latest.step, timeFs: latest.timeFs, positionsA, cellA: latest.cellA ? Array.from(latest.cellA) : null }, [positionsA.buffer]);
      latest = null;
    }
  };
  post({ type: 'started', potentialName: calc.name, integratorName: msg.config.integrator });
  const outcome = await runMdJob(calc, { ...msg.system }, msg.config, {
    onThermo(row) {
      thermo.append(row);
      pending.push(row);
      watch.onThermo(row);
    },
    onFrame(state) {
      const fr = frameOf(msg.system, state);
      traj.append(fr);
      watch.onFrame(fr);
      latest = state;
    },
    onProgress(p) {
      flush();
      post({ type: 'progress', ...p });
    },
    yieldToHost: () => new Promise((r) => setImmediate(r)),
    waitWhilePaused: async () => {
      if (!paused) return;
      flush(true);
      post({ type: 'paused' });
      await new Promise<void>((r) => resumeWaiters.push(r));
      if (!stopRequested) post({ type: 'resumed' });
    },
    shouldStop: () => stopRequested || watch.shouldStop(),
  });
  flush(true);
  traj.close();
  const w = watch.close();
  thermo.close();
  post({ type: 'done', status: outcome.status, steps: outcome.steps, message: outcome.status === 'failed' ? outcome.message : w.message, framesWritten: traj.frames, uncertainFramesPath: w.uncertainFramesPath });
}

async function study(msg: Extract<ToMdWorker, { type: 'study' }>) {
  const calc = await makeCalculator(msg.potential);
  const result = await timestepStudy(calc, { ...msg.system }, {
    temperatureK: msg.temperatureK,
    dtFs: msg.dtFs,
    durationFs: msg.durationFs,
    seed: msg.seed,
    onPoint: (point, index, total) => post({ type: 'study-point', point, index, total }),
    yieldToHost: () => new Promise((r) => setImmediate(r)),
    shouldStop: () => stopRequested,
  });
  post({ type: 'study-done', result });
}

port.on('message', (msg: ToMdWorker) => {
  switch (msg.type) {
    case 'pause':
      paused = true;
      break;
    case 'resume':
      paused = false;
      resumeWaiters.forEach((r) => r());
      resumeWaiters = [];
      break;
    case 'stop':
      stopRequested = true;
      paused = false;
      resumeWaiters.forEach((r) => r());
      resumeWaiters = [];
      break;
    case 'start':
      start(msg).catch((e) => post({ type: 'error', message: e instanceof Error ? e.message : String(e) }));
      break;
    case 'study':
      study(msg).catch((e) => post({ type: 'error', message: e instanceof Error ? e.message : String(e) }));
      break;
    case 'drift-study':
      (async () => {
        const ref = await makeCalculator(msg.potential);
        const variants = [
          ...(msg.noiseEvPerA > 0 ? [{ id: 'noisy', calculator: noisyForcesCalculator(ref, { sigmaEvPerA: msg.noiseEvPerA, seed: msg.seed }) }] : []),
          ...(msg.biasFraction > 0 ? [{ id: 'biased', calculator: rotatedForcesCalculator(ref, { fraction: msg.biasFraction }) }] : []),
        ];
        const result = await driftStudy(ref, { ...msg.system }, variants, {
          temperatureK: msg.temperatureK,
          dtFs: msg.dtFs,
          durationFs: msg.durationFs,
          seed: msg.seed,
          yieldToHost: () => new Promise((r) => setImmediate(r)),
          shouldStop: () => stopRequested,
        });
        post({ type: 'drift-done', result: result as unknown as Record<string, unknown> });
      })().catch((e) => post({ type: 'error', message: e instanceof Error ? e.message : String(e) }));
      break;
    case 'audit':
      (async () => {
        const calc = await makeCalculator(msg.potential);
        post({ type: 'audit-done', report: runAudit(msg.kind, calc, msg.frames, msg.seed) as unknown as Record<string, unknown> });
      })().catch((e) => post({ type: 'error', message: e instanceof Error ? e.message : String(e) }));
      break;
    case 'rdf':
    case 'msd':
      try {
        if (msg.type === 'rdf') post({ type: 'rdf-done', result: rdfOfFrames(msg.frames, msg.rMaxA, msg.bins) });
        else post({ type: 'msd-done', result: msdOfFrames(msg.frames, msg.frameIntervalFs, msg.removeDrift) });
      } catch (e) {
        post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
      }
      break;
  }
});
