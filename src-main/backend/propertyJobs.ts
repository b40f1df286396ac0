// Property-model studies (issue 7) for the host API: each study runs in its own ML worker thread
// (the training worker's 'property-study' message), streams `property.progress` events, and is
// cancelled by terminating its worker (the study is one synchronous computation).
import type { Worker } from 'node:worker_threads';
import type { Frame } from '../../src-shared/atoms/frame';
import { ApiError, type Events, type EventName, type Params, type Results } from '../../src-shared/protocol/api';
import { classTarget } from '../../src-shared/property/targets';
import { atomClassTarget } from '../../src-shared/property/atomClassifyStudy';
import type { PropertyOptionsDto, PropertyStudyDto } from '../../src-shared/protocol/propertyApi';
import { PROPERTY_MODELS, propertyModelById } from '../../src-shared/property/propertyModel';
import { REPRESENTATIONS, representationById } from '../../src-shared/representations/registry';
import type { FromTrainWorker, ToTrainWorker } from '../workers/trainMessages';
import { resolveFolds, resolveTarget } from '../property/propertyJob';

export interface PropertyJobsOptions {
  spawnTrainWorker: () => Worker;
  framesOf: (datasetId: string) => Frame[];
  broadcast: <E extends EventName>(event: E, payload: Events[E]) => void;
}

interface Running {
  worker: Worker;
  cancel: () => void;
}

/** Representations a kernel model can use on molecules and materials (per-structure vectors). */
const STUDY_REPRESENTATIONS = REPRESENTATIONS.filter((r) => r.id !== 'invariants');

export class PropertyJobs {
  private running = new Map<string, Running>();

  constructor(private o: PropertyJobsOptions) {}

  options(): PropertyOptionsDto {
    return {
      representations: STUDY_REPRESENTATIONS.map((r) => ({ id: r.id, title: r.title, description: r.description, citation: r.citation, sizeExtensive: r.sizeExtensive, costScaling: r.costScaling, invariances: { ...r.invariances } })),
      models: PROPERTY_MODELS.filter((m) => m.kernel || m.id === 'mlp').map((m) => ({ id: m.id, title: m.title, description: m.description })),
    };
  }

  async study(p: Params<'property.study'>): Promise<PropertyStudyDto> {
    if (!representationById(p.representation) || !STUDY_REPRESENTATIONS.some((r) => r.id === p.representation)) throw new ApiError({ code: 'invalid-params', message: `unknown representation "${p.representation}" (one of ${STUDY_REPRESENTATIONS.map((r) => r.id).join(', ')})` });
    if (!propertyModelById(p.model)?.kernel && p.model !== 'mlp') throw new ApiError({ code: 'invalid-params', message: `unknown model "${p.model}" (one of ${PROPERTY_MODELS.filter((m) => m.kernel || m.id === 'mlp').map((m) => m.id).join(', ')})` });
    if (this.running.has(p.jobId)) throw new ApiError({ code: 'invalid-params', message: `job ${p.jobId} is already running` });
    const frames = this.o.framesOf(p.datasetId);
    // Target and folds are checked here (cheap) so that bad keys fail before a worker starts.
    try {
      resolveTarget(frames, p.target);
      resolveFolds(frames, p.folds, p.seed);
    } catch (e) {
      throw new ApiError({ code: 'invalid-params', message: e instanceof Error ? e.message : String(e) });
    }
    return this.inWorker<PropertyStudyDto>(p.jobId, { type: 'property-study', frames, params: p }, 'property-done');
  }

  /** Cross-validated classification of structures by a class-valued info key. */
  async classify(p: Params<'property.classify'>): Promise<Results['property.classify']> {
    if (!STUDY_REPRESENTATIONS.some((r) => r.id === p.representation)) throw new ApiError({ code: 'invalid-params', message: `unknown representation "${p.representation}" (one of ${STUDY_REPRESENTATIONS.map((r) => r.id).join(', ')})` });
    if (this.running.has(p.jobId)) throw new ApiError({ code: 'invalid-params', message: `job ${p.jobId} is already running` });
    const frames = this.o.framesOf(p.datasetId);
    const t = p.perAtom ? atomClassTarget(frames, p.key) : classTarget(frames, p.key);
    if ('error' in t) throw new ApiError({ code: 'invalid-params', message: `${p.perAtom ? 'per-atom class' : 'class'}: ${t.error}` });
    if (p.perAtom && p.perAtom.frameIndex >= frames.length) throw new ApiError({ code: 'invalid-params', message: `frame ${p.perAtom.frameIndex} is out of range (the dataset has ${frames.length})` });
    try {
      resolveFolds(frames, p.folds, p.seed);
    } catch (e) {
      throw new ApiError({ code: 'invalid-params', message: e instanceof Error ? e.message : String(e) });
    }
    return this.inWorker<Results['property.classify']>(p.jobId, { type: 'property-classify', frames, params: p }, 'property-classified');
  }

  private async inWorker<T>(jobId: string, msg: ToTrainWorker, doneType: 'property-done' | 'property-classified'): Promise<T> {
    const worker = this.o.spawnTrainWorker();
    try {
      return await new Promise<T>((resolve, reject) => {
        this.running.set(jobId, { worker, cancel: () => reject(new ApiError({ code: 'cancelled', message: 'property study cancelled' })) });
        worker.on('message', (m: FromTrainWorker) => {
          if (m.type === 'property-progress') this.o.broadcast('property.progress', { jobId, ...m.progress });
          else if (m.type === doneType) resolve((m as { result: unknown }).result as T);
          else if (m.type === 'error') reject(new ApiError({ code: 'invalid-params', message: m.message }));
        });
        worker.on('error', (e) => reject(new ApiError({ code: 'internal', message: `property worker crashed: ${e.message}` })));
        worker.on('exit', (code) => reject(new ApiError({ code: 'internal', message: `property worker exited (code ${code})` })));
        worker.postMessage(msg);
      });
    } finally {
      this.running.delete(jobId);
      void worker.terminate();
    }
  }

  cancel(jobId: string): { cancelled: boolean } {
    const r = this.running.get(jobId);
    if (!r) return { cancelled: false };
    r.cancel();
    this.running.delete(jobId);
    void r.worker.terminate();
    return { cancelled: true };
  }

  dispose(): void {
    for (const id of [...this.running.keys()]) this.cancel(id);
  }
}
