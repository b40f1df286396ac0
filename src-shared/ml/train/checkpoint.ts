// Checkpoints (trainer.ts) as files: one JSON document and one binary blob, like model files
// (models/serialization.ts). Every Float32Array / Float64Array anywhere in the object is moved to
// the blob and replaced by {"$array": k, "dtype": ..., "byteOffset": ..., "length": ...}; decoding
// puts fresh typed arrays back. Bit-exact, so a resumed run continues exactly.
import type { Checkpoint } from './trainer';

interface ArrayRef {
  $array: number;
  dtype: 'float32' | 'float64' | 'int32';
  byteOffset: number;
  length: number;
}

type Typed = Float32Array | Float64Array | Int32Array;

function isTyped(x: unknown): x is Typed {
  return x instanceof Float32Array || x instanceof Float64Array || x instanceof Int32Array;
}

/** Any plain object with typed arrays -> { json, bin }. */
export function encodeWithArrays(value: unknown): { json: string; bin: Uint8Array } {
  const arrays: Typed[] = [];
  const refs: ArrayRef[] = [];
  let offset = 0;
  const walk = (x: unknown): unknown => {
    if (isTyped(x)) {
      offset = Math.ceil(offset / 8) * 8;
      const dtype = x instanceof Float32Array ? 'float32' : x instanceof Float64Array ? 'float64' : 'int32';
      const ref: ArrayRef = { $array: arrays.length, dtype, byteOffset: offset, length: x.length };
      arrays.push(x);
      refs.push(ref);
      offset += x.byteLength;
      return ref;
    }
    if (Array.isArray(x)) return x.map(walk);
    if (x && typeof x === 'object') {
      const o: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(x)) o[k] = walk(v);
      return o;
    }
    if (typeof x === 'number' && !Number.isFinite(x)) return { $number: String(x) };
    return x;
  };
  const doc = walk(value);
  const bin = new Uint8Array(offset);
  arrays.forEach((a, k) => bin.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), refs[k].byteOffset));
  return { json: JSON.stringify(doc), bin };
}

export function decodeWithArrays<T>(json: string, bin: Uint8Array): T {
  const walk = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(walk);
    if (x && typeof x === 'object') {
      const r = x as Partial<ArrayRef> & { $number?: string };
      if (typeof r.$array === 'number' && r.dtype && typeof r.byteOffset === 'number' && typeof r.length === 'number') {
        const size = r.dtype === 'float64' ? 8 : 4;
        if (r.byteOffset + r.length * size > bin.byteLength) throw new Error('checkpoint data file is too short');
        const buf = bin.slice(r.byteOffset, r.byteOffset + r.length * size).buffer;
        return r.dtype === 'float64' ? new Float64Array(buf) : r.dtype === 'int32' ? new Int32Array(buf) : new Float32Array(buf);
      }
      if (typeof r.$number === 'string' && Object.keys(x).length === 1) return Number(r.$number);
      const o: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(x)) o[k] = walk(v);
      return o;
    }
    return x;
  };
  return walk(JSON.parse(json)) as T;
}

export function encodeCheckpoint(c: Checkpoint): { json: string; bin: Uint8Array } {
  return encodeWithArrays(c);
}

export function decodeCheckpoint(json: string, bin: Uint8Array): Checkpoint {
  const c = decodeWithArrays<Checkpoint>(json, bin);
  if (c.format !== 'atomforge-checkpoint') throw new Error(`not a training checkpoint (format: ${String(c.format)})`);
  return c;
}
