// VASP XDATCAR (VASP 5 layout): an MD or relaxation trajectory, one frame per configuration,
// streamed. A header as in POSCAR (comment, scale, 3 lattice rows, species, counts), then blocks
// "Direct configuration=     N" followed by N_atoms fractional positions. With a fixed cell the
// header is written once; with a variable cell (ISIF=3 MD) VASP repeats the whole header before
// every configuration. Same reading as ASE 3.22's read_vasp_xdatcar (ase/io/vasp.py), which also
// needs the VASP 5 species line; a VASP 4 header (counts only) takes ReadOptions.species.
// The scale factor multiplies the lattice (a negative value is the cell volume in Å³).
// XDATCAR carries no energies or forces; info.vasp_configuration holds N.
import { type Frame, makeFrame } from '../../atoms/frame';
import { ParseError } from '../errors';
import { Fields, parseFloatBytes } from '../fields';
import type { FormatSpec, ReadContext } from '../format';
import { type LineCursor, type NeedMore, nextNonBlankLine } from '../lineCursor';
import { checkAtomTotal, fractionalToCartesian, numbersOrThrow, requireLine } from './dftText';
import { speciesFromPotcarName } from './poscar';

function det3(m: ArrayLike<number>): number {
  return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
}

const CONFIG = /^\s*(Direct|Cartesian)\s+configuration\s*=\s*(\d+)/i;

function* readXdatcar(cur: LineCursor, ctx: ReadContext): Generator<Frame | NeedMore, void, void> {
  const file = ctx.fileName;
  const f = new Fields();
  let symbols: string[] | null = null;
  let cell: Float64Array | null = null;
  let comment = '';
  let scale = 1;

  for (;;) {
    if (!(yield* nextNonBlankLine(cur))) return;
    let text = cur.text();
    const m = CONFIG.exec(text);
    if (!m) {
      // A header: comment, scale, lattice, species, counts.
      comment = text.trim();
      yield* requireLine(cur, ctx, 'the scale factor (line 2 of the XDATCAR header)');
      const s = numbersOrThrow(cur, ctx, cur.text(), 0, 1, 'the scale factor')[0];
      if (s === 0) throw new ParseError(file, cur.lineNo, 'a non-zero scale factor', cur.text().trim());
      const lat = new Float64Array(9);
      for (let r = 0; r < 3; r++) {
        yield* requireLine(cur, ctx, `lattice vector ${'abc'[r]}`);
        lat.set(numbersOrThrow(cur, ctx, cur.text(), 0, 3, `lattice vector ${'abc'[r]}`), 3 * r);
      }
      scale = s > 0 ? s : Math.cbrt(-s / Math.abs(det3(lat)));
      cell = lat.map((x) => x * scale);
      yield* requireLine(cur, ctx, 'the species or counts line');
      let words = cur.text().trim().split(/\s+/);
      let names: string[];
      if (/^\d+$/.test(words[0] ?? '')) {
        const sp = ctx.options.species;
        if (!sp || sp.length < words.length) throw new ParseError(file, cur.lineNo, 'a species line (VASP 5) before the counts', cur.text().trim(), 'This XDATCAR has no element names; pass the species in order, e.g. Ca,F');
        names = sp.slice(0, words.length);
      } else {
        names = words;
        yield* requireLine(cur, ctx, 'the atom counts line');
        words = cur.text().trim().split(/\s+/);
      }
      const counts = words.map(Number);
      if (counts.length !== names.length || counts.some((c) => !Number.isInteger(c) || c < 0)) {
        throw new ParseError(file, cur.lineNo, `${names.length} integer atom counts (one per species: ${names.join(' ')})`, cur.text().trim());
      }
      checkAtomTotal(cur, ctx, counts, 'atom counts');
      const syms: string[] = [];
      names.forEach((name, k) => {
        const el = speciesFromPotcarName(name);
        if (!el) throw new ParseError(file, cur.lineNo - 1, 'element symbols on the species line', name);
        for (let i = 0; i < counts[k]; i++) syms.push(el);
      });
      if (symbols && syms.join() !== symbols.join()) throw new ParseError(file, cur.lineNo, `the same atoms in every header (${symbols.length} atoms)`, `${syms.length} atoms`);
      symbols = syms;
      yield* requireLine(cur, ctx, '"Direct configuration=" after the header');
      text = cur.text();
    }
    const c = CONFIG.exec(text);
    if (!c) throw new ParseError(file, cur.lineNo, '"Direct configuration=  N"', text.trim());
    if (!symbols || !cell) throw new ParseError(file, cur.lineNo, 'the XDATCAR header (comment, scale, lattice, species, counts) before the first configuration', text.trim());
    const n = symbols.length;
    const coords = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) {
      yield* requireLine(cur, ctx, `position ${i + 1} of ${n} of configuration ${c[2]}`);
      const k = f.split(cur.buf, cur.start, cur.end);
      for (let d = 0; d < 3; d++) {
        const v = k > d ? parseFloatBytes(cur.buf, f.starts[d], f.ends[d]) : NaN;
        if (!Number.isFinite(v)) throw new ParseError(file, cur.lineNo, `3 coordinates of atom ${i + 1} of ${n}`, cur.text().trim());
        coords[3 * i + d] = v;
      }
    }
    const direct = c[1].toLowerCase() === 'direct';
    const pos = direct ? fractionalToCartesian(coords, cell) : coords.map((x) => x * scale);
    const frame = makeFrame({ symbols, positionsA: pos, cellA: cell.slice(), pbc: [true, true, true] });
    frame.info.vasp_configuration = Number(c[2]);
    if (comment) frame.info.comment = comment;
    yield frame;
  }
}

function sniffXdatcar(head: string): number {
  return /^\s*Direct configuration=\s*\d+/m.test(head) ? 0.95 : 0;
}

export const xdatcarFormat: FormatSpec = {
  name: 'vasp-xdatcar',
  title: 'VASP XDATCAR trajectory',
  extensions: ['xdatcar'],
  baseNames: ['XDATCAR'],
  multiFrame: true,
  carries: { cell: true, energy: false, forces: false, stress: false },
  sniff: sniffXdatcar,
  read: readXdatcar,
};
