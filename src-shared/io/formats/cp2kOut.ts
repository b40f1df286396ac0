// CP2K main output (the file of `cp2k -o`): one frame per force evaluation, streamed. Blocks read
// (CP2K 2023 print keys; the CP2K manual, FORCE_EVAL/PRINT and SUBSYS/PRINT):
//   "CELL| Vector a [angstrom]:  ax ay az  |a| = L" (3 decimals per component; the vector is scaled
//     to its 6-decimal length |a|, which makes axis-aligned cells exact), "CELL| Periodicity XYZ|NONE";
//   "MODULE QUICKSTEP: ATOMIC COORDINATES IN ANGSTROM" (rows atom kind element Z x y z ...), printed
//     once at PRINT_LEVEL MEDIUM, or at LOW with &SUBSYS &PRINT &ATOMIC_COORDINATES;
//   "ENERGY| Total FORCE_EVAL ( QS ) energy [a.u.]:  E" (Hartree; "[hartree]" in newer versions);
//   "ATOMIC FORCES in [a.u.]" (Hartree/Bohr; needs &FORCE_EVAL &PRINT &FORCES);
//   "STRESS| Analytical (or Numerical) stress tensor [GPa]" (needs STRESS_TENSOR and &PRINT
//     &STRESS_TENSOR). CP2K's sign is pressure-positive (its MD "Pressure" is +trace/3), so
//     stress = -value * GPa, as ASE's CP2K calculator does (ase/calculators/cp2k.py).
// Positions: CP2K prints the coordinates block once, before the first evaluation. Later evaluations
// of MD or GEO_OPT get positions only from the trajectory written to the main output
// (&MOTION &PRINT &TRAJECTORY FILENAME __STD_OUT__: "N", "i = k, time = t, E = e", N rows), which
// follows each evaluation. Evaluations without positions are not read (one warning says how many
// and how to print them). The cell is the one printed at the start: for variable-cell runs (NPT,
// CELL_OPT) later frames would be wrong, so they are refused with a warning.
// Units: Hartree -> eV (HARTREE_EV), Hartree/Bohr -> eV/Å (HARTREE_EV / BOHR_A), GPa -> eV/Å³.
import { symbolFromLabel } from '../../atoms/elements';
import { type Frame, makeFrame } from '../../atoms/frame';
import { BOHR_A, GPA_EV_PER_A3, HARTREE_EV } from '../../units';
import { ParseError } from '../errors';
import type { FormatSpec, ReadContext } from '../format';
import { type LineCursor, type NeedMore, nextLine } from '../lineCursor';
import { firstByte, firstChars, numbersOrThrow, requireLine, scaledMatrix } from './dftText';

interface Evaluation {
  index: number;
  line: number;
  energyHartree: number;
  symbols: string[] | null;
  positionsA: Float64Array | null;
  forcesEvPerA: Float64Array | null;
  stressEvPerA3: Float64Array | null;
}

const INTERESTING = firstChars('CMEASGi0123456789');
const ENERGY = /^\s*ENERGY\| Total FORCE_EVAL \( \w+ \) energy [[(](a\.u\.|hartree)[\])]:\s*(\S+)/;
const TRAJ = /^\s*i =\s*(\d+),.*E =\s*(\S+)/;

function* readCp2k(cur: LineCursor, ctx: ReadContext): Generator<Frame | NeedMore, void, void> {
  const file = ctx.fileName;
  let cell: Float64Array | null = null;
  let pbc: [boolean, boolean, boolean] = [true, true, true];
  let fresh: { symbols: string[]; positionsA: Float64Array } | null = null;
  let pending: Evaluation | null = null;
  let variableCell = false;
  let countLine = -1; // atom count of an xyz block header seen on the previous line
  let evaluations = 0;
  let skipped = 0;
  let firstSkipped = 0;
  let emitted = 0;

  const finish = (): Frame | null => {
    const e = pending;
    pending = null;
    if (!e) return null;
    if (!e.positionsA || !e.symbols || (variableCell && emitted > 0)) {
      if (skipped++ === 0) firstSkipped = e.line;
      return null;
    }
    const n = e.symbols.length;
    if (e.forcesEvPerA && e.forcesEvPerA.length !== 3 * n) throw new ParseError(file, e.line, `${n} force rows (one per atom)`, `${e.forcesEvPerA.length / 3}`);
    const frame = makeFrame({
      symbols: e.symbols,
      positionsA: e.positionsA,
      cellA: cell,
      pbc: cell ? pbc : [false, false, false],
      energyEv: e.energyHartree * HARTREE_EV,
      forcesEvPerA: e.forcesEvPerA ?? undefined,
      stressEvPerA3: e.stressEvPerA3 ?? undefined,
    });
    frame.info.force_evaluation = e.index;
    ctx.noteLabelKey('energy', 'ENERGY| Total FORCE_EVAL (Hartree)');
    if (e.forcesEvPerA) ctx.noteLabelKey('forces', 'ATOMIC FORCES (Hartree/Bohr)');
    if (e.stressEvPerA3) ctx.noteLabelKey('stress', 'STRESS| stress tensor (GPa, sign flipped)');
    emitted++;
    return frame;
  };

  for (;;) {
    if (!(yield* nextLine(cur))) break;
    const c0 = firstByte(cur);
    if (!INTERESTING[c0]) {
      countLine = -1;
      continue;
    }
    const text = cur.text();
    if (c0 >= 48 && c0 <= 57) {
      countLine = /^\s*\d+\s*$/.test(text) ? Number(text) : -1;
      continue;
    }
    const prevCount = countLine;
    countLine = -1;
    const t = text.trim();
    if (t.startsWith('CELL| Vector')) {
      const m = /^CELL\| Vector ([abc]) \[angstrom\]:\s+(\S+)\s+(\S+)\s+(\S+)\s+\|[abc]\| =\s+(\S+)/.exec(t);
      if (!m) throw new ParseError(file, cur.lineNo, '"CELL| Vector a [angstrom]: x y z |a| = L"', t);
      const v = [m[2], m[3], m[4]].map(Number);
      const len = Number(m[5]);
      const norm = Math.hypot(v[0], v[1], v[2]);
      if (![...v, len].every(Number.isFinite)) throw new ParseError(file, cur.lineNo, 'numbers in the cell vector line', t);
      if (m[1] === 'a') cell = new Float64Array(9);
      if (cell) cell.set(v.map((x) => (norm > 0 ? (x * len) / norm : x)), 3 * 'abc'.indexOf(m[1]));
    } else if (t.startsWith('CELL| Periodicity')) {
      const p = t.split(/\s+/).pop() ?? 'XYZ';
      pbc = p === 'NONE' ? [false, false, false] : ['X', 'Y', 'Z'].map((a) => p.includes(a)) as [boolean, boolean, boolean];
    } else if (/^(MD_PAR|MD)\| Ensemble type\s+(NPT|NPE|NPH)/i.test(t) || /^GLOBAL\| Run type\s+CELL_OPT/.test(t)) {
      variableCell = true;
      ctx.warn(cur.lineNo, 'variable-cell run: CP2K prints the cell once, so only the first evaluation is read (use the -pos/-cell trajectory files for the rest)');
    } else if (/^MODULE QUICKSTEP: ATOMIC COORDINATES IN (ANGSTROM|BOHR|A\.U\.)/i.test(t)) {
      const scale = /ANGSTROM/i.test(t) ? 1 : BOHR_A;
      yield* requireLine(cur, ctx, 'the blank line under ATOMIC COORDINATES');
      yield* requireLine(cur, ctx, 'the column header of ATOMIC COORDINATES');
      const symbols: string[] = [];
      const pos: number[] = [];
      for (;;) {
        yield* requireLine(cur, ctx, 'an atom row or a blank line');
        if (cur.isBlank()) break;
        const w = cur.text().trim().split(/\s+/);
        const el = symbolFromLabel(w[2] ?? '');
        if (!el || w.length < 7) throw new ParseError(file, cur.lineNo, 'a row "atom kind element Z x y z ..."', cur.text().trim());
        symbols.push(el);
        pos.push(...numbersOrThrow(cur, ctx, w.slice(4, 7).join(' '), 0, 3, `the position of atom ${symbols.length}`).map((x) => x * scale));
      }
      fresh = { symbols, positionsA: Float64Array.from(pos) };
    } else if (t.startsWith('ENERGY| Total FORCE_EVAL')) {
      const m = ENERGY.exec(text);
      const e = m ? Number(m[2]) : NaN;
      if (!Number.isFinite(e)) throw new ParseError(file, cur.lineNo, '"ENERGY| Total FORCE_EVAL ( QS ) energy [a.u.]: E"', t);
      const fr = finish();
      if (fr) yield fr;
      evaluations++;
      pending = { index: evaluations, line: cur.lineNo, energyHartree: e, symbols: fresh?.symbols ?? null, positionsA: fresh?.positionsA ?? null, forcesEvPerA: null, stressEvPerA3: null };
      fresh = null;
    } else if (t === 'ATOMIC FORCES in [a.u.]') {
      if (!pending) throw new ParseError(file, cur.lineNo, 'an ENERGY| line before ATOMIC FORCES', t);
      const scale = HARTREE_EV / BOHR_A;
      const f: number[] = [];
      const syms: string[] = [];
      for (;;) {
        yield* requireLine(cur, ctx, 'force rows ending with "SUM OF ATOMIC FORCES"');
        const l = cur.text().trim();
        if (!l || l.startsWith('#')) continue;
        if (l.startsWith('SUM OF ATOMIC FORCES')) break;
        const w = l.split(/\s+/);
        if (w.length < 6) throw new ParseError(file, cur.lineNo, 'a row "atom kind element fx fy fz"', l);
        syms.push(symbolFromLabel(w[2]) ?? 'X');
        f.push(...numbersOrThrow(cur, ctx, w.slice(3, 6).join(' '), 0, 3, `the force on atom ${syms.length}`).map((x) => x * scale));
      }
      if (pending.symbols && syms.join() !== pending.symbols.join()) throw new ParseError(file, cur.lineNo, `forces for the atoms of the coordinates block (${pending.symbols.length})`, `${syms.length} rows`);
      if (!pending.symbols) pending.symbols = syms;
      pending.forcesEvPerA = Float64Array.from(f);
    } else if (/^STRESS\| (Analytical|Numerical) stress tensor \[GPa\]/.test(t)) {
      if (!pending) throw new ParseError(file, cur.lineNo, 'an ENERGY| line before the stress tensor', t);
      yield* requireLine(cur, ctx, 'the x y z header of the stress tensor');
      const s: number[] = [];
      for (let r = 0; r < 3; r++) {
        yield* requireLine(cur, ctx, `stress row ${'xyz'[r]}`);
        const w = cur.text().trim().split(/\s+/);
        s.push(...numbersOrThrow(cur, ctx, w.slice(2, 5).join(' '), 0, 3, `stress row ${'xyz'[r]}`));
      }
      pending.stressEvPerA3 = scaledMatrix(s, -GPA_EV_PER_A3);
    } else if (prevCount > 0 && TRAJ.test(t)) {
      // An xyz trajectory frame in the main output: positions of the evaluation just done.
      const m = TRAJ.exec(t)!;
      const symbols: string[] = [];
      const pos: number[] = [];
      for (let i = 0; i < prevCount; i++) {
        yield* requireLine(cur, ctx, `trajectory row ${i + 1} of ${prevCount}`);
        const w = cur.text().trim().split(/\s+/);
        const el = symbolFromLabel(w[0] ?? '');
        if (!el) throw new ParseError(file, cur.lineNo, '"element x y z"', cur.text().trim());
        symbols.push(el);
        pos.push(...numbersOrThrow(cur, ctx, w.slice(1, 4).join(' '), 0, 3, `trajectory position ${i + 1}`));
      }
      if (pending) {
        const eTraj = Number(m[2]);
        if (Number.isFinite(eTraj) && Math.abs(eTraj - pending.energyHartree) > 1e-8 * Math.max(1, Math.abs(eTraj))) {
          ctx.warn(cur.lineNo, `trajectory step ${m[1]} has E = ${m[2]} Hartree but the last evaluation ${pending.energyHartree}; positions used anyway`);
        }
        pending.symbols = symbols;
        pending.positionsA = Float64Array.from(pos);
      }
    }
  }
  const fr = finish();
  if (fr) yield fr;
  if (skipped > 0) {
    ctx.warn(
      firstSkipped,
      `${skipped} of ${evaluations} force evaluations have no printed positions and were not read: print them with &FORCE_EVAL &SUBSYS &PRINT &ATOMIC_COORDINATES (first one) and &MOTION &PRINT &TRAJECTORY FILENAME __STD_OUT__ (MD / GEO_OPT steps)`,
    );
  }
}

function sniffCp2k(head: string): number {
  if (/CP2K\| version string:/.test(head) || /^\s*DBCSR\| /m.test(head)) return 0.95;
  return /PROGRAM STARTED AT/.test(head) && /\*\*\*\* \*\*\*\* \*\*\*\*\*\*/.test(head) ? 0.7 : 0;
}

export const cp2kOutFormat: FormatSpec = {
  name: 'cp2k-out',
  title: 'CP2K output',
  extensions: [],
  multiFrame: true,
  carries: { cell: true, energy: true, forces: true, stress: true },
  sniff: sniffCp2k,
  read: readCp2k,
};
