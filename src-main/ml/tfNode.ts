// TensorFlow.js in a Node process or worker thread: imports tfjs (which registers the gradients)
// and the wasm backend, then picks the backend once per thread: tensorflow (tfjs-node, where it
// installed) > wasm > cpu, or the one the user asked for.
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
      });
      return { tf: tf as unknown as Tf, report, description: describeBackend(report) };
    })();
  }
  return ready;
}
