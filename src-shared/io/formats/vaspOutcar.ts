// VASP OUTCAR: every ionic step of a run (single point, relaxation, MD) as one frame, streamed.
// Layout (VASP wiki "OUTCAR"; the same blocks ASE 3.22 reads in
// ase/io/vasp_parsers/vasp_outcar_parsers.py):
//   header: "POTCAR:" lines (each species listed twice; VRHFIN lines as fallback), "ions per type =";
//   each ionic step: "in kB  XX YY ZZ XY YZ ZX" (stress, kbar, VASP sign: positive = compressive),
//   "direct lattice vectors" (3 rows, Å), "POSITION  TOTAL-FORCE (eV/Angst)" (N rows x y z fx fy fz),
//   then "FREE ENERGIE OF THE ION-ELECTRON SYSTEM (eV)" with "free  energy   TOTEN  = E eV" and
//   "energy  without entropy= E0  energy(sigma->0) = Es". The step's frame is emitted there.
// Energy: like ASE 3.22 (the `Energy` parser: 'energy' = energy(sigma->0), 'free_energy' = TOTEN),
// energyEv is energy(sigma->0); info.free_energy_eV holds TOTEN (the energy the forces are exact
// derivatives of) and info.energy_without_entropy_eV the middle value.
// Stress: -kbar * 0.1 GPa -> eV/Å³, i.e. ASE's convert_vasp_outcar_stress (tensile positive).
// Steps of VASP 6 machine-learned force fields ("ML FREE ENERGIE ...", forces marked "(ML)") are
// not DFT labels: they are skipped with one warning.
import { type Frame, makeFrame } from '../../atoms/frame';
import { GPA_EV_PER_A3 } from '../../units';
import { ParseError } from '../errors';
import type { FormatSpec, ReadContext } from '../format';
import { type LineCursor, type NeedMore, nextLine } from '../lineCursor';
import { speciesFromPotcarName } from './poscar';
import { checkAtomTotal, firstByte, firstChars, fortranNumbers, matrixFromXxYyZzXyYzZx, numbersOrThrow, requireLine } from './dftText';

/** kbar with VASP's pressure-positive sign -> eV/Å³ with ASE's sign. */
export const VASP_KBAR_TO_ASE_EV_PER_A3 = -0.1 * GPA_EV_PER_A3;

const INTERESTING = firstChars('PViIdFM');

/** Element of a "POTCAR:    PAW_PBE Fe_pv 02Aug2007" or "POTCAR:    H  1/r potential" line. */
function potcarSymbol(line: string): string | null {
  const parts = line.trim().split(/\s+/);
  const name = line.includes('1/r potential') ? parts[1] : parts[2];
  if (!name) return null;
  return speciesFromPotcarName(name.replace(/[^A-Za-z_].*$/, ''));
}

function* readOutcar(cur: LineCursor, ctx: ReadContext): Generator<Frame | NeedMore, void, void> {
  const file = ctx.fileName;
  const potcar: string[] = [];
  const vrhfin: string[] = [];
  let counts: number[] | null = null;
  let countsLine = 0;
  let symbols: string[] | null = null;
  let cell: Float64Array | null = null;
  let stress: Float64Array | null = null;
  let positions: Float64Array | null = null;
  let forces: Float64Array | null = null;
  let ml = false;
  let mlSkipped = 0;
  let step = 0;

  const resolveSymbols = (): string[] => {
    if (symbols) return symbols;
    if (!counts) throw new ParseError(file, cur.lineNo, '"ions per type =" in the OUTCAR header before the first ionic step');
    const k = counts.length;
    let species: string[] | null = null;
    if (potcar.length === 2 * k) species = potcar.slice(0, k);
    else if (potcar.length === k) species = potcar;
    else if (vrhfin.length === k) species = vrhfin;
    else if (ctx.options.species && ctx.options.species.length >= k) species = ctx.options.species.slice(0, k);
    if (!species) {
      throw new ParseError(file, countsLine, `${k} species names (POTCAR: or VRHFIN lines) for the ${k} counts of "ions per type"`, `${potcar.length} POTCAR lines`, 'Pass the species in POTCAR order, e.g. Ca,F');
    }
    symbols = [];
    counts.forEach((c, s) => {
      for (let i = 0; i < c; i++) symbols!.push(species![s]);
    });
    return symbols;
  };

  for (;;) {
    if (!(yield* nextLine(cur))) break;
    if (!INTERESTING[firstByte(cur)]) continue;
    const text = cur.text();
    const t = text.trimStart();
    if (t.startsWith('POTCAR:')) {
      const s = potcarSymbol(t);
      if (!s) throw new ParseError(file, cur.lineNo, 'an element in the POTCAR line', t.trim());
      potcar.push(s);
    } else if (t.startsWith('VRHFIN')) {
      const m = /VRHFIN\s*=\s*([A-Za-z]+)/.exec(t);
      const s = m ? speciesFromPotcarName(m[1]) : null;
      if (s) vrhfin.push(s);
    } else if (t.startsWith('ions per type')) {
      counts = t.split('=')[1]?.trim().split(/\s+/).map(Number) ?? [];
      if (counts.length === 0 || counts.some((c) => !Number.isInteger(c) || c < 0)) throw new ParseError(file, cur.lineNo, 'integer counts after "ions per type ="', t.trim());
      checkAtomTotal(cur, ctx, counts, 'counts after "ions per type ="');
      countsLine = cur.lineNo;
    } else if (t.startsWith('direct lattice vectors')) {
      const c = new Float64Array(9);
      for (let r = 0; r < 3; r++) {
        yield* requireLine(cur, ctx, `lattice vector ${'abc'[r]} after "direct lattice vectors"`);
        c.set(numbersOrThrow(cur, ctx, cur.text(), 0, 3, `lattice vector ${'abc'[r]}`), 3 * r);
      }
      cell = c;
    } else if (t.startsWith('in kB')) {
      const v = fortranNumbers(t.slice(5));
      if (v.length >= 6 && v.slice(0, 6).every(Number.isFinite)) stress = matrixFromXxYyZzXyYzZx(v, VASP_KBAR_TO_ASE_EV_PER_A3);
      else {
        stress = null;
        ctx.warn(cur.lineNo, `unreadable stress line (VASP overflow?); step ${step + 1} has no stress`);
      }
    } else if (t.startsWith('POSITION') && t.includes('TOTAL-FORCE')) {
      ml = t.includes('(ML)');
      const n = resolveSymbols().length;
      yield* requireLine(cur, ctx, 'the dashed line under POSITION / TOTAL-FORCE');
      const pos = new Float64Array(3 * n);
      const frc = new Float64Array(3 * n);
      for (let i = 0; i < n; i++) {
        yield* requireLine(cur, ctx, `position and force of atom ${i + 1} of ${n}`);
        const v = numbersOrThrow(cur, ctx, cur.text(), 0, 6, `position and force of atom ${i + 1} of ${n} (ions per type, line ${countsLine})`);
        pos.set(v.slice(0, 3), 3 * i);
        frc.set(v.slice(3, 6), 3 * i);
      }
      positions = pos;
      forces = frc;
    } else if (t.startsWith('FREE ENERGIE OF THE ION-ELECTRON SYSTEM') || t.startsWith('ML FREE ENERGIE')) {
      const isMl = ml || t.startsWith('ML');
      const blockLine = cur.lineNo;
      let toten: number | null = null;
      let sigma0: number | null = null;
      let noEntropy: number | null = null;
      for (let k = 0; k < 12 && (toten === null || sigma0 === null); k++) {
        yield* requireLine(cur, ctx, '"free  energy   TOTEN" and "energy(sigma->0)" after FREE ENERGIE');
        const l = cur.text();
        let m = /TOTEN\s*=\s*(\S+)/.exec(l);
        if (m) toten = fortranNumbers(m[1])[0];
        m = /without entropy\s*=\s*(\S+)\s+energy\(sigma->0\)\s*=\s*(\S+)/.exec(l);
        if (m) {
          noEntropy = fortranNumbers(m[1])[0];
          sigma0 = fortranNumbers(m[2])[0];
        }
      }
      if (toten === null || sigma0 === null || !Number.isFinite(toten) || !Number.isFinite(sigma0)) {
        throw new ParseError(file, cur.lineNo, 'the TOTEN and energy(sigma->0) lines of the energy block', cur.text().trim(), `Block starts on line ${blockLine}.`);
      }
      step++;
      if (isMl) {
        if (mlSkipped++ === 0) ctx.warn(blockLine, 'machine-learned force-field steps (ML FREE ENERGIE) are not DFT labels and are skipped');
      } else {
        const syms = resolveSymbols();
        if (!positions || !forces) throw new ParseError(file, blockLine, `the POSITION / TOTAL-FORCE block of ionic step ${step} before its energy`, t.trim());
        if (!cell) throw new ParseError(file, blockLine, `"direct lattice vectors" before ionic step ${step}`, t.trim());
        const frame = makeFrame({ symbols: syms, positionsA: positions, cellA: cell, pbc: [true, true, true], energyEv: sigma0, forcesEvPerA: forces, stressEvPerA3: stress ?? undefined });
        frame.info.free_energy_eV = toten;
        if (noEntropy !== null && Number.isFinite(noEntropy)) frame.info.energy_without_entropy_eV = noEntropy;
        frame.info.ionic_step = step;
        ctx.noteLabelKey('energy', 'energy(sigma->0)');
        ctx.noteLabelKey('forces', 'TOTAL-FORCE');
        if (stress) ctx.noteLabelKey('stress', 'in kB (sign flipped)');
        yield frame;
      }
      positions = forces = stress = null;
      ml = false;
    }
  }
  if (positions) ctx.warn(cur.lineNo, `the last ionic step (${step + 1}) has forces but no energy block (run stopped?); it is not read`);
}

function sniffOutcar(head: string): number {
  if (/^\s*vasp\.\d/.test(head) && /POTCAR:|distr/.test(head)) return 0.95;
  return /^\s*POTCAR:\s/m.test(head) && /ions per type|NIONS|INCAR:/.test(head) ? 0.8 : 0;
}

export const vaspOutcarFormat: FormatSpec = {
  name: 'vasp-out',
  title: 'VASP OUTCAR',
  extensions: ['outcar'],
  baseNames: ['OUTCAR'],
  multiFrame: true,
  carries: { cell: true, energy: true, forces: true, stress: true },
  sniff: sniffOutcar,
  read: readOutcar,
};
