// Uncertainty requests of the host API (issue 6; src-shared/protocol/uncertaintyApi.ts): each one
// runs in a fresh training worker (tfjs stays out of the host process) and resolves with the
// worker's plain-JSON result. Committee training goes through TrainRuns (train.start).
import type { Worker } from 'node:worker_threads';
import type { Frame } from '../../src-shared/atoms/frame';
import { ApiError, type Params } from '../../src-shared/protocol/api';
import type { AtomUncertaintyDto, DomainShiftDto, LandscapeDto } from '../../src-shared/protocol/uncertaintyApi';
import type { UncertaintyMessage, UncertaintyRequest } from '../ml/uncertaintyJobs';
import type { ToTrainWorker } from '../workers/trainMessages';

export interface UncertaintyJobsOptions {
  spawnTrainWorker: () => Worker;
  framesOf(datasetId: string): Frame[];
  datasetName(datasetId: string): string;
  /** Folder of a training run or committee with a trained model. */
  runDir(runId: string): string;
}

export class UncertaintyJobs {
  private workers = new Set<Worker>();
  constructor(private o: UncertaintyJobsOptions) {}

  private run<T>(request: UncertaintyRequest): Promise<T> {
    const w = this.o.spawnTrainWorker();
    this.workers.add(w);
    const done = () => {
      this.workers.delete(w);
      void w.terminate();
    };
    return new Promise<T>((resolve, reject) => {
      w.on('message', (m: UncertaintyMessage) => {
        if (m.type === 'uncertainty-done') {
          done();
          resolve(m.result as T);
        } else if (m.type === 'error') {
          done();
          reject(new ApiError({ code: 'invalid-params', message: m.message }));
        }
      });
      w.on('error', (e) => {
        done();
        reject(new ApiError({ code: 'internal', message: `uncertainty worker crashed: ${e.message}` }));
      });
      w.postMessage({ type: 'uncertainty', request } satisfies ToTrainWorker);
    });
  }

  shift(p: Params<'uncertainty.shift'>): Promise<DomainShiftDto> {
    const runDir = this.o.runDir(p.runId);
    const ref = this.o.framesOf(p.referenceDatasetId), tgt = this.o.framesOf(p.targetDatasetId);
    if (!ref.length || !tgt.length) throw new ApiError({ code: 'invalid-params', message: 'both datasets need at least one frame' });
    return this.run({
      kind: 'shift',
      runDir,
      reference: { name: this.o.datasetName(p.referenceDatasetId), frames: ref },
      target: { name: this.o.datasetName(p.targetDatasetId), frames: tgt },
      elementMap: p.elementMap,
      bins: p.bins,
    });
  }

  atoms(p: Params<'uncertainty.atoms'>): Promise<AtomUncertaintyDto> {
    const runDir = this.o.runDir(p.runId);
    const frames = this.o.framesOf(p.datasetId);
    const frame = frames[p.frameIndex];
    if (!frame) throw new ApiError({ code: 'invalid-params', message: `frame ${p.frameIndex} does not exist (the dataset has ${frames.length})` });
    return this.run({ kind: 'atoms', runDir, frame, elementMap: p.elementMap });
  }

  landscape(p: Params<'uncertainty.landscape'>): Promise<LandscapeDto> {
    const runDir = this.o.runDir(p.runId);
    const frames = this.o.framesOf(p.datasetId);
    if (!frames.length) throw new ApiError({ code: 'invalid-params', message: 'the dataset is empty' });
    return this.run({ kind: 'landscape', runDir, frames, grid2d: p.grid2d, grid1d: p.grid1d, span: p.span, maxFrames: p.maxFrames, directions: p.directions, seed: p.seed });
  }

  dispose(): void {
    for (const w of this.workers) void w.terminate();
    this.workers.clear();
  }
}
