// The comment line of an extended XYZ frame (ASE 3.22 conventions, see extxyz.ts): cell, pbc, the
// Properties column layout, energy/stress/virial labels and the remaining info values.
// parseHeader works on the decoded line with ASE's full key=value grammar (extxyzKeyValue.ts).
// HeaderReader.read first tries a fast path straight on the line's bytes for the form writers
// produce (key=value and key="value" pairs separated by blanks, ASCII, no backslashes, no '' {} []
// quotes, no repeated keys, labels and cell that parse as plain decimal numbers); anything else,
// errors and warnings included, goes to parseHeader, so the result is always exactly parseHeader's.
// The fast path skips decoding the line, building the pair list and map, and numbers are decoded
// from bytes with the same arithmetic as numbersOf (so bit-identical).
import type { InfoValue } from '../../atoms/frame';
import { cellVolumeA3 } from '../../atoms/frame';
import { ParseError } from '../errors';
import type { ReadContext } from '../format';
import { type Layout, buildLayout } from './extxyzAtoms';
import { convertInfoValue, numbersOf, splitKeyValues } from './extxyzKeyValue';

export const ENERGY_KEYS = ['energy', 'REF_energy', 'DFT_energy', 'Energy', 'free_energy'];
export const FORCES_KEYS = ['forces', 'REF_forces', 'DFT_forces', 'force'];
export const STRESS_KEYS = ['stress', 'REF_stress', 'DFT_stress'];
export const VIRIAL_KEYS = ['virial', 'REF_virial', 'DFT_virial'];
/** Keys ASE stores as Fortran-ordered 3x3 matrices (SPECIAL_3_3_KEYS, besides Lattice). */
const FORTRAN_3X3_KEYS = new Set(['stress', 'virial']);

export interface LabelKeyLists {
  energy: string[];
  forces: string[];
  stress: string[];
  virial: string[];
}

export function labelKeyLists(ctx: ReadContext): LabelKeyLists {
  const m = ctx.options.labelKeys ?? {};
  const pick = (v: string | null | undefined, dflt: string[]) => (v === '' ? [] : v ? [v] : dflt);
  return {
    energy: pick(m.energy, ENERGY_KEYS),
    forces: pick(m.forces, FORCES_KEYS),
    stress: pick(m.stress, STRESS_KEYS),
    virial: m.stress && !m.virial ? [] : pick(m.virial, VIRIAL_KEYS),
  };
}

export interface Header {
  layout: Layout | null; // null: plain XYZ, decided from the first atom line
  /** Cell rows (9 values, Å); copied into the frame's buffer by buildFrame. */
  cellA: number[] | null;
  pbc: [boolean, boolean, boolean];
  energyEv: number | undefined;
  energyKey: string | null;
  /** Row-major stress (9 values, eV/Å³); copied into the frame's buffer by buildFrame. */
  stressEvPerA3: number[] | undefined;
  stressKey: string | null;
  info: Record<string, InfoValue>;
}

/** 3x3 row-major from 6 (Voigt) or 9 values (Fortran order when `fortran`); null for other counts. */
function toStress9(vals: number[], fortran: boolean): number[] | null {
  if (vals.length === 6) {
    const [xx, yy, zz, yz, xz, xy] = vals;
    return [xx, xy, xz, xy, yy, yz, xz, yz, zz];
  }
  if (vals.length !== 9) return null;
  const out = vals.slice();
  if (fortran) for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) out[3 * r + c] = vals[r + 3 * c];
  return out;
}

const PBC_WORDS: Record<string, boolean> = { T: true, F: false, True: true, False: false, 1: true, 0: false };

function parsePbc(raw: string): [boolean, boolean, boolean] | null {
  if (raw === 'T T T') return [true, true, true];
  if (raw === 'F F F') return [false, false, false];
  const t = raw.split(/[\s,]+/).filter(Boolean).map((x) => PBC_WORDS[x]);
  if (t.some((x) => x === undefined)) return null;
  if (t.length === 1) return [t[0]!, t[0]!, t[0]!];
  return t.length === 3 ? [t[0]!, t[1]!, t[2]!] : null;
}

export function parseHeader(comment: string, line: number, keys: LabelKeyLists, layouts: Map<string, Layout>, ctx: ReadContext): Header {
  const h: Header = { layout: null, cellA: null, pbc: [false, false, false], energyEv: undefined, energyKey: null, stressEvPerA3: undefined, stressKey: null, info: {} };
  if (!comment.includes('=')) {
    const text = comment.trim();
    if (text) h.info.comment = text; // plain XYZ: a free comment
    return h;
  }
  const pairs = splitKeyValues(comment);
  const kv = new Map<string, string>(); // last value wins, as in ASE's dict
  for (let j = 0; j < pairs.length; j++) kv.set(pairs[j][0], pairs[j][1]);
  const lattice = kv.get('Lattice');
  if (lattice !== undefined) {
    const v = numbersOf(lattice);
    if (!v || v.length !== 9 || !v.every(Number.isFinite)) throw new ParseError(ctx.fileName, line, 'Lattice="ax ay az bx by bz cx cy cz" with 9 numbers (cell vectors, Å)', lattice);
    h.cellA = v;
    h.pbc = [true, true, true];
    kv.delete('Lattice');
  }
  const pbc = kv.get('pbc');
  if (pbc !== undefined) {
    const p = parsePbc(pbc);
    if (!p) throw new ParseError(ctx.fileName, line, 'pbc="T T T" with 3 values T or F', pbc);
    h.pbc = p;
    kv.delete('pbc');
  }
  const props = kv.get('Properties');
  if (props !== undefined) {
    let layout = layouts.get(props);
    if (!layout) {
      layout = buildLayout(props, keys.forces, ctx, line);
      layouts.set(props, layout);
    }
    h.layout = layout;
    kv.delete('Properties');
  }
  for (const k of keys.energy) {
    const raw = kv.get(k);
    if (raw === undefined) continue;
    const v = numbersOf(raw);
    if (!v || v.length !== 1) throw new ParseError(ctx.fileName, line, `one number for the energy key "${k}"`, raw);
    h.energyEv = v[0];
    h.energyKey = k;
    kv.delete(k);
    break;
  }
  for (const k of keys.stress) {
    const raw = kv.get(k);
    if (raw === undefined) continue;
    const s = toStress9(numbersOf(raw) ?? [], FORTRAN_3X3_KEYS.has(k));
    if (!s) throw new ParseError(ctx.fileName, line, `9 numbers (3x3) or 6 (Voigt xx yy zz yz xz xy) for the stress key "${k}"`, raw);
    h.stressEvPerA3 = s;
    h.stressKey = k;
    kv.delete(k);
    break;
  }
  if (!h.stressEvPerA3) {
    for (const k of keys.virial) {
      const raw = kv.get(k);
      if (raw === undefined) continue;
      const vir = toStress9(numbersOf(raw) ?? [], FORTRAN_3X3_KEYS.has(k));
      if (!vir) throw new ParseError(ctx.fileName, line, `9 numbers (3x3) or 6 (Voigt xx yy zz yz xz xy) for the virial key "${k}"`, raw);
      const vol = cellVolumeA3(h.cellA && Float64Array.from(h.cellA));
      if (!(vol > 0)) {
        ctx.warn(line, `"${k}" cannot be converted to stress without a cell (Lattice); it was kept as an info value`);
        break;
      }
      for (let j = 0; j < 9; j++) vir[j] = -vir[j] / vol;
      h.stressEvPerA3 = vir;
      h.stressKey = k;
      kv.delete(k);
      break;
    }
  }
  kv.forEach((raw, k) => (h.info[k] = convertInfoValue(k, raw)));
  return h;
}


// ---------------------------------------------------------------------------------------------
// Fast path on bytes.

const POW10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
const decoder = new TextDecoder('utf-8');

const isBlank = (c: number) => c === 32 || (c >= 9 && c <= 13);

/**
 * Numbers of the value buf[s, e) into out (cleared first), exactly as numbersOf would give them for
 * the same text, when every token is a plain decimal ([+-]digits[.digits], separated by blanks or
 * commas); false otherwise (the caller then uses the string path). Same arithmetic as numbersOf.
 * `text` holds the same (ASCII) bytes as a string, buf[textAt] being its first character.
 */
export function plainNumbersOfBytes(buf: Uint8Array, s: number, e: number, out: number[], text: string, textAt: number): boolean {
  out.length = 0;
  let i = s;
  while (i < e) {
    let c = buf[i];
    while (i < e && (c === 32 || c === 44 || (c >= 9 && c <= 13))) c = buf[++i];
    if (i >= e) break;
    const st = i;
    const neg = c === 45;
    if (neg || c === 43) c = buf[++i];
    let mant = 0;
    let nd = 0;
    let frac = 0;
    while (i < e && c >= 48 && c <= 57) {
      mant = mant * 10 + (c - 48);
      nd++;
      c = buf[++i];
    }
    if (i < e && c === 46) {
      c = buf[++i];
      while (i < e && c >= 48 && c <= 57) {
        mant = mant * 10 + (c - 48);
        nd++;
        frac++;
        c = buf[++i];
      }
    }
    if (nd === 0 || !(i >= e || c === 32 || c === 44 || (c >= 9 && c <= 13))) return false;
    let v: number;
    if (mant < 9007199254740992 && frac <= 22) {
      v = mant / POW10[frac];
      if (neg) v = -v;
    } else v = Number(text.slice(st - textAt, i - textAt)); // many digits: syntax already checked
    out.push(v);
  }
  return out.length > 0;
}

/** Per-reader state: scratch arrays for the pairs of one line and the last Properties layout. */
export class HeaderReader {
  private keys: string[] = [];
  private vs: number[] = [];
  private ve: number[] = [];
  private nums: number[] = [];
  private used: number[] = [];
  private lastProps: Uint8Array | null = null;
  private lastLayout: Layout | null = null;
  /** Lines the fast path handled (for tests). */
  fastLines = 0;

  constructor(
    private keyLists: LabelKeyLists,
    private layouts: Map<string, Layout>,
    private ctx: ReadContext,
  ) {}

  /** The header of the comment line buf[s, e) (line number `line`); exactly parseHeader's result. */
  read(buf: Uint8Array, s: number, e: number, line: number): Header {
    const text = decoder.decode(buf.subarray(s, e));
    const h = this.fast(buf, s, e, line, text);
    if (h) {
      this.fastLines++;
      return h;
    }
    return parseHeader(text, line, this.keyLists, this.layouts, this.ctx);
  }

  /** Split into key=value pairs of the simple form; false for anything else. */
  private split(buf: Uint8Array, s: number, e: number, text: string): boolean {
    const { keys, vs, ve } = this;
    keys.length = vs.length = ve.length = 0;
    let hasEq = false;
    for (let i = s; i < e; i++) {
      const c = buf[i];
      // backslash, single quote, { [ and non-ASCII (also String.trim's Unicode blanks) take the full path
      if (c === 92 || c === 39 || c === 123 || c === 91 || c > 126) return false;
      if (c === 61) hasEq = true;
    }
    if (!hasEq) return false;
    let i = s;
    for (;;) {
      while (i < e && isBlank(buf[i])) i++;
      if (i >= e) break;
      const ks = i;
      while (i < e && buf[i] !== 61 && buf[i] !== 34 && !isBlank(buf[i])) i++;
      if (i === ks || i >= e || buf[i] !== 61) return false; // bare key, "key = value", quoted key
      const key = text.slice(ks - s, i - s);
      i++;
      let a: number;
      let b: number;
      if (buf[i] === 34) {
        a = ++i;
        while (i < e && buf[i] !== 34) i++;
        if (i >= e) return false;
        b = i++;
      } else {
        a = i;
        while (i < e && buf[i] !== 61 && buf[i] !== 34 && !isBlank(buf[i])) i++;
        b = i;
        if (a === b) return false;
      }
      if (i < e && !isBlank(buf[i])) return false; // a value glued to more text
      for (let k = 0; k < keys.length; k++) if (keys[k] === key) return false; // repeated key: last wins, full path
      keys.push(key);
      vs.push(a);
      ve.push(b);
    }
    return true;
  }

  private indexOf(key: string): number {
    const keys = this.keys;
    for (let k = 0; k < keys.length; k++) if (keys[k] === key) return k;
    return -1;
  }

  private fast(buf: Uint8Array, s: number, e: number, line: number, text: string): Header | null {
    if (!this.split(buf, s, e, text)) return null;
    const { keys, vs, ve, nums, keyLists, used } = this;
    for (let j = 0; j < keys.length; j++) used[j] = 0;
    const h: Header = { layout: null, cellA: null, pbc: [false, false, false], energyEv: undefined, energyKey: null, stressEvPerA3: undefined, stressKey: null, info: {} };
    let k = this.indexOf('Lattice');
    if (k >= 0) {
      if (!plainNumbersOfBytes(buf, vs[k], ve[k], nums, text, s) || nums.length !== 9 || !nums.every(Number.isFinite)) return null;
      h.cellA = nums.slice();
      h.pbc = [true, true, true];
      used[k] = 1;
    }
    k = this.indexOf('pbc');
    if (k >= 0) {
      const a = vs[k];
      const tf = (c: number) => c === 84 || c === 70; // T or F
      if (ve[k] - a !== 5 || buf[a + 1] !== 32 || buf[a + 3] !== 32 || !tf(buf[a]) || !tf(buf[a + 2]) || !tf(buf[a + 4])) return null;
      h.pbc = [buf[a] === 84, buf[a + 2] === 84, buf[a + 4] === 84];
      used[k] = 1;
    }
    k = this.indexOf('Properties');
    if (k >= 0) {
      const a = vs[k];
      const b = ve[k];
      const last = this.lastProps;
      let same = last !== null && last.length === b - a;
      for (let j = 0; same && j < b - a; j++) same = last![j] === buf[a + j];
      if (!same) {
        const props = text.slice(a - s, b - s);
        let layout = this.layouts.get(props);
        if (!layout) {
          layout = buildLayout(props, keyLists.forces, this.ctx, line);
          this.layouts.set(props, layout);
        }
        this.lastProps = buf.slice(a, b);
        this.lastLayout = layout;
      }
      h.layout = this.lastLayout;
      used[k] = 1;
    }
    for (const key of keyLists.energy) {
      k = this.indexOf(key);
      if (k < 0 || used[k]) continue;
      if (!plainNumbersOfBytes(buf, vs[k], ve[k], nums, text, s) || nums.length !== 1) return null;
      h.energyEv = nums[0];
      h.energyKey = key;
      used[k] = 1;
      break;
    }
    for (const key of keyLists.stress) {
      k = this.indexOf(key);
      if (k < 0 || used[k]) continue;
      const s9 = plainNumbersOfBytes(buf, vs[k], ve[k], nums, text, s) ? toStress9(nums, FORTRAN_3X3_KEYS.has(key)) : null;
      if (!s9) return null;
      h.stressEvPerA3 = s9;
      h.stressKey = key;
      used[k] = 1;
      break;
    }
    if (!h.stressEvPerA3) {
      for (const key of keyLists.virial) {
        k = this.indexOf(key);
        if (k < 0 || used[k]) continue;
        const vir = plainNumbersOfBytes(buf, vs[k], ve[k], nums, text, s) ? toStress9(nums, FORTRAN_3X3_KEYS.has(key)) : null;
        const vol = cellVolumeA3(h.cellA && Float64Array.from(h.cellA));
        if (!vir || !(vol > 0)) return null; // errors and the no-cell warning come from the full path
        for (let j = 0; j < 9; j++) vir[j] = -vir[j] / vol;
        h.stressEvPerA3 = vir;
        h.stressKey = key;
        used[k] = 1;
        break;
      }
    }
    for (let j = 0; j < keys.length; j++) if (!used[j]) h.info[keys[j]] = convertInfoValue(keys[j], text.slice(vs[j] - s, ve[j] - s));
    return h;
  }
}
