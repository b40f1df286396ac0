// Custom tfjs kernels computed by plain JavaScript on the host (cpu and wasm backends, whose tensor
// data lives in JS memory or the wasm heap). A kernel reads its inputs as typed arrays, returns
// Float32Array outputs, and is registered under a name of its own for both backends, so that
// tf.engine().runKernel(name, inputs, attrs) records it on the gradient tape with the gradient
// registered under that name (tf.registerGradient).
import type { Tensor, Tf } from './types';

export type HostArray = Float32Array | Int32Array | Uint8Array;

export interface HostInput {
  /** The tensor's data id (stable identity of its immutable contents, for caches). */
  dataId: object;
  values: HostArray;
  shape: number[];
  dtype: string;
}

export interface HostOutput {
  shape: number[];
  values: Float32Array;
}

export type HostKernelFunc = (inputs: Record<string, HostInput>, attrs: Record<string, unknown>) => HostOutput;

interface Info {
  dataId: object;
  shape: number[];
  dtype: string;
}

export const HOST_BACKENDS = ['cpu', 'wasm'] as const;

/** Register `compute` as kernel `name` on the cpu and wasm backends (those that are registered). */
export function registerHostKernel(tf: Tf, name: string, compute: HostKernelFunc): string[] {
  const done: string[] = [];
  for (const backendName of HOST_BACKENDS) {
    if (tf.findBackendFactory(backendName) == null) continue;
    if (tf.getKernel(name, backendName)) tf.unregisterKernel(name, backendName);
    const kernelFunc = (args: { inputs: Record<string, Info>; attrs: Record<string, unknown>; backend: unknown }) => {
      const read: Record<string, HostInput> = {};
      if (backendName === 'cpu') {
        const be = args.backend as { data: { get(id: object): { values: HostArray } }; makeTensorInfo(s: number[], d: string, v: HostArray): Info };
        for (const [k, t] of Object.entries(args.inputs)) read[k] = { dataId: t.dataId, values: be.data.get(t.dataId).values, shape: t.shape, dtype: t.dtype };
        const out = compute(read, args.attrs);
        return be.makeTensorInfo(out.shape, 'float32', out.values);
      }
      const be = args.backend as { typedArrayFromHeap(t: Info): HostArray; makeOutput(s: number[], d: string): Info };
      for (const [k, t] of Object.entries(args.inputs)) read[k] = { dataId: t.dataId, values: be.typedArrayFromHeap(t), shape: t.shape, dtype: t.dtype };
      const out = compute(read, args.attrs);
      const info = be.makeOutput(out.shape, 'float32'); // may grow the heap: views above are stale now
      be.typedArrayFromHeap(info).set(out.values);
      return info;
    };
    tf.registerKernel({ kernelName: name, backendName, kernelFunc: kernelFunc as never });
    done.push(`${name}@${backendName}`);
  }
  return done;
}

/** Run a registered kernel (recorded on the tape when a gradient is being taken). */
export function runKernel(tf: Tf, name: string, inputs: Record<string, Tensor>, attrs: Record<string, unknown>): Tensor {
  return tf.engine().runKernel(name, inputs as never, attrs as never) as Tensor;
}

/** Whether kernel `name` can run on the active backend. */
export function hasKernel(tf: Tf, name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) != null;
}
