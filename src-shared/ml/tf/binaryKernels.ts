// Element-wise binary kernels (Multiply, Add, Sub, RealDiv) with broadcasting, as strided loops.
//
// tfjs 4.22's cpu backend converts every output index to coordinates and back when shapes differ
// (util.indexToLoc / locToIndex per element: ~4 M elements/s), and the wasm backend's generic
// broadcast path is also slow; descriptor graphs broadcast constantly ([P, K] × [P, 1], [T, nη, 1]
// × [T, 1, nζλ], [N, F] × [1, F]). Here the shapes are right-aligned and padded to rank 4 (numpy
// broadcasting), each operand gets strides with 0 on broadcast axes, and three outer loops drive a
// contiguous inner loop. cpu: every float32 case; wasm: only the broadcasting cases (the native
// kernel is faster for equal shapes). Other dtypes and ranks > 4 use the stock kernels.
import type { Tf } from './types';

type Arr = Float32Array | Int32Array | Uint8Array;
export type BinaryOp = 0 | 1 | 2 | 3; // mul, add, sub, div

export const BINARY_KERNELS: readonly [string, BinaryOp][] = [
  ['Multiply', 0],
  ['Add', 1],
  ['Sub', 2],
  ['RealDiv', 3],
];

/** numpy broadcast of two shapes, or null when incompatible. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] | null {
  const R = Math.max(a.length, b.length);
  const out = new Array<number>(R);
  for (let k = 0; k < R; k++) {
    const x = a[a.length - R + k] ?? 1, y = b[b.length - R + k] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out[k] = x === 1 ? y : x;
  }
  return out;
}

/** Strides of `shape` right-aligned in rank 4, 0 along axes of extent 1 (broadcast). */
function strides4(shape: readonly number[]): number[] {
  const s = [0, 0, 0, 0];
  let acc = 1;
  for (let k = shape.length - 1, q = 3; k >= 0; k--, q--) {
    s[q] = shape[k] === 1 ? 0 : acc;
    acc *= shape[k];
  }
  return s;
}

function innerLoop(op: BinaryOp, out: Arr, o: number, a: Arr, ia: number, sa: number, b: Arr, ib: number, sb: number, n: number): void {
  switch (op) {
    case 0:
      if (sa === 1 && sb === 0) {
        const y = b[ib];
        for (let k = 0; k < n; k++) out[o + k] = a[ia + k] * y;
      } else if (sa === 0 && sb === 1) {
        const x = a[ia];
        for (let k = 0; k < n; k++) out[o + k] = x * b[ib + k];
      } else for (let k = 0; k < n; k++) out[o + k] = a[ia + k * sa] * b[ib + k * sb];
      break;
    case 1:
      for (let k = 0; k < n; k++) out[o + k] = a[ia + k * sa] + b[ib + k * sb];
      break;
    case 2:
      for (let k = 0; k < n; k++) out[o + k] = a[ia + k * sa] - b[ib + k * sb];
      break;
    case 3:
      for (let k = 0; k < n; k++) out[o + k] = a[ia + k * sa] / b[ib + k * sb];
      break;
  }
}

/** out = a ∘ b with broadcasting; false (nothing written) when the output rank exceeds 4. */
export function binaryInto(op: BinaryOp, out: Arr, a: Arr, aShape: readonly number[], b: Arr, bShape: readonly number[], outShape: readonly number[]): boolean {
  if (outShape.length > 4) return false;
  const d = [1, 1, 1, 1];
  for (let k = outShape.length - 1, q = 3; k >= 0; k--, q--) d[q] = outShape[k];
  const sa = strides4(aShape), sb = strides4(bShape);
  let o = 0;
  for (let i0 = 0; i0 < d[0]; i0++) {
    for (let i1 = 0; i1 < d[1]; i1++) {
      for (let i2 = 0; i2 < d[2]; i2++) {
        innerLoop(op, out, o, a, i0 * sa[0] + i1 * sa[1] + i2 * sa[2], sa[3], b, i0 * sb[0] + i1 * sb[1] + i2 * sb[2], sb[3], d[3]);
        o += d[3];
      }
    }
  }
  return true;
}

interface Info {
  dataId: object;
  shape: number[];
  dtype: string;
}
type Fallback = (args: never) => unknown;

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, k) => x === b[k]);
}

/** Register the fast binary kernels on cpu (all float32 cases) and wasm (broadcasting cases). */
export function registerBinaryKernels(tf: Tf, backendName: 'cpu' | 'wasm'): string[] {
  const names: string[] = [];
  for (const [kernelName, op] of BINARY_KERNELS) {
    const stock = tf.getKernel(kernelName, backendName);
    if (!stock) continue;
    const fallback = stock.kernelFunc as unknown as Fallback;
    const kernelFunc = (args: { inputs: { a: Info; b: Info }; backend: never }) => {
      const { a, b } = args.inputs;
      if (a.dtype !== 'float32' || b.dtype !== 'float32' || (backendName === 'wasm' && sameShape(a.shape, b.shape))) return fallback(args as never);
      const outShape = broadcastShapes(a.shape, b.shape);
      if (!outShape || outShape.length > 4) return fallback(args as never);
      const size = outShape.reduce((p, x) => p * x, 1);
      if (backendName === 'cpu') {
        const be = args.backend as unknown as { data: { get(id: object): { values: Arr } }; makeTensorInfo(s: number[], d: string, v: Arr): Info };
        const out = new Float32Array(size);
        binaryInto(op, out, be.data.get(a.dataId).values, a.shape, be.data.get(b.dataId).values, b.shape, outShape);
        return be.makeTensorInfo(outShape, 'float32', out);
      }
      const be = args.backend as unknown as { makeOutput(s: number[], d: string): Info; typedArrayFromHeap(t: Info): Arr };
      const info = be.makeOutput(outShape, 'float32'); // allocate before taking heap views
      binaryInto(op, be.typedArrayFromHeap(info), be.typedArrayFromHeap(a), a.shape, be.typedArrayFromHeap(b), b.shape, outShape);
      return info;
    };
    tf.unregisterKernel(kernelName, backendName);
    tf.registerKernel({ kernelName, backendName, kernelFunc: kernelFunc as never, setupFunc: stock.setupFunc, disposeFunc: stock.disposeFunc });
    names.push(`${kernelName}@${backendName}`);
  }
  return names;
}
