// tf.tidy for results that are not tensors. tidy disposes every tensor made inside except those
// returned; these helpers read the needed values out as typed arrays and free the rest.
import type { Tensor, Tf } from './types';

/** Run fn in a tidy scope and return its tensors' values as Float32Arrays (absent or null -> null). */
export function readTidy<K extends string>(tf: Tf, fn: () => Record<K, Tensor | null | undefined>): Record<K, Float32Array | null> {
  const keys: K[] = [];
  const tensors = tf.tidy(() => {
    const r = fn();
    const kept: Record<string, Tensor> = {};
    for (const [k, v] of Object.entries(r) as [K, Tensor | null | undefined][]) {
      keys.push(k);
      if (v) kept[k] = v;
    }
    return kept;
  }) as Record<string, Tensor>;
  const out = {} as Record<K, Float32Array | null>;
  for (const k of keys) {
    const t = tensors[k];
    out[k] = t ? Float32Array.from(t.dataSync() as Float32Array) : null;
    t?.dispose();
  }
  return out;
}

/** tf.tidy for a function returning plain values (numbers, small objects of numbers). */
export function tidyValue<T>(tf: Tf, fn: () => T): T {
  return tf.tidy(fn as never) as T;
}

// Synchronous reads (dataSync) are unavailable on webgpu in Node (tfjs reads back through an
// OffscreenCanvas, which Node lacks) and unreliable and slow in browsers. Code that may run on
// webgpu reads with `await data()`; after that, dataSync of the same tensor returns the cached copy.

/** Whether the active backend needs asynchronous reads (webgpu). */
export function needsAsyncReads(tf: Tf): boolean {
  return tf.getBackend() === 'webgpu';
}

/** readTidy with asynchronous reads (any backend). */
export async function readTidyAsync<K extends string>(tf: Tf, fn: () => Record<K, Tensor | null | undefined>): Promise<Record<K, Float32Array | null>> {
  const keys: K[] = [];
  const tensors = tf.tidy(() => {
    const r = fn();
    const kept: Record<string, Tensor> = {};
    for (const [k, v] of Object.entries(r) as [K, Tensor | null | undefined][]) {
      keys.push(k);
      if (v) kept[k] = v;
    }
    return kept;
  }) as Record<string, Tensor>;
  const out = {} as Record<K, Float32Array | null>;
  try {
    for (const k of keys) {
      const t = tensors[k];
      out[k] = t ? Float32Array.from((await t.data()) as Float32Array) : null;
    }
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
  return out;
}

/**
 * Copy every live variable (model weights, optimiser moments, weight averages) to the CPU side on
 * a backend that needs asynchronous reads, so that the synchronous reads that follow (save,
 * checkpoint) need no GPU read. A no-op elsewhere.
 */
export async function prefetchVariables(tf: Tf): Promise<void> {
  if (!needsAsyncReads(tf)) return;
  const vars = Object.values(tf.engine().state.registeredVariables) as Tensor[];
  await Promise.all(vars.map((v) => v.data()));
}
