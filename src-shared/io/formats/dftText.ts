// Shared pieces of the readers of DFT-code text output (OUTCAR, pw.x, CP2K, GPAW, Turbomole/xtb):
// pulling required lines with located errors, a cheap first-character filter so that the long
// stretches these files spend on SCF iterations and timings are skipped without decoding, Fortran
// number quirks (1.0D-03 exponents; "-104.03-104.11" where a wide field swallowed the separating
// blank, which ASE's OUTCAR reader also splits, ase/io/vasp_parsers/vasp_outcar_parsers.py
// _check_line), and the conversion of a 3x3 stress from a code's sign convention to ASE's.
import { ParseError } from '../errors';
import type { ReadContext } from '../format';
import { type LineCursor, type NeedMore, nextLine } from '../lineCursor';

/** Next line or a ParseError saying what was expected (the file ended). */
export function* requireLine(cur: LineCursor, ctx: ReadContext, expected: string): Generator<NeedMore, void, void> {
  if (!(yield* nextLine(cur))) throw new ParseError(ctx.fileName, cur.lineNo + 1, expected, 'end of file', 'The file appears truncated.');
}

/** More atoms than any DFT run holds: a corrupt count, refused before arrays are built from it. */
export const MAX_DFT_ATOMS = 10_000_000;

/** A ParseError on the current line when the atom counts add up to more than MAX_DFT_ATOMS. */
export function checkAtomTotal(cur: LineCursor, ctx: ReadContext, counts: number[], what: string): void {
  const total = counts.reduce((a, b) => a + b, 0);
  if (!(total <= MAX_DFT_ATOMS)) throw new ParseError(ctx.fileName, cur.lineNo, `${what} adding up to at most ${MAX_DFT_ATOMS} atoms`, cur.text().trim(), 'The counts look corrupt.');
}

/** First non-blank byte of the current line (0 for a blank line). */
export function firstByte(cur: LineCursor): number {
  const b = cur.buf;
  for (let i = cur.start; i < cur.end; i++) {
    const c = b[i];
    if (c !== 32 && c !== 9) return c;
  }
  return 0;
}

/** A set of first characters, for skipping lines that cannot start a block of interest. */
export function firstChars(chars: string): Uint8Array {
  const t = new Uint8Array(256);
  for (const ch of chars) t[ch.charCodeAt(0)] = 1;
  return t;
}

/**
 * Numbers of a text, splitting Fortran fields that ran together ("0.05-100.0" -> 0.05, -100.0) and
 * accepting D exponents. Tokens that are not numbers become NaN.
 */
export function fortranNumbers(text: string): number[] {
  return text
    .replace(/(\d)-(\d)/g, '$1 -$2')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((t) => {
      const s = t.replace(/[dD]/, 'e');
      return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) ? parseFloat(s) : NaN;
    });
}

/**
 * `count` finite numbers from `text` starting at token `from`, or a ParseError on the current line
 * naming `what`.
 */
export function numbersOrThrow(cur: LineCursor, ctx: ReadContext, text: string, from: number, count: number, what: string): number[] {
  const v = fortranNumbers(text).slice(from, from + count);
  if (v.length < count || v.some((x) => !Number.isFinite(x))) throw new ParseError(ctx.fileName, cur.lineNo, `${count} numbers for ${what}`, text.trim());
  return v;
}

/** [9] row-major symmetric matrix from Voigt-like components xx yy zz xy yz zx (VASP's order). */
export function matrixFromXxYyZzXyYzZx(v: ArrayLike<number>, scale: number): Float64Array {
  const [xx, yy, zz, xy, yz, zx] = [v[0], v[1], v[2], v[3], v[4], v[5]].map((x) => x * scale);
  return Float64Array.from([xx, xy, zx, xy, yy, yz, zx, yz, zz]);
}

/** [9] copy of a 3x3 row-major matrix times `scale` (e.g. -GPa for a pressure-positive stress). */
export function scaledMatrix(m: ArrayLike<number>, scale: number): Float64Array {
  const out = new Float64Array(9);
  for (let k = 0; k < 9; k++) out[k] = m[k] * scale + 0; // + 0 turns -0 into 0
  return out;
}

/** Cartesian positions [3N] from fractional ones [3N] and cell rows [9]. */
export function fractionalToCartesian(frac: ArrayLike<number>, cell: ArrayLike<number>): Float64Array {
  const n = frac.length / 3;
  const out = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    const a = frac[3 * i], b = frac[3 * i + 1], c = frac[3 * i + 2];
    for (let k = 0; k < 3; k++) out[3 * i + k] = a * cell[k] + b * cell[3 + k] + c * cell[6 + k];
  }
  return out;
}
