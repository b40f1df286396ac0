// Protein Data Bank format (wwPDB format v3.3, https://www.wwpdb.org/documentation/file-format):
// fixed-column records. CRYST1 holds a, b, c (cols 7-33) and alpha, beta, gamma (cols 34-54); the
// cell follows ASE's cellpar_to_cell (a along x, b in the xy plane) and makes the frame periodic.
// ATOM/HETATM: atom name cols 13-16, residue name 18-20, residue number 23-26, x y z 31-54
// (Å), occupancy 55-60, B-factor 61-66, element 77-78. MODEL/ENDMDL (or END) delimit frames.
// Follows ASE's read_proteindatabank (ase/io/proteindatabank.py): per-atom columns `occupancy`,
// `bfactor`, `residuenames`, `atomtypes` (atom names) and `residuenumbers`. Differences, on purpose:
// the CRYST1 cell applies to every following MODEL (ASE forgets it after the first); the PDB
// placeholder "CRYST1 1 1 1 90 90 90" (no crystal cell) gives no cell; without an element column the
// element comes from the atom name by the PDB alignment rule (one-letter elements start in col 14,
// so " CA " is carbon and "CA  " calcium); ORIGXn/SCALEn records are ignored.
// The writer rotates the structure into the CRYST1 orientation, as ASE does; PDB keeps 3 decimals.
import { atomicNumber, symbolOf } from '../../atoms/elements';
import { type Frame, makeFrame } from '../../atoms/frame';
import { ParseError } from '../errors';
import { parseNumber } from '../fields';
import type { FormatSpec, ReadContext, WriteOptions } from '../format';
import { type LineCursor, type NeedMore, nextLine } from '../lineCursor';
import { cellToCellpar, cellparToCell } from './cif';

function validSymbol(s: string): string | null {
  const z = atomicNumber(s);
  return z > 0 ? symbolOf(z) : null;
}

/** ASE's label_to_symbol: two letters if they form an element, else the first letter. */
function labelToSymbol(label: string): string | null {
  if (label.length >= 2 && /[A-Za-z]/.test(label[1])) {
    const two = validSymbol(label.slice(0, 2));
    if (two) return two;
  }
  return label.length ? validSymbol(label[0]) : null;
}

/** Element of an ATOM/HETATM record: columns 77-78, else the atom name (cols 13-16). */
export function pdbElement(line: string): string | null {
  const col = line.slice(76, 78).trim();
  if (col) {
    const s = labelToSymbol(col.replace(/[^A-Za-z]/g, ''));
    if (s) return s;
  }
  const raw = line.slice(12, 16).padEnd(4);
  const name = raw.trim().replace(/^\d+/, '');
  if (!name) return null;
  const letter = (c: string) => /[A-Za-z]/.test(c);
  if ((raw[0] === ' ' || /\d/.test(raw[0])) && letter(raw[1])) {
    // PDB alignment: a one-letter element in column 14, unless written as a mixed-case symbol ("Cu").
    if (/^[A-Z][a-z]/.test(name)) {
      const two = validSymbol(name.slice(0, 2));
      if (two) return two;
    }
    return validSymbol(raw[1]);
  }
  return labelToSymbol(name);
}

interface Pending {
  symbols: string[];
  pos: number[];
  occ: number[];
  bfac: number[];
  resn: string[];
  names: string[];
  resi: number[];
}

const emptyPending = (): Pending => ({ symbols: [], pos: [], occ: [], bfac: [], resn: [], names: [], resi: [] });

function* readPdb(cur: LineCursor, ctx: ReadContext): Generator<Frame | NeedMore, void, void> {
  const file = ctx.fileName;
  let cell: Float64Array | null = null;
  let p = emptyPending();
  let model: number | null = null;

  const build = (): Frame => {
    const frame = makeFrame({
      symbols: p.symbols,
      positionsA: p.pos,
      cellA: cell,
      pbc: cell ? [true, true, true] : [false, false, false],
      arrays: {
        occupancy: { kind: 'real', width: 1, data: Float64Array.from(p.occ) },
        bfactor: { kind: 'real', width: 1, data: Float64Array.from(p.bfac) },
        residuenames: { kind: 'string', width: 1, data: p.resn },
        atomtypes: { kind: 'string', width: 1, data: p.names },
        residuenumbers: { kind: 'int', width: 1, data: Int32Array.from(p.resi) },
      },
    });
    if (model !== null) frame.info.model = model;
    p = emptyPending();
    return frame;
  };

  const field = (line: string, a: number, b: number, what: string): number => {
    const t = line.slice(a, b);
    const v = parseNumber(t);
    if (!Number.isFinite(v)) {
      throw new ParseError(file, cur.lineNo, `${what} in columns ${a + 1}-${b}`, t.trim() === '' ? `"${line.slice(0, 6).trim()}" line ${line.length < b ? 'too short' : 'with blanks there'}` : t.trim());
    }
    return v;
  };

  while (yield* nextLine(cur)) {
    const line = cur.text();
    const rec = line.slice(0, 6);
    if (rec === 'ATOM  ' || rec === 'HETATM' || rec === 'ATOM') {
      const x = field(line, 30, 38, 'the x coordinate');
      const y = field(line, 38, 46, 'the y coordinate');
      const z = field(line, 46, 54, 'the z coordinate');
      const sym = pdbElement(line);
      if (!sym) {
        ctx.warn(cur.lineNo, `no element in columns 77-78 or the atom name "${line.slice(12, 16).trim()}"; read as X`);
      }
      const occ = parseNumber(line.slice(54, 60));
      const bf = parseNumber(line.slice(60, 66));
      const resi = parseInt(line.slice(22, 26).trim(), 10);
      p.symbols.push(sym ?? 'X');
      p.pos.push(x, y, z);
      p.occ.push(Number.isFinite(occ) ? occ : 1);
      p.bfac.push(Number.isFinite(bf) ? bf : 0);
      p.resn.push(line.slice(17, 21).trim());
      p.names.push(line.slice(12, 16).trim());
      p.resi.push(Number.isFinite(resi) ? resi : 0);
    } else if (rec === 'CRYST1') {
      const par = [
        field(line, 6, 15, 'cell length a'),
        field(line, 15, 24, 'cell length b'),
        field(line, 24, 33, 'cell length c'),
        field(line, 33, 40, 'cell angle alpha'),
        field(line, 40, 47, 'cell angle beta'),
        field(line, 47, 54, 'cell angle gamma'),
      ];
      if (par[0] === 1 && par[1] === 1 && par[2] === 1 && par[3] === 90 && par[4] === 90 && par[5] === 90) {
        cell = null;
        ctx.warn(cur.lineNo, 'CRYST1 1 1 1 90 90 90 is the PDB placeholder for "no crystal cell"; read without a cell');
      } else {
        try {
          cell = cellparToCell(par);
        } catch {
          throw new ParseError(file, cur.lineNo, 'cell angles that form a cell', par.slice(3).join(' '));
        }
      }
    } else if (rec.startsWith('MODEL')) {
      if (p.symbols.length > 0) {
        ctx.warn(cur.lineNo, 'MODEL before the ENDMDL of the previous model; previous atoms kept as a frame');
        yield build();
      }
      const m = parseInt(line.slice(10, 14).trim() || line.slice(5).trim(), 10);
      model = Number.isFinite(m) ? m : null;
    } else if (rec.startsWith('END')) {
      // ENDMDL ends a model; END ends the file's (only) configuration, as in CP2K/VMD trajectories.
      if (p.symbols.length > 0) yield build();
      model = null;
    }
  }
  if (p.symbols.length > 0) yield build();
}

function fixed(x: number, width: number, decimals: number, what: string): string {
  const s = x.toFixed(decimals);
  if (s.length > width) throw new Error(`${what} ${x} does not fit the PDB column (${width} characters)`);
  return s.padStart(width);
}

/** Atom name aligned as PDB does: one-letter elements start in column 14. */
function alignName(name: string, symbol: string): string {
  const n = name.slice(0, 4);
  return n.length < 4 && symbol.length === 1 && n.startsWith(symbol) ? (' ' + n).padEnd(4) : n.padEnd(4);
}

/**
 * PDB text: CRYST1 (whenever the cell changes; positions rotated into the CRYST1 orientation), then
 * MODEL/ENDMDL per frame with ATOM records; per-atom columns from ASE's names when present.
 */
export function* writePdb(frames: Iterable<Frame>, _options: WriteOptions = {}): Iterable<string> {
  let lastCell: string | null = null;
  let index = 0;
  for (const fr of frames) {
    const out: string[] = [];
    let pos = fr.positionsA;
    const cellKey = fr.cellA ? Array.from(fr.cellA).join(',') : 'none';
    if (fr.cellA) {
      const par = cellToCellpar(fr.cellA);
      if (cellKey !== lastCell) {
        out.push(`CRYST1${fixed(par[0], 9, 3, 'a')}${fixed(par[1], 9, 3, 'b')}${fixed(par[2], 9, 3, 'c')}${fixed(par[3], 7, 2, 'alpha')}${fixed(par[4], 7, 2, 'beta')}${fixed(par[5], 7, 2, 'gamma')} P 1           1`);
      }
      pos = rotateToStandard(fr.positionsA, fr.cellA, cellparToCell(par));
    } else if (lastCell !== null && lastCell !== 'none') {
      out.push('CRYST1    1.000    1.000    1.000  90.00  90.00  90.00 P 1           1');
    }
    lastCell = cellKey;
    out.push(`MODEL     ${String(++index).padStart(4)}`);
    const num = (name: string): ArrayLike<number> | null => {
      const a = fr.arrays[name];
      return a && (a.kind === 'real' || a.kind === 'int') && a.width === 1 ? a.data : null;
    };
    const str = (name: string): string[] | null => {
      const a = fr.arrays[name];
      return a && a.kind === 'string' && a.width === 1 ? a.data : null;
    };
    const occ = num('occupancy');
    const bf = num('bfactor');
    const resi = num('residuenumbers');
    const resn = str('residuenames');
    const names = str('atomtypes');
    for (let i = 0; i < fr.symbols.length; i++) {
      const s = fr.symbols[i];
      const name = alignName(names ? names[i] : s, s);
      const res = (resn ? resn[i] : 'MOL').slice(0, 3).padStart(3);
      const rnum = String(resi ? resi[i] % 10000 : 1).padStart(4);
      const xyz = [0, 1, 2].map((k) => fixed(pos[3 * i + k], 8, 3, 'coordinate')).join('');
      out.push(
        `ATOM  ${String((i + 1) % 100000).padStart(5)} ${name} ${res}  ${rnum}    ${xyz}${fixed(occ ? occ[i] : 1, 6, 2, 'occupancy')}${fixed(bf ? bf[i] : 0, 6, 2, 'B-factor')}          ${s.toUpperCase().padStart(2)}`,
      );
    }
    out.push('ENDMDL');
    yield out.join('\n') + '\n';
  }
  yield 'END\n';
}

/** Positions expressed in the standard orientation of the same cell: r' = r·inv(cell)·std. */
function rotateToStandard(r: Float64Array, cell: Float64Array, std: Float64Array): Float64Array {
  const [a, b, c, e, f, g, h, i, j] = cell;
  const d = a * (f * j - g * i) - b * (e * j - g * h) + c * (e * i - f * h);
  if (d === 0) throw new Error('the cell is singular (zero volume)');
  const inv = [(f * j - g * i) / d, (c * i - b * j) / d, (b * g - c * f) / d, (g * h - e * j) / d, (a * j - c * h) / d, (c * e - a * g) / d, (e * i - f * h) / d, (b * h - a * i) / d, (a * f - b * e) / d];
  const m = new Float64Array(9); // inv·std
  for (let row = 0; row < 3; row++) {
    for (let k = 0; k < 3; k++) m[3 * row + k] = inv[3 * row] * std[k] + inv[3 * row + 1] * std[3 + k] + inv[3 * row + 2] * std[6 + k];
  }
  const out = new Float64Array(r.length);
  for (let n = 0; n < r.length; n += 3) {
    for (let k = 0; k < 3; k++) out[n + k] = r[n] * m[k] + r[n + 1] * m[3 + k] + r[n + 2] * m[6 + k];
  }
  return out;
}

function sniffPdb(head: string): number {
  if (/^(ATOM  |HETATM)[ \d]{5}/m.test(head)) return 0.85;
  if (/^(CRYST1|HEADER|MODEL )/m.test(head)) return 0.5;
  return 0;
}

export const pdbFormat: FormatSpec = {
  name: 'pdb',
  title: 'Protein Data Bank (PDB)',
  extensions: ['pdb'],
  multiFrame: true,
  carries: { cell: true, energy: false, forces: false, stress: false },
  sniff: sniffPdb,
  read: readPdb,
  write: writePdb,
};
