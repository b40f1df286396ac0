// The extended XYZ comment line: `key=value` pairs, as read and written by ASE 3.22
// (ase/io/extxyz.py: key_val_str_to_dict, key_val_dict_to_str, escape).
// Splitting follows ASE character by character: values may be quoted with "", '', {} or [];
// a backslash escapes the next character; spaces around '=' are allowed; a bare key means True.
// Conversion follows ASE too: whitespace/comma separated tokens become an integer (array) when all
// are integers, else a float (array) when all are floats; all-T/F tokens become booleans; a value
// starting with "_JSON " is JSON. The writer emits values that this reader (and ASE) turn back into
// exactly the same value: shortest round-trip numbers, quoting/escaping, and the "_JSON" form for
// strings that would otherwise be read as numbers or booleans.
import type { InfoValue } from '../../atoms/frame';

/** Keys whose value ASE keeps as a raw string (ase/io/extxyz.py UNPROCESSED_KEYS). */
const UNPROCESSED_KEYS = new Set(['uid']);

/**
 * Split a comment line into [key, rawValue] pairs in file order (quotes removed, escapes applied).
 * A bare key gets the value "T". Mirrors ASE's key_val_str_to_dict splitting; runs of ordinary
 * characters are copied as slices (this runs once per frame).
 */
export function splitKeyValues(line: string): [string, string][] {
  const s = line.trim();
  const pairs: string[][] = [['']];
  let cur = pairs[0];
  let closing = 0; // char code closing the open quote, 0 when none
  let started = false; // whether the current part has begun (ASE: its char list is non-empty)
  let i = 0;
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 92 /* \ */) {
      if (i + 1 < n) cur[cur.length - 1] += s[i + 1];
      started = true;
      i += 2;
      continue;
    }
    if (closing !== 0) {
      let j = i;
      while (j < n && s.charCodeAt(j) !== closing && s.charCodeAt(j) !== 92) j++;
      cur[cur.length - 1] += s.slice(i, j);
      started = true;
      if (j < n && s.charCodeAt(j) === closing) {
        closing = 0;
        j++;
      }
      i = j;
      continue;
    }
    if (c === 34 || c === 39) closing = c;
    else if (c === 123) closing = 125; // { }
    else if (c === 91) closing = 93; // [ ]
    else if (c === 32 || (c >= 9 && c <= 13)) {
      if (started) {
        cur = [''];
        pairs.push(cur);
        started = false;
      }
    } else if (c === 61 /* = */) {
      if (cur.length === 1 && !started && pairs.length > 1) {
        pairs.pop(); // "key = value": the '=' belongs to the previous key
        cur = pairs[pairs.length - 1];
      }
      cur.push('');
      started = false;
    } else {
      let j = i + 1;
      for (; j < n; j++) {
        const d = s.charCodeAt(j);
        if (d === 92 || d === 34 || d === 39 || d === 123 || d === 91 || d === 32 || (d >= 9 && d <= 13) || d === 61) break;
      }
      cur[cur.length - 1] += s.slice(i, j);
      started = true;
      i = j;
      continue;
    }
    if (closing !== 0) started = true;
    i++;
  }
  const out: [string, string][] = [];
  for (const p of pairs) {
    if (p.length === 1) {
      if (p[0] !== '') out.push([p[0], 'T']);
    } else {
      out.push([p[0], p.length === 2 ? p[1] : p.slice(1).join('=')]);
    }
  }
  return out;
}

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eEdD][+-]?\d+)?$/;
const SPECIAL_NUMBERS: Record<string, number> = {
  nan: NaN, '+nan': NaN, '-nan': NaN, inf: Infinity, '+inf': Infinity, infinity: Infinity, '+infinity': Infinity,
  '-inf': -Infinity, '-infinity': -Infinity,
};
const POW10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/**
 * A decimal number token (also nan/inf and Fortran D exponents) -> value, correctly rounded; NaN
 * otherwise. Plain decimals with a mantissa below 2^53 take Clinger's exact fast path; the rest
 * are validated and handed to Number(), which is correctly rounded.
 */
export function parseNumberToken(t: string): number {
  return parseNumberRange(t, 0, t.length);
}

/** parseNumberToken of s[st, en) without slicing when the fast path applies. */
function parseNumberRange(s: string, st: number, en: number): number {
  let i = st;
  let c = s.charCodeAt(i);
  const neg = c === 45;
  if (neg || c === 43) c = s.charCodeAt(++i);
  let mant = 0;
  let nd = 0;
  let frac = 0;
  while (i < en && c >= 48 && c <= 57) {
    mant = mant * 10 + (c - 48);
    nd++;
    c = s.charCodeAt(++i);
  }
  if (i < en && c === 46) {
    c = s.charCodeAt(++i);
    while (i < en && c >= 48 && c <= 57) {
      mant = mant * 10 + (c - 48);
      nd++;
      frac++;
      c = s.charCodeAt(++i);
    }
  }
  if (i === en && nd > 0) {
    if (mant < 9007199254740992 && frac <= 22) {
      const v = mant / POW10[frac];
      return neg ? -v : v;
    }
    return Number(s.slice(st, en)); // a plain decimal with many digits: syntax already checked
  }
  const t = st === 0 && en === s.length ? s : s.slice(st, en);
  if (NUMBER_RE.test(t)) return Number(t.indexOf('d') < 0 && t.indexOf('D') < 0 ? t : t.replace(/[dD]/, 'e'));
  const v = SPECIAL_NUMBERS[t.toLowerCase()];
  return v === undefined ? NaN : v;
}

/** Tokens of a value separated by whitespace or commas (ASE: re.findall(r'[^\s,]+')). */
function tokens(value: string): string[] {
  const out: string[] = [];
  const n = value.length;
  let i = 0;
  while (i < n) {
    let c = value.charCodeAt(i);
    while (i < n && (c === 32 || c === 44 || (c >= 9 && c <= 13))) c = value.charCodeAt(++i);
    if (i >= n) break;
    const st = i;
    while (i < n && c !== 32 && c !== 44 && !(c >= 9 && c <= 13)) c = value.charCodeAt(++i);
    out.push(value.slice(st, i));
  }
  return out;
}

function isIntToken(t: string): boolean {
  const n = t.length;
  let i = t.charCodeAt(0) === 45 || t.charCodeAt(0) === 43 ? 1 : 0;
  if (i >= n) return false;
  for (; i < n; i++) {
    const c = t.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function numbersOfTokens(toks: string[]): number[] | null {
  if (toks.length === 0) return null;
  const out = new Array<number>(toks.length);
  for (let i = 0; i < toks.length; i++) {
    const v = parseNumberToken(toks[i]);
    if (v !== v && !/^[+-]?nan$/i.test(toks[i])) return null;
    out[i] = v;
  }
  return out;
}

/** Numbers of a value ("1 2 3", "1,2", "_JSON [[1,2],[3,4]]" flattened); null when not all numeric. */
export function numbersOf(raw: string): number[] | null {
  if (raw.startsWith('_JSON ')) {
    let v: unknown;
    try {
      v = JSON.parse(raw.slice(6));
    } catch {
      return null;
    }
    const flat = (Array.isArray(v) ? v.flat(Infinity) : [v]) as unknown[];
    return flat.every((x) => typeof x === 'number') ? (flat as number[]) : null;
  }
  // Tokens separated by whitespace or commas, parsed in place. Plain decimals ([+-]digits[.digits],
  // what writers print) are decoded in the same pass that finds the token's end, exactly as
  // parseNumberRange would; any other token goes to parseNumberRange.
  const out: number[] = [];
  const n = raw.length;
  let i = 0;
  while (i < n) {
    let c = raw.charCodeAt(i);
    while (i < n && (c === 32 || c === 44 || (c >= 9 && c <= 13))) c = raw.charCodeAt(++i);
    if (i >= n) break;
    const st = i;
    const neg = c === 45;
    if (neg || c === 43) c = raw.charCodeAt(++i);
    let mant = 0;
    let nd = 0;
    let frac = 0;
    while (i < n && c >= 48 && c <= 57) {
      mant = mant * 10 + (c - 48);
      nd++;
      c = raw.charCodeAt(++i);
    }
    if (i < n && c === 46) {
      c = raw.charCodeAt(++i);
      while (i < n && c >= 48 && c <= 57) {
        mant = mant * 10 + (c - 48);
        nd++;
        frac++;
        c = raw.charCodeAt(++i);
      }
    }
    let v: number;
    if (nd > 0 && (i >= n || c === 32 || c === 44 || (c >= 9 && c <= 13))) {
      if (mant < 9007199254740992 && frac <= 22) {
        v = mant / POW10[frac];
        if (neg) v = -v;
      } else v = Number(raw.slice(st, i)); // a plain decimal with many digits: syntax already checked
    } else {
      while (i < n && c !== 32 && c !== 44 && !(c >= 9 && c <= 13)) c = raw.charCodeAt(++i);
      v = parseNumberRange(raw, st, i);
      if (v !== v && !/^[+-]?nan$/i.test(raw.slice(st, i))) return null;
    }
    out.push(v);
  }
  return out.length > 0 ? out : null;
}

const BOOL_WORD: Record<string, boolean> = { T: true, F: false };

function fromJson(raw: string): InfoValue {
  let v: unknown;
  try {
    v = JSON.parse(raw.slice(6));
  } catch {
    return raw;
  }
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'number')) return v as number[];
    if (v.every((x) => typeof x === 'boolean')) return v as boolean[];
    if (v.every((x) => typeof x === 'string')) return v as string[];
  }
  return raw; // nested arrays / objects: kept verbatim, written back verbatim
}

/** Convert a raw value to an info value with ASE's rules (see module comment). */
export function convertInfoValue(key: string, raw: string): InfoValue {
  if (UNPROCESSED_KEYS.has(key.toLowerCase())) return raw;
  const toks = tokens(raw);
  if (toks.length === 0) return []; // ASE: np.array([], dtype=int)
  if (toks.every(isIntToken)) {
    const ints = toks.map((t) => Number(t));
    return ints.length === 1 ? ints[0] : ints;
  }
  const nums = numbersOfTokens(toks);
  if (nums) return nums.length === 1 ? nums[0] : nums;
  if (toks.every((t) => t in BOOL_WORD)) {
    const b = toks.map((t) => BOOL_WORD[t]);
    return b.length === 1 ? b[0] : b;
  }
  if (raw.startsWith('_JSON ')) return fromJson(raw);
  return raw;
}

/** Shortest text that parses back to exactly x (keeps the sign of -0). */
export function formatFloat(x: number): string {
  if (x === 0) return 1 / x < 0 ? '-0.0' : '0';
  return String(x);
}

/** Quote and escape a key or value for the comment line when needed. */
export function quoteToken(s: string): string {
  if (s.length > 0 && !/[\s"'{}[\]=\\]/.test(s)) return s;
  return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
}

function isNestedJson(s: string): boolean {
  if (!s.startsWith('_JSON ')) return false;
  try {
    const v = JSON.parse(s.slice(6));
    return typeof v === 'object' && v !== null;
  } catch {
    return false;
  }
}

function sameValue(a: InfoValue, b: InfoValue): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => Object.is(x, b[i]));
  }
  return Object.is(a, b);
}

/** Text of one info value such that convertInfoValue(key, text) gives the value back. */
export function formatInfoValue(key: string, v: InfoValue): string {
  if (typeof v === 'number') return formatFloat(v);
  if (typeof v === 'boolean') return v ? 'T' : 'F';
  if (typeof v === 'string') {
    if (UNPROCESSED_KEYS.has(key.toLowerCase()) && !/[\n\r]/.test(v)) return quoteToken(v);
    if (isNestedJson(v) || (!/[\n\r]/.test(v) && convertInfoValue(key, v) === v)) return quoteToken(v);
    return quoteToken('_JSON ' + JSON.stringify(v));
  }
  let text: string;
  if (v.length >= 2 && v.every((x) => typeof x === 'number')) text = (v as number[]).map(formatFloat).join(' ');
  else if (v.length >= 2 && v.every((x) => typeof x === 'boolean')) text = (v as boolean[]).map((b) => (b ? 'T' : 'F')).join(' ');
  else text = '_JSON ' + JSON.stringify(v);
  const back = convertInfoValue(key, text);
  if (!sameValue(back, v)) text = '_JSON ' + JSON.stringify(v);
  return quoteToken(text);
}
