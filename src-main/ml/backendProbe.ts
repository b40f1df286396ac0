// Backend probe, run inside a fresh training worker (one per backend: tfjs picks its backend once
// per thread, and the native addon dislikes being loaded twice): start the backend, say what it is
// or why it is not there, and time a few training steps of the user's model (tf/probe.ts).
import { ALL_BACKENDS, type BackendName } from '../../src-shared/ml/tf/backend';
import { probeTrainingSpeed } from '../../src-shared/ml/tf/probe';
import type { BackendInfoDto } from '../../src-shared/protocol/api';
import { tfNode } from './tfNode';

export type { BackendInfoDto };

export interface BackendProbeRequest {
  backend: BackendName;
  modelType?: string;
  modelConfig?: Record<string, unknown>;
  /** Time training steps (else only check that the backend starts). */
  probe: boolean;
}

const WHAT: Record<BackendName, string> = {
  tensorflow: 'native TensorFlow (tfjs-node; CUDA with tfjs-node-gpu)',
  webgpu: 'GPU through WebGPU',
  wasm: 'WebAssembly SIMD (XNNPACK), 1 thread in Node',
  cpu: 'plain JavaScript',
};

export { ALL_BACKENDS };

export async function probeBackend(req: BackendProbeRequest): Promise<BackendInfoDto> {
  const base = { backend: req.backend, adapter: null, stepsPerSecond: null, msPerStep: null, atomsPerStep: null, error: null };
  let started;
  try {
    started = await tfNode(req.backend);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const why = /Cannot find (module|package)/.test(msg) ? `not installed (${msg.split('\n')[0]})` : msg;
    return { ...base, available: false, detail: why };
  }
  const { tf, report } = started;
  if (report.backend !== req.backend) {
    // webgpu falls back instead of failing: report why it did not start
    return { ...base, available: false, detail: report.attempts.find((a) => a.backend === req.backend)?.error ?? `${req.backend} did not start` };
  }
  const adapter = report.adapter ?? null;
  const info: BackendInfoDto = { ...base, available: true, adapter, detail: adapter ? `${WHAT[req.backend]}: ${adapter}` : WHAT[req.backend] };
  if (!req.probe) return info;
  try {
    const r = await probeTrainingSpeed(tf, { modelType: req.modelType, modelConfig: req.modelConfig });
    return { ...info, stepsPerSecond: r.stepsPerSecond, msPerStep: r.msPerStep, atomsPerStep: r.atomsPerStep };
  } catch (e) {
    return { ...info, error: e instanceof Error ? e.message : String(e) };
  }
}
