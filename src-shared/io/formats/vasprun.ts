// VASP vasprun.xml: one frame per <calculation> (ionic step), streamed line by line with a small
// tag scanner instead of building a DOM of the whole file (vasprun.xml of an MD run reaches GBs,
// most of it <r> rows of eigenvalues and DOS, which are skipped by their first characters).
// Read, as ASE 3.22's read_vasp_xml does (ase/io/vasp.py):
//   atominfo/array name="atoms"/set/rc/c (element of each atom), structure name="initialpos",
//   each calculation's structure/crystal/varray name="basis" (Å, rows) and varray name="positions"
//   (fractional), varray name="forces" (eV/Å), varray name="stress" (kbar, VASP sign), and energy/i
//   name="e_fr_energy" (free energy). As in ASE, energyEv = e_fr_energy + (e_0_energy - e_fr_energy)
//   of the LAST scstep: calculation/energy's e_0_energy is wrong in some VASP versions, and the
//   scstep energies lack the vdW correction, so the correction is taken as a difference.
//   info.free_energy_eV holds e_fr_energy. Stress -> eV/Å³ with ASE's sign (-0.1 GPa per kbar).
// Limits: an element's text must sit on one line (VASP always writes it so). A truncated file
// (job killed mid-step) keeps its complete calculations and warns about the rest.
import { symbolFromLabel } from '../../atoms/elements';
import { type Frame, makeFrame } from '../../atoms/frame';
import { ParseError } from '../errors';
import type { FormatSpec, ReadContext } from '../format';
import { type LineCursor, type NeedMore, nextLine } from '../lineCursor';
import { fortranNumbers, fractionalToCartesian, scaledMatrix } from './dftText';
import { speciesFromPotcarName } from './poscar';
import { VASP_KBAR_TO_ASE_EV_PER_A3 } from './vaspOutcar';

const TAG = /<(\/?)([A-Za-z_][\w.:-]*)([^>]*?)(\/?)>/g;

interface Open {
  tag: string;
  name: string | null;
  /** Index in the line just after the opening tag, or -1 when it opened on an earlier line. */
  contentStart: number;
}

interface Calc {
  line: number;
  basis: number[][];
  positions: number[][];
  forces: number[][];
  stress: number[][];
  energy: Record<string, number>;
  lastScEnergy: Record<string, number>;
  scEnergy: Record<string, number>;
}

function* readVasprun(cur: LineCursor, ctx: ReadContext): Generator<Frame | NeedMore, void, void> {
  const file = ctx.fileName;
  const stack: Open[] = [];
  const elements: string[] = [];
  let rc: string[] | null = null;
  let initBasis: number[][] = [];
  let initPositions: number[][] = [];
  let calc: Calc | null = null;
  let sawRoot = false;
  let count = 0;

  const within = (tag: string, name?: string): boolean => stack.some((o) => o.tag === tag && (name === undefined || o.name === name));
  const parentIs = (depthFromTop: number, tag: string, name?: string): boolean => {
    const o = stack[stack.length - 1 - depthFromTop];
    return !!o && o.tag === tag && (name === undefined || o.name === name);
  };
  const numbers = (text: string, n: number, what: string): number[] => {
    const v = fortranNumbers(text);
    if (v.length < n || v.slice(0, n).some((x) => !Number.isFinite(x))) throw new ParseError(file, cur.lineNo, `${n} numbers in <v> for ${what}`, text.trim());
    return v.slice(0, n);
  };

  const onText = (o: Open, text: string) => {
    if (o.tag === 'c' && rc) rc.push(text.trim());
    else if (o.tag === 'v') {
      const va = stack[stack.length - 1]; // o itself has been popped: the top is its parent
      if (!va || va.tag !== 'varray') return;
      const inCalc = within('calculation');
      if (va.name === 'basis' && within('structure')) {
        const row = numbers(text, 3, 'a lattice vector');
        if (inCalc && calc) calc.basis.push(row);
        else if (within('structure', 'initialpos')) initBasis.push(row);
      } else if (va.name === 'positions' && within('structure')) {
        const row = numbers(text, 3, 'a fractional position');
        if (inCalc && calc) calc.positions.push(row);
        else if (within('structure', 'initialpos')) initPositions.push(row);
      } else if (va.name === 'forces' && inCalc && calc && parentIs(1, 'calculation')) calc.forces.push(numbers(text, 3, 'a force'));
      else if (va.name === 'stress' && inCalc && calc && parentIs(1, 'calculation')) calc.stress.push(numbers(text, 3, 'a stress row'));
    } else if (o.tag === 'i' && o.name && calc && parentIs(0, 'energy')) {
      const v = fortranNumbers(text)[0];
      if (parentIs(1, 'calculation')) calc.energy[o.name] = v;
      else if (parentIs(1, 'scstep')) calc.scEnergy[o.name] = v;
    }
  };

  const finishCalc = (c: Calc): Frame | null => {
    const n = elements.length;
    if (n === 0) throw new ParseError(file, c.line, '<atominfo> with the atoms before the first <calculation>');
    const basis = c.basis.length === 3 ? c.basis : initBasis;
    const frac = c.positions.length ? c.positions : initPositions;
    if (basis.length !== 3) throw new ParseError(file, c.line, 'a structure with 3 basis vectors for this calculation');
    if (frac.length !== n) throw new ParseError(file, c.line, `${n} positions (atominfo) in the calculation's structure`, `${frac.length}`);
    if (c.forces.length && c.forces.length !== n) throw new ParseError(file, c.line, `${n} force rows`, `${c.forces.length}`);
    const efr = c.energy.e_fr_energy;
    if (efr === undefined) return null;
    const sc = c.lastScEnergy;
    const energy = sc.e_0_energy !== undefined && sc.e_fr_energy !== undefined ? efr + (sc.e_0_energy - sc.e_fr_energy) : c.energy.e_0_energy ?? efr;
    const cell = Float64Array.from(basis.flat());
    const frame = makeFrame({
      symbols: elements,
      positionsA: fractionalToCartesian(frac.flat(), cell),
      cellA: cell,
      pbc: [true, true, true],
      energyEv: energy,
      forcesEvPerA: c.forces.length ? Float64Array.from(c.forces.flat()) : undefined,
      stressEvPerA3: c.stress.length === 3 ? scaledMatrix(c.stress.flat(), VASP_KBAR_TO_ASE_EV_PER_A3) : undefined,
    });
    frame.info.free_energy_eV = efr;
    if (c.energy.e_wo_entrp !== undefined) frame.info.energy_without_entropy_eV = c.energy.e_wo_entrp;
    ctx.noteLabelKey('energy', 'e_0_energy (via the last scstep, as ASE)');
    if (frame.forcesEvPerA) ctx.noteLabelKey('forces', 'forces');
    if (frame.stressEvPerA3) ctx.noteLabelKey('stress', 'stress (kbar, sign flipped)');
    return frame;
  };

  for (;;) {
    if (!(yield* nextLine(cur))) break;
    // Fast path: eigenvalue / DOS / projection rows ("<r> ... </r>") are most of the file.
    let i = cur.start;
    const b = cur.buf;
    while (i < cur.end && (b[i] === 32 || b[i] === 9)) i++;
    if (b[i] === 60 && b[i + 1] === 114 && b[i + 2] === 62) continue; // "<r>"
    const line = cur.text();
    TAG.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = TAG.exec(line))) {
      const [whole, closing, tag, attrs, selfClosing] = m;
      if (tag === '?xml' || whole.startsWith('<?') || whole.startsWith('<!')) continue;
      if (!closing) {
        const nm = /\bname\s*=\s*"([^"]*)"/.exec(attrs);
        const o: Open = { tag, name: nm ? nm[1] : null, contentStart: m.index + whole.length };
        if (tag === 'modeling') sawRoot = true;
        if (selfClosing) continue;
        stack.push(o);
        if (tag === 'calculation') {
          calc = { line: cur.lineNo, basis: [], positions: [], forces: [], stress: [], energy: {}, lastScEnergy: {}, scEnergy: {} };
        } else if (tag === 'rc' && within('array', 'atoms') && within('atominfo')) rc = [];
        else if (tag === 'scstep' && calc) calc.scEnergy = {};
        else if (tag === 'structure' && calc && within('calculation')) {
          calc.basis = [];
          calc.positions = [];
        } else if (tag === 'structure' && o.name === 'initialpos') {
          initBasis = [];
          initPositions = [];
        }
      } else {
        const o = stack.pop();
        if (!o || o.tag !== tag) throw new ParseError(file, cur.lineNo, o ? `</${o.tag}>` : 'no closing tag here', `</${tag}>`, 'The XML is not well nested.');
        // contentStart >= 0 only when the element opened on this line (reset at each line's end).
        if (o.contentStart >= 0) onText(o, line.slice(o.contentStart, m.index));
        if (tag === 'rc' && rc) {
          const el = speciesFromPotcarName(rc[0] ?? '') ?? symbolFromLabel(rc[0] ?? '');
          if (!el) throw new ParseError(file, cur.lineNo, 'an element symbol in the atoms array', rc[0]);
          elements.push(el);
          rc = null;
        } else if (tag === 'scstep' && calc) calc.lastScEnergy = calc.scEnergy;
        else if (tag === 'calculation' && calc) {
          const frame = finishCalc(calc);
          if (frame) {
            count++;
            frame.info.ionic_step = count;
            yield frame;
          } else ctx.warn(calc.line, 'a <calculation> without energy/i name="e_fr_energy" is skipped');
          calc = null;
        }
      }
    }
    // Elements that opened on this line and continue: their content does not start here.
    for (const o of stack) o.contentStart = -1;
  }
  if (!sawRoot) throw new ParseError(file, 1, 'a vasprun.xml file (<modeling> root element)');
  if (calc) ctx.warn(calc.line, 'the file ends inside a <calculation> (run stopped or file truncated); that step is not read');
}

function sniffVasprun(head: string): number {
  if (/<modeling>/.test(head) && /<generator>|name="program"/.test(head)) return 0.95;
  return /<modeling>/.test(head) ? 0.6 : 0;
}

export const vasprunFormat: FormatSpec = {
  name: 'vasp-xml',
  title: 'VASP vasprun.xml',
  extensions: [],
  baseNames: ['vasprun.xml', 'vasprun'],
  multiFrame: true,
  carries: { cell: true, energy: true, forces: true, stress: true },
  sniff: sniffVasprun,
  read: readVasprun,
};
