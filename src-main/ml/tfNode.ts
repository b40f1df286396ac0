// TensorFlow.js in a Node process or worker thread: imports tfjs (which registers the gradients)
// and the wasm backend, then picks the backend once per thread: tensorflow (tfjs-node, where it
// installed) > wasm > cpu, or the one the user asked for (webgpu only when asked: it falls back to
// that order where Dawn finds no adapter).
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as tfWasm from '@tensorflow/tfjs-backend-wasm';
import { describeBackend, initBackend, type BackendName, type BackendReport } from '../../src-shared/ml/tf/backend';
import type { Tf } from '../../src-shared/ml/tf/types';

const require = createRequire(import.meta.url);
let ready: Promise<{ tf: Tf; report: BackendReport; description: string }> | null = null;

export type BackendPreference = BackendName | 'auto';

/** Initialise tfjs once for this thread; later calls return the same backend. */
export function tfNode(prefer: BackendPreference = 'auto') {
  if (!ready) {
    ready = (async () => {
      const report = await initBackend(tf as unknown as Tf, {
        prefer,
        // A variable specifier so bundlers and type-checkers leave the optional native addon alone.
        loadTensorflow: () => {
          const name = '@tensorflow/tfjs-node';
          return import(/* @vite-ignore */ name);
        },
        wasm: { setWasmPaths: tfWasm.setWasmPaths, pathPrefix: dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + '/' },
        webgpu: nodeWebgpu(),
      });
      return { tf: tf as unknown as Tf, report, description: describeBackend(report) };
    })();
  }
  return ready;
}

/**
 * WebGPU in a Node thread through the optional `webgpu` package (Dawn): its GPU object, with the
 * WebGPU constants (GPUBufferUsage, GPUMapMode, ...) the tfjs backend reads from the global scope.
 */
export function nodeWebgpu() {
  return {
    gpu: async () => {
      const name = 'webgpu'; // a variable specifier: the optional package may be absent
      const m = (await import(/* @vite-ignore */ name)) as { create(flags: string[]): unknown; globals: Record<string, unknown> };
      for (const [k, v] of Object.entries(m.globals)) if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
      return m.create([]) as never;
    },
    load: () => import('@tensorflow/tfjs-backend-webgpu'),
  };
}

/**
 * Switch this thread to a backend with synchronous reads (wasm, else cpu) after training on webgpu:
 * the final evaluation, parity data and error breakdown use synchronous calculators, and webgpu
 * cannot read synchronously in Node. Models are reloaded from their saved weights. Returns the name.
 */
export async function switchToReadableBackend(): Promise<BackendName> {
  const t = tf as unknown as Tf;
  try {
    return (await initBackend(t, { prefer: 'wasm', wasm: { setWasmPaths: tfWasm.setWasmPaths, pathPrefix: dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + '/' } })).backend;
  } catch {
    return (await initBackend(t, { prefer: 'cpu' })).backend;
  }
}
