// GPAW text output (the `txt=` log of gpaw/output.py; GPAW 22.x prints "units: Angstrom and eV"),
// one frame per calculation block, streamed. As ASE 3.22's read_gpaw_out (ase/io/gpaw_out.py):
// a block starts at a line "Positions:" (rows "  0 Si  x y z  (magmom...)" in Å) and holds
//   "Unit cell:" (header, then rows "  1. axis:    yes    ax ay az   points spacing": pbc, Å),
//   "Energy contributions relative to reference atoms:" ... "Free energy: F" and
//   "Extrapolated: E" (older GPAW: "Zero Kelvin: E"), eV,
//   "Forces in eV/Ang:" (rows "  0 Si  fx fy fz"),
//   "Stress tensor:" (3 rows, eV/Å³, already ASE's sign; ASE 3.22 does not read it, GPAW prints
//   what atoms.get_stress() returns, in 6 decimals).
// energyEv is the extrapolated (sigma -> 0) energy, as in ASE; info.free_energy_eV the free energy.
// Blocks without an energy (e.g. the positions printed before an unfinished step) are not frames,
// except that a file with no energy at all gives its first structure. A vdW-corrected block
// ("vdW correction:") is read without the correction, with a warning.
import { type Frame, makeFrame } from '../../atoms/frame';
import { ParseError } from '../errors';
import type { FormatSpec, ReadContext } from '../format';
import { type LineCursor, type NeedMore, nextLine } from '../lineCursor';
import { numbersOrThrow, requireLine } from './dftText';
import { symbolFromLabel } from '../../atoms/elements';

interface Block {
  line: number;
  symbols: string[];
  positionsA: Float64Array;
  cellA: Float64Array | null;
  pbc: [boolean, boolean, boolean];
  energyEv?: number;
  freeEnergyEv?: number;
  forcesEvPerA?: Float64Array;
  stressEvPerA3?: Float64Array;
}

function* readGpaw(cur: LineCursor, ctx: ReadContext): Generator<Frame | NeedMore, void, void> {
  const file = ctx.fileName;
  let block: Block | null = null;
  let emitted = 0;
  let first: Block | null = null;
  let lastCell: Float64Array | null = null;
  let lastPbc: [boolean, boolean, boolean] = [false, false, false];

  const toFrame = (b: Block): Frame => {
    const f = makeFrame({ symbols: b.symbols, positionsA: b.positionsA, cellA: b.cellA, pbc: b.pbc, energyEv: b.energyEv, forcesEvPerA: b.forcesEvPerA, stressEvPerA3: b.stressEvPerA3 });
    if (b.freeEnergyEv !== undefined) f.info.free_energy_eV = b.freeEnergyEv;
    if (b.energyEv !== undefined) ctx.noteLabelKey('energy', 'Extrapolated');
    if (b.forcesEvPerA) ctx.noteLabelKey('forces', 'Forces in eV/Ang');
    if (b.stressEvPerA3) ctx.noteLabelKey('stress', 'Stress tensor');
    return f;
  };
  const flush = (): Frame | null => {
    const b = block;
    block = null;
    if (!b) return null;
    if (b.energyEv === undefined && !b.forcesEvPerA) return null;
    emitted++;
    return toFrame(b);
  };

  for (;;) {
    if (!(yield* nextLine(cur))) break;
    const b0 = cur.buf[cur.start];
    // Every line of interest starts in column 0 with one of these letters.
    if (b0 !== 80 && b0 !== 85 && b0 !== 69 && b0 !== 70 && b0 !== 90 && b0 !== 83 && b0 !== 118) continue; // P U E F Z S v
    const t = cur.text().trimEnd();
    if (t === 'Positions:') {
      const fr = flush();
      if (fr) yield fr;
      const symbols: string[] = [];
      const pos: number[] = [];
      const line = cur.lineNo;
      for (;;) {
        yield* requireLine(cur, ctx, 'atom rows under "Positions:"');
        const w = cur.text().trim().split(/\s+/);
        if (w.length < 5) break;
        const el = symbolFromLabel(w[1].split('.')[0]);
        if (!el) throw new ParseError(file, cur.lineNo, 'a row "index symbol x y z"', cur.text().trim());
        symbols.push(el);
        pos.push(...numbersOrThrow(cur, ctx, w.slice(2, 5).join(' '), 0, 3, `the position of atom ${symbols.length}`));
      }
      block = { line, symbols, positionsA: Float64Array.from(pos), cellA: lastCell, pbc: lastPbc };
      if (!first) first = block;
    } else if (t === 'Unit cell:') {
      yield* requireLine(cur, ctx, 'the header under "Unit cell:"');
      if (cur.text().trim().startsWith('-')) yield* requireLine(cur, ctx, 'the unit cell rows'); // old format
      const cell = new Float64Array(9);
      const pbc: boolean[] = [];
      for (let r = 0; r < 3; r++) {
        if (r > 0 || !/axis:/.test(cur.text())) yield* requireLine(cur, ctx, `unit cell row ${r + 1}`);
        const w = cur.text().trim().split(/\s+/);
        if (w.length === 5) {
          // Old format: "1. axis:    yes    5.430000    28     0.1939" (orthorhombic lengths).
          pbc.push(w[2] === 'yes');
          cell[4 * r] = numbersOrThrow(cur, ctx, w[3], 0, 1, 'a cell length')[0];
        } else {
          pbc.push(w[2] === 'yes');
          cell.set(numbersOrThrow(cur, ctx, w.slice(3, 6).join(' '), 0, 3, `cell vector ${r + 1}`), 3 * r);
        }
      }
      lastCell = cell;
      lastPbc = pbc as [boolean, boolean, boolean];
      if (block) {
        block.cellA = cell;
        block.pbc = lastPbc;
      }
    } else if (t.startsWith('Free energy:') && block) {
      block.freeEnergyEv = numbersOrThrow(cur, ctx, t.slice(12), 0, 1, 'the free energy')[0];
    } else if ((t.startsWith('Extrapolated:') || t.startsWith('Zero Kelvin:')) && block) {
      block.energyEv = numbersOrThrow(cur, ctx, t.slice(t.indexOf(':') + 1), 0, 1, 'the extrapolated energy')[0];
    } else if (t === 'Forces in eV/Ang:' && block) {
      const n = block.symbols.length;
      const f = new Float64Array(3 * n);
      for (let i = 0; i < n; i++) {
        yield* requireLine(cur, ctx, `force row ${i + 1} of ${n}`);
        const w = cur.text().trim().split(/\s+/);
        f.set(numbersOrThrow(cur, ctx, w.slice(-3).join(' '), 0, 3, `the force on atom ${i + 1} of ${n}`), 3 * i);
      }
      block.forcesEvPerA = f;
    } else if (t === 'Stress tensor:' && block) {
      const s = new Float64Array(9);
      for (let r = 0; r < 3; r++) {
        yield* requireLine(cur, ctx, `stress row ${r + 1}`);
        s.set(numbersOrThrow(cur, ctx, cur.text(), 0, 3, `stress row ${r + 1}`), 3 * r);
      }
      block.stressEvPerA3 = s;
    } else if (t.startsWith('vdW correction:') && block) {
      ctx.warn(cur.lineNo, 'vdW-corrected energy and forces are printed separately; the uncorrected DFT values are read');
    }
  }
  const fr = flush();
  if (fr) yield fr;
  if (emitted === 0 && first) {
    ctx.warn(first.line, 'no energy in the file: the first structure is read without labels');
    yield toFrame(first);
  }
}

function sniffGpaw(head: string): number {
  if (/\|___\|_\|/.test(head) && /gpaw/i.test(head)) return 0.95;
  return /^_gpaw:|^gpaw:\s/m.test(head) ? 0.9 : 0;
}

export const gpawOutFormat: FormatSpec = {
  name: 'gpaw-out',
  title: 'GPAW text output',
  extensions: [],
  multiFrame: true,
  carries: { cell: true, energy: true, forces: true, stress: true },
  sniff: sniffGpaw,
  read: readGpaw,
};
