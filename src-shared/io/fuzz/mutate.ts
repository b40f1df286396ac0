// Seeded byte-level mutator for fuzzing the file readers (issue 9). Takes a valid file and returns a
// damaged copy plus a one-line description of the damage, reproducible from the seed alone. The
// mutations are the ways real files go wrong: truncation (a copy interrupted, a job killed while
// writing), garbage and flipped bytes (bad disks, binary pasted in), wrong atom counts, NaN/Inf and
// out-of-range numbers (1e308, 1e400, Fortran "1.0D+999"), dropped or duplicated columns, the wrong
// text encoding (UTF-16 with BOM, Latin-1), empty files, mixed line endings and very long lines.
// No dependency: the randomness is the project's xoshiro128** generator (space/rng.ts).
import { createRng, type Rng } from '../../space/rng';

export interface Mutation {
  bytes: Uint8Array;
  /** What was done, e.g. "truncate at byte 512 of 1024; number -> NaN on line 7". */
  description: string;
}

const NL = 10;
const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
const utf8 = new TextEncoder();

/** Seed for case `index` of format `name`: every case is reproducible on its own. */
export function caseSeed(seed: number, name: string, index: number): number {
  let h = (seed ^ 0x811c9dc5) >>> 0;
  for (const ch of `${name}#${index}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

/** [start, end) byte ranges of the lines (without '\n'). */
function lineRanges(b: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  let s = 0;
  for (let i = 0; i < b.length; i++) {
    if (b[i] === NL) {
      out.push([s, i]);
      s = i + 1;
    }
  }
  if (s < b.length) out.push([s, b.length]);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Token ranges [start, end) (whitespace-separated) of bytes b[s, e). */
function tokens(b: Uint8Array, s: number, e: number): [number, number][] {
  const out: [number, number][] = [];
  let i = s;
  while (i < e) {
    while (i < e && (b[i] === 32 || b[i] === 9 || b[i] === 13)) i++;
    const t = i;
    while (i < e && !(b[i] === 32 || b[i] === 9 || b[i] === 13)) i++;
    if (i > t) out.push([t, i]);
  }
  return out;
}

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eEdD][+-]?\d+)?$/;
const INT_RE = /^[+-]?\d+$/;

/** All numeric tokens of the file: [start, end, lineIndex]. */
function numericTokens(b: Uint8Array, lines: [number, number][], intOnly: boolean): [number, number, number][] {
  const out: [number, number, number][] = [];
  const dec = new TextDecoder('latin1');
  lines.forEach(([s, e], li) => {
    for (const [ts, te] of tokens(b, s, e)) {
      if (te - ts > 40) continue;
      const t = dec.decode(b.subarray(ts, te)).replace(/[,;"'<>]/g, '');
      if ((intOnly ? INT_RE : NUMBER_RE).test(t)) out.push([ts, te, li]);
    }
  });
  return out;
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)];

const BAD_NUMBERS = ['NaN', 'nan', '-nan', 'Inf', '-inf', 'Infinity', '1e308', '-1e308', '1e400', '-1e400', '1.0D+999', '4.9e-324', '1e-400', '0x1F', '1..2', '--1', '+', '.', 'e5', '1e', '12345678901234567890123'];
const BAD_COUNTS = (v: number) => [v + 1, v - 1, v + 7, Math.max(0, v - 3), 0, -1, -v, 2 * v, 1e6, 16777216, 99999999, 1e9, 2147483648, 9007199254740993, 99999999999999999999];

type Op = (b: Uint8Array, rng: Rng) => [Uint8Array, string];

function replaceRange(b: Uint8Array, s: number, e: number, rep: Uint8Array): Uint8Array {
  return concat(b.subarray(0, s), rep, b.subarray(e));
}

function lineIndexOf(b: Uint8Array, pos: number): number {
  let n = 1;
  for (let i = 0; i < pos && i < b.length; i++) if (b[i] === NL) n++;
  return n;
}

/** The mutation operators, by name. Each returns the damaged bytes and what it did. */
export const OPERATORS: Record<string, Op> = {
  truncateByte(b, rng) {
    const k = rng.int(b.length + 1);
    return [b.slice(0, k), `truncate at byte ${k}/${b.length}`];
  },
  truncateLine(b, rng) {
    const lines = lineRanges(b);
    const k = rng.int(lines.length + 1);
    const end = k < lines.length ? lines[k][0] : b.length;
    return [b.slice(0, end), `keep first ${k}/${lines.length} lines`];
  },
  garbage(b, rng) {
    const n = 1 + rng.int(64);
    const g = new Uint8Array(n);
    for (let i = 0; i < n; i++) g[i] = rng.int(256);
    const at = rng.int(b.length + 1);
    return [replaceRange(b, at, at, g), `insert ${n} garbage bytes at line ${lineIndexOf(b, at)}`];
  },
  flipBytes(b, rng) {
    const out = b.slice();
    const n = 1 + rng.int(8);
    const where: number[] = [];
    for (let i = 0; i < n && out.length > 0; i++) {
      const at = rng.int(out.length);
      out[at] = rng.next() < 0.5 ? out[at] ^ (1 << rng.int(8)) : rng.int(256);
      where.push(lineIndexOf(out, at));
    }
    return [out, `flip ${n} bytes on lines ${where.join(',')}`];
  },
  wrongCount(b, rng) {
    const lines = lineRanges(b);
    // Prefer lines that are a lone integer (atom counts), else any integer token.
    const lone = numericTokens(b, lines, true).filter(([s, e, li]) => tokens(b, lines[li][0], lines[li][1]).length <= 6 && e - s < 12);
    if (lone.length === 0) return OPERATORS.flipBytes(b, rng);
    const [s, e, li] = pick(rng, lone);
    const v = Number(new TextDecoder().decode(b.subarray(s, e)));
    const nv = pick(rng, BAD_COUNTS(v));
    return [replaceRange(b, s, e, utf8.encode(String(nv))), `integer ${v} -> ${nv} on line ${li + 1}`];
  },
  badNumber(b, rng) {
    const nums = numericTokens(b, lineRanges(b), false);
    if (nums.length === 0) return OPERATORS.garbage(b, rng);
    const n = 1 + (rng.next() < 0.3 ? rng.int(5) : 0);
    let out = b;
    const what: string[] = [];
    // Replace from the end so that earlier ranges stay valid.
    const chosen = Array.from({ length: n }, () => pick(rng, nums)).sort((x, y) => y[0] - x[0]);
    let last = Infinity;
    for (const [s, e, li] of chosen) {
      if (e > last) continue;
      const v = pick(rng, BAD_NUMBERS);
      out = replaceRange(out, s, e, utf8.encode(v));
      what.push(`${v}@${li + 1}`);
      last = s;
    }
    return [out, `numbers -> ${what.join(' ')}`];
  },
  dropToken(b, rng) {
    const lines = lineRanges(b).map((r, i) => [r, i] as const).filter(([[s, e]]) => tokens(b, s, e).length > 0);
    if (lines.length === 0) return OPERATORS.garbage(b, rng);
    const [[s, e], li] = pick(rng, lines);
    const t = tokens(b, s, e);
    const [ts, te] = pick(rng, t);
    return [replaceRange(b, ts, te, new Uint8Array(0)), `drop a token on line ${li + 1}`];
  },
  duplicateToken(b, rng) {
    const lines = lineRanges(b).map((r, i) => [r, i] as const).filter(([[s, e]]) => tokens(b, s, e).length > 0);
    if (lines.length === 0) return OPERATORS.garbage(b, rng);
    const [[s, e], li] = pick(rng, lines);
    const [ts, te] = pick(rng, tokens(b, s, e));
    return [replaceRange(b, te, te, concat(latin1(' '), b.subarray(ts, te))), `duplicate a token on line ${li + 1}`];
  },
  dropLines(b, rng) {
    const lines = lineRanges(b);
    if (lines.length === 0) return [b, 'no lines'];
    const k = rng.int(lines.length);
    const n = 1 + rng.int(3);
    const end = k + n < lines.length ? lines[k + n][0] : b.length;
    return [replaceRange(b, lines[k][0], end, new Uint8Array(0)), `delete lines ${k + 1}..${k + n}`];
  },
  duplicateLines(b, rng) {
    const lines = lineRanges(b);
    if (lines.length === 0) return [b, 'no lines'];
    const k = rng.int(lines.length);
    const n = 1 + rng.int(3);
    const end = k + n < lines.length ? lines[k + n][0] : b.length;
    const block = b.subarray(lines[k][0], end);
    const sep = end === b.length && b[b.length - 1] !== NL ? latin1('\n') : new Uint8Array(0);
    return [concat(b.subarray(0, end), sep, block, b.subarray(end)), `duplicate lines ${k + 1}..${k + n}`];
  },
  utf16(b) {
    const s = new TextDecoder().decode(b);
    const out = new Uint8Array(2 + 2 * s.length);
    out[0] = 0xff;
    out[1] = 0xfe;
    for (let i = 0; i < s.length; i++) {
      out[2 + 2 * i] = s.charCodeAt(i) & 0xff;
      out[3 + 2 * i] = s.charCodeAt(i) >> 8;
    }
    return [out, 'UTF-16LE with BOM'];
  },
  bom(b, rng) {
    const boms = [[0xef, 0xbb, 0xbf], [0xfe, 0xff], [0xff, 0xfe]];
    const which = rng.int(boms.length);
    return [concat(Uint8Array.from(boms[which]), b), `BOM ${boms[which].map((x) => x.toString(16)).join(' ')} prepended`];
  },
  latin1(b, rng) {
    const out = b.slice();
    const n = 1 + rng.int(6);
    for (let i = 0; i < n && out.length > 0; i++) out[rng.int(out.length)] = pick(rng, [0xe9, 0xc5, 0xb0, 0xb5, 0xff, 0xa0, 0x80]);
    return [out, `${n} Latin-1 bytes (invalid UTF-8)`];
  },
  empty(_b, rng) {
    const v = pick(rng, ['', '\n', '   \n\n', '\r\n', '\t', '\0']);
    return [latin1(v), `empty file ${JSON.stringify(v)}`];
  },
  crlf(b, rng) {
    const parts: number[] = [];
    const mode = rng.int(3); // 0: some CRLF, 1: all CRLF, 2: lone CR
    for (let i = 0; i < b.length; i++) {
      if (b[i] === NL && (mode === 1 || rng.next() < 0.3)) {
        if (mode === 2) {
          parts.push(13);
          continue;
        }
        parts.push(13);
      }
      parts.push(b[i]);
    }
    return [Uint8Array.from(parts), ['mixed CRLF', 'all CRLF', 'some LF -> lone CR'][mode]];
  },
  longLine(b, rng) {
    const lines = lineRanges(b);
    const li = lines.length ? rng.int(lines.length) : 0;
    const at = lines.length ? lines[li][1] : 0;
    const len = pick(rng, [10_000, 100_000, 1_000_000]);
    const fill = pick(rng, [' ', '9', 'x', ' 1.0', '=']);
    const long = latin1(fill.repeat(Math.ceil(len / fill.length)));
    return [replaceRange(b, at, at, long), `${long.length}-byte extension of line ${li + 1} with ${JSON.stringify(fill)}`];
  },
  nulBytes(b, rng) {
    const at = rng.int(b.length + 1);
    const n = 1 + rng.int(1000);
    return [replaceRange(b, at, at, new Uint8Array(n)), `${n} NUL bytes at line ${lineIndexOf(b, at)}`];
  },
};

const WEIGHTS: [string, number][] = [
  ['truncateByte', 3], ['truncateLine', 3], ['garbage', 2], ['flipBytes', 3], ['wrongCount', 4], ['badNumber', 6],
  ['dropToken', 3], ['duplicateToken', 3], ['dropLines', 2], ['duplicateLines', 2], ['utf16', 1], ['bom', 1],
  ['latin1', 1], ['empty', 1], ['crlf', 2], ['longLine', 1], ['nulBytes', 1],
];
const TOTAL_WEIGHT = WEIGHTS.reduce((s, [, w]) => s + w, 0);

function pickOperator(rng: Rng): string {
  let r = rng.next() * TOTAL_WEIGHT;
  for (const [name, w] of WEIGHTS) {
    r -= w;
    if (r < 0) return name;
  }
  return WEIGHTS[0][0];
}

/** One to three mutations of `bytes` (usually one), reproducible from `seed`. */
export function mutate(bytes: Uint8Array, seed: number): Mutation {
  const rng = createRng(seed);
  const rounds = rng.next() < 0.75 ? 1 : 2 + rng.int(2);
  let b = bytes;
  const what: string[] = [];
  for (let k = 0; k < rounds; k++) {
    const name = pickOperator(rng);
    const [nb, d] = OPERATORS[name](b, rng);
    b = nb;
    what.push(`${name}: ${d}`);
  }
  return { bytes: b, description: what.join('; ') };
}
