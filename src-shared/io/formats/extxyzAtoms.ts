// Atom lines of an extended XYZ frame: the `Properties=name:type:width:...` column layout
// (ASE 3.22, ase/io/extxyz.py parse_properties; types S string, R real, I integer, L logical) and
// the hot loop that parses N atom lines into typed arrays allocated once per frame.
// Speed: lines are scanned straight from the cursor's bytes in one pass (no string per line, no
// per-line search for the newline, no regex); reals are decoded inline with Clinger's exact fast
// path and fall back to parseFloatBytes, so every value is bit-identical to parseFloat.
import { MAX_Z, atomicNumber, symbolFromLabel, symbolOf } from '../../atoms/elements';
import { ParseError } from '../errors';
import { Fields, bytesToString, parseFloatBytes, parseIntBytes } from '../fields';
import type { ReadContext } from '../format';
import type { LineCursor } from '../lineCursor';

// Column kinds and roles (plain numbers keep the hot loop monomorphic).
const S = 0;
const R = 1;
const I = 2;
const L = 3;
const KIND_OF: Record<string, number> = { S, R, I, L };
export const KIND_NAME = ['string', 'real', 'int', 'bool'] as const;
export const ROLE_ARRAY = 0;
const ROLE_SPECIES = 1;
export const ROLE_Z = 2;
const ROLE_POS = 3;
const ROLE_FORCES = 4;

export interface Column {
  name: string;
  kind: number;
  width: number;
  /** Index of the column's first token on an atom line. */
  first: number;
  role: number;
}

export interface Layout {
  columns: Column[];
  nTokens: number;
  /** Text for messages: "species:S:1:pos:R:3". */
  properties: string;
  forcesKey: string | null;
  /** Whether the elements come from an atomic-number column (Z:I:1) rather than species. */
  hasZ: boolean;
}

type ColumnData = Float64Array | Int32Array | Uint8Array | string[];

/** Columns of a `Properties=` string; forcesKeys: candidate names of the forces column, in order. */
export function buildLayout(properties: string, forcesKeys: string[], ctx: ReadContext, line: number): Layout {
  const parts = properties.split(':');
  const bad = (why: string) =>
    new ParseError(ctx.fileName, line, 'Properties=name:type:columns triples with type S, R, I or L', properties, why);
  if (parts.length % 3 !== 0 || properties.length === 0) throw bad('The list must have 3 parts per column.');
  const columns: Column[] = [];
  const names = new Set<string>();
  let first = 0;
  for (let p = 0; p < parts.length; p += 3) {
    const [name, type, w] = [parts[p], parts[p + 1], parts[p + 2]];
    const kind = KIND_OF[type];
    const width = /^\d+$/.test(w) ? Number(w) : NaN;
    if (kind === undefined) throw bad(`Column "${name}" has unknown type "${type}".`);
    if (!(width >= 1)) throw bad(`Column "${name}" has width "${w}"; it must be a positive integer.`);
    if (!name || names.has(name)) throw bad(name ? `Column "${name}" appears twice.` : 'A column has no name.');
    names.add(name);
    columns.push({ name, kind, width, first, role: ROLE_ARRAY });
    first += width;
  }
  const find = (cands: string[]) => columns.find((c) => cands.includes(c.name));
  const species = find(['species', 'symbols']);
  if (species && species.kind === S && species.width === 1) species.role = ROLE_SPECIES;
  else {
    const z = find(['Z', 'numbers']);
    if (!z || z.kind !== I || z.width !== 1) throw bad('Expected a species:S:1 (or Z:I:1) column naming the elements.');
    z.role = ROLE_Z;
  }
  const pos = find(['pos', 'positions']);
  if (!pos || pos.kind !== R || pos.width !== 3) throw bad('Expected a pos:R:3 column with the positions.');
  pos.role = ROLE_POS;
  let forcesKey: string | null = null;
  for (const k of forcesKeys) {
    const c = columns.find((x) => x.name === k);
    if (!c) continue;
    if (c.kind !== R || c.width !== 3) throw bad(`The forces column "${k}" must be of type R with 3 columns.`);
    c.role = ROLE_FORCES;
    forcesKey = k;
    break;
  }
  return { columns, nTokens: first, properties, forcesKey, hasZ: columns.some((c) => c.role === ROLE_Z) };
}

/** Columns of a plain XYZ line with nTokens tokens: species, pos, then `extra` (R or S). */
export function plainLayout(nTokens: number, extraNumeric: boolean, forcesKeys: string[], ctx: ReadContext, line: number): Layout {
  let props = 'species:S:1:pos:R:3';
  if (nTokens > 4) props += `:extra:${extraNumeric ? 'R' : 'S'}:${nTokens - 4}`;
  return buildLayout(props, forcesKeys, ctx, line);
}

/** Element lookup from species tokens, cached by the token's bytes; -1 for a token that is not one. */
export class SpeciesTable {
  /** z by 1-byte token (index b0) or 2-byte token (256 + b0 * 256 + b1); -2 = not looked up yet. */
  private table = new Int16Array(256 + 65536).fill(-2);
  private long = new Map<string, number>();
  constructor(private ctx: ReadContext) {}

  z(buf: Uint8Array, s: number, e: number): number {
    const len = e - s;
    if (len === 1 || len === 2) {
      const key = len === 1 ? buf[s] : 256 + ((buf[s] << 8) | buf[s + 1]);
      const z = this.table[key];
      if (z !== -2) return z;
      return (this.table[key] = this.resolve(bytesToString(buf, s, e)));
    }
    const tok = bytesToString(buf, s, e);
    const z = this.long.get(tok);
    if (z !== undefined) return z;
    const r = this.resolve(tok);
    this.long.set(tok, r);
    return r;
  }

  private resolve(tok: string): number {
    const species = this.ctx.options.species;
    if (/^\d+$/.test(tok)) {
      const t = Number(tok);
      return species && t >= 1 && t <= species.length ? atomicNumber(species[t - 1]) : -1;
    }
    return atomicNumber(tok);
  }

  error(tok: string, line: number): ParseError {
    const species = this.ctx.options.species;
    const expected = 'an element symbol in the species column';
    if (/^\d+$/.test(tok)) {
      return new ParseError(this.ctx.fileName, line, expected, tok,
        species ? `Type ${tok} has no valid element among the ${species.length} species given (${species.join(', ')}).`
          : 'This looks like an atom type number (LAMMPS "dump xyz" writes types): give the element of each type (species, e.g. Cu,Ni).');
    }
    const guess = symbolFromLabel(tok);
    return new ParseError(this.ctx.fileName, line, expected, tok,
      guess ? `Use element symbols; "${tok}" looks like a label for ${guess}.` : 'Use element symbols such as "Cu" or "O".');
  }
}

const POW10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

export function isNanToken(buf: Uint8Array, s: number, e: number): boolean {
  if (buf[s] === 43 || buf[s] === 45) s++;
  return e - s === 3 && (buf[s] | 32) === 110 && (buf[s + 1] | 32) === 97 && (buf[s + 2] | 32) === 110;
}

/** Parses atom lines of one frame into preallocated arrays. */
export class AtomBlock {
  readonly numbers: Int32Array;
  readonly symbols: string[];
  readonly data: (ColumnData | null)[];
  /** The reserved Float64 values (null when none were asked for). */
  readonly head: Float64Array | null;
  positions!: Float64Array;
  forces: Float64Array | null = null;
  /** Atoms parsed so far. */
  done = 0;
  /** Whether any real value read so far is NaN or ±Inf (only the slow path can produce one). */
  nonFinite = false;
  private cur: LineCursor | null = null;
  /** View of the cursor's buffer for reading 4 bytes at a time. */
  private dv: DataView | null = null;

  constructor(
    readonly layout: Layout,
    readonly natoms: number,
    readonly frameLine: number,
    private fields: Fields,
    private species: SpeciesTable,
    private ctx: ReadContext,
    /** Float64 values reserved at the start of the frame's buffer (cell, stress), see `head`. */
    reserve = 0,
  ) {
    this.symbols = new Array<string>(natoms);
    const cols = layout.columns;
    // One ArrayBuffer per frame holds every numeric column (reserved reals such as the cell and
    // stress first, then real columns, the atomic numbers and integer columns, then logical ones):
    // allocating (and later collecting) a backing store per array cost as much as parsing the
    // lines. Each array is still its own typed array, a view with its own offset and length.
    let bytes = 8 * reserve;
    for (let k = 0; k < cols.length; k++) if (cols[k].kind === R) bytes += 8 * natoms * cols[k].width;
    const intAt = bytes;
    bytes += 4 * natoms;
    for (let k = 0; k < cols.length; k++) if (cols[k].kind === I && cols[k].role !== ROLE_Z) bytes += 4 * natoms * cols[k].width;
    const boolAt = bytes;
    for (let k = 0; k < cols.length; k++) if (cols[k].kind === L) bytes += natoms * cols[k].width;
    const ab = new ArrayBuffer(bytes);
    this.head = reserve > 0 ? new Float64Array(ab, 0, reserve) : null;
    let realOff = 8 * reserve;
    let intOff = intAt + 4 * natoms;
    let boolOff = boolAt;
    this.numbers = new Int32Array(ab, intAt, natoms);
    this.data = new Array<ColumnData | null>(cols.length);
    for (let k = 0; k < cols.length; k++) {
      const c = cols[k];
      const n = natoms * c.width;
      let d: ColumnData | null;
      if (c.role === ROLE_SPECIES) d = null;
      else if (c.role === ROLE_Z) d = this.numbers;
      else if (c.kind === R) {
        d = new Float64Array(ab, realOff, n);
        realOff += 8 * n;
      } else if (c.kind === I) {
        d = new Int32Array(ab, intOff, n);
        intOff += 4 * n;
      } else if (c.kind === L) {
        d = new Uint8Array(ab, boolOff, n);
        boolOff += n;
      } else d = new Array<string>(n);
      if (c.role === ROLE_POS) this.positions = d as Float64Array;
      if (c.role === ROLE_FORCES) this.forces = d as Float64Array;
      this.data[k] = d;
    }
  }

  /**
   * Parse the complete lines available in the cursor until the frame is full; false when more
   * input is needed. Lines are scanned straight from the buffer (one pass, no per-line search for
   * the newline) and the cursor is advanced past them at the end.
   */
  fill(cur: LineCursor): boolean {
    this.cur = cur;
    if (this.done >= this.natoms) return true;
    const buf = cur.buf;
    this.view(buf);
    const limit = cur.completeEnd();
    const line0 = cur.lineNo + 1;
    let p = cur.unreadStart();
    let lines = 0;
    while (this.done < this.natoms && p < limit) {
      p = this.parseLine(buf, p, line0 + lines);
      lines++;
    }
    cur.skipLines(p, lines);
    return this.done >= this.natoms;
  }

  /** Make this.dv a DataView of exactly buf (call before parseLine). */
  view(buf: Uint8Array): void {
    const dv = this.dv;
    if (!dv || dv.buffer !== buf.buffer || dv.byteOffset !== buf.byteOffset || dv.byteLength !== buf.byteLength) {
      this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }
  }

  /**
   * Parse the atom line starting at buf[s] in a single pass: tokens are found and numbers decoded
   * in the same loop, up to the line's '\n' (or the end of the data at EOF; the caller only starts
   * complete lines). Returns the offset after the line. Any byte <= 32 separates tokens. Reals take
   * Clinger's fast path inline (an integer mantissa < 2^53 divided by an exact power of ten is
   * correctly rounded); anything else goes to parseFloatBytes, so values are always bit-identical
   * to parseFloat.
   */
  parseLine(buf: Uint8Array, s: number, line: number): number {
    const i = this.done;
    const n = buf.length;
    const dv = this.dv!; // set by view(buf)
    const cols = this.layout.columns;
    let p = s;
    let ch = buf[p];
    for (let c = 0; c < cols.length; c++) {
      const col = cols[c];
      const w = col.width;
      const base = i * w;
      if (col.kind === R) {
        const arr = this.data[c] as Float64Array;
        for (let k = 0; k < w; k++) {
          if (ch === 32) {
            // Runs of spaces (ASE pads with %16.8f): 4 bytes at a time.
            ch = buf[++p];
            if (ch === 32) {
              while (p + 4 <= n && dv.getUint32(p, true) === 0x20202020) p += 4;
              ch = buf[p];
              while (ch === 32) ch = buf[++p];
            }
          }
          while (ch === 32 || (ch >= 9 && ch <= 13 && ch !== 10)) ch = buf[++p]; // tabs, CR, mixed
          if (!(ch > 32)) this.columnCountError(buf, s, line);
          const ts = p;
          let neg = false;
          if (ch === 45) {
            neg = true;
            ch = buf[++p];
          } else if (ch === 43) ch = buf[++p];
          // Integer digits accumulate in int32 (exact up to 9 digits), fraction digits 4 at a time
          // (SWAR: check that 4 bytes are digits, then combine them pairwise) and then one by one.
          let ip = 0;
          let ni = 0;
          while (ch >= 48 && ch <= 57) {
            ip = (ip * 10 + (ch - 48)) | 0;
            ni++;
            ch = buf[++p];
          }
          let fp = 0;
          let nf = 0;
          if (ch === 46) {
            p++;
            // 8 digits at once (ASE's %16.8f), then 4 at a time, then one by one.
            if (p + 8 <= n) {
              const x = dv.getUint32(p, true);
              const y = dv.getUint32(p + 4, true);
              if (((x & 0xf0f0f0f0) | (((x + 0x06060606) & 0xf0f0f0f0) >>> 4)) === 0x33333333 && ((y & 0xf0f0f0f0) | (((y + 0x06060606) & 0xf0f0f0f0) >>> 4)) === 0x33333333) {
                let d = x - 0x30303030;
                d = (d * 10 + (d >>> 8)) & 0x00ff00ff;
                d = (d * 100 + (d >>> 16)) & 0xffff;
                let d2 = y - 0x30303030;
                d2 = (d2 * 10 + (d2 >>> 8)) & 0x00ff00ff;
                d2 = (d2 * 100 + (d2 >>> 16)) & 0xffff;
                fp = d * 10000 + d2;
                nf = 8;
                p += 8;
              }
            }
            while (p + 4 <= n) {
              const x = dv.getUint32(p, true);
              if (((x & 0xf0f0f0f0) | (((x + 0x06060606) & 0xf0f0f0f0) >>> 4)) !== 0x33333333) break;
              let d = x - 0x30303030;
              d = (d * 10 + (d >>> 8)) & 0x00ff00ff;
              d = (d * 100 + (d >>> 16)) & 0xffff;
              fp = fp * 10000 + d;
              nf += 4;
              p += 4;
            }
            ch = buf[p];
            while (ch >= 48 && ch <= 57) {
              fp = fp * 10 + (ch - 48);
              nf++;
              ch = buf[++p];
            }
          }
          let v: number;
          if (!(ch > 32) && ni + nf > 0 && ni <= 9 && ni + nf <= 15) {
            v = nf === 0 ? ip : (ip * POW10[nf] + fp) / POW10[nf];
            if (neg) v = -v;
          } else {
            while (ch > 32) ch = buf[++p];
            v = parseFloatBytes(buf, ts, p);
            if (v !== v && !isNanToken(buf, ts, p)) this.tokenError(buf, ts, p, col.first + k, col, 'a number', line);
            if (!Number.isFinite(v)) this.nonFinite = true;
          }
          arr[base + k] = v;
        }
        continue;
      }
      for (let k = 0; k < w; k++) {
        while (ch === 32 || (ch >= 9 && ch <= 13 && ch !== 10)) ch = buf[++p];
        if (!(ch > 32)) this.columnCountError(buf, s, line);
        const ts = p;
        while (ch > 32) ch = buf[++p];
        if (col.role === ROLE_SPECIES) {
          const z = this.species.z(buf, ts, p);
          if (z < 0) {
            if (this.fields.split(buf, s, lineEnd(buf, s)) !== this.layout.nTokens) this.columnCountError(buf, s, line);
            throw this.species.error(bytesToString(buf, ts, p), line);
          }
          this.numbers[i] = z;
          this.symbols[i] = SYMBOLS[z];
        } else if (col.kind === I) {
          const v = parseIntBytes(buf, ts, p);
          if (v !== v) this.tokenError(buf, ts, p, col.first + k, col, 'an integer', line);
          (this.data[c] as Int32Array)[base + k] = v;
        } else if (col.kind === L) {
          const v = parseBool(buf, ts, p);
          if (v < 0) this.tokenError(buf, ts, p, col.first + k, col, 'T or F', line);
          (this.data[c] as Uint8Array)[base + k] = v;
        } else {
          (this.data[c] as string[])[base + k] = bytesToString(buf, ts, p);
        }
      }
    }
    while (ch === 32 || (ch >= 9 && ch <= 13 && ch !== 10)) ch = buf[++p];
    if (ch === 10) p++;
    else if (p < buf.length) this.columnCountError(buf, s, line);
    this.done = i + 1;
    return p;
  }

  /** Symbols from a Z column, after all lines are in. */
  finishNumbers(): void {
    for (let i = 0; i < this.natoms; i++) {
      const z = this.numbers[i];
      if (z < 0 || z > MAX_Z) {
        throw new ParseError(this.ctx.fileName, this.frameLine + 2 + i, `an atomic number 0..${MAX_Z} in the Z column`, String(z));
      }
      this.symbols[i] = symbolOf(z);
    }
  }

  private tokenError(buf: Uint8Array, s: number, e: number, t: number, col: Column, what: string, line: number): never {
    throw new ParseError(this.ctx.fileName, line, `${what} in column ${t + 1} (${col.name}:${'SRIL'[col.kind]}:${col.width})`, bytesToString(buf, s, e));
  }

  private columnCountError(buf: Uint8Array, s: number, line: number): never {
    const e = lineEnd(buf, s);
    const n = this.fields.split(buf, s, e);
    const text = bytesToString(buf, s, e);
    const nextCount = n === 1 && /^\s*\d+\s*$/.test(text);
    const hint = this.cur?.eof && e === buf.length && n < this.layout.nTokens
      ? 'The file ends inside this line: it appears truncated.'
      : nextCount
      ? `This looks like the atom count of the next frame: the frame at line ${this.frameLine} has ${this.done} atom lines, not ${this.natoms}.`
      : n === 0
        ? `A blank line inside the atom block of the frame at line ${this.frameLine}.`
        : `Each atom line needs one value per column of Properties=${this.layout.properties}.`;
    throw new ParseError(this.ctx.fileName, line, `${this.layout.nTokens} columns on atom line ${this.done + 1} of ${this.natoms}`, `${n} columns: "${text}"`, hint);
  }
}

/** End of the line starting at s (before its CR LF / LF, or the end of the data). */
function lineEnd(buf: Uint8Array, s: number): number {
  let e = buf.indexOf(10, s);
  if (e < 0) e = buf.length;
  return e > s && buf[e - 1] === 13 ? e - 1 : e;
}

const SYMBOLS = Array.from({ length: MAX_Z + 1 }, (_, z) => symbolOf(z));

function parseBool(buf: Uint8Array, s: number, e: number): number {
  const len = e - s;
  const c = buf[s];
  if (len === 1) return c === 84 || c === 116 ? 1 : c === 70 || c === 102 ? 0 : -1;
  const word = bytesToString(buf, s, e).toLowerCase();
  return word === 'true' ? 1 : word === 'false' ? 0 : -1;
}
