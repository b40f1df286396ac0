// 'train.backends': the compute backends of this machine for the Train panel's picker, each
// started in a fresh training worker and, on request, timed on the user's model (steps/s). Probes
// run one at a time (they compete for the same cores) and results are kept per model config.
import type { Worker } from 'node:worker_threads';
import { ALL_BACKENDS } from '../../src-shared/ml/tf/backend';
import type { BackendInfoDto, Params } from '../../src-shared/protocol/api';
import type { FromTrainWorker, ToTrainWorker } from '../workers/trainMessages';

const PROBE_TIMEOUT_MS = 120_000;

export class BackendProbes {
  private cache = new Map<string, Promise<BackendInfoDto[]>>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private o: { spawnTrainWorker: () => Worker }) {}

  list(p: Params<'train.backends'>): Promise<BackendInfoDto[]> {
    const key = JSON.stringify([p.probe, p.modelType ?? null, p.modelConfig ?? null]);
    let r = this.cache.get(key);
    if (!r) {
      r = this.queue.then(() => this.run(p));
      this.queue = r.catch(() => undefined);
      this.cache.set(key, r);
      r.catch(() => this.cache.delete(key));
    }
    return r;
  }

  private async run(p: Params<'train.backends'>): Promise<BackendInfoDto[]> {
    const out: BackendInfoDto[] = [];
    for (const backend of ALL_BACKENDS) out.push(await this.one({ type: 'probe', request: { backend, modelType: p.modelType, modelConfig: p.modelConfig, probe: p.probe } }));
    return out;
  }

  private one(msg: Extract<ToTrainWorker, { type: 'probe' }>): Promise<BackendInfoDto> {
    const backend = msg.request.backend;
    const fail = (detail: string): BackendInfoDto => ({ backend, available: false, detail, adapter: null, stepsPerSecond: null, msPerStep: null, atomsPerStep: null, error: null });
    return new Promise((resolve) => {
      const w = this.o.spawnTrainWorker();
      let settled = false;
      const finish = (r: BackendInfoDto) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        void w.terminate();
        resolve(r);
      };
      const timer = setTimeout(() => finish(fail(`no answer within ${PROBE_TIMEOUT_MS / 1000} s`)), PROBE_TIMEOUT_MS);
      w.on('message', (m: FromTrainWorker) => {
        if (m.type === 'probe-done') finish(m.result);
        else if (m.type === 'error') finish(fail(m.message));
      });
      w.on('error', (e) => finish(fail(`worker failed: ${e.message}`)));
      w.on('exit', (code) => finish(fail(`worker exited (${code}) before answering`)));
      w.postMessage(msg);
    });
  }
}
