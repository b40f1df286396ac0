// Fast float64 inference for MD with trained models (issue 5): a Calculator built straight from a
// SavedModel, without tfjs and its per-op dispatch. Model types with a fast path:
//   bpnn, linear   symmetry functions + per-element networks (bpnnCalculator.ts), on WebAssembly
//                  SIMD kernels (kernels/bpnn.ts via bpnnWasm.ts) where available, else TypeScript
//   kernel         symmetry functions + the sparse Gaussian kernel (models/kernel.ts), TypeScript
//   painn          message passing with a hand-written reverse pass (painnFast.ts,
//                  painnCalculator.ts), dense layers and pair loops on WebAssembly SIMD kernels
//                  (kernels/painn.ts) where available, else TypeScript; the direct-force head included
// Others return null: the caller keeps the tfjs graph calculator (models/calculator.ts).
//
//   const calc = fastModelCalculator(saved) ?? modelCalculator(loadModel(tf, saved));
//
// Each calculator keeps a Verlet neighbour list between calls (one system at a time; reset()).
import type { SavedModel } from '../models/serialization';
import { atomicNetworksOf } from './atomicNetworks';
import { atomicEnergyFunctionOf, networkEnergyFunction, symmetryFunctionCalculator, symmetryFunctionConfigOf, tsSymmetryFunctionEngine, type FastCalculatorOptions, type FastModelCalculator } from './bpnnCalculator';
import { wasmSymmetryFunctionEngine } from './bpnnWasm';
import { symmetryFunctionPlan } from './symmetryFunctionsFast';
import { painnCalculator } from './painnCalculator';

export type { FastCalculatorOptions, FastModelCalculator, FastKernel } from './bpnnCalculator';
export { precompileKernels, provideKernelModule, kernelModule } from './wasmModule';

/** Model types that have a fast inference path. */
export const FAST_MODEL_TYPES: readonly string[] = ['bpnn', 'linear', 'kernel', 'painn'];

/**
 * A float64 Calculator for `saved` without tfjs, or null when its type has no fast path.
 * `opts.kernel`: 'auto' (default: WebAssembly SIMD when it loads, else TypeScript), 'wasm', 'ts'.
 */
export function fastModelCalculator(saved: SavedModel, opts: FastCalculatorOptions = {}): FastModelCalculator | null {
  if (saved.type === 'painn') return painnCalculator(saved, opts);
  const sf = symmetryFunctionConfigOf(saved);
  if (!sf) return null;
  const plan = symmetryFunctionPlan(sf, saved.species.length);
  const kernel = opts.kernel ?? 'auto';
  // the kernel model's sparse kernel runs in TypeScript (its descriptors too: one engine per call)
  if (saved.type === 'kernel') {
    if (kernel === 'wasm') throw new Error('fastModelCalculator: the kernel model has no WebAssembly kernel; use kernel "ts" or "auto"');
    return symmetryFunctionCalculator(saved, tsSymmetryFunctionEngine(plan, atomicEnergyFunctionOf(saved)), opts);
  }
  if (kernel === 'wasm' && plan.power) throw new Error('fastModelCalculator: the WebAssembly kernel has no power spectrum; use kernel "ts" or "auto"');
  const net = atomicNetworksOf(saved);
  const engine = kernel === 'ts' ? null : wasmSymmetryFunctionEngine(plan, net);
  if (kernel === 'wasm' && !engine) throw new Error('fastModelCalculator: WebAssembly SIMD kernels are not available here');
  return symmetryFunctionCalculator(saved, engine ?? tsSymmetryFunctionEngine(plan, networkEnergyFunction(net)), opts);
}
