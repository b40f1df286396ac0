// n2p2 / RuNNer training data, `input.data` (n2p2 docs, "Data file format: input.data",
// compphysvienna.github.io/n2p2/topics/cfg_file.html): structures delimited by begin / end:
//   begin
//   comment <text>                                  (any number, optional)
//   lattice ax ay az   (x3, optional: all three or none; none = non-periodic)
//   atom x y z <element> <charge> <n> fx fy fz    (one per atom; <n> is unused by n2p2)
//   energy <E>
//   charge <Q>
//   end
// n2p2 is unit-agnostic: the numbers are in whatever units the user trained in. So there are two
// registered formats: `n2p2` reads and writes Å and eV (our units, the default), `n2p2-bohr` Bohr
// and Hartree (RuNNer's customary units; BOHR_A, HARTREE_EV). makeN2p2Format(units) builds others.
// Per-atom charges go to `initial_charges` (kept when any is non-zero), the total charge to
// info.charge, comments to info.comment; "config_type=NAME" inside a comment becomes
// info.config_type (the writer puts it there), so groups survive a round trip.
// The format has no stress. Writing needs energy and forces on every frame (n2p2 has no way to
// mark a missing label, and zero-filling would train on false labels) and a full 3D cell or none.
import { type Frame, type PerAtomArray, makeFrame } from '../../atoms/frame';
import { configTypeOf } from '../../atoms/summary';
import { BOHR_A, HARTREE_EV } from '../../units';
import { ParseError } from '../errors';
import { Fields, bytesToString, parseFloatBytes } from '../fields';
import type { FormatSpec, ReadContext, WriteOptions } from '../format';
import { type LineCursor, type NeedMore, nextLine, nextNonBlankLine } from '../lineCursor';
import { symbolFromLabel } from '../../atoms/elements';

export interface N2p2Units {
  /** Registry name and title suffix. */
  name: string;
  /** One length unit of the file in Å. */
  lengthA: number;
  /** One energy unit of the file in eV. */
  energyEv: number;
  label: string;
}

export const N2P2_UNITS_EV_A: N2p2Units = { name: 'n2p2', lengthA: 1, energyEv: 1, label: 'Å, eV' };
export const N2P2_UNITS_BOHR_HARTREE: N2p2Units = { name: 'n2p2-bohr', lengthA: BOHR_A, energyEv: HARTREE_EV, label: 'Bohr, Hartree' };

function reader(units: N2p2Units) {
  return function* readN2p2(cur: LineCursor, ctx: ReadContext): Generator<Frame | NeedMore, void, void> {
    const file = ctx.fileName;
    const f = new Fields();
    const L = units.lengthA;
    const E = units.energyEv;
    const F = E / L;
    const num = (k: number, what: string): number => {
      const v = k < f.count ? parseFloatBytes(cur.buf, f.starts[k], f.ends[k]) : NaN;
      if (!Number.isFinite(v)) throw new ParseError(file, cur.lineNo, `a number for ${what}`, k < f.count ? bytesToString(cur.buf, f.starts[k], f.ends[k]) : cur.text().trim());
      return v;
    };
    for (;;) {
      if (!(yield* nextNonBlankLine(cur))) return;
      f.split(cur.buf, cur.start, cur.end);
      if (bytesToString(cur.buf, f.starts[0], f.ends[0]) !== 'begin') throw new ParseError(file, cur.lineNo, '"begin" (start of a structure)', cur.text().trim());
      const beginLine = cur.lineNo;
      const comments: string[] = [];
      const lattice: number[] = [];
      const symbols: string[] = [];
      const pos: number[] = [];
      const frc: number[] = [];
      const charges: number[] = [];
      const atomEnergies: number[] = [];
      let energy: number | undefined;
      let charge: number | undefined;
      for (;;) {
        if (!(yield* nextLine(cur))) throw new ParseError(file, cur.lineNo + 1, `"end" of the structure begun on line ${beginLine}`, 'end of file', 'The file appears truncated.');
        if (cur.isBlank()) continue;
        f.split(cur.buf, cur.start, cur.end);
        const key = bytesToString(cur.buf, f.starts[0], f.ends[0]);
        if (key === 'end') break;
        if (key === 'comment') comments.push(cur.text().trim().slice(7).trim());
        else if (key === 'lattice') {
          if (lattice.length === 9) throw new ParseError(file, cur.lineNo, 'at most 3 lattice lines', cur.text().trim());
          for (let k = 1; k <= 3; k++) lattice.push(num(k, 'a lattice vector') * L);
        } else if (key === 'atom') {
          if (f.count < 10) throw new ParseError(file, cur.lineNo, '"atom x y z element charge n fx fy fz" (10 fields)', cur.text().trim());
          for (let k = 1; k <= 3; k++) pos.push(num(k, 'a coordinate') * L);
          const name = bytesToString(cur.buf, f.starts[4], f.ends[4]);
          const el = symbolFromLabel(name);
          if (!el) throw new ParseError(file, cur.lineNo, 'an element symbol in field 5', name);
          symbols.push(el);
          charges.push(num(5, 'the atomic charge'));
          atomEnergies.push(num(6, 'the atomic energy field'));
          for (let k = 7; k <= 9; k++) frc.push(num(k, 'a force component') * F);
        } else if (key === 'energy') energy = num(1, 'the energy') * E;
        else if (key === 'charge') charge = num(1, 'the total charge');
        else throw new ParseError(file, cur.lineNo, 'comment, lattice, atom, energy, charge or end', cur.text().trim());
      }
      if (lattice.length !== 0 && lattice.length !== 9) throw new ParseError(file, cur.lineNo, `3 lattice lines or none in the structure begun on line ${beginLine}`, `${lattice.length / 3}`);
      if (symbols.length === 0) throw new ParseError(file, cur.lineNo, `atom lines in the structure begun on line ${beginLine}`, 'none');
      const arrays: Record<string, PerAtomArray> = {};
      if (charges.some((q) => q !== 0)) arrays.initial_charges = { kind: 'real', width: 1, data: Float64Array.from(charges) };
      if (atomEnergies.some((x) => x !== 0)) arrays.n2p2_atomic_energy = { kind: 'real', width: 1, data: Float64Array.from(atomEnergies) };
      const frame = makeFrame({
        symbols,
        positionsA: pos,
        cellA: lattice.length === 9 ? lattice : null,
        energyEv: energy,
        forcesEvPerA: Float64Array.from(frc),
        arrays,
      });
      if (comments.length) {
        const all = comments.join(' ');
        const ct = /(?:^|\s)config_type=(\S+)/.exec(all);
        if (ct) frame.info.config_type = ct[1];
        const rest = all.replace(/(?:^|\s)config_type=\S+/, '').trim();
        if (rest) frame.info.comment = rest;
      }
      if (charge !== undefined) frame.info.charge = charge;
      if (energy !== undefined) ctx.noteLabelKey('energy', `energy (${units.label})`);
      ctx.noteLabelKey('forces', `atom fx fy fz (${units.label})`);
      yield frame;
    }
  };
}

function num(x: number): string {
  return String(x === 0 ? 0 : x);
}

/** input.data text for frames (throws naming the frame when one cannot be written). */
function writer(units: N2p2Units) {
  return function* writeN2p2(frames: Iterable<Frame>, options: WriteOptions): Iterable<string> {
    const L = units.lengthA;
    const E = units.energyEv;
    const F = E / L;
    let k = 0;
    for (const fr of frames) {
      const where = `frame ${k} of ${options.fileName ?? 'the output'}`;
      if (fr.energyEv === undefined) throw new Error(`${where} has no energy; n2p2 input.data needs one for every structure (filter energy-less frames out first)`);
      if (!fr.forcesEvPerA) throw new Error(`${where} has no forces; n2p2 input.data cannot mark missing forces, and zeros would be false labels`);
      const periodic = fr.pbc.some(Boolean);
      if (periodic && (!fr.cellA || !fr.pbc.every(Boolean))) throw new Error(`${where} is periodic along some axes only; n2p2 knows fully periodic or free structures`);
      const out = ['begin'];
      const ct = configTypeOf(fr);
      const comment = typeof fr.info.comment === 'string' ? fr.info.comment.replace(/\s+/g, ' ') : '';
      if (ct || comment) out.push(`comment ${ct ? `config_type=${ct.replace(/\s+/g, '_')} ` : ''}${comment}`.trimEnd());
      if (periodic) for (let r = 0; r < 3; r++) out.push(`lattice ${num(fr.cellA![3 * r] / L)} ${num(fr.cellA![3 * r + 1] / L)} ${num(fr.cellA![3 * r + 2] / L)}`);
      const q = fr.arrays.initial_charges;
      const charges = q && q.kind === 'real' && q.width === 1 ? q.data : null;
      const p = fr.positionsA;
      const f = fr.forcesEvPerA;
      let total = 0;
      for (let i = 0; i < fr.symbols.length; i++) {
        const c = charges ? charges[i] : 0;
        total += c;
        out.push(`atom ${num(p[3 * i] / L)} ${num(p[3 * i + 1] / L)} ${num(p[3 * i + 2] / L)} ${fr.symbols[i]} ${num(c)} 0 ${num(f[3 * i] / F)} ${num(f[3 * i + 1] / F)} ${num(f[3 * i + 2] / F)}`);
      }
      out.push(`energy ${num(fr.energyEv / E)}`);
      out.push(`charge ${num(typeof fr.info.charge === 'number' ? fr.info.charge : total)}`);
      out.push('end');
      k++;
      yield out.join('\n') + '\n';
    }
  };
}

function sniffN2p2(head: string): number {
  const lines = head.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (lines[0] !== 'begin') return 0;
  return lines.slice(1, 6).some((l) => /^(atom|lattice|comment)\s/.test(l)) ? 0.95 : 0.3;
}

/** A registry entry for input.data in the given units. */
export function makeN2p2Format(units: N2p2Units): FormatSpec {
  return {
    name: units.name,
    title: `n2p2 / RuNNer input.data (${units.label})`,
    extensions: [],
    baseNames: ['input.data'],
    multiFrame: true,
    carries: { cell: true, energy: true, forces: true, stress: false },
    sniff: sniffN2p2,
    read: reader(units),
    write: writer(units),
  };
}

export const n2p2Format = makeN2p2Format(N2P2_UNITS_EV_A);
/** Same file in Bohr and Hartree; never picked by sniffing (the content does not say its units). */
export const n2p2BohrFormat: FormatSpec = { ...makeN2p2Format(N2P2_UNITS_BOHR_HARTREE), sniff: undefined, baseNames: [] };
