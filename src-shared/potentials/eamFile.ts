// Readers for the two DYNAMO EAM table formats LAMMPS uses, returning plain objects that mirror the
// file (Mol*'s habit: parse first, interpret in a second layer, here eamSpline.ts).
//
// funcfl (`pair_style eam`, *.eam; one element), as read by LAMMPS PairEAM::read_file:
//   line 1   comment
//   line 2   Z  mass(amu)  a(Å)  lattice
//   line 3   Nrho  drho  Nr  dr(Å)  cutoff(Å)
//   then     F(rho) [Nrho] (eV), Z(r) [Nr] (effective charge, e), rho(r) [Nr]
// setfl (`pair_style eam/alloy`, *.eam.alloy; N elements), PairEAMAlloy::read_file:
//   lines 1-3 comments
//   line 4   N  el_1 ... el_N
//   line 5   Nrho  drho  Nr  dr(Å)  cutoff(Å)
//   per element: a line  Z  mass  a  lattice,  then F(rho) [Nrho] and rho(r) [Nr]
//   then r·phi(r) [Nr] (eV·Å) for each pair i >= j in the order (1,1), (2,1), (2,2), (3,1), ...
// Tables are read as LAMMPS's PotentialFileReader does: values run across lines, a table ends at the
// end of the line holding its last value (extra values there are ignored), "#" starts a comment
// and blank lines are skipped. Errors are ParseErrors with the file name, line and what was expected.
import { ParseError } from '../io/errors';
import { atomicNumber } from '../atoms/elements';

export interface EamFuncfl {
  format: 'funcfl';
  comment: string;
  atomicNumber: number;
  massAmu: number;
  latticeConstantA: number;
  lattice: string;
  nrho: number;
  drho: number;
  nr: number;
  drA: number;
  cutoffA: number;
  /** [nrho] embedding energy F(rho_k), rho_k = k·drho (eV). */
  frho: Float64Array;
  /** [nr] effective charge Z(r_k), r_k = k·dr. */
  zr: Float64Array;
  /** [nr] density rho(r_k). */
  rhor: Float64Array;
}

export interface EamSetflElement {
  symbol: string;
  atomicNumber: number;
  massAmu: number;
  latticeConstantA: number;
  lattice: string;
  /** [nrho] F(rho) (eV). */
  frho: Float64Array;
  /** [nr] rho(r). */
  rhor: Float64Array;
}

export interface EamSetfl {
  format: 'setfl';
  comments: string[];
  elements: EamSetflElement[];
  nrho: number;
  drho: number;
  nr: number;
  drA: number;
  cutoffA: number;
  /** Lower triangle, pair (i, j) with i >= j at index i(i+1)/2 + j: [nr] r·phi(r) (eV·Å). */
  z2r: Float64Array[];
}

export type EamFile = EamFuncfl | EamSetfl;

/** Line reader with LAMMPS's comment and blank-line rules. */
class Reader {
  private lines: string[];
  private k = 0;
  lineNo = 0;
  constructor(text: string, readonly file: string) {
    this.lines = text.split(/\r?\n/);
  }
  /** The next line verbatim (headers), or a ParseError at end of file. */
  raw(expected: string): string {
    if (this.k >= this.lines.length) throw new ParseError(this.file, this.lines.length, expected, 'end of file');
    this.lineNo = this.k + 1;
    return this.lines[this.k++];
  }
  /** Words of the next non-blank line (comments stripped), or null at end of file. */
  words(): string[] | null {
    while (this.k < this.lines.length) {
      const line = this.lines[this.k++];
      this.lineNo = this.k;
      const hash = line.indexOf('#');
      const body = hash >= 0 ? line.slice(0, hash) : line;
      const w = body.trim().split(/\s+/);
      if (w.length > 0 && w[0] !== '') return w;
    }
    return null;
  }
  /** A line with at least `min` words. */
  values(min: number, expected: string): string[] {
    const w = this.words();
    if (!w) throw new ParseError(this.file, this.lines.length, expected, 'end of file');
    if (w.length < min) throw new ParseError(this.file, this.lineNo, expected, w.join(' '));
    return w;
  }
  number(word: string, expected: string): number {
    const v = Number(word);
    if (word === '' || !Number.isFinite(v)) throw new ParseError(this.file, this.lineNo, expected, word);
    return v;
  }
  integer(word: string, expected: string, min: number): number {
    const v = this.number(word, expected);
    if (!Number.isInteger(v) || v < min) throw new ParseError(this.file, this.lineNo, expected, word);
    return v;
  }
  /** n numbers running across lines (the rest of the last line is ignored). */
  table(n: number, what: string): Float64Array {
    const out = new Float64Array(n);
    let i = 0;
    while (i < n) {
      const w = this.words();
      if (!w) throw new ParseError(this.file, this.lines.length, `${n} values of ${what} (got ${i})`, 'end of file', 'the table is shorter than the header says');
      for (let q = 0; q < w.length && i < n; q++) out[i++] = this.number(w[q], `a number in ${what}`);
    }
    return out;
  }
}

function gridHeader(r: Reader, what: string) {
  const expected = `${what}: Nrho drho Nr dr cutoff`;
  const w = r.values(5, expected);
  const nrho = r.integer(w[0], `Nrho (an integer >= 5) in ${expected}`, 5);
  const drho = r.number(w[1], `drho in ${expected}`);
  const nr = r.integer(w[2], `Nr (an integer >= 5) in ${expected}`, 5);
  const drA = r.number(w[3], `dr in ${expected}`);
  const cutoffA = r.number(w[4], `cutoff in ${expected}`);
  if (!(drho > 0)) throw new ParseError(r.file, r.lineNo, 'drho > 0', w[1]);
  if (!(drA > 0)) throw new ParseError(r.file, r.lineNo, 'dr > 0', w[3]);
  if (!(cutoffA > 0)) throw new ParseError(r.file, r.lineNo, 'cutoff > 0', w[4]);
  return { nrho, drho, nr, drA, cutoffA };
}

function elementHeader(r: Reader, expected: string) {
  const w = r.values(2, expected);
  return {
    atomicNumber: r.integer(w[0], `Z (an integer) in ${expected}`, 0),
    massAmu: r.number(w[1], `mass in ${expected}`),
    latticeConstantA: w.length > 2 ? Number(w[2]) : NaN,
    lattice: w[3] ?? '',
  };
}

/** Read a DYNAMO funcfl file (LAMMPS `pair_style eam`). Throws ParseError. */
export function parseEamFuncfl(text: string, file = 'potential.eam'): EamFuncfl {
  const r = new Reader(text, file);
  const comment = r.raw('a comment line').trim();
  const head = elementHeader(r, 'line 2: Z mass lattice-constant lattice');
  const grid = gridHeader(r, 'line 3');
  const frho = r.table(grid.nrho, 'F(rho)');
  const zr = r.table(grid.nr, 'Z(r)');
  const rhor = r.table(grid.nr, 'rho(r)');
  return { format: 'funcfl', comment, ...head, ...grid, frho, zr, rhor };
}

/** Read a DYNAMO setfl file (LAMMPS `pair_style eam/alloy`). Throws ParseError. */
export function parseEamSetfl(text: string, file = 'potential.eam.alloy'): EamSetfl {
  const r = new Reader(text, file);
  const comments = [r.raw('comment line 1'), r.raw('comment line 2'), r.raw('comment line 3')].map((s) => s.trim());
  const expected4 = 'line 4: N followed by N element symbols';
  const w = r.values(2, expected4);
  const nEl = r.integer(w[0], `the element count N in ${expected4}`, 1);
  if (w.length < nEl + 1) throw new ParseError(file, r.lineNo, `${nEl} element symbols after N`, w.join(' '));
  const symbols = w.slice(1, nEl + 1);
  for (const s of symbols) {
    if (atomicNumber(s) < 1) throw new ParseError(file, r.lineNo, 'element symbols (H, He, ..., Og)', s, 'Atomforge maps atoms to setfl entries by element symbol');
  }
  if (new Set(symbols.map((s) => s.toLowerCase())).size !== symbols.length) throw new ParseError(file, r.lineNo, 'distinct element symbols', w.join(' '));
  const grid = gridHeader(r, 'line 5');
  const elements: EamSetflElement[] = symbols.map((symbol) => {
    const head = elementHeader(r, `the ${symbol} header: Z mass lattice-constant lattice`);
    const frho = r.table(grid.nrho, `F(rho) of ${symbol}`);
    const rhor = r.table(grid.nr, `rho(r) of ${symbol}`);
    return { symbol, ...head, frho, rhor };
  });
  const z2r: Float64Array[] = [];
  for (let i = 0; i < nEl; i++) for (let j = 0; j <= i; j++) z2r.push(r.table(grid.nr, `r*phi(r) of ${symbols[i]}-${symbols[j]}`));
  return { format: 'setfl', comments, elements, ...grid, z2r };
}

/**
 * Read either format. The format follows the file name (*.eam.alloy / *.alloy / *.setfl: setfl;
 * *.eam: funcfl; *.eam.fs: refused, Finnis-Sinclair is not supported); other names are sniffed
 * (setfl when line 4 is "N el_1 ... el_N").
 */
export function parseEamFile(text: string, file = 'potential.eam'): EamFile {
  const lower = file.toLowerCase();
  if (lower.endsWith('.fs')) {
    throw new ParseError(file, 1, 'a funcfl (*.eam) or setfl (*.eam.alloy) file', 'a Finnis-Sinclair *.eam.fs file', 'eam/fs is not supported');
  }
  if (/\.(alloy|setfl)$/.test(lower)) return parseEamSetfl(text, file);
  if (lower.endsWith('.eam')) return parseEamFuncfl(text, file);
  const lines = text.split(/\r?\n/, 5);
  const w = (lines[3] ?? '').trim().split(/\s+/);
  const n = Number(w[0]);
  const looksSetfl = Number.isInteger(n) && n >= 1 && w.length >= n + 1 && w.slice(1, n + 1).every((s) => atomicNumber(s) >= 1);
  return looksSetfl ? parseEamSetfl(text, file) : parseEamFuncfl(text, file);
}
