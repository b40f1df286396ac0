// LAMMPS data file (read_data / write_data, https://docs.lammps.org/read_data.html), units metal.
// Header: "N atoms", "T atom types", "xlo xhi", "ylo yhi", "zlo zhi", optional "xy xz yz"; then
// sections (Masses, Atoms [# style], Velocities, ...). The box is LAMMPS's restricted triclinic cell
// (https://docs.lammps.org/Howto_triclinic.html): a = (xhi-xlo, 0, 0), b = (xy, yhi-ylo, 0),
// c = (xz, yz, zhi-zlo), origin (xlo, ylo, zlo), periodic in all directions.
// Atom styles: from the "Atoms # style" comment, else ReadOptions.atomStyle, else guessed from the
// column count (5/8 atomic, 7/10 full; 6/9 is ambiguous and asks for the style).
// What comes out: atoms sorted by id; positions exactly as written (NOT unwrapped: image flags are
// kept as the int column `image` [N, 3], positions + image·cell would unwrap them); columns `id`,
// `type`, `initial_charges` (q), `mol-id`, `masses` (amu), `velocities` [N, 3] in Å/fs (metal Å/ps
// divided by 1000); info `cell_origin_A` = (xlo, ylo, zlo) and `atom_style`.
// Species, first that applies: ReadOptions.species (type 1 -> species[0]); an "Atom Type Labels"
// section; an element symbol as comment on a Masses line ("1 63.546 # Cu"); the element of nearest
// standard mass (as newer ASE does; warned); else X, warned.
// The writer (atomic or charge style) puts the cell in LAMMPS's form: a rotation taking a along x and
// b into the xy plane (positions and velocities rotated with it), and, when a tilt exceeds half the
// box length (read_data refuses those), an equivalent reduced cell (c - n·b, c - n·a, b - n·a): same
// lattice, same positions, image flags dropped. Left-handed cells are refused.
import { MAX_Z, atomicNumber, massAmu, symbolFromLabel, symbolOf } from '../../atoms/elements';
import { type Frame, type PerAtomArray, makeFrame } from '../../atoms/frame';
import { ParseError } from '../errors';
import { Fields, bytesToString, parseFloatBytes, parseIntBytes } from '../fields';
import type { FormatSpec, ReadContext, WriteOptions } from '../format';
import { type LineCursor, type NeedMore, nextLine } from '../lineCursor';

/** Cell rows and origin of a LAMMPS box (Howto_triclinic). */
export function lammpsBoxToCell(lo: number[], hi: number[], tilt: number[] = [0, 0, 0]): { cell: Float64Array; origin: number[] } {
  const [xy, xz, yz] = tilt;
  return { cell: Float64Array.from([hi[0] - lo[0], 0, 0, xy, hi[1] - lo[1], 0, xz, yz, hi[2] - lo[2]]), origin: lo.slice(0, 3) };
}

export interface LammpsBox {
  /** [lx, ly, lz, xy, xz, yz] */
  box: number[];
  /** r_lammps = r · map ([9], row-major), or null when the cell already has LAMMPS's form. */
  map: Float64Array | null;
  /** True when tilts were reduced (the cell vectors changed; image flags are no longer valid). */
  reduced: boolean;
}

/** LAMMPS's form of a cell (a along x, b in the xy plane, tilts within ±half lengths). */
export function cellToLammps(cell: Float64Array): LammpsBox {
  const [ax, ay, az, bx0, by0, bz, cx0, cy0, cz0] = cell;
  const det = ax * (by0 * cz0 - bz * cy0) - ay * (bx0 * cz0 - bz * cx0) + az * (bx0 * cy0 - by0 * cx0);
  if (!(det > 0)) throw new Error(det === 0 ? 'the cell is singular (zero volume)' : 'LAMMPS needs a right-handed cell; this one is left-handed (swap two cell vectors first)');
  let lx: number, ly: number, lz: number, xy: number, xz: number, yz: number;
  let map: Float64Array | null = null;
  if (ay === 0 && az === 0 && bz === 0 && ax > 0 && by0 > 0 && cz0 > 0) {
    [lx, xy, ly, xz, yz, lz] = [ax, bx0, by0, cx0, cy0, cz0];
  } else {
    const a = Math.hypot(ax, ay, az);
    const b2 = bx0 * bx0 + by0 * by0 + bz * bz;
    const c2 = cx0 * cx0 + cy0 * cy0 + cz0 * cz0;
    lx = a;
    xy = (ax * bx0 + ay * by0 + az * bz) / a;
    ly = Math.sqrt(b2 - xy * xy);
    xz = (ax * cx0 + ay * cy0 + az * cz0) / a;
    yz = (bx0 * cx0 + by0 * cy0 + bz * cz0 - xy * xz) / ly;
    lz = Math.sqrt(c2 - xz * xz - yz * yz);
    const target = Float64Array.from([lx, 0, 0, xy, ly, 0, xz, yz, lz]);
    map = multiply(invert3(cell), target);
  }
  let reduced = false;
  if (Math.abs(yz) > ly / 2) {
    const n = Math.round(yz / ly);
    yz -= n * ly;
    xz -= n * xy;
    reduced = true;
  }
  if (Math.abs(xz) > lx / 2) {
    xz -= Math.round(xz / lx) * lx;
    reduced = true;
  }
  if (Math.abs(xy) > lx / 2) {
    xy -= Math.round(xy / lx) * lx;
    reduced = true;
  }
  return { box: [lx, ly, lz, xy, xz, yz], map, reduced };
}

function invert3(m: ArrayLike<number>): Float64Array {
  const [a, b, c, e, f, g, h, i, j] = Array.from(m);
  const d = a * (f * j - g * i) - b * (e * j - g * h) + c * (e * i - f * h);
  return Float64Array.from([(f * j - g * i) / d, (c * i - b * j) / d, (b * g - c * f) / d, (g * h - e * j) / d, (a * j - c * h) / d, (c * e - a * g) / d, (e * i - f * h) / d, (b * h - a * i) / d, (a * f - b * e) / d]);
}

function multiply(p: ArrayLike<number>, q: ArrayLike<number>): Float64Array {
  const out = new Float64Array(9);
  for (let r = 0; r < 3; r++) for (let k = 0; k < 3; k++) out[3 * r + k] = p[3 * r] * q[k] + p[3 * r + 1] * q[3 + k] + p[3 * r + 2] * q[6 + k];
  return out;
}

/** Rows [3N] times a 3x3 map. */
export function applyMap(v: ArrayLike<number>, m: ArrayLike<number>): Float64Array {
  const out = new Float64Array(v.length);
  for (let n = 0; n < v.length; n += 3) for (let k = 0; k < 3; k++) out[n + k] = v[n] * m[k] + v[n + 1] * m[3 + k] + v[n + 2] * m[6 + k];
  return out;
}

/** Element whose standard atomic mass is nearest to `mass` (amu). */
export function elementFromMass(mass: number): { symbol: string; deltaAmu: number } {
  let best = 1;
  for (let z = 2; z <= MAX_Z; z++) if (Math.abs(massAmu(z) - mass) < Math.abs(massAmu(best) - mass)) best = z;
  return { symbol: symbolOf(best), deltaAmu: Math.abs(massAmu(best) - mass) };
}

/**
 * LAMMPS type of every atom, 1-based, and the species of each type. Keeps the frame's `type` column
 * when it maps each type to one element (a LAMMPS file read back), else types in alphabetical order
 * of the symbols, as ASE's writers do.
 */
export function lammpsTypes(frame: Frame): { types: Int32Array; species: string[] } {
  const n = frame.symbols.length;
  const col = frame.arrays.type;
  if (col && col.kind === 'int' && col.width === 1 && n > 0) {
    const species: string[] = [];
    let ok = true;
    for (let i = 0; i < n && ok; i++) {
      const t = col.data[i];
      if (t < 1 || t > 1000) ok = false;
      else if (species[t - 1] === undefined) species[t - 1] = frame.symbols[i];
      else ok = species[t - 1] === frame.symbols[i];
    }
    for (let t = 0; ok && t < species.length; t++) ok = species[t] !== undefined;
    if (ok) return { types: Int32Array.from(col.data), species };
  }
  const species = [...new Set(frame.symbols)].sort();
  return { types: Int32Array.from(frame.symbols, (s) => species.indexOf(s) + 1), species };
}

/** Columns of the Atoms section per atom style (read_data docs); x y z located by name. */
export const ATOM_STYLES: Record<string, string[]> = {
  atomic: ['id', 'type', 'x', 'y', 'z'],
  charge: ['id', 'type', 'q', 'x', 'y', 'z'],
  molecular: ['id', 'mol', 'type', 'x', 'y', 'z'],
  bond: ['id', 'mol', 'type', 'x', 'y', 'z'],
  angle: ['id', 'mol', 'type', 'x', 'y', 'z'],
  full: ['id', 'mol', 'type', 'q', 'x', 'y', 'z'],
  sphere: ['id', 'type', 'diameter', 'density', 'x', 'y', 'z'],
  dipole: ['id', 'type', 'q', 'x', 'y', 'z', 'mux', 'muy', 'muz'],
};

const SECTIONS = new Set([
  'Atoms', 'Velocities', 'Masses', 'Charges', 'Ellipsoids', 'Lines', 'Triangles', 'Bodies', 'Bonds', 'Angles', 'Dihedrals',
  'Impropers', 'Pair Coeffs', 'PairIJ Coeffs', 'Bond Coeffs', 'Angle Coeffs', 'Dihedral Coeffs', 'Improper Coeffs',
  'BondBond Coeffs', 'BondAngle Coeffs', 'MiddleBondTorsion Coeffs', 'EndBondTorsion Coeffs', 'AngleTorsion Coeffs',
  'AngleAngleTorsion Coeffs', 'BondBond13 Coeffs', 'AngleAngle Coeffs', 'Atom Type Labels', 'Bond Type Labels',
  'Angle Type Labels', 'Dihedral Type Labels', 'Improper Type Labels',
]);

interface Row {
  line: number;
  values: number[];
  id: number;
  type: number;
}

function* readLammpsData(cur: LineCursor, ctx: ReadContext): Generator<Frame | NeedMore, void, void> {
  const file = ctx.fileName;
  const f = new Fields();
  if (!(yield* nextLine(cur))) return;
  const comment = cur.text().trim();
  let nAtoms = -1;
  let nTypes = -1;
  let headerLine = 0;
  const lo = [NaN, NaN, NaN];
  const hi = [NaN, NaN, NaN];
  const tilt = [0, 0, 0];
  const boxLine = [0, 0, 0];
  let section: string | null = null;
  let sectionLine = 0;
  let style: string | null = null;
  let styleCols: string[] | null = null;
  const masses = new Map<number, { mass: number; hint: string | null; line: number }>();
  const labels = new Map<string, number>();
  const labelOfType = new Map<number, string>();
  const rows: Row[] = [];
  let vel: Map<number, number[]> | null = null;
  let velLine = 0;

  const num = (k: number, what: string, int = false): number => {
    const v = int ? parseIntBytes(cur.buf, f.starts[k], f.ends[k]) : parseFloatBytes(cur.buf, f.starts[k], f.ends[k]);
    if (!Number.isFinite(v)) throw new ParseError(file, cur.lineNo, int ? `an integer for ${what}` : `a number for ${what}`, bytesToString(cur.buf, f.starts[k], f.ends[k]));
    return v;
  };
  const typeOf = (k: number): number => {
    const t = parseIntBytes(cur.buf, f.starts[k], f.ends[k]);
    const tok = bytesToString(cur.buf, f.starts[k], f.ends[k]);
    const v = Number.isNaN(t) ? labels.get(tok) : t;
    if (v === undefined) throw new ParseError(file, cur.lineNo, 'an integer atom type (or a type label)', tok);
    if (nTypes > 0 && (v < 1 || v > nTypes)) throw new ParseError(file, cur.lineNo, `an atom type from 1 to ${nTypes}`, tok);
    return v;
  };
  const endSection = () => {
    if (section === 'Atoms' && rows.length !== nAtoms) {
      throw new ParseError(file, cur.lineNo, `${nAtoms} lines in the Atoms section of line ${sectionLine} ("${nAtoms} atoms" in the header)`, `${rows.length}`);
    }
    if (section === 'Velocities' && vel!.size !== nAtoms) {
      throw new ParseError(file, cur.lineNo, `${nAtoms} lines in the Velocities section of line ${sectionLine}`, `${vel!.size}`);
    }
  };

  while (yield* nextLine(cur)) {
    // Strip the comment (kept: it names the atom style or a Masses line's element).
    let end = cur.end;
    for (let i = cur.start; i < cur.end; i++) if (cur.buf[i] === 35 /* # */) {
      end = i;
      break;
    }
    const note = end < cur.end ? bytesToString(cur.buf, end + 1, cur.end).trim() : '';
    const nf = f.split(cur.buf, cur.start, end);
    if (nf === 0) continue;
    const text = bytesToString(cur.buf, cur.start, end).trim().replace(/\s+/g, ' ');
    if (SECTIONS.has(text)) {
      if (nAtoms < 0) throw new ParseError(file, cur.lineNo, 'an "N atoms" line in the header before the first section', text);
      endSection();
      section = text;
      sectionLine = cur.lineNo;
      if (section === 'Atoms') {
        style = (note.split(/\s+/)[0] || ctx.options.atomStyle || '').toLowerCase() || null;
        if (note && ctx.options.atomStyle && note.split(/\s+/)[0].toLowerCase() !== ctx.options.atomStyle.toLowerCase()) {
          ctx.warn(cur.lineNo, `the file says atom style "${note}"; the atomStyle option "${ctx.options.atomStyle}" is ignored`);
        }
        if (style && !ATOM_STYLES[style]) {
          throw new ParseError(file, cur.lineNo, `a supported atom style (${Object.keys(ATOM_STYLES).join(', ')})`, style);
        }
        styleCols = style ? ATOM_STYLES[style] : null;
      }
      if (section === 'Velocities') {
        vel = new Map();
        velLine = cur.lineNo;
      }
      continue;
    }
    if (section === null) {
      // Header line: values then keywords.
      headerLine = cur.lineNo;
      if (/ atoms$/.test(' ' + text) && nf === 2) nAtoms = num(0, 'the number of atoms', true);
      else if (/ atom types$/.test(text) && nf === 3) nTypes = num(0, 'the number of atom types', true);
      else if (/ [xyz]lo [xyz]hi$/.test(text) && nf === 4) {
        const d = 'xyz'.indexOf(text[text.length - 3]);
        lo[d] = num(0, `${'xyz'[d]}lo`);
        hi[d] = num(1, `${'xyz'[d]}hi`);
        boxLine[d] = cur.lineNo;
      } else if (/ xy xz yz$/.test(text) && nf === 6) {
        for (let k = 0; k < 3; k++) tilt[k] = num(k, ['xy', 'xz', 'yz'][k]);
      } else if (!/ (bonds|angles|dihedrals|impropers|types|per atom|ellipsoids|lines|triangles|bodies)$/.test(text)) {
        throw new ParseError(file, cur.lineNo, 'a header line such as "N atoms", "T atom types", "xlo xhi", or a section name', text);
      }
      continue;
    }
    if (section === 'Masses') {
      if (nf < 2) throw new ParseError(file, cur.lineNo, 'a type and its mass', text);
      const t = typeOf(0);
      const word = note.split(/\s+/)[0] ?? '';
      masses.set(t, { mass: num(1, `the mass of type ${t}`), hint: atomicNumber(word) > 0 ? symbolOf(atomicNumber(word)) : null, line: cur.lineNo });
    } else if (section === 'Atom Type Labels') {
      if (nf < 2) throw new ParseError(file, cur.lineNo, 'a type and its label', text);
      const t = num(0, 'an atom type', true);
      const label = bytesToString(cur.buf, f.starts[1], f.ends[1]);
      labels.set(label, t);
      labelOfType.set(t, label);
    } else if (section === 'Atoms') {
      if (!styleCols) {
        // Guess from the count, as far as it is unambiguous.
        const guess = nf === 5 || nf === 8 ? 'atomic' : nf === 7 || nf === 10 ? 'full' : null;
        if (!guess) {
          throw new ParseError(file, cur.lineNo, 'an atom style ("Atoms # style" in the file, or the atomStyle option)', `${nf} columns`, 'Pass the atom style option, e.g. charge (id type q x y z) or molecular (id mol type x y z)');
        }
        style = guess;
        styleCols = ATOM_STYLES[guess];
        ctx.warn(sectionLine, `no atom style given; ${nf} columns read as style "${guess}" (${styleCols.join(' ')})`);
      }
      const nc = styleCols.length;
      if (nf !== nc && nf !== nc + 3) {
        throw new ParseError(file, cur.lineNo, `${nc} or ${nc + 3} values for atom style ${style} (${styleCols.join(' ')} [ix iy iz])`, `${nf} values`);
      }
      const values: number[] = [];
      let id = 0;
      let type = 0;
      for (let k = 0; k < nf; k++) {
        const name = k < nc ? styleCols[k] : ['ix', 'iy', 'iz'][k - nc];
        if (name === 'type') values.push((type = typeOf(k)));
        else values.push(num(k, name, name === 'id' || name === 'mol' || k >= nc));
        if (name === 'id') id = values[k];
      }
      if (rows.length >= nAtoms) throw new ParseError(file, cur.lineNo, `${nAtoms} lines in the Atoms section ("${nAtoms} atoms" in the header)`, 'more');
      rows.push({ line: cur.lineNo, values, id, type });
    } else if (section === 'Velocities') {
      if (nf < 4) throw new ParseError(file, cur.lineNo, 'id vx vy vz', text);
      vel!.set(num(0, 'the atom id', true), [num(1, 'vx'), num(2, 'vy'), num(3, 'vz')]);
    }
    // Other sections (bonds, coefficients, ...) are skipped.
  }
  if (nAtoms < 0) throw new ParseError(file, cur.lineNo + 1, 'an "N atoms" header line', 'end of file');
  for (let d = 0; d < 3; d++) {
    if (Number.isNaN(lo[d])) throw new ParseError(file, headerLine, `a "${'xyz'[d]}lo ${'xyz'[d]}hi" header line`, 'none');
  }
  if (!styleCols) throw new ParseError(file, cur.lineNo + 1, 'an Atoms section', 'end of file');
  endSection();

  // Sort by id.
  rows.sort((a, b) => a.id - b.id);
  for (let i = 1; i < rows.length; i++) {
    if (rows[i].id === rows[i - 1].id) throw new ParseError(file, rows[i].line, 'unique atom ids', `id ${rows[i].id} again (first on line ${rows[i - 1].line})`);
  }
  const n = rows.length;
  const nc = styleCols.length;
  const { cell, origin } = lammpsBoxToCell(lo, hi, tilt);
  const pos = new Float64Array(3 * n);
  const ix = styleCols.indexOf('x');
  rows.forEach((r, i) => pos.set(r.values.slice(ix, ix + 3), 3 * i));

  // Species per type (only the types in use or with a mass).
  const usedTypes = [...new Set([...rows.map((r) => r.type), ...masses.keys()])].sort((a, b) => a - b);
  const speciesOfType = new Map<number, string>();
  const sp = ctx.options.species;
  const guessed: string[] = [];
  for (const t of usedTypes) {
    const m = masses.get(t);
    let s: string | null = null;
    if (sp && sp.length > 0) {
      if (t > sp.length) throw new ParseError(file, m?.line ?? sectionLine, `a species for atom type ${t} (given: ${sp.join(' ')})`, `${sp.length} species`, 'Pass one species per LAMMPS type, in type order');
      const z = atomicNumber(sp[t - 1]);
      s = z > 0 ? symbolOf(z) : symbolFromLabel(sp[t - 1]);
      if (!s) throw new ParseError(file, headerLine, 'element symbols in the species option', sp[t - 1]);
      if (m && Math.abs(massAmu(atomicNumber(s)) - m.mass) > 1) {
        ctx.warn(m.line, `type ${t} has mass ${m.mass} amu but the species option says ${s} (${massAmu(atomicNumber(s))} amu)`);
      }
    } else if (labelOfType.has(t)) s = symbolFromLabel(labelOfType.get(t)!);
    else if (m?.hint) s = m.hint;
    else if (m) {
      const g = elementFromMass(m.mass);
      s = g.symbol;
      guessed.push(`${t} -> ${s} (${m.mass} amu${g.deltaAmu > 0.5 ? `, ${g.deltaAmu.toFixed(2)} amu off` : ''})`);
    }
    speciesOfType.set(t, s ?? 'X');
  }
  if (guessed.length) ctx.warn(masses.values().next().value!.line, `species guessed from masses: ${guessed.join(', ')}; pass the species to set them`);
  if (!sp?.length && rows.some((r) => speciesOfType.get(r.type) === 'X')) {
    ctx.warn(sectionLine, 'no species for some atom types (no masses or labels); read as X. Pass the species in type order, e.g. Cu,Ni');
  }

  const arrays: Record<string, PerAtomArray> = {
    id: { kind: 'int', width: 1, data: Int32Array.from(rows, (r) => r.id) },
    type: { kind: 'int', width: 1, data: Int32Array.from(rows, (r) => r.type) },
  };
  styleCols.forEach((name, k) => {
    if (['id', 'type', 'x', 'y', 'z'].includes(name)) return;
    if (name === 'mol') arrays['mol-id'] = { kind: 'int', width: 1, data: Int32Array.from(rows, (r) => r.values[k]) };
    else arrays[name === 'q' ? 'initial_charges' : name] = { kind: 'real', width: 1, data: Float64Array.from(rows, (r) => r.values[k]) };
  });
  if (rows.some((r) => r.values.length > nc)) {
    arrays.image = { kind: 'int', width: 3, data: Int32Array.from(rows.flatMap((r) => (r.values.length > nc ? r.values.slice(nc, nc + 3) : [0, 0, 0]))) };
  }
  if (masses.size > 0) arrays.masses = { kind: 'real', width: 1, data: Float64Array.from(rows, (r) => masses.get(r.type)?.mass ?? NaN) };
  if (vel) {
    const v = new Float64Array(3 * n);
    rows.forEach((r, i) => {
      const x = vel!.get(r.id);
      if (!x) throw new ParseError(file, velLine, `a velocity for atom id ${r.id}`, 'none');
      for (let k = 0; k < 3; k++) v[3 * i + k] = x[k] / 1000; // metal Å/ps -> Å/fs
    });
    arrays.velocities = { kind: 'real', width: 3, data: v };
  }
  const frame = makeFrame({ symbols: rows.map((r) => speciesOfType.get(r.type)!), positionsA: pos, cellA: cell, pbc: [true, true, true], arrays });
  frame.info.comment = comment;
  frame.info.cell_origin_A = origin;
  frame.info.atom_style = style!;
  yield frame;
}

function num(x: number): string {
  return String(x === 0 ? 0 : x);
}

/** LAMMPS data text of one frame (metal units), atom style 'atomic' or 'charge' (q from `initial_charges`). */
export function writeLammpsData(frame: Frame, opts: { atomStyle?: 'atomic' | 'charge' } = {}): string {
  if (!frame.cellA) throw new Error('a LAMMPS data file needs a cell; this frame has none (add a box first)');
  const n = frame.symbols.length;
  const q = frame.arrays.initial_charges;
  const style = opts.atomStyle ?? (q && q.kind === 'real' && q.width === 1 ? 'charge' : 'atomic');
  if (style === 'charge' && !(q && q.kind === 'real' && q.width === 1)) throw new Error('atom style charge needs per-atom initial_charges');
  const { box, map, reduced } = cellToLammps(frame.cellA);
  const [lx, ly, lz, xy, xz, yz] = box;
  const pos = map ? applyMap(frame.positionsA, map) : frame.positionsA;
  const o = frame.info.cell_origin_A;
  let origin = Array.isArray(o) && o.length === 3 && o.every((x) => typeof x === 'number') ? (o as number[]) : [0, 0, 0];
  if (map) origin = Array.from(applyMap(origin, map));
  const { types, species } = lammpsTypes(frame);
  const massCol = frame.arrays.masses;
  const out: string[] = [`LAMMPS data file written by Atomforge (units metal)${typeof frame.info.comment === 'string' ? ': ' + frame.info.comment.replace(/\n/g, ' ') : ''}`, ''];
  out.push(`${n} atoms`, `${species.length} atom types`, '');
  out.push(`${num(origin[0])} ${num(origin[0] + lx)} xlo xhi`, `${num(origin[1])} ${num(origin[1] + ly)} ylo yhi`, `${num(origin[2])} ${num(origin[2] + lz)} zlo zhi`);
  if (xy !== 0 || xz !== 0 || yz !== 0) out.push(`${num(xy)} ${num(xz)} ${num(yz)} xy xz yz`);
  out.push('', 'Masses', '');
  species.forEach((s, t) => {
    let m = massAmu(Math.max(0, atomicNumber(s)));
    if (massCol && massCol.kind === 'real' && massCol.width === 1) {
      const i = types.indexOf(t + 1);
      if (i >= 0 && Number.isFinite(massCol.data[i])) m = massCol.data[i];
    }
    out.push(`${t + 1} ${num(m)} # ${s}`);
  });
  out.push('', `Atoms # ${style}`, '');
  const img = frame.arrays.image;
  const image = !reduced && img && img.kind === 'int' && img.width === 3 ? img.data : null;
  for (let i = 0; i < n; i++) {
    const cols = [String(i + 1), String(types[i])];
    if (style === 'charge') cols.push(num((q!.data as Float64Array)[i]));
    cols.push(num(pos[3 * i]), num(pos[3 * i + 1]), num(pos[3 * i + 2]));
    if (image) cols.push(String(image[3 * i]), String(image[3 * i + 1]), String(image[3 * i + 2]));
    out.push(cols.join(' '));
  }
  const v = frame.arrays.velocities;
  if (v && v.kind === 'real' && v.width === 3) {
    const vv = map ? applyMap(v.data, map) : v.data;
    out.push('', 'Velocities', '');
    for (let i = 0; i < n; i++) out.push(`${i + 1} ${num(vv[3 * i] * 1000)} ${num(vv[3 * i + 1] * 1000)} ${num(vv[3 * i + 2] * 1000)}`);
  }
  return out.join('\n') + '\n';
}

function* writeFrames(frames: Iterable<Frame>, options: WriteOptions): Iterable<string> {
  let count = 0;
  for (const fr of frames) {
    if (++count > 1) throw new Error(`a LAMMPS data file holds one structure; ${options.fileName ?? 'the output'} got several (write a lammps-dump or extxyz instead)`);
    yield writeLammpsData(fr);
  }
}

function sniffLammpsData(head: string): number {
  const atoms = /^\s*\d+\s+atoms\s*$/m.test(head);
  const box = /^\s*\S+\s+\S+\s+xlo\s+xhi/m.test(head);
  return atoms && box ? 0.9 : atoms || box ? 0.4 : 0;
}

export const lammpsDataFormat: FormatSpec = {
  name: 'lammps-data',
  title: 'LAMMPS data file',
  extensions: ['data', 'lmp', 'lammps'],
  multiFrame: false,
  carries: { cell: true, energy: false, forces: false, stress: false },
  sniff: sniffLammpsData,
  read: readLammpsData,
  write: writeFrames,
};
