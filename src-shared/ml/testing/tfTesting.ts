// Test and bench helper: the tf namespace with a chosen backend, for Node (vitest runs at the
// repository root, where node_modules holds the wasm binaries). Not for production hosts, which
// call initBackend with their own paths.
import * as tf from '@tensorflow/tfjs';
import * as tfWasm from '@tensorflow/tfjs-backend-wasm';
import { initBackend, type BackendName, type BackendReport } from '../tf/backend';
import type { Tf } from '../tf/types';

declare const process: { cwd(): string };

/** Path prefix of the wasm binaries when running from the repository root. */
export function wasmDistPrefix(): string {
  return `${process.cwd()}/node_modules/@tensorflow/tfjs-backend-wasm/dist/`;
}

/** Activate `backend` (cpu or wasm) on the shared tf namespace and register the kernels. */
export async function useBackend(backend: BackendName): Promise<{ tf: Tf; report: BackendReport }> {
  const report = await initBackend(tf, { prefer: backend, wasm: { setWasmPaths: tfWasm.setWasmPaths, pathPrefix: wasmDistPrefix() } });
  return { tf, report };
}

export { tf };
