// Kernels that tfjs 4.22 lacks or implements too slowly for graph-shaped atomistic models.
//
// Message passing and descriptor sums reduce per-pair (per-edge) values onto atoms with a segment
// sum, out[s] = Σ_{p: id[p] = s} x[p]  (TensorFlow's UnsortedSegmentSum), and gather per-atom
// values onto pairs, x[idx[p]] (GatherV2). Each is the other's gradient, so both run several times
// per force-trained step (forward, the force backward pass, and the weight backward pass).
//  - wasm: UnsortedSegmentSum is not registered at all (tf.unsortedSegmentSum and the gradient of
//    tf.gather throw). Registered here as a single O(n·inner) scatter-add over the wasm heap.
//  - cpu: UnsortedSegmentSum loops over every segment with a full-size mask (O(segments·n·inner),
//    minutes for a few thousand atoms), and GatherV2 converts every output index to coordinates.
//    Both are replaced by linear loops; unusual calls (batchDims, non-float data) fall back to the
//    stock kernel. The wasm GatherV2 is replaced too (a JS loop over heap views measured faster).
//  - gradients: see registerFastGradients.
//  - element-wise Multiply/Add/Sub/RealDiv with broadcasting: binaryKernels.ts.
//  - webgpu: AddN with more inputs than a shader may bind is summed in chunks (webgpuAddN).
// Semantics follow tf.math.unsorted_segment_sum: ids outside [0, numSegments) are dropped.
import { registerBinaryKernels } from './binaryKernels';
import type { Tensor, Tf } from './types';

// Loose shapes of the kernel-function arguments (tfjs does not export the backends' classes).
interface TensorInfoLike {
  dataId: object;
  shape: number[];
  dtype: string;
}
type TypedArray = Float32Array | Int32Array | Uint8Array;
interface CpuBackendLike {
  data: { get(dataId: object): { values: TypedArray } };
  makeTensorInfo(shape: number[], dtype: string, values: TypedArray): TensorInfoLike;
}
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: string): TensorInfoLike;
  typedArrayFromHeap(t: TensorInfoLike): TypedArray;
}
interface KernelArgs<B> {
  inputs: Record<string, TensorInfoLike>;
  attrs: Record<string, unknown>;
  backend: B;
}
type KernelFunc = (args: KernelArgs<never>) => TensorInfoLike | TensorInfoLike[];

const SEGMENT_SUM = 'UnsortedSegmentSum';
const GATHER = 'GatherV2';

function sizeOf(shape: readonly number[], from = 0, to = shape.length): number {
  let s = 1;
  for (let k = from; k < to; k++) s *= shape[k];
  return s;
}

/** out[id[r], :] += x[r, :] for r < rows (out pre-zeroed); ids out of range are skipped. */
export function segmentSumInto(out: TypedArray, x: TypedArray, ids: TypedArray, rows: number, inner: number, numSegments: number): void {
  if (inner === 1) {
    for (let r = 0; r < rows; r++) {
      const s = ids[r];
      if (s >= 0 && s < numSegments) out[s] += x[r];
    }
    return;
  }
  if (inner === 3) {
    for (let r = 0; r < rows; r++) {
      const s = ids[r];
      if (s < 0 || s >= numSegments) continue;
      const o = 3 * s, i = 3 * r;
      out[o] += x[i];
      out[o + 1] += x[i + 1];
      out[o + 2] += x[i + 2];
    }
    return;
  }
  for (let r = 0; r < rows; r++) {
    const s = ids[r];
    if (s < 0 || s >= numSegments) continue;
    const o = s * inner, i = r * inner;
    for (let k = 0; k < inner; k++) out[o + k] += x[i + k];
  }
}

/** out[o, r, :] = x[o, idx[r], :]; throws on an index outside [0, n) like the stock kernel. */
export function gatherInto(out: TypedArray, x: TypedArray, idx: TypedArray, outer: number, n: number, inner: number): void {
  const m = idx.length;
  for (let r = 0; r < m; r++) {
    const v = idx[r];
    if (v < 0 || v >= n) throw new Error(`GatherV2: index ${v} is not in [0, ${n - 1}]`);
  }
  for (let o = 0; o < outer; o++) {
    const xBase = o * n * inner, oBase = o * m * inner;
    if (inner === 1) {
      for (let r = 0; r < m; r++) out[oBase + r] = x[xBase + idx[r]];
    } else {
      for (let r = 0; r < m; r++) {
        const src = xBase + idx[r] * inner, dst = oBase + r * inner;
        for (let k = 0; k < inner; k++) out[dst + k] = x[src + k];
      }
    }
  }
}

function segmentGeometry(x: TensorInfoLike, ids: TensorInfoLike, numSegments: number) {
  const idRank = ids.shape.length;
  const rows = sizeOf(ids.shape);
  const inner = sizeOf(x.shape, idRank);
  const outShape = [numSegments, ...x.shape.slice(idRank)];
  return { rows, inner, outShape };
}

function cpuSegmentSum(fallback: KernelFunc | undefined) {
  return (args: KernelArgs<CpuBackendLike>) => {
    const { x, segmentIds } = args.inputs;
    const numSegments = args.attrs.numSegments as number;
    if (x.dtype !== 'float32' && x.dtype !== 'int32') {
      if (fallback) return fallback(args as never);
      throw new Error(`UnsortedSegmentSum: dtype ${x.dtype} not supported`);
    }
    const { rows, inner, outShape } = segmentGeometry(x, segmentIds, numSegments);
    const xv = args.backend.data.get(x.dataId).values;
    const idv = args.backend.data.get(segmentIds.dataId).values;
    const out = x.dtype === 'int32' ? new Int32Array(numSegments * inner) : new Float32Array(numSegments * inner);
    segmentSumInto(out, xv, idv, rows, inner, numSegments);
    return args.backend.makeTensorInfo(outShape, x.dtype, out);
  };
}

function wasmSegmentSum(args: KernelArgs<WasmBackendLike>) {
  const { x, segmentIds } = args.inputs;
  const numSegments = args.attrs.numSegments as number;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') throw new Error(`UnsortedSegmentSum (wasm): dtype ${x.dtype} not supported`);
  const { rows, inner, outShape } = segmentGeometry(x, segmentIds, numSegments);
  // Allocate first: growing the wasm heap detaches views taken before.
  const outInfo = args.backend.makeOutput(outShape, x.dtype);
  const out = args.backend.typedArrayFromHeap(outInfo);
  out.fill(0);
  const xv = args.backend.typedArrayFromHeap(x);
  const idv = args.backend.typedArrayFromHeap(segmentIds);
  segmentSumInto(out, xv, idv, rows, inner, numSegments);
  return outInfo;
}

function wasmGather(fallback: KernelFunc) {
  return (args: KernelArgs<WasmBackendLike>) => {
    const { x, indices } = args.inputs;
    const batchDims = (args.attrs.batchDims as number) ?? 0;
    let axis = (args.attrs.axis as number) ?? 0;
    if (axis < 0) axis += x.shape.length;
    if (batchDims !== 0 || (x.dtype !== 'float32' && x.dtype !== 'int32')) return fallback(args as never);
    const n = x.shape[axis];
    const outShape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
    const outInfo = args.backend.makeOutput(outShape, x.dtype);
    const out = args.backend.typedArrayFromHeap(outInfo);
    gatherInto(out, args.backend.typedArrayFromHeap(x), args.backend.typedArrayFromHeap(indices), sizeOf(x.shape, 0, axis), n, sizeOf(x.shape, axis + 1));
    return outInfo;
  };
}

function cpuGather(fallback: KernelFunc) {
  return (args: KernelArgs<CpuBackendLike>) => {
    const { x, indices } = args.inputs;
    const batchDims = (args.attrs.batchDims as number) ?? 0;
    let axis = (args.attrs.axis as number) ?? 0;
    if (axis < 0) axis += x.shape.length;
    if (batchDims !== 0 || (x.dtype !== 'float32' && x.dtype !== 'int32')) return fallback(args as never);
    const outer = sizeOf(x.shape, 0, axis);
    const n = x.shape[axis];
    const inner = sizeOf(x.shape, axis + 1);
    const outShape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
    const xv = args.backend.data.get(x.dataId).values;
    const idv = args.backend.data.get(indices.dataId).values;
    const out = x.dtype === 'int32' ? new Int32Array(sizeOf(outShape)) : new Float32Array(sizeOf(outShape));
    gatherInto(out, xv, idv, outer, n, inner);
    return args.backend.makeTensorInfo(outShape, x.dtype, out);
  };
}

/**
 * webgpu: AddN binds every input as a storage buffer, and a device allows only
 * maxStorageBuffersPerShaderStage (8 by default, one for the output): the sum of the optimiser's
 * per-variable squared gradient norms failed to compile ("Invalid ComputePipeline") and training
 * went NaN. Sum in chunks (Concat already does this in tfjs 4.22).
 */
function webgpuAddN(stock: KernelFunc) {
  interface WebgpuBackendLike {
    device: { limits: { maxStorageBuffersPerShaderStage: number } };
    disposeData(dataId: object): void;
  }
  return (args: KernelArgs<WebgpuBackendLike>) => {
    const be = args.backend;
    const max = Math.max(2, be.device.limits.maxStorageBuffersPerShaderStage - 1);
    const sum = (xs: TensorInfoLike[]): TensorInfoLike => {
      if (xs.length <= max) return stock({ ...args, inputs: xs as never } as never) as TensorInfoLike;
      const partial: TensorInfoLike[] = [];
      for (let i = 0; i < xs.length; i += max) partial.push(sum(xs.slice(i, i + max)));
      const out = sum(partial);
      for (const p of partial) be.disposeData(p.dataId);
      return out;
    };
    return sum(Object.values(args.inputs));
  };
}

const installed = new WeakMap<object, Set<string>>();

function replaceKernel(tf: Tf, kernelName: string, backendName: string, make: (fallback: KernelFunc | undefined) => unknown): void {
  const existing = tf.getKernel(kernelName, backendName);
  const fallback = existing ? (existing.kernelFunc as unknown as KernelFunc) : undefined;
  if (existing) tf.unregisterKernel(kernelName, backendName);
  // keep the stock kernel's setup (wasm binds its exports there): the fallback path calls it
  tf.registerKernel({ kernelName, backendName, kernelFunc: make(fallback) as never, setupFunc: existing?.setupFunc, disposeFunc: existing?.disposeFunc });
}

/**
 * Gradients of GatherV2 (axis 0) and UnsortedSegmentSum without tfjs-core's detours. The stock
 * gradient of a gather transposes with the identity permutation twice, and the stock gradient of
 * a segment sum is "gather, dropping negative ids" (maximum, greaterEqual, logicalAnd with a
 * full-size boolean tensor, zerosLike, where): on wasm that mask alone took a third of a training
 * step. Here: d/dx gather(x, idx) = segmentSum(dy, idx, n), and d/dx segmentSum(x, ids) = gather(dy, ids)
 * when every id is >= 0 (checked once per id buffer, cached; the stock gradient otherwise). Both
 * are again made of gather and segment sum, so they stay correct at any order.
 */
function registerFastGradients(tf: Tf): void {
  const stockGather = tf.getGradient(GATHER);
  const stockSegment = tf.getGradient(SEGMENT_SUM);
  if (!stockGather || !stockSegment) throw new Error('tfjs gradients are not registered: import @tensorflow/tfjs, not tfjs-core');
  const nonNegative = new WeakMap<object, boolean>();
  const allNonNegative = (ids: Tensor): boolean => {
    let v = nonNegative.get(ids.dataId);
    if (v === undefined) {
      // webgpu cannot read synchronously (tidy.ts): the stock gradient there, unless the ids'
      // values are still on the CPU side (not yet uploaded, or read back before)
      const cached = tf.getBackend() === 'webgpu' ? (tf.backend() as unknown as { tensorMap?: { get(id: object): { values?: ArrayLike<number> | null } | undefined } }).tensorMap?.get(ids.dataId)?.values : null;
      if (tf.getBackend() === 'webgpu' && !cached) return false;
      const values = cached ?? (ids.dataSync() as ArrayLike<number>);
      v = true;
      for (let i = 0; i < values.length; i++) if (values[i] < 0) {
        v = false;
        break;
      }
      nonNegative.set(ids.dataId, v);
    }
    return v;
  };
  tf.registerGradient({
    kernelName: GATHER,
    inputsToSave: ['x', 'indices'],
    gradFunc: (dy, saved, attrs) => {
      const [x, indices] = saved;
      const { axis, batchDims } = attrs as unknown as { axis: number; batchDims: number };
      if ((axis !== 0 && axis !== -x.rank) || (batchDims ?? 0) !== 0) return stockGather.gradFunc(dy, saved, attrs);
      const m = indices.size;
      return {
        x: () => tf.reshape(tf.unsortedSegmentSum(tf.reshape(dy as Tensor, [m, ...x.shape.slice(1)]), tf.reshape(indices, [m]) as never, x.shape[0]), x.shape),
        indices: () => indices,
      };
    },
  });
  tf.registerGradient({
    kernelName: SEGMENT_SUM,
    inputsToSave: ['segmentIds'],
    gradFunc: (dy, saved, attrs) => {
      const [ids] = saved;
      if (!allNonNegative(ids)) return stockSegment.gradFunc(dy, saved, attrs);
      return { x: () => tf.gather(dy as Tensor, ids) };
    },
  });
}

/**
 * Register the segment-sum kernel for wasm and the fast segment-sum and gather kernels for cpu.
 * Idempotent per tf namespace; call after the backend is registered (importing its package).
 * Returns the kernel names installed, as "Kernel@backend".
 */
export function registerMissingKernels(tf: Tf): string[] {
  let done = installed.get(tf);
  if (!done) installed.set(tf, (done = new Set()));
  const names: string[] = [];
  if (!done.has('gradients')) {
    registerFastGradients(tf);
    done.add('gradients');
    names.push(`${GATHER}@gradient`, `${SEGMENT_SUM}@gradient`);
  }
  const backends = new Set(['cpu', 'wasm', 'webgpu'].filter((b) => tf.findBackendFactory(b) != null));
  if (backends.has('webgpu') && !done.has('webgpu') && tf.getKernel('AddN', 'webgpu')) {
    replaceKernel(tf, 'AddN', 'webgpu', (fb) => webgpuAddN(fb!));
    done.add('webgpu');
    names.push('AddN@webgpu');
  }
  if (backends.has('cpu') && !done.has('cpu')) {
    replaceKernel(tf, SEGMENT_SUM, 'cpu', (fb) => cpuSegmentSum(fb));
    replaceKernel(tf, GATHER, 'cpu', (fb) => cpuGather(fb!));
    done.add('cpu');
    names.push(`${SEGMENT_SUM}@cpu`, `${GATHER}@cpu`, ...registerBinaryKernels(tf, 'cpu'));
  }
  if (backends.has('wasm') && !done.has('wasm')) {
    replaceKernel(tf, SEGMENT_SUM, 'wasm', () => wasmSegmentSum);
    replaceKernel(tf, GATHER, 'wasm', (fb) => wasmGather(fb!));
    done.add('wasm');
    names.push(`${SEGMENT_SUM}@wasm`, `${GATHER}@wasm`, ...registerBinaryKernels(tf, 'wasm'));
  }
  return names;
}
