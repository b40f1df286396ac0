// Binary message codec for the browser-mode WebSocket: a JSON header plus raw typed-array
// payloads, so big arrays (positions, frame indices, uploaded file chunks) travel as bytes, never as
// JSON number lists. Layout: [u32 LE header length][header JSON, UTF-8][pad to 8][buffers...], each
// typed array in the JSON replaced by {"$ta": kind, "o": byteOffset, "n": length}.

type TypedArray = Float64Array | Float32Array | Int32Array | Uint32Array | Uint8Array | Int16Array | Uint16Array | Int8Array;
const KINDS: Record<string, new (buf: ArrayBuffer, off: number, len: number) => TypedArray> = {
  f64: Float64Array,
  f32: Float32Array,
  i32: Int32Array,
  u32: Uint32Array,
  u8: Uint8Array,
  i16: Int16Array,
  u16: Uint16Array,
  i8: Int8Array,
};

function kindOf(v: unknown): string | null {
  if (v instanceof Float64Array) return 'f64';
  if (v instanceof Float32Array) return 'f32';
  if (v instanceof Int32Array) return 'i32';
  if (v instanceof Uint32Array) return 'u32';
  if (v instanceof Uint8Array) return 'u8';
  if (v instanceof Int16Array) return 'i16';
  if (v instanceof Uint16Array) return 'u16';
  if (v instanceof Int8Array) return 'i8';
  return null;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export function encodeMessage(msg: unknown): Uint8Array {
  const parts: TypedArray[] = [];
  let offset = 0;
  const header = JSON.stringify(msg, function (this: unknown, _key, value) {
    const k = kindOf(value);
    if (k) {
      const ta = value as TypedArray;
      offset = (offset + 7) & ~7;
      const ref = { $ta: k, o: offset, n: ta.length };
      parts.push(ta);
      offset += ta.byteLength;
      return ref;
    }
    if (typeof value === 'number' && !Number.isFinite(value)) return { $num: String(value) };
    return value;
  });
  const hbytes = enc.encode(header);
  const start = (4 + hbytes.length + 7) & ~7;
  const out = new Uint8Array(start + offset);
  new DataView(out.buffer).setUint32(0, hbytes.length, true);
  out.set(hbytes, 4);
  let o = 0;
  for (const ta of parts) {
    o = (o + 7) & ~7;
    out.set(new Uint8Array(ta.buffer, ta.byteOffset, ta.byteLength), start + o);
    o += ta.byteLength;
  }
  return out;
}

export function decodeMessage(data: ArrayBuffer | Uint8Array): unknown {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  if (bytes.length < 4) throw new Error('message too short');
  const hlen = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  if (4 + hlen > bytes.length) throw new Error('message header length out of range');
  const header = dec.decode(bytes.subarray(4, 4 + hlen));
  const start = (4 + hlen + 7) & ~7;
  return JSON.parse(header, (_key, value) => {
    if (value && typeof value === 'object') {
      if (typeof value.$ta === 'string') {
        const Ctor = KINDS[value.$ta];
        const n = value.n as number;
        const o = value.o as number;
        if (!Ctor || !Number.isInteger(n) || !Number.isInteger(o) || n < 0 || o < 0) throw new Error('bad array reference');
        const bpe = (Ctor as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
        if (start + o + n * bpe > bytes.length) throw new Error('array reference out of range');
        // Copy into a fresh, aligned buffer owned by the result.
        const copy = new Uint8Array(n * bpe);
        copy.set(bytes.subarray(start + o, start + o + n * bpe));
        return new Ctor(copy.buffer, 0, n);
      }
      if (typeof value.$num === 'string') return Number(value.$num);
    }
    return value;
  });
}
