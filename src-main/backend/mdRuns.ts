// MD runs and time-step studies on the host side: each run gets a folder and its own worker thread;
// status, thermo batches and the latest frame are broadcast to every connected window. Several
// runs may go at once. Bad settings are refused before any work starts.
import { randomUUID } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import type { Frame } from '../../src-shared/atoms/frame';
import { validateMdConfig, type MdJobConfig } from '../../src-shared/md/job';
import { INTEGRATORS } from '../../src-shared/md/integrators';
import { POTENTIALS } from '../../src-shared/potentials/registry';
import { ApiError, type Events, type EventName, type MdRunInfo, type MdSettings, type MsdResultDto, type Params, type PotentialCatalog, type RdfResultDto, type StudyResult } from '../../src-shared/protocol/api';
import { listBundled, resolvePotential } from '../node/potentialFiles';
import { committeeFiles } from '../ml/committeeMd';
import { parseModelSpec } from '../ml/modelSpec';
import { createRunFolder, writeError, writeJsonAtomic } from '../node/runFiles';
import type { FromMdWorker, ToMdWorker, WorkerPotential, WorkerSystem } from '../workers/mdMessages';
import { existsSync, readFileSync } from 'node:fs';
import { RUN_FILES } from '../ml/runFolder';
import { join } from 'node:path';
import { decodeModel } from '../../src-shared/ml/models/serialization';

export interface MdRunsOptions {
  runsDir: string;
  bundledPotentialsDir: string;
  spawnMdWorker: () => Worker;
  getFrame(datasetId: string, index: number): Frame;
  allowPath(path: string): boolean;
  /** Run folder of a trained model (for the potential spec "model:RUNID"). */
  modelDir(runId: string): string;
  broadcast<E extends EventName>(event: E, payload: Events[E]): void;
}

interface Run {
  info: MdRunInfo;
  worker: Worker;
}

function systemOf(f: Frame): WorkerSystem {
  const vel = f.arrays['velocities'];
  return {
    numbers: f.numbers.slice(),
    symbols: f.symbols.slice(),
    positionsA: f.positionsA.slice(),
    cellA: f.cellA ? f.cellA.slice() : null,
    pbc: [...f.pbc] as [boolean, boolean, boolean],
    velocitiesAPerFs: vel && vel.kind === 'real' && vel.width === 3 ? vel.data.slice() : undefined,
  };
}

export function toJobConfig(s: MdSettings): MdJobConfig {
  return {
    integrator: s.integrator,
    params: s.params,
    steps: s.steps,
    seed: s.seed,
    initialTemperatureK: s.initialTemperatureK,
    thermoStride: s.thermoStride,
    frameStride: s.frameStride,
  };
}

export class MdRuns {
  private runs = new Map<string, Run>();
  constructor(private o: MdRunsOptions) {}

  catalog(): PotentialCatalog {
    return {
      potentials: POTENTIALS.map((p) => ({
        kind: p.kind,
        title: p.title,
        description: p.description,
        needsFile: p.needsFile,
        fileExtensions: [...(p.fileExtensions ?? [])],
        parameters: p.parameters.map((q) => ({ key: q.key, label: q.label, unit: q.unit, type: q.type, default: q.default, description: q.description })),
        example: p.example,
        reference: p.reference,
      })),
      integrators: INTEGRATORS.map((i) => ({ id: i.id, label: i.label, ensemble: i.ensemble, stochastic: i.stochastic, params: i.params.map((p) => ({ ...p })), reference: i.reference })),
      bundled: listBundled(this.o.bundledPotentialsDir),
    };
  }

  list(): MdRunInfo[] {
    return [...this.runs.values()].map((r) => r.info);
  }

  get(runId: string): MdRunInfo | undefined {
    return this.runs.get(runId)?.info;
  }

  private resolve(potential: { spec: string; fileText?: string }): WorkerPotential {
    if (potential.spec.startsWith('model:')) {
      // "model:RUNID[,engine=fast|graph]": the worker reads the engine from the spec
      const parsed = parseModelSpec(potential.spec.slice('model:'.length));
      if ('error' in parsed) throw new ApiError({ code: 'invalid-params', message: parsed.error });
      const dir = this.o.modelDir(parsed.runRef);
      let members: ReturnType<typeof committeeFiles> = null;
      try {
        members = committeeFiles(dir);
      } catch (e) {
        throw new ApiError({ code: 'invalid-params', message: `committee ${dir}: ${e instanceof Error ? e.message : String(e)}` });
      }
      if (members) return { spec: potential.spec, committee: members };
      // Decoded here once (data only: JSON and raw floats) so that a damaged model or one from a
      // future version is refused before a run folder or worker exists (issue 9).
      let model: { json: string; bin: Uint8Array };
      try {
        model = { json: readFileSync(join(dir, RUN_FILES.modelJson), 'utf8'), bin: new Uint8Array(readFileSync(join(dir, RUN_FILES.modelBin))) };
        decodeModel(model.json, model.bin);
      } catch (e) {
        throw new ApiError({ code: 'invalid-params', message: `model ${parsed.runRef} (${dir}): ${e instanceof Error ? e.message : String(e)}` });
      }
      return { spec: potential.spec, model };
    }
    const r = resolvePotential(potential, { bundledDir: this.o.bundledPotentialsDir, allowPath: this.o.allowPath });
    if ('error' in r) throw new ApiError({ code: 'invalid-params', message: r.error });
    return r;
  }

  start(p: Params<'md.start'>): MdRunInfo {
    if (this.runs.has(p.runId)) throw new ApiError({ code: 'invalid-params', message: `run ${p.runId} exists already` });
    const frame = this.o.getFrame(p.datasetId, p.frameIndex);
    const config = toJobConfig(p.settings);
    const errs = validateMdConfig(config, frame.numbers.length);
    if (errs.length) throw new ApiError({ code: 'invalid-params', message: `MD settings: ${errs.join('; ')}` });
    const potential = this.resolve(p.potential);
    const dir = createRunFolder(this.o.runsDir, 'md', p.runId.slice(0, 8));
    const info: MdRunInfo = {
      runId: p.runId,
      label: p.label ?? `${p.settings.integrator} ${frame.symbols.length} atoms`,
      state: 'starting',
      step: 0,
      steps: p.settings.steps,
      atoms: frame.symbols.length,
      potential: p.potential.spec,
      integrator: p.settings.integrator,
      settings: p.settings,
      dir,
      trajectoryPath: join(dir, 'trajectory.xyz'),
      thermoPath: join(dir, 'thermo.csv'),
      atomStepsPerS: null,
      etaS: null,
      message: null,
      startedAt: new Date().toISOString(),
    };
    writeJsonAtomic(join(dir, 'run.json'), { kind: 'md', ...info, datasetId: p.datasetId, frameIndex: p.frameIndex });
    const worker = this.o.spawnMdWorker();
    const run: Run = { info, worker };
    this.runs.set(p.runId, run);
    const update = (patch: Partial<MdRunInfo>) => {
      Object.assign(run.info, patch);
      this.o.broadcast('md.status', { ...run.info });
    };
    const numbers = frame.numbers.slice();
    let lastStatus = 0;
    const pbc = [...frame.pbc] as [boolean, boolean, boolean];
    worker.on('message', (m: FromMdWorker) => {
      switch (m.type) {
        case 'started':
          update({ state: 'running', potential: m.potentialName });
          break;
        case 'thermo':
          this.o.broadcast('md.thermo', { runId: p.runId, rows: m.rows });
          break;
        case 'frame':
          this.o.broadcast('md.frame', { runId: p.runId, step: m.step, timeFs: m.timeFs, numbers, positionsA: m.positionsA, cellA: m.cellA, pbc });
          break;
        case 'progress': {
          Object.assign(run.info, { step: m.step, atomStepsPerS: m.atomStepsPerS, etaS: m.etaS });
          const now = Date.now();
          if (now - lastStatus >= 250) {
            lastStatus = now;
            // A deleted run folder: open files would go on into unlinked inodes; stop with the reason (issue 9).
            if (!existsSync(dir)) {
              void worker.terminate();
              update({ state: 'failed', message: `cannot write ${dir}: the run folder was deleted; the run was stopped`, etaS: null });
              break;
            }
            this.o.broadcast('md.status', { ...run.info });
          }
          break;
        }
        case 'paused':
          update({ state: 'paused' });
          break;
        case 'resumed':
          update({ state: 'running' });
          break;
        case 'done':
          update({ state: m.status, step: m.steps, message: m.message, etaS: null, uncertainFramesPath: m.uncertainFramesPath ?? null });
          try {
            writeJsonAtomic(join(dir, 'run.json'), { kind: 'md', ...run.info, framesWritten: m.framesWritten, datasetId: p.datasetId, frameIndex: p.frameIndex });
          } catch (e) {
            update({ state: 'failed', message: writeError(join(dir, 'run.json'), e).message });
          }
          void worker.terminate();
          break;
        case 'error':
          update({ state: 'failed', message: m.message, etaS: null });
          void worker.terminate();
          break;
      }
    });
    worker.on('error', (e) => update({ state: 'failed', message: `MD worker crashed: ${e.message}`, etaS: null }));
    worker.on('exit', (code) => {
      if (run.info.state === 'running' || run.info.state === 'starting' || run.info.state === 'paused') update({ state: 'failed', message: `MD worker exited unexpectedly (code ${code})`, etaS: null });
    });
    const msg: ToMdWorker = { type: 'start', system: systemOf(frame), potential, config, runDir: dir, uncertainty: p.settings.uncertainty };
    worker.postMessage(msg);
    return { ...info };
  }

  control(runId: string, action: 'pause' | 'resume' | 'stop'): MdRunInfo {
    const run = this.runs.get(runId);
    if (!run) throw new ApiError({ code: 'not-found', message: `no MD run ${runId}` });
    if (['finished', 'stopped', 'failed'].includes(run.info.state)) return { ...run.info };
    run.worker.postMessage({ type: action } satisfies ToMdWorker);
    return { ...run.info };
  }

  async study(p: Params<'md.study'>): Promise<StudyResult> {
    const frame = this.o.getFrame(p.datasetId, p.frameIndex);
    const potential = this.resolve(p.potential);
    const worker = this.o.spawnMdWorker();
    try {
      return await new Promise<StudyResult>((resolve, reject) => {
        worker.on('message', (m: FromMdWorker) => {
          if (m.type === 'study-point') this.o.broadcast('study.progress', { studyId: p.studyId, point: m.point, index: m.index, total: m.total });
          else if (m.type === 'study-done') resolve({ studyId: p.studyId, ...m.result });
          else if (m.type === 'error') reject(new ApiError({ code: 'internal', message: m.message }));
        });
        worker.on('error', (e) => reject(new ApiError({ code: 'internal', message: `study worker crashed: ${e.message}` })));
        const msg: ToMdWorker = { type: 'study', system: systemOf(frame), potential, temperatureK: p.temperatureK, dtFs: p.dtFs, durationFs: p.durationFs, seed: p.seed };
        worker.postMessage(msg);
      });
    } finally {
      void worker.terminate();
    }
  }

  /** Energy-drift study (conservative, noisy and biased forces at several dt) in a worker thread. */
  async driftStudy(p: Params<'md.driftStudy'>): Promise<{ studyId: string; result: Record<string, unknown> }> {
    const frame = this.o.getFrame(p.datasetId, p.frameIndex);
    const potential = this.resolve(p.potential);
    const worker = this.o.spawnMdWorker();
    try {
      const result = await new Promise<Record<string, unknown>>((resolveP, reject) => {
        worker.on('message', (m: FromMdWorker) => {
          if (m.type === 'drift-done') resolveP(m.result);
          else if (m.type === 'error') reject(new ApiError({ code: 'invalid-params', message: m.message }));
        });
        worker.on('error', (e) => reject(new ApiError({ code: 'internal', message: `drift-study worker crashed: ${e.message}` })));
        worker.postMessage({ type: 'drift-study', system: systemOf(frame), potential, temperatureK: p.temperatureK, dtFs: p.dtFs, durationFs: p.durationFs, seed: p.seed, noiseEvPerA: p.noiseEvPerA, biasFraction: p.biasFraction } satisfies ToMdWorker);
      });
      return { studyId: p.studyId, result };
    } finally {
      void worker.terminate();
    }
  }

  /** A physics audit of a calculator on frames, computed in a worker thread. */
  async audit(p: Params<'audit.run'>, frames: Frame[]): Promise<{ auditId: string; report: Record<string, unknown> }> {
    const potential = this.resolve(p.potential);
    let chosen: Frame[];
    if (p.frames?.length) {
      for (const k of p.frames) if (k >= frames.length) throw new ApiError({ code: 'not-found', message: `frame ${k} is out of range (dataset has ${frames.length})` });
      chosen = p.frames.map((k) => frames[k]);
    } else if (p.kind === 'elastic') chosen = [frames[0]];
    else if (p.kind === 'errors') chosen = frames;
    else {
      const max = Math.min(8, frames.length);
      chosen = Array.from({ length: max }, (_, k) => frames[Math.round((k * (frames.length - 1)) / Math.max(1, max - 1))]);
    }
    const worker = this.o.spawnMdWorker();
    try {
      const report = await new Promise<Record<string, unknown>>((resolveP, reject) => {
        worker.on('message', (m: FromMdWorker) => {
          if (m.type === 'audit-done') resolveP(m.report);
          else if (m.type === 'error') reject(new ApiError({ code: 'invalid-params', message: m.message }));
        });
        worker.on('error', (e) => reject(new ApiError({ code: 'internal', message: `audit worker crashed: ${e.message}` })));
        worker.postMessage({ type: 'audit', kind: p.kind, frames: chosen, potential, seed: p.seed ?? 1 } satisfies ToMdWorker);
      });
      return { auditId: p.auditId, report };
    } finally {
      void worker.terminate();
    }
  }

  /** g(r) or MSD of a dataset's frames, computed in a worker thread. */
  async analyze<T extends 'rdf' | 'msd'>(kind: T, frames: Frame[], opts: { rMaxA?: number; bins?: number; frameIntervalFs?: number; removeDrift?: boolean }): Promise<T extends 'rdf' ? RdfResultDto : MsdResultDto> {
    const worker = this.o.spawnMdWorker();
    try {
      return await new Promise((resolve, reject) => {
        worker.on('message', (m: FromMdWorker) => {
          if (m.type === 'rdf-done' || m.type === 'msd-done') resolve(m.result as never);
          else if (m.type === 'error') reject(new ApiError({ code: 'invalid-params', message: m.message }));
        });
        worker.on('error', (e) => reject(new ApiError({ code: 'internal', message: `analysis worker crashed: ${e.message}` })));
        const msg: ToMdWorker = kind === 'rdf' ? { type: 'rdf', frames, rMaxA: opts.rMaxA, bins: opts.bins } : { type: 'msd', frames, frameIntervalFs: opts.frameIntervalFs, removeDrift: opts.removeDrift };
        worker.postMessage(msg);
      });
    } finally {
      void worker.terminate();
    }
  }

  dispose(): void {
    for (const r of this.runs.values()) {
      r.worker.postMessage({ type: 'stop' } satisfies ToMdWorker);
      setTimeout(() => void r.worker.terminate(), 2000).unref?.();
    }
  }
}

export const newRunId = () => randomUUID().replace(/-/g, '');
