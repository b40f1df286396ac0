// Whitespace field splitting and exact number parsing straight from bytes.
// parseFloatBytes uses Clinger's fast path (an integer mantissa of at most 15 digits times an exact
// power of ten up to 1e22 is correctly rounded in IEEE double arithmetic) and falls back to the
// platform's parseFloat for anything else, so results are always bit-identical to parseFloat.
// Fortran exponents (1.0D+00) are accepted.

/** Token boundaries of the last split: token k is buf[starts[k], ends[k]). */
export class Fields {
  starts: Int32Array;
  ends: Int32Array;
  count = 0;
  constructor(capacity = 64) {
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
  }

  /** Split buf[start, end) on spaces and tabs; returns the number of fields. */
  split(buf: Uint8Array, start: number, end: number): number {
    let n = 0;
    let i = start;
    for (;;) {
      while (i < end && (buf[i] === 32 || buf[i] === 9 || buf[i] === 13)) i++;
      if (i >= end) break;
      const s = i;
      while (i < end && buf[i] !== 32 && buf[i] !== 9 && buf[i] !== 13) i++;
      if (n === this.starts.length) this.grow();
      this.starts[n] = s;
      this.ends[n] = i;
      n++;
    }
    this.count = n;
    return n;
  }

  private grow(): void {
    const s = new Int32Array(this.starts.length * 2);
    s.set(this.starts);
    const e = new Int32Array(this.ends.length * 2);
    e.set(this.ends);
    this.starts = s;
    this.ends = e;
  }
}

const decoder = new TextDecoder('utf-8');

export function bytesToString(buf: Uint8Array, s: number, e: number): string {
  // Short ASCII tokens are faster without TextDecoder.
  if (e - s < 24) {
    let out = '';
    for (let i = s; i < e; i++) {
      const c = buf[i];
      if (c > 127) return decoder.decode(buf.subarray(s, e));
      out += String.fromCharCode(c);
    }
    return out;
  }
  return decoder.decode(buf.subarray(s, e));
}

const POW10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/** Parse buf[s, e) as a float; NaN when it is not a number (the token "nan" also gives NaN). */
export function parseFloatBytes(buf: Uint8Array, s: number, e: number): number {
  let i = s;
  let neg = false;
  let c = buf[i];
  if (c === 45 /* - */) {
    neg = true;
    i++;
  } else if (c === 43 /* + */) i++;
  let mant = 0;
  let digits = 0; // significant digits accumulated
  let exp10 = 0;
  let any = false;
  // integer part
  while (i < e) {
    c = buf[i];
    const d = c - 48;
    if (d < 0 || d > 9) break;
    any = true;
    if (mant === 0 && d === 0) {
      // leading zero: not significant
    } else if (digits < 19) {
      mant = mant * 10 + d;
      digits++;
    } else {
      exp10++;
      digits++;
    }
    i++;
  }
  if (i < e && buf[i] === 46 /* . */) {
    i++;
    while (i < e) {
      c = buf[i];
      const d = c - 48;
      if (d < 0 || d > 9) break;
      any = true;
      if (mant === 0 && d === 0) {
        exp10--;
      } else if (digits < 19) {
        mant = mant * 10 + d;
        digits++;
        exp10--;
      } else {
        digits++;
      }
      i++;
    }
  }
  if (!any) return slowParse(buf, s, e);
  if (i < e) {
    c = buf[i];
    if (c === 101 || c === 69 || c === 100 || c === 68 /* eEdD */) {
      i++;
      let eneg = false;
      if (buf[i] === 45) {
        eneg = true;
        i++;
      } else if (buf[i] === 43) i++;
      let ev = 0;
      let edigits = 0;
      while (i < e) {
        const d = buf[i] - 48;
        if (d < 0 || d > 9) break;
        if (ev < 100000) ev = ev * 10 + d;
        edigits++;
        i++;
      }
      if (edigits === 0) return NaN;
      exp10 += eneg ? -ev : ev;
    } else {
      return NaN;
    }
    if (i < e) return NaN;
  }
  if (digits <= 15 && exp10 >= -22 && exp10 <= 22) {
    const v = exp10 >= 0 ? mant * POW10[exp10] : mant / POW10[-exp10];
    return neg ? -v : v;
  }
  return slowParse(buf, s, e);
}

function slowParse(buf: Uint8Array, s: number, e: number): number {
  let str = bytesToString(buf, s, e);
  const low = str.toLowerCase();
  if (low === 'nan' || low === '+nan' || low === '-nan') return NaN;
  if (low === 'inf' || low === '+inf' || low === 'infinity' || low === '+infinity') return Infinity;
  if (low === '-inf' || low === '-infinity') return -Infinity;
  str = str.replace(/[dD]/, 'e');
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(str)) return NaN;
  return parseFloat(str);
}

/**
 * Parse buf[s, e) as a base-10 integer; NaN when it is not one or exceeds 2^53 (not exact).
 * Callers storing into Int32Array must check the range themselves (see isInt32).
 */
export function parseIntBytes(buf: Uint8Array, s: number, e: number): number {
  let i = s;
  let neg = false;
  if (buf[i] === 45) {
    neg = true;
    i++;
  } else if (buf[i] === 43) i++;
  if (i >= e) return NaN;
  let v = 0;
  for (; i < e; i++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  if (v > Number.MAX_SAFE_INTEGER) return NaN;
  return neg ? -v : v;
}

/** True when x is an integer that fits an Int32Array element. */
export function isInt32(x: number): boolean {
  return Number.isInteger(x) && x >= -2147483648 && x <= 2147483647;
}

const encoder = new TextEncoder();

/** Parse a string as a float with the same rules as parseFloatBytes. */
export function parseNumber(s: string): number {
  const b = encoder.encode(s.trim());
  return b.length === 0 ? NaN : parseFloatBytes(b, 0, b.length);
}
