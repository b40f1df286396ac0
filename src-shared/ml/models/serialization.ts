// Model files: a plain object (SavedModel) that the host writes as two files, a JSON document
// (type, config, species, E0, scales, metadata, and a manifest of the arrays) and one binary blob
// with the arrays back to back (little-endian float32 weights, float64 buffers), after the
// tfjs "model.json + weights.bin" layout. encodeModel / decodeModel convert; the core never
// touches the file system.
import type { LabelScales } from '../data/referenceEnergies';

export const MODEL_FORMAT = 'atomforge-model';
export const MODEL_VERSION = 1;

export interface SavedTensor<A extends Float32Array | Float64Array = Float32Array | Float64Array> {
  name: string;
  shape: number[];
  data: A;
}

export interface SavedModel {
  format: typeof MODEL_FORMAT;
  version: number;
  /** Registry name of the model type. */
  type: string;
  config: unknown;
  /** Element symbols in species order. */
  species: string[];
  e0: { method: string; valuesEv: number[] };
  scales: LabelScales;
  /** Trainable weights, float32, in the model's variable order. */
  weights: SavedTensor<Float32Array>[];
  /** Fixed arrays (feature statistics, ...), float64. */
  buffers: SavedTensor<Float64Array>[];
  /** Free-form: createdAt, training summary, metrics, dataset hash, backend, parameter count. */
  metadata: Record<string, unknown>;
}

interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'float64';
  byteOffset: number;
  length: number;
}

/** Model -> { json, bin } for two files (bin may be empty). */
export function encodeModel(m: SavedModel): { json: string; bin: Uint8Array } {
  const entries: ManifestEntry[] = [];
  let offset = 0;
  const all = [...m.weights.map((w) => ({ ...w, dtype: 'float32' as const })), ...m.buffers.map((b) => ({ ...b, dtype: 'float64' as const }))];
  for (const t of all) {
    const align = t.dtype === 'float64' ? 8 : 4;
    offset = Math.ceil(offset / align) * align;
    entries.push({ name: t.name, shape: t.shape, dtype: t.dtype, byteOffset: offset, length: t.data.length });
    offset += t.data.byteLength;
  }
  const bin = new Uint8Array(offset);
  all.forEach((t, k) => bin.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), entries[k].byteOffset));
  const { weights: _w, buffers: _b, ...rest } = m;
  void _w;
  void _b;
  return { json: JSON.stringify({ ...rest, arrays: entries }, null, 1), bin };
}

/** { json, bin } -> model; throws with a message on a foreign or damaged file. */
export function decodeModel(json: string, bin: Uint8Array): SavedModel {
  const doc = JSON.parse(json) as Omit<SavedModel, 'weights' | 'buffers'> & { arrays?: ManifestEntry[] };
  if (doc.format !== MODEL_FORMAT) throw new Error(`not an ${MODEL_FORMAT} file (format: ${String(doc.format)})`);
  if (!(doc.version <= MODEL_VERSION)) throw new Error(`model file version ${doc.version} is newer than this program (${MODEL_VERSION})`);
  const weights: SavedTensor<Float32Array>[] = [];
  const buffers: SavedTensor<Float64Array>[] = [];
  for (const e of doc.arrays ?? []) {
    const bytes = e.length * (e.dtype === 'float64' ? 8 : 4);
    if (e.byteOffset + bytes > bin.byteLength) throw new Error(`model weights file is too short for ${e.name}`);
    const copy = bin.slice(e.byteOffset, e.byteOffset + bytes).buffer;
    if (e.dtype === 'float64') buffers.push({ name: e.name, shape: e.shape, data: new Float64Array(copy) });
    else weights.push({ name: e.name, shape: e.shape, data: new Float32Array(copy) });
  }
  const { arrays: _a, ...rest } = doc;
  void _a;
  return { ...rest, weights, buffers } as SavedModel;
}

/** Look up a saved array by name; throws naming what is missing. */
export function savedArray<A extends Float32Array | Float64Array>(list: SavedTensor<A>[], name: string): SavedTensor<A> {
  const t = list.find((x) => x.name === name);
  if (!t) throw new Error(`model file has no array "${name}"`);
  return t;
}
