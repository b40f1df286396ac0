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
