// Turbomole `gradient` file, as written by xtb (`xtb mol.xyz --grad`, GFN-xTB) and by Turbomole's
// grad/rdgrad: one frame per cycle, streamed. Layout (Turbomole manual, "Data Groups": $grad):
//   $grad                [cartesian gradients]
//     cycle =      1    SCF energy =    -5.07036591362   |dE/dxyz| =  0.014021
//     x y z element      (N rows, Bohr; element in lower or upper case)
//     gx gy gz           (N rows, Hartree/Bohr, Fortran D or E exponents)
//   [more cycles]
//   $end
// Units: Bohr -> Å (BOHR_A), Hartree -> eV (HARTREE_EV), forces = -gradient * HARTREE_EV / BOHR_A.
// The energy label may be "SCF energy", "MP2 energy", "CC2 energy", ... (kept in info.energy_kind).
// xtb's stdout holds neither coordinates nor the gradient, so this file is the one to read; a
// periodic xtb run's lattice gradient (`gradlatt`) is not read.
import { symbolFromLabel } from '../../atoms/elements';
import { type Frame, makeFrame } from '../../atoms/frame';
import { BOHR_A, HARTREE_EV } from '../../units';
import { ParseError } from '../errors';
import type { FormatSpec, ReadContext } from '../format';
import { type LineCursor, type NeedMore, nextNonBlankLine } from '../lineCursor';
import { fortranNumbers, numbersOrThrow } from './dftText';

const CYCLE = /^\s*cycle\s*=\s*(\d+)\s+(.*?)\s*energy\s*=\s*(\S+)/i;

function* readGradient(cur: LineCursor, ctx: ReadContext): Generator<Frame | NeedMore, void, void> {
  const file = ctx.fileName;
  if (!(yield* nextNonBlankLine(cur))) return;
  if (!/^\s*\$grad/.test(cur.text())) throw new ParseError(file, cur.lineNo, '"$grad" (Turbomole gradient file)', cur.text().trim());
  if (!(yield* nextNonBlankLine(cur))) throw new ParseError(file, cur.lineNo + 1, '"cycle = 1 ... energy = E"', 'end of file');
  for (;;) {
    const text = cur.text();
    if (/^\s*\$end/.test(text)) return;
    const m = CYCLE.exec(text);
    if (!m) throw new ParseError(file, cur.lineNo, '"cycle = N  SCF energy = E ..." or "$end"', text.trim());
    const energy = fortranNumbers(m[3])[0];
    if (!Number.isFinite(energy)) throw new ParseError(file, cur.lineNo, 'the energy in Hartree', m[3]);
    const cycleLine = cur.lineNo;
    const symbols: string[] = [];
    const pos: number[] = [];
    const grad: number[] = [];
    // Coordinate rows have 4 fields (x y z element), gradient rows 3.
    for (;;) {
      if (!(yield* nextNonBlankLine(cur))) throw new ParseError(file, cur.lineNo + 1, 'gradient rows and "$end"', 'end of file', 'The file appears truncated.');
      const w = cur.text().trim().split(/\s+/);
      if (w.length === 4 && !w[3].startsWith('$')) {
        if (grad.length) throw new ParseError(file, cur.lineNo, 'a gradient row "gx gy gz"', cur.text().trim());
        const el = symbolFromLabel(w[3].charAt(0).toUpperCase() + w[3].slice(1).toLowerCase());
        if (!el) throw new ParseError(file, cur.lineNo, 'an element symbol after x y z', w[3]);
        symbols.push(el);
        pos.push(...numbersOrThrow(cur, ctx, w.slice(0, 3).join(' '), 0, 3, `the position of atom ${symbols.length}`).map((x) => x * BOHR_A));
      } else if (w.length === 3 && symbols.length > 0 && grad.length < 3 * symbols.length) {
        grad.push(...numbersOrThrow(cur, ctx, cur.text(), 0, 3, `the gradient of atom ${grad.length / 3 + 1}`));
      } else break;
    }
    const n = symbols.length;
    if (n === 0 || grad.length !== 3 * n) throw new ParseError(file, cur.lineNo, `${n} gradient rows after the ${n} coordinates of cycle ${m[1]} (line ${cycleLine})`, cur.text().trim());
    const scale = -HARTREE_EV / BOHR_A;
    const frame = makeFrame({ symbols, positionsA: pos, energyEv: energy * HARTREE_EV, forcesEvPerA: Float64Array.from(grad, (g) => g * scale + 0) });
    frame.info.cycle = Number(m[1]);
    frame.info.energy_kind = m[2].trim() || 'energy';
    ctx.noteLabelKey('energy', `${frame.info.energy_kind} (Hartree)`);
    ctx.noteLabelKey('forces', '-gradient (Hartree/Bohr)');
    yield frame;
  }
}

function sniffGradient(head: string): number {
  return /^\s*\$grad/.test(head) && /cycle\s*=/.test(head) ? 0.95 : 0;
}

export const turbomoleGradientFormat: FormatSpec = {
  name: 'turbomole-gradient',
  title: 'Turbomole / xtb gradient file',
  extensions: [],
  baseNames: ['gradient'],
  multiFrame: true,
  carries: { cell: false, energy: true, forces: true, stress: false },
  sniff: sniffGradient,
  read: readGradient,
};
