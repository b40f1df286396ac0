// Training worker thread: runs one training job (src-main/ml/trainJob.ts) with tfjs on the chosen
// backend, writes the run folder, and streams log lines and per-epoch metrics to the host. A stop
// request aborts the trainer, which saves its 'stop' checkpoint and the best model.
import { parentPort } from 'node:worker_threads';
import { runTrainJob } from '../ml/trainJob';
import { learningCurve } from '../ml/learningCurve';
import { runUncertaintyRequest } from '../ml/uncertaintyJobs';
import type { FromTrainWorker, ToTrainWorker } from './trainMessages';
import { runClassifyJob, runPropertyJob } from '../property/propertyJob';
import { probeBackend } from '../ml/backendProbe';

if (!parentPort) throw new Error('trainWorker must run in a worker thread');
const port = parentPort;
const post = (m: FromTrainWorker) => port.postMessage(m);
const ac = new AbortController();

port.on('message', async (msg: ToTrainWorker) => {
  if (msg.type === 'stop') {
    ac.abort();
    return;
  }
  if (msg.type === 'property-classify') {
    try {
      post({ type: 'property-classified', result: runClassifyJob(msg.frames, msg.params, (progress) => post({ type: 'property-progress', progress })) });
    } catch (e) {
      post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
    }
    return;
  }
  if (msg.type === 'property-study') {
    try {
      post({ type: 'property-done', result: await runPropertyJob(msg.frames, msg.params, (progress) => post({ type: 'property-progress', progress })) });
    } catch (e) {
      post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
    }
    return;
  }
  if (msg.type === 'probe') {
    post({ type: 'probe-done', result: await probeBackend(msg.request) });
    return;
  }
  if (msg.type === 'uncertainty') {
    await runUncertaintyRequest(msg.request, post, ac.signal);
    return;
  }
  if (msg.type === 'learning-curve') {
    try {
      const result = await learningCurve(msg.trainFrames, msg.testFrames, { ...msg.options, log: (message) => post({ type: 'log', message }) });
      post({ type: 'lc-done', result });
    } catch (e) {
      post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
    }
    return;
  }
  const result = await runTrainJob(
    { runId: msg.runId, runDir: msg.runDir, label: msg.label, datasetName: msg.datasetName, frames: msg.frames, validFrames: msg.validFrames, settings: msg.settings, resume: msg.resume },
    {
      log: (message) => post({ type: 'log', message }),
      signal: ac.signal,
      onEpoch: (e) =>
        post({
          type: 'epoch',
          epoch: e.epoch,
          etaMs: e.etaMs ?? null,
          record: { epoch: e.epoch, step: e.step, lr: e.lr, train: { ...e.train }, valid: e.valid ? { loss: { ...e.valid.loss }, metrics: { ...e.valid.metrics } } : null, ms: e.ms },
        }),
    },
  );
  post({ type: 'done', result });
});
