// Training runs on the host side: each run gets a folder in the workspace and a worker thread; its
// status, log lines and epoch metrics are broadcast to every window. Pause = stop with a checkpoint,
// resume = a new worker continuing from it (bit for bit). Finished runs are read back from disk, so
// the run list survives restarts; a run can be reopened, compared and deleted.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { Frame } from '../../src-shared/atoms/frame';
import { modelTypes } from '../../src-shared/ml/models/registry';
import { defaultTrainConfig } from '../../src-shared/ml/train/trainer';
import { trainDataProblems, trainSettingsProblems } from '../../src-shared/ml/train/settingsCheck';
import type { BaselineSpec } from '../../src-shared/ml/data/delta';
import { ApiError, type BaselineDto, type LearningCurveDto, type EpochRecordDto, type Events, type EventName, type Params, type TrainDetails, type TrainOptions, type TrainRunInfo } from '../../src-shared/protocol/api';
import { listTrainRunDirs, readMetrics, readRunJson, RUN_FILES, writeRunJson } from '../ml/runFolder';
import type { TrainSettings } from '../ml/trainJob';
import { createRunFolder } from '../node/runFiles';
import type { FromTrainWorker, ToTrainWorker } from '../workers/trainMessages';
import { isCommitteeDir, memberDirs } from '../ml/committee';
import { runHasModel } from '../ml/uncertaintyJobs';

export interface TrainRunsOptions {
  runsDir: string;
  spawnTrainWorker: () => Worker;
  getDataset(datasetId: string): { name: string; frames: Frame[] };
  /** Turn a baseline from the page into a self-contained one (potential file text embedded). */
  resolveBaseline(b: BaselineDto): BaselineSpec;
  broadcast<E extends EventName>(event: E, payload: Events[E]): void;
}

interface Live {
  info: TrainRunInfo;
  worker: Worker | null;
  log: string[];
  frames: Frame[];
  validFrames?: Frame[];
  settings: TrainSettings;
  pausing: boolean;
  /** Committee of K members (issue 6): one folder, members trained one after another. */
  committee?: { k: number; bootstrap?: boolean };
}

interface StoredRun {
  kind: 'train';
  info: TrainRunInfo;
  settings: TrainSettings;
  card?: unknown;
}

export class TrainRuns {
  private live = new Map<string, Live>();
  constructor(private o: TrainRunsOptions) {}

  options(): TrainOptions {
    return {
      modelTypes: modelTypes().map((t) => ({ name: t.name, label: t.label, description: t.description, fitting: t.fitting, defaultConfig: t.defaultConfig() as Record<string, unknown> })),
      defaultTrain: defaultTrainConfig() as unknown as Record<string, unknown>,
    };
  }

  private dirOf(runId: string): string | null {
    const l = this.live.get(runId);
    if (l) return l.info.dir;
    for (const d of listTrainRunDirs(this.o.runsDir)) {
      const r = readRunJson<StoredRun>(d);
      if (r?.info?.runId === runId) return d;
    }
    return null;
  }

  list(): TrainRunInfo[] {
    const out = new Map<string, TrainRunInfo>();
    for (const d of listTrainRunDirs(this.o.runsDir)) {
      const r = readRunJson<StoredRun>(d);
      if (!r?.info) continue;
      const info = { ...r.info, dir: d, hasModel: runHasModel(d), resumable: false };
      // A run left "running" by a crash or a closed window is shown as stopped.
      if (['running', 'starting'].includes(info.state)) info.state = existsSync(join(d, RUN_FILES.checkpointJson)) || (info.committeeSize && info.hasModel) ? 'stopped' : 'failed';
      out.set(info.runId, info);
    }
    for (const l of this.live.values()) out.set(l.info.runId, { ...l.info });
    return [...out.values()].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  private update(l: Live, patch: Partial<TrainRunInfo>) {
    Object.assign(l.info, patch);
    try {
      writeRunJson(l.info.dir, { kind: 'train', info: l.info, settings: l.settings } satisfies StoredRun);
    } catch (e) {
      // The run folder was deleted, the disk is full or read-only: this run fails with the reason
      // (its worker is stopped); the host and the other runs go on (issue 9).
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOSPC' ? 'the disk is full' : code === 'ENOENT' ? 'the run folder was deleted' : code === 'EACCES' || code === 'EROFS' ? 'the run folder is not writable' : (e as Error).message;
      Object.assign(l.info, { state: 'failed', etaS: null, resumable: false, message: `cannot write ${l.info.dir}: ${why} (${code ?? 'error'}); the run was stopped` });
      const w = l.worker;
      l.worker = null;
      if (w) void w.terminate();
    }
    this.o.broadcast('train.status', { ...l.info });
  }

  start(p: Params<'train.start'>): TrainRunInfo {
    if (this.live.has(p.runId)) throw new ApiError({ code: 'invalid-params', message: `run ${p.runId} exists already` });
    const train = { ...p.train } as Record<string, unknown>;
    // Absurd settings and untrainable data are refused here, before a folder or worker exists (issue 9).
    const ds = this.o.getDataset(p.datasetId);
    const problems = [...trainSettingsProblems({ modelType: p.modelType, modelConfig: p.modelConfig, train }), ...trainDataProblems(ds.frames, `dataset "${ds.name}"`)];
    if (problems.length) throw new ApiError({ code: 'invalid-params', message: problems.join('; ') });
    const maxEpochs = Number(train.maxEpochs ?? defaultTrainConfig().maxEpochs);
    const valid = p.validDatasetId ? this.o.getDataset(p.validDatasetId) : null;
    const settings: TrainSettings = {
      modelType: p.modelType,
      modelConfig: p.modelConfig,
      train: train as TrainSettings['train'],
      split: p.split,
      maxMinutes: p.maxMinutes,
      backend: p.backend,
      baseline: p.baseline ? this.o.resolveBaseline(p.baseline) : undefined,
      groupWeights: p.groupWeights,
    };
    const dir = createRunFolder(this.o.runsDir, 'train', p.runId.slice(0, 8));
    const k = p.committee?.k;
    const info: TrainRunInfo = {
      runId: p.runId,
      label: p.label ?? (k ? `committee of ${k} ${p.modelType} on ${ds.name}` : `${p.modelType} on ${ds.name}`),
      dir,
      state: 'starting',
      modelType: p.modelType,
      datasetName: ds.name,
      epoch: 0,
      maxEpochs: k ? k * maxEpochs : maxEpochs,
      etaS: null,
      backend: null,
      message: null,
      startedAt: new Date().toISOString(),
      hasModel: false,
      metrics: null,
      resumable: false,
      ...(k ? { committeeSize: k } : {}),
    };
    const l: Live = { info, worker: null, log: [], frames: ds.frames, validFrames: valid?.frames, settings, pausing: false, committee: p.committee };
    this.live.set(p.runId, l);
    this.launch(l, false);
    return { ...info };
  }

  private launch(l: Live, resume: boolean) {
    const w = this.o.spawnTrainWorker();
    l.worker = w;
    l.pausing = false;
    this.update(l, { state: 'running', message: null, resumable: false });
    w.on('message', (m: FromTrainWorker) => {
      if (m.type === 'log') {
        l.log.push(m.message);
        const b = /^backend: (\S+)/.exec(m.message);
        if (b) this.update(l, { backend: b[1] });
        this.o.broadcast('train.log', { runId: l.info.runId, message: m.message });
      } else if (m.type === 'epoch') {
        this.o.broadcast('train.epoch', { runId: l.info.runId, record: m.record });
        this.update(l, { epoch: m.epoch + 1, etaS: m.etaMs !== null ? m.etaMs / 1000 : null, metrics: m.record.valid?.metrics ?? l.info.metrics });
      } else if (m.type === 'done') {
        const r = m.result;
        const paused = l.pausing && r.reason === 'cancelled' && !l.committee;
        const metrics = r.card ? ((r.card.validMetrics ?? r.card.trainMetrics) as TrainRunInfo['metrics']) : l.info.metrics;
        this.update(l, {
          state: paused ? 'paused' : r.state,
          message: r.message,
          etaS: null,
          hasModel: runHasModel(l.info.dir),
          metrics,
          resumable: !l.committee && (paused || r.state === 'stopped'),
        });
        void w.terminate();
        l.worker = null;
      }
    });
    w.on('error', (e) => {
      this.update(l, { state: 'failed', message: `training worker crashed: ${e.message}`, etaS: null, resumable: existsSync(join(l.info.dir, RUN_FILES.checkpointJson)) });
      l.worker = null;
    });
    w.on('exit', (code) => {
      if (l.worker === w && (l.info.state === 'running' || l.info.state === 'starting')) {
        this.update(l, { state: 'failed', message: `training worker exited unexpectedly (code ${code})`, etaS: null, resumable: existsSync(join(l.info.dir, RUN_FILES.checkpointJson)) });
        l.worker = null;
      }
    });
    if (l.committee) {
      const request = { kind: 'committee' as const, runId: l.info.runId, runDir: l.info.dir, label: l.info.label, datasetName: l.info.datasetName, frames: l.frames, validFrames: l.validFrames, settings: l.settings, k: l.committee.k, bootstrap: l.committee.bootstrap };
      w.postMessage({ type: 'uncertainty', request } satisfies ToTrainWorker);
      return;
    }
    const msg: ToTrainWorker = { type: 'start', runId: l.info.runId, runDir: l.info.dir, label: l.info.label, datasetName: l.info.datasetName, frames: l.frames, validFrames: l.validFrames, settings: l.settings, resume };
    w.postMessage(msg);
  }

  control(runId: string, action: 'pause' | 'resume' | 'stop'): TrainRunInfo {
    const l = this.live.get(runId);
    if (!l) throw new ApiError({ code: 'not-found', message: `training run ${runId} is not active in this session` });
    if (action === 'resume') {
      if (l.worker) return { ...l.info };
      if (l.committee) throw new ApiError({ code: 'invalid-params', message: 'a committee cannot be resumed; start a new one' });
      if (!existsSync(join(l.info.dir, RUN_FILES.checkpointJson))) throw new ApiError({ code: 'invalid-params', message: 'this run has no checkpoint to resume from' });
      this.launch(l, true);
      return { ...l.info };
    }
    if (!l.worker) return { ...l.info };
    l.pausing = action === 'pause';
    l.worker.postMessage({ type: 'stop' } satisfies ToTrainWorker);
    return { ...l.info };
  }

  details(runId: string): TrainDetails {
    const dir = this.dirOf(runId);
    if (!dir) throw new ApiError({ code: 'not-found', message: `no training run ${runId}` });
    const info = this.list().find((r) => r.runId === runId)!;
    // a committee shows its first trained member's history, card and parity
    let fileDir = dir;
    if (isCommitteeDir(dir)) {
      try {
        fileDir = memberDirs(dir)[0];
      } catch {
        fileDir = join(dir, 'member-0');
      }
    }
    const readJson = (f: string) => {
      try {
        return JSON.parse(readFileSync(join(fileDir, f), 'utf8'));
      } catch {
        return null;
      }
    };
    let card: Record<string, unknown> | null = null;
    const model = readJson(RUN_FILES.modelJson);
    if (model?.metadata?.card) card = model.metadata.card;
    return {
      info,
      history: readMetrics(fileDir) as EpochRecordDto[],
      card,
      parity: readJson(RUN_FILES.parity),
      errors: readJson(RUN_FILES.errors),
      log: this.live.get(runId)?.log ?? [],
    };
  }

  /** Folder of a run or committee with a trained model (uncertainty, domain shift, landscape). */
  runDir(runId: string): string {
    const dir = this.dirOf(runId);
    if (!dir || !runHasModel(dir)) throw new ApiError({ code: 'not-found', message: `training run ${runId} has no trained model yet` });
    return dir;
  }

  /** Folder of a run or committee with a trained model (for MD with `model:RUNID`; a committee runs as its mean). */
  modelDir(runId: string): string {
    const dir = this.dirOf(runId);
    // a committee folder runs as the committee mean (ml/committeeMd.ts)
    if (!dir || !runHasModel(dir)) throw new ApiError({ code: 'not-found', message: `training run ${runId} has no trained model yet` });
    return dir;
  }

  delete(runId: string): boolean {
    const l = this.live.get(runId);
    if (l?.worker) throw new ApiError({ code: 'invalid-params', message: 'stop the run before deleting it' });
    const dir = this.dirOf(runId);
    if (!dir) return false;
    const abs = resolve(dir);
    if (!abs.startsWith(resolve(this.o.runsDir)) || !basename(abs).startsWith('train-')) throw new ApiError({ code: 'invalid-params', message: 'refusing to delete a folder outside the workspace' });
    rmSync(abs, { recursive: true, force: true });
    this.live.delete(runId);
    return true;
  }

  /** Learning-curve study (direct and, with a baseline, Δ-models) in a training worker. */
  async learningCurve(p: Params<'study.learningCurve'>): Promise<LearningCurveDto> {
    const tr = this.o.getDataset(p.trainDatasetId);
    const te = this.o.getDataset(p.testDatasetId);
    const sizes = [...p.sizes].sort((a, b) => a - b);
    if (sizes[sizes.length - 1] > tr.frames.length) throw new ApiError({ code: 'invalid-params', message: `the largest size (${sizes[sizes.length - 1]}) exceeds the ${tr.frames.length} frames of ${tr.name}` });
    const baseline = p.baseline ? this.o.resolveBaseline(p.baseline) : undefined;
    const w = this.o.spawnTrainWorker();
    try {
      return await new Promise<LearningCurveDto>((resolveP, reject) => {
        w.on('message', (m: FromTrainWorker) => {
          if (m.type === 'log') this.o.broadcast('study.lcProgress', { studyId: p.studyId, message: m.message });
          else if (m.type === 'lc-done') resolveP({ studyId: p.studyId, ...m.result });
          else if (m.type === 'error') reject(new ApiError({ code: 'invalid-params', message: m.message }));
        });
        w.on('error', (e) => reject(new ApiError({ code: 'internal', message: `study worker crashed: ${e.message}` })));
        const msg: ToTrainWorker = {
          type: 'learning-curve',
          trainFrames: tr.frames,
          testFrames: te.frames,
          options: { modelType: p.modelType, modelConfig: p.modelConfig, train: p.train as TrainSettings['train'], sizes, baseline, maxMinutesEach: p.maxMinutesEach, seed: p.seed },
        };
        w.postMessage(msg);
      });
    } finally {
      void w.terminate();
    }
  }

  dispose(): void {
    for (const l of this.live.values()) l.worker?.postMessage({ type: 'stop' } satisfies ToTrainWorker);
  }
}
