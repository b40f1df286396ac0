// Quantum ESPRESSO pw.x text output (scf, relax, vc-relax, md): one frame per ionic configuration
// that has a total energy, streamed. Follows ASE 3.22's read_espresso_out (ase/io/espresso.py):
//   - a configuration starts at "site n.  atom  positions (alat units)" (after "Program PWSCF",
//     with "celldm(1)=" (alat, Bohr) and "crystal axes: (cart. coord. in units of alat)") and at
//     every "ATOMIC_POSITIONS (alat|bohr|angstrom|crystal)" card that relax/md print, a
//     "CELL_PARAMETERS (alat= A|bohr|angstrom)" card just before it giving a new cell;
//   - results between one configuration and the next: "!    total energy = E Ry" (the last one),
//     "Forces acting on atoms (cartesian axes, Ry/au):" (N rows "atom i type t force = fx fy fz"),
//     "total   stress  (Ry/bohr**3)" (3 rows; QE's sign is pressure-positive).
// Units (pw.x: energies Ry, lengths Bohr, forces Ry/Bohr, stress Ry/Bohr³) -> eV, Å, eV/Å, eV/Å³
// with ASE's sign (stress * -1). Like ASE, the constants are CODATA 2006, the ones pw.x itself uses
// (Modules/constants.f90: BOHR_RADIUS_SI = 0.52917720859E-10, RYDBERG_SI = HARTREE_SI/2 with
// HARTREE_SI = 4.35974394E-18 J), so positions that pw.x converted to Å come back unchanged. They
// differ from units.ts's CODATA 2014 values in the 8th digit.
// Species labels such as "Fe1" or "Si_up" become their element (ASE's label_to_symbol).
import { symbolFromLabel } from '../../atoms/elements';
import { type Frame, makeFrame } from '../../atoms/frame';
import { ParseError } from '../errors';
import type { FormatSpec, ReadContext } from '../format';
import { type LineCursor, type NeedMore, nextLine } from '../lineCursor';
import { firstByte, firstChars, fortranNumbers, fractionalToCartesian, numbersOrThrow, requireLine } from './dftText';

// CODATA 2006, derived as ase.units.create_units('2006') does (ase/units.py).
const C06 = { hplanck: 6.62606896e-34, e: 1.602176487e-19, me: 9.10938215e-31, c: 299792458 };
const MU0 = 4e-7 * Math.PI;
const EPS0 = 1 / MU0 / (C06.c * C06.c);
const HBAR = C06.hplanck / (2 * Math.PI);
/** Bohr radius in Å, CODATA 2006 (pw.x's value). */
export const QE_BOHR_A = (4e10 * Math.PI * EPS0 * (HBAR * HBAR)) / C06.me / (C06.e * C06.e); // ASE association
/** Rydberg in eV, CODATA 2006 (pw.x's value). */
export const QE_RYDBERG_EV = (C06.me * C06.e * C06.e * C06.e) / 16 / (Math.PI * Math.PI) / (EPS0 * EPS0) / (HBAR * HBAR) / 2;

interface Config {
  symbols: string[];
  positionsA: Float64Array;
  cellA: Float64Array;
  line: number;
}

const INTERESTING = firstChars('!PcClsaAFt');

function* readPwOut(cur: LineCursor, ctx: ReadContext): Generator<Frame | NeedMore, void, void> {
  const file = ctx.fileName;
  let alatA: number | null = null;
  let cellA: Float64Array | null = null;
  let config: Config | null = null;
  let energyRy: number | null = null;
  let forces: Float64Array | null = null;
  let stress: Float64Array | null = null;
  let step = 0;

  const flush = (): Frame | null => {
    const c = config;
    const out =
      c && energyRy !== null
        ? makeFrame({
            symbols: c.symbols,
            positionsA: c.positionsA,
            cellA: c.cellA,
            pbc: [true, true, true],
            energyEv: energyRy * QE_RYDBERG_EV,
            forcesEvPerA: forces ?? undefined,
            stressEvPerA3: stress ?? undefined,
          })
        : null;
    if (out) {
      out.info.ionic_step = ++step;
      ctx.noteLabelKey('energy', '!    total energy (Ry)');
      if (forces) ctx.noteLabelKey('forces', 'Forces acting on atoms (Ry/au)');
      if (stress) ctx.noteLabelKey('stress', 'total   stress (Ry/bohr**3, sign flipped)');
    }
    energyRy = null;
    forces = stress = null;
    return out;
  };
  const needAlat = (what: string): number => {
    if (alatA === null) throw new ParseError(file, cur.lineNo, `"celldm(1)=" or "lattice parameter (alat)" before ${what}`, cur.text().trim());
    return alatA;
  };

  for (;;) {
    if (!(yield* nextLine(cur))) break;
    if (!INTERESTING[firstByte(cur)]) continue;
    const text = cur.text();
    const t = text.trim();
    if (t.startsWith('Program PWSCF')) {
      const fr = flush();
      if (fr) yield fr;
      config = null;
      alatA = null;
      cellA = null;
    } else if (t.startsWith('lattice parameter (alat)')) {
      if (alatA === null) alatA = numbersOrThrow(cur, ctx, t.split('=')[1] ?? '', 0, 1, 'alat')[0] * QE_BOHR_A;
    } else if (t.startsWith('celldm(1)=')) {
      alatA = numbersOrThrow(cur, ctx, t.slice(10), 0, 1, 'celldm(1)')[0] * QE_BOHR_A; // more digits than "alat"
    } else if (t.startsWith('crystal axes: (cart. coord. in units of alat)')) {
      const a = needAlat('the crystal axes');
      const c = new Float64Array(9);
      for (let r = 0; r < 3; r++) {
        yield* requireLine(cur, ctx, `crystal axis a(${r + 1})`);
        const inner = /\(([^)]*)\)\s*$/.exec(cur.text().trim());
        c.set(numbersOrThrow(cur, ctx, inner ? inner[1] : '', 0, 3, `crystal axis a(${r + 1})`).map((x) => x * a), 3 * r);
      }
      cellA = c;
    } else if (t.startsWith('site n.') && t.includes('positions (alat units)')) {
      const fr = flush();
      if (fr) yield fr;
      const a = needAlat('the atomic positions');
      if (!cellA) throw new ParseError(file, cur.lineNo, '"crystal axes" before the atomic positions', t);
      const symbols: string[] = [];
      const pos: number[] = [];
      const line = cur.lineNo;
      for (;;) {
        yield* requireLine(cur, ctx, 'atomic positions or a blank line');
        const m = /^\s*\d+\s+(\S+)\s+tau\(\s*\d+\)\s*=\s*\(([^)]*)\)/.exec(cur.text());
        if (!m) break;
        const el = symbolFromLabel(m[1]);
        if (!el) throw new ParseError(file, cur.lineNo, 'an element label', m[1]);
        symbols.push(el);
        pos.push(...numbersOrThrow(cur, ctx, m[2], 0, 3, 'a position').map((x) => x * a));
      }
      if (symbols.length === 0) throw new ParseError(file, cur.lineNo, 'rows "1  Si  tau(   1) = ( x y z )"', cur.text().trim());
      config = { symbols, positionsA: Float64Array.from(pos), cellA: cellA.slice(), line };
    } else if (t.startsWith('CELL_PARAMETERS')) {
      const unit = /\(\s*([a-z]+)\s*(?:=\s*([^)\s]+))?\s*\)/i.exec(t);
      const kind = (unit?.[1] ?? 'alat').toLowerCase();
      let factor: number;
      if (kind === 'alat') factor = unit?.[2] ? fortranNumbers(unit[2])[0] * QE_BOHR_A : needAlat('CELL_PARAMETERS (alat)');
      else if (kind === 'bohr') factor = QE_BOHR_A;
      else if (kind === 'angstrom') factor = 1;
      else throw new ParseError(file, cur.lineNo, 'CELL_PARAMETERS in alat, bohr or angstrom', t);
      if (kind === 'alat' && unit?.[2]) alatA = factor;
      const c = new Float64Array(9);
      for (let r = 0; r < 3; r++) {
        yield* requireLine(cur, ctx, `cell vector ${r + 1} of CELL_PARAMETERS`);
        c.set(numbersOrThrow(cur, ctx, cur.text(), 0, 3, `cell vector ${r + 1}`).map((x) => x * factor), 3 * r);
      }
      cellA = c;
    } else if (t.startsWith('ATOMIC_POSITIONS')) {
      const fr = flush();
      if (fr) yield fr;
      const prev = config;
      if (!prev) throw new ParseError(file, cur.lineNo, 'the initial "positions (alat units)" block before ATOMIC_POSITIONS', t);
      const kind = (/\(?\s*([a-z_]+)\s*\)?\s*$/i.exec(t.slice(16))?.[1] ?? 'alat').toLowerCase();
      if (!cellA) throw new ParseError(file, cur.lineNo, 'a cell before ATOMIC_POSITIONS', t);
      const n = prev.symbols.length;
      const symbols: string[] = [];
      const raw: number[] = [];
      for (let i = 0; i < n; i++) {
        yield* requireLine(cur, ctx, `position ${i + 1} of ${n} in ATOMIC_POSITIONS`);
        const w = cur.text().trim().split(/\s+/);
        const el = symbolFromLabel(w[0] ?? '');
        if (!el) throw new ParseError(file, cur.lineNo, `"label x y z" for atom ${i + 1} of ${n}`, cur.text().trim());
        symbols.push(el);
        raw.push(...numbersOrThrow(cur, ctx, w.slice(1, 4).join(' '), 0, 3, `the position of atom ${i + 1}`));
      }
      let pos: Float64Array;
      if (kind === 'crystal') pos = fractionalToCartesian(raw, cellA);
      else if (kind === 'alat') {
        const a = needAlat('ATOMIC_POSITIONS (alat)');
        pos = Float64Array.from(raw, (x) => x * a);
      } else if (kind === 'bohr') pos = Float64Array.from(raw, (x) => x * QE_BOHR_A);
      else if (kind === 'angstrom') pos = Float64Array.from(raw);
      else throw new ParseError(file, cur.lineNo, 'ATOMIC_POSITIONS in alat, bohr, angstrom or crystal', t);
      config = { symbols, positionsA: pos, cellA: cellA.slice(), line: cur.lineNo };
    } else if (/^!{1,2}\s+total energy\s*=/.test(t)) {
      const m = /=\s*(\S+)\s*Ry/.exec(t);
      const e = m ? fortranNumbers(m[1])[0] : NaN;
      if (!Number.isFinite(e)) throw new ParseError(file, cur.lineNo, 'the total energy in Ry', t);
      energyRy = e;
    } else if (t.startsWith('Forces acting on atoms')) {
      if (!config) throw new ParseError(file, cur.lineNo, 'atomic positions before the forces', t);
      const n = config.symbols.length;
      const f = new Float64Array(3 * n);
      const scale = QE_RYDBERG_EV / QE_BOHR_A;
      let got = 0;
      while (got < n) {
        yield* requireLine(cur, ctx, `force on atom ${got + 1} of ${n}`);
        const l = cur.text();
        if (!l.trim()) continue;
        const m = /^\s*atom\s+(\d+)\s+type\s+\d+\s+force\s*=\s*(.*)$/.exec(l);
        if (!m) {
          if (got === 0) continue; // e.g. "negative rho" lines of QE < 5.3
          throw new ParseError(file, cur.lineNo, `"atom ${got + 1} type t force = fx fy fz"`, l.trim());
        }
        const k = Number(m[1]) - 1;
        if (k < 0 || k >= n) throw new ParseError(file, cur.lineNo, `an atom index 1..${n}`, m[1]);
        f.set(numbersOrThrow(cur, ctx, m[2], 0, 3, `the force on atom ${k + 1}`).map((x) => x * scale), 3 * k);
        got++;
      }
      forces = f;
    } else if (t.startsWith('total   stress')) {
      const s = new Float64Array(9);
      const scale = -QE_RYDBERG_EV / QE_BOHR_A ** 3;
      for (let r = 0; r < 3; r++) {
        yield* requireLine(cur, ctx, `stress row ${r + 1}`);
        s.set(numbersOrThrow(cur, ctx, cur.text(), 0, 3, `stress row ${r + 1}`).map((x) => x * scale + 0), 3 * r);
      }
      stress = s;
    }
  }
  const fr = flush();
  if (fr) yield fr;
}

function sniffPwOut(head: string): number {
  if (/Program PWSCF/.test(head)) return 0.95;
  return /lattice parameter \(alat\)|celldm\(1\)=|!\s+total energy\s+=.*Ry/.test(head) ? 0.6 : 0;
}

export const espressoOutFormat: FormatSpec = {
  name: 'espresso-out',
  title: 'Quantum ESPRESSO pw.x output',
  extensions: ['pwo', 'pwout'],
  multiFrame: true,
  carries: { cell: true, energy: true, forces: true, stress: true },
  sniff: sniffPwOut,
  read: readPwOut,
};
