// Compute-backend selection for TensorFlow.js, injected by the host.
//
// Order of preference (issue 4): `tensorflow` (@tensorflow/tfjs-node, native libtensorflow, where it
// installed) > `wasm` (@tensorflow/tfjs-backend-wasm, XNNPACK + SIMD; single-threaded in Node) >
// `cpu` (plain JavaScript). A user setting overrides the choice. The host owns the imports, so this
// module never touches node:fs or a package it cannot load in a browser:
//
//   import * as tf from '@tensorflow/tfjs';                       // registers gradients + cpu
//   import * as tfWasm from '@tensorflow/tfjs-backend-wasm';       // registers the wasm backend
//   const report = await initBackend(tf, {
//     loadTensorflow: () => import('@tensorflow/tfjs-node'),       // optional; throws when absent
//     wasm: { setWasmPaths: tfWasm.setWasmPaths, pathPrefix: '/abs/node_modules/@tensorflow/tfjs-backend-wasm/dist/' },
//   });
//
// `webgpu` (@tensorflow/tfjs-backend-webgpu on any GPU vendor: Metal, Vulkan, D3D12) is taken when
// asked for (user setting, picker) and never by 'auto': for the small per-atom networks of this
// engine a step is hundreds of small dispatches, and whether the GPU beats wasm depends on the
// machine, so the picker measures steps/s (probe.ts) and the user chooses. Asked for and not
// available (no `navigator.gpu`, no adapter), it falls back to the 'auto' order with the reason.
//
// After the backend is set, the missing/slow kernels are registered (kernels.ts).
import { registerMissingKernels } from './kernels';
import { startWebgpu, type WebgpuHost } from './webgpu';
import type { Tf } from './types';

export type BackendName = 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
/** Every backend the engine knows, in the order a picker lists them. */
export const ALL_BACKENDS: readonly BackendName[] = ['tensorflow', 'webgpu', 'wasm', 'cpu'];
/** What 'auto' tries, in order (webgpu only on request: see above). */
export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

export interface BackendOptions {
  /** A backend to use (user setting); 'auto' (default) takes the first that works in BACKEND_ORDER. */
  prefer?: BackendName | 'auto';
  /** Loads @tensorflow/tfjs-node so that it registers 'tensorflow' on this tf; rejects if not installed. */
  loadTensorflow?: () => Promise<unknown>;
  /**
   * The wasm backend package's setWasmPaths and the folder (or URL prefix, with trailing slash) of
   * its .wasm files; in Node the package's dist folder. Without it, wasm is skipped unless the wasm
   * backend was registered and configured by the host already.
   */
  wasm?: { setWasmPaths(prefix: string): void; pathPrefix: string };
  /** How this host reaches WebGPU (browser: navigator.gpu; Node: the `webgpu` package). */
  webgpu?: WebgpuHost;
}

export interface BackendAttempt {
  backend: BackendName;
  ok: boolean;
  error?: string;
}

export interface BackendReport {
  /** The backend now active. */
  backend: BackendName;
  /** What was tried, in order, and why a backend was not taken. */
  attempts: BackendAttempt[];
  /** Kernels this module registered ("Kernel@backend"). */
  kernels: string[];
  /** The GPU adapter's name ("vendor / architecture / description") when the backend is webgpu. */
  adapter?: string;
}

const wasmConfigured = new WeakSet<object>();

async function tryBackend(tf: Tf, name: BackendName, opts: BackendOptions): Promise<BackendAttempt & { adapter?: string }> {
  try {
    if (name === 'webgpu') {
      if (!opts.webgpu) return { backend: name, ok: false, error: 'this host offers no WebGPU (no webgpu option given)' };
      const r = await startWebgpu(tf, opts.webgpu);
      if (!r.ok) return { backend: name, ok: false, error: r.error };
      return { backend: name, ok: true, adapter: r.adapter };
    }
    if (name === 'tensorflow') {
      if (tf.findBackendFactory('tensorflow') == null) {
        if (!opts.loadTensorflow) return { backend: name, ok: false, error: 'no loader for @tensorflow/tfjs-node given' };
        await opts.loadTensorflow();
        if (tf.findBackendFactory('tensorflow') == null) return { backend: name, ok: false, error: 'tfjs-node loaded but registered no backend on this tf' };
      }
    } else if (name === 'wasm') {
      if (opts.wasm && !wasmConfigured.has(tf)) {
        opts.wasm.setWasmPaths(opts.wasm.pathPrefix);
        wasmConfigured.add(tf);
      }
      if (tf.findBackendFactory('wasm') == null) return { backend: name, ok: false, error: 'wasm backend not registered (import @tensorflow/tfjs-backend-wasm)' };
    }
    const ok = await tf.setBackend(name);
    if (!ok) return { backend: name, ok: false, error: `tf.setBackend('${name}') failed` };
    await tf.ready();
    return { backend: name, ok: true };
  } catch (e) {
    return { backend: name, ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * Choose and activate a backend, then register the kernels tfjs lacks. Never throws for a backend
 * that fails to load: it falls through to the next (cpu always works) and says why in `attempts`.
 * With an explicit `prefer`, only that backend is tried and a failure throws, except `webgpu`,
 * which falls back to the 'auto' order (a laptop without a usable GPU still trains).
 */
export async function initBackend(tf: Tf, opts: BackendOptions = {}): Promise<BackendReport> {
  const prefer = opts.prefer ?? 'auto';
  const order = prefer === 'auto' ? BACKEND_ORDER : prefer === 'webgpu' ? ['webgpu' as const, ...BACKEND_ORDER] : [prefer];
  const attempts: BackendAttempt[] = [];
  for (const name of order) {
    const { adapter, ...a } = await tryBackend(tf, name, opts);
    attempts.push(a);
    if (a.ok) {
      const kernels = registerMissingKernels(tf);
      return { backend: name, attempts, kernels, ...(adapter ? { adapter } : {}) };
    }
  }
  throw new Error(`no TensorFlow.js backend could be started: ${attempts.map((a) => `${a.backend}: ${a.error}`).join('; ')}`);
}

/** One line for logs and the model card, e.g. "wasm (tensorflow: no loader ...)". */
export function describeBackend(r: BackendReport): string {
  const skipped = r.attempts.filter((a) => !a.ok).map((a) => `${a.backend}: ${a.error}`);
  const name = r.adapter ? `${r.backend} [${r.adapter}]` : r.backend;
  return skipped.length ? `${name} (skipped ${skipped.join('; ')})` : name;
}
