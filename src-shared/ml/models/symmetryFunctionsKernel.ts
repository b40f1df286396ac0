// Symmetry functions as three fused tfjs kernels (cpu, wasm): the whole descriptor block of a batch
// in one op instead of ~60 small ones, and its derivatives as two more ops, computed in float64 by
// the reference implementation (descriptorsF64 treats the batch as one disconnected graph).
//
//   forward  G = f(r)                      [N, F]   from edge vectors r [P, 3]
//   vjp      g = Jᵀ ȳ,  g_p = Σ_m ȳ_{i_p m} ∂G_{i_p m}/∂r_p      [P, 3]  (gradient of forward)
//   jvp      y = J u,   y_{im} = Σ_{p: i_p = i} ∂G_{im}/∂r_p · u_p  [N, F]  (gradient of vjp in ȳ)
// and the gradient of jvp in u is vjp again, so derivatives in the ȳ/u direction exist to any order
// (what force training needs: the weights enter only through ȳ = ∂E/∂G). Second derivatives of G
// in r are not implemented (a Hessian in positions through these kernels throws; use the graph
// path of symmetryFunctionsTf.ts for that). The Jacobian J (∂G_i/∂r_p for each edge p of centre i,
// [P, F, 3]) is computed once per batch and cached (by contents), so the vjp and jvp of one
// training step share it.
import { registerHostKernel, runKernel, hasKernel, type HostInput } from '../tf/hostKernel';
import type { Tensor, Tensor2D, Tf } from '../tf/types';
import type { GraphTensors, HostGraphBatch } from '../data/batch';
import { descriptorsF64, featureLayout, graphSpecOf, type SymmetryFunctionConfig } from './symmetryFunctions';
import { blockStandardizer, descriptorBlockWidths, descriptorSegmentTensors, descriptorsTf, disposeConstants, standardizedBlocks, symmetryFunctionConstants, type BlockStandardizer, type SymmetryFunctionConstants } from './symmetryFunctionsTf';
import { speciesTable } from '../data/species';
import type { LabelScales } from '../data/referenceEnergies';
import type { FrameGraph } from '../data/graph';

export const SF_FORWARD = 'AtomforgeSymmetryFunctions';
export const SF_VJP = 'AtomforgeSymmetryFunctionsVjp';
export const SF_JVP = 'AtomforgeSymmetryFunctionsJvp';

const configs = new Map<string, SymmetryFunctionConfig>();
const installed = new WeakSet<object>();

function configId(c: SymmetryFunctionConfig): string {
  const id = JSON.stringify(c);
  if (!configs.has(id)) configs.set(id, c);
  return id;
}

function graphOf(inputs: Record<string, HostInput>): { graph: FrameGraph; species: Int32Array } {
  const species = inputs.species.values as Int32Array;
  return {
    graph: {
      nAtoms: species.length,
      edgeI: inputs.edgeI.values as Int32Array,
      edgeJ: inputs.edgeJ.values as Int32Array,
      edgeVectorsA: Float64Array.from(inputs.v.values),
      tripletA: inputs.tripletA.values as Int32Array,
      tripletB: inputs.tripletB.values as Int32Array,
      volumeA3: 0,
    },
    species,
  };
}

/**
 * Recently used Jacobians with the inputs they belong to. Keyed by contents, not tensor identity:
 * the tape saves clones of the inputs, and on wasm a clone is a copy with a new data id. A lookup
 * compares the edge vectors and indices element by element (O(P), small next to computing J).
 */
interface CacheEntry {
  id: string;
  v: Float32Array;
  edgeI: Int32Array;
  tripletA: Int32Array;
  tripletB: Int32Array;
  D: Float64Array;
}
const cache: CacheEntry[] = [];
const CACHE_SIZE = 2;

function equal(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

let spare: Float64Array | null = null; // the derivative array of the last evicted entry, reused

function lookup(id: string, inputs: Record<string, HostInput>): CacheEntry | null {
  const v = inputs.v.values, edgeI = inputs.edgeI.values, tA = inputs.tripletA.values, tB = inputs.tripletB.values;
  for (let k = 0; k < cache.length; k++) {
    const e = cache[k];
    if (e.id === id && equal(e.v, v) && equal(e.edgeI, edgeI) && equal(e.tripletA, tA) && equal(e.tripletB, tB)) {
      if (k > 0) cache.unshift(...cache.splice(k, 1));
      return e;
    }
  }
  return null;
}

/** G (and J, cached) of a batch; J is computed when `withJacobian` or when it is needed later anyway. */
function evaluate(id: string, inputs: Record<string, HostInput>, nSpecies: number, withJacobian: boolean): { G: Float64Array | null; D: Float64Array | null } {
  const hit = lookup(id, inputs);
  if (hit && withJacobian) return { G: null, D: hit.D };
  const { graph, species } = graphOf(inputs);
  const r = descriptorsF64(configs.get(id)!, graph, species, nSpecies, withJacobian, spare ?? undefined);
  if (withJacobian) {
    const D = r.edgeDerivatives!;
    if (spare && D.buffer === spare.buffer) spare = null;
    cache.unshift({ id, v: Float32Array.from(inputs.v.values), edgeI: Int32Array.from(inputs.edgeI.values), tripletA: Int32Array.from(inputs.tripletA.values), tripletB: Int32Array.from(inputs.tripletB.values), D });
    while (cache.length > CACHE_SIZE) spare = cache.pop()!.D;
  }
  return { G: r.values, D: r.edgeDerivatives };
}

/** G with J computed alongside and cached (the forward pass under a gradient tape). */
function evaluateFresh(id: string, inputs: Record<string, HostInput>, nSpecies: number): Float64Array {
  const hit = lookup(id, inputs);
  if (hit) {
    const { graph, species } = graphOf(inputs);
    return descriptorsF64(configs.get(id)!, graph, species, nSpecies).values;
  }
  return evaluate(id, inputs, nSpecies, true).G!;
}

function jacobian(id: string, inputs: Record<string, HostInput>, nSpecies: number): Float64Array {
  return evaluate(id, inputs, nSpecies, true).D!;
}

/** Register the kernels and their gradients (idempotent per tf namespace). */
export function registerSymmetryFunctionKernels(tf: Tf): void {
  if (installed.has(tf)) return;
  installed.add(tf);
  registerHostKernel(tf, SF_FORWARD, (inputs, attrs) => {
    const id = attrs.config as string;
    const S = attrs.nSpecies as number;
    const F = featureLayout(configs.get(id)!, S).nFeatures;
    // While a gradient is being recorded the vjp will follow: compute J now, with G, sharing the
    // exponentials and cosines, instead of a second pass then.
    const recording = (tf.engine() as unknown as { state: { gradientDepth: number } }).state.gradientDepth > 0;
    const { graph, species } = graphOf(inputs);
    const r = recording ? evaluateFresh(id, inputs, S) : descriptorsF64(configs.get(id)!, graph, species, S).values;
    return { shape: [species.length, F], values: Float32Array.from(r) };
  });
  registerHostKernel(tf, SF_VJP, (inputs, attrs) => {
    const S = attrs.nSpecies as number;
    const id = attrs.config as string;
    const F = featureLayout(configs.get(id)!, S).nFeatures;
    const D = jacobian(id, inputs, S);
    const dy = inputs.dy.values, edgeI = inputs.edgeI.values;
    const P = edgeI.length;
    const out = new Float32Array(3 * P);
    for (let p = 0; p < P; p++) {
      const row = edgeI[p] * F;
      let x = 0, y = 0, z = 0;
      for (let m = 0, o = p * F * 3; m < F; m++, o += 3) {
        const w = dy[row + m];
        x += w * D[o];
        y += w * D[o + 1];
        z += w * D[o + 2];
      }
      out[3 * p] = x;
      out[3 * p + 1] = y;
      out[3 * p + 2] = z;
    }
    return { shape: [P, 3], values: out };
  });
  registerHostKernel(tf, SF_JVP, (inputs, attrs) => {
    const S = attrs.nSpecies as number;
    const id = attrs.config as string;
    const F = featureLayout(configs.get(id)!, S).nFeatures;
    const D = jacobian(id, inputs, S);
    const u = inputs.u.values, edgeI = inputs.edgeI.values;
    const N = inputs.species.values.length;
    const out = new Float64Array(N * F);
    for (let p = 0; p < edgeI.length; p++) {
      const ux = u[3 * p], uy = u[3 * p + 1], uz = u[3 * p + 2];
      const row = edgeI[p] * F;
      for (let m = 0, o = p * F * 3; m < F; m++, o += 3) out[row + m] += D[o] * ux + D[o + 1] * uy + D[o + 2] * uz;
    }
    return { shape: [N, F], values: Float32Array.from(out) };
  });
  const noSecond = () => {
    throw new Error('second derivatives of the fused symmetry functions in the edge vectors are not implemented (use the graph path)');
  };
  const graphInputs = (saved: Tensor[]) => ({ v: saved[0], edgeI: saved[1], edgeJ: saved[2], species: saved[3], tripletA: saved[4], tripletB: saved[5] });
  tf.registerGradient({
    kernelName: SF_FORWARD,
    inputsToSave: ['v', 'edgeI', 'edgeJ', 'species', 'tripletA', 'tripletB'],
    gradFunc: (dy, saved, attrs) => ({ v: () => call(tf, SF_VJP, { dy: dy as Tensor, ...graphInputs(saved) }, attrs as never) }),
  });
  tf.registerGradient({
    kernelName: SF_VJP,
    inputsToSave: ['v', 'edgeI', 'edgeJ', 'species', 'tripletA', 'tripletB'],
    gradFunc: (dOut, saved, attrs) => ({ dy: () => call(tf, SF_JVP, { u: dOut as Tensor, ...graphInputs(saved) }, attrs as never), v: noSecond }),
  });
  tf.registerGradient({
    kernelName: SF_JVP,
    inputsToSave: ['v', 'edgeI', 'edgeJ', 'species', 'tripletA', 'tripletB'],
    gradFunc: (dOut, saved, attrs) => ({ u: () => call(tf, SF_VJP, { dy: dOut as Tensor, ...graphInputs(saved) }, attrs as never), v: noSecond }),
  });
}

function call(tf: Tf, name: string, inputs: Record<string, Tensor>, attrs: Record<string, unknown>): Tensor {
  return runKernel(tf, name, inputs, attrs);
}

/** Whether the fused kernels can run on the active backend. */
export function fusedSymmetryFunctionsAvailable(tf: Tf): boolean {
  registerSymmetryFunctionKernels(tf);
  return hasKernel(tf, SF_FORWARD);
}

/** G [N, F] of a batch through the fused kernel; differentiable in edgeVectorsA as described above. */
export function symmetryFunctionsFused(tf: Tf, c: SymmetryFunctionConfig, batch: GraphTensors, edgeVectorsA: Tensor2D): Tensor2D {
  registerSymmetryFunctionKernels(tf);
  return call(
    tf,
    SF_FORWARD,
    { v: edgeVectorsA, edgeI: batch.edgeI, edgeJ: batch.edgeJ, species: batch.species, tripletA: batch.tripletA, tripletB: batch.tripletB },
    { config: configId(c), nSpecies: batch.host.nSpecies },
  ) as Tensor2D;
}

export type SymmetryFunctionPath = 'auto' | 'fused' | 'graph';
let path: SymmetryFunctionPath = 'auto';

/**
 * How models compute symmetry functions: 'auto' (fused kernels where the backend has them, else the
 * graph of symmetryFunctionsTf.ts), or one of them forced (tests compare both; Hessians need 'graph').
 */
export function setSymmetryFunctionPath(p: SymmetryFunctionPath): void {
  path = p;
}

export function symmetryFunctionPath(): SymmetryFunctionPath {
  return path;
}

/**
 * Descriptor column blocks for a batch by the chosen path, with their widths: one [N, F] block
 * (fused) or the radial and angular blocks (graph).
 */
export function symmetryFunctionBlocks(tf: Tf, c: SymmetryFunctionConfig, k: SymmetryFunctionConstants, batch: GraphTensors, edgeVectorsA: Tensor2D): { blocks: Tensor2D[]; widths: number[] } {
  const S = batch.host.nSpecies;
  const fused = path === 'fused' || (path === 'auto' && fusedSymmetryFunctionsAvailable(tf));
  if (fused) return { blocks: [symmetryFunctionsFused(tf, c, batch, edgeVectorsA)], widths: [featureLayout(c, S).nFeatures] };
  return { blocks: descriptorsTf(tf, c, k, batch, edgeVectorsA), widths: descriptorBlockWidths(c, S) };
}

/** Extra batch tensors the chosen path needs (the graph path's segment ids; none for the fused kernels). */
export function symmetryFunctionBatchTensors(tf: Tf, c: SymmetryFunctionConfig, batch: HostGraphBatch): Record<string, Tensor> {
  const fused = path === 'fused' || (path === 'auto' && fusedSymmetryFunctionsAvailable(tf));
  return fused ? {} : descriptorSegmentTensors(tf, c, batch);
}

/** Forget cached Jacobians (they hold [P, F, 3] float64 arrays of the last batches). */
export function clearSymmetryFunctionCache(): void {
  cache.length = 0;
}

/** Per-widths standardisers, made on first use (fused and graph paths split the columns differently). */
export function standardizerCache(tf: Tf, mean: Float64Array, std: Float64Array, nSpecies: number) {
  const made = new Map<string, BlockStandardizer>();
  return {
    get(widths: number[]): BlockStandardizer {
      const key = widths.join(',');
      let st = made.get(key);
      if (!st) {
        // made on first use, possibly inside a tidy scope: keep the tensors beyond it
        st = blockStandardizer(tf, mean, std, nSpecies, widths);
        for (const t of [...st.mean.flat(), ...st.invStd.flat()]) tf.keep(t);
        made.set(key, st);
      }
      return st;
    },
    dispose() {
      for (const st of made.values()) st.dispose();
      made.clear();
    },
  };
}

/**
 * What the models on standardised symmetry functions (linear, kernel) build the same way from a
 * model file: the AtomisticModel fields that do not depend on the model's own weights, the
 * per-element standardised row blocks of a batch, and the disposal of the descriptor constants.
 */
export function standardizedSymmetryFunctionModel(tf: Tf, saved: { species: string[]; e0: { method: string; valuesEv: number[] }; scales: LabelScales }, c: SymmetryFunctionConfig, mean: Float64Array, std: Float64Array) {
  const species = speciesTable(saved.species);
  const consts = symmetryFunctionConstants(tf, c);
  const standardizers = standardizerCache(tf, mean, std, species.numbers.length);
  return {
    fields: {
      species,
      graphSpec: graphSpecOf(c),
      e0: { method: saved.e0.method as 'least_squares', valuesEv: Float64Array.from(saved.e0.valuesEv) },
      scales: { ...saved.scales },
      tf,
      prepareBatch: (b: HostGraphBatch) => symmetryFunctionBatchTensors(tf, c, b),
    },
    /** Per element present in the batch: its standardised descriptor rows as column blocks of widths `widths`. */
    rows(batch: GraphTensors, edgeVectorsA: Tensor2D): { blocks: { species: number; rows: Tensor2D[] }[]; widths: number[] } {
      const { blocks, widths } = symmetryFunctionBlocks(tf, c, consts, batch, edgeVectorsA);
      return { blocks: standardizedBlocks(tf, standardizers.get(widths), blocks, batch.host.speciesCounts), widths };
    },
    dispose() {
      disposeConstants(consts);
      standardizers.dispose();
    },
  };
}
