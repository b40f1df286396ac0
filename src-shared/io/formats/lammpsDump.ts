// LAMMPS text dump (dump custom / atom, https://docs.lammps.org/dump.html): a trajectory of
// snapshots, each "ITEM: TIMESTEP", "ITEM: NUMBER OF ATOMS", "ITEM: BOX BOUNDS [xy xz yz] pp pp pp"
// and "ITEM: ATOMS <columns>" followed by one row per atom. Streamed frame by frame.
// Box: orthogonal rows are "lo hi"; triclinic rows are bounding-box bounds plus the tilt, converted
// as the LAMMPS docs say (Howto_triclinic): xlo = xlo_bound - min(0, xy, xz, xy+xz),
// xhi = xhi_bound - max(0, xy, xz, xy+xz), ylo = ylo_bound - min(0, yz), yhi = yhi_bound - max(0, yz);
// then a = (xhi-xlo, 0, 0), b = (xy, yhi-ylo, 0), c = (xz, yz, zhi-zlo); pbc from the p flags.
// Positions from the first complete set of x y z, xs ys zs, xu yu zu, xsu ysu zsu (ASE's order);
// scaled ones become origin + s·cell, which is what LAMMPS's x y z are (ASE leaves the origin out);
// the positions are not unwrapped and not shifted (the origin is info `cell_origin_A`).
// Units: metal assumed (forces eV/Å, velocities Å/ps -> stored `velocities` [N, 3] in Å/fs);
// "ITEM: UNITS real" converts kcal/mol/Å forces; other unit styles are read as metal with a warning.
// fx fy fz -> forcesEvPerA; ix iy iz -> int column `image` [N, 3]; q -> `initial_charges`;
// mol -> `mol-id`; every other column is kept under its own name. Atoms are sorted by id.
// Species: the `element` column, else ReadOptions.species by type (type 1 -> species[0]), else X
// with a warning. Follows ASE's read_lammps_dump_text (ase/io/lammpsrun.py) otherwise.
import { atomicNumber, symbolFromLabel, symbolOf } from '../../atoms/elements';
import { type Frame, type PerAtomArray, makeFrame } from '../../atoms/frame';
import { KCAL_PER_MOL_EV } from '../../units';
import { ParseError } from '../errors';
import { Fields, bytesToString, parseFloatBytes, parseIntBytes } from '../fields';
import type { FormatSpec, ReadContext, WriteOptions } from '../format';
import { type LineCursor, type NeedMore, nextLine, nextNonBlankLine } from '../lineCursor';
import { applyMap, cellToLammps, lammpsBoxToCell, lammpsTypes } from './lammpsData';

const INT_COLUMNS = new Set(['id', 'type', 'mol', 'ix', 'iy', 'iz', 'proc', 'procp1']);
const POSITION_SETS = [['x', 'y', 'z'], ['xs', 'ys', 'zs'], ['xu', 'yu', 'zu'], ['xsu', 'ysu', 'zsu']];

function* requireLine(cur: LineCursor, ctx: ReadContext, expected: string): Generator<NeedMore, void, void> {
  if (!(yield* nextLine(cur))) throw new ParseError(ctx.fileName, cur.lineNo + 1, expected, 'end of file', 'The file appears truncated.');
}

function* readDump(cur: LineCursor, ctx: ReadContext): Generator<Frame | NeedMore, void, void> {
  const file = ctx.fileName;
  const f = new Fields();
  let warnedSpecies = false;
  let warnedElement = false;
  let warnedUnits = false;
  const numAt = (k: number, what: string, int: boolean): number => {
    const v = int ? parseIntBytes(cur.buf, f.starts[k], f.ends[k]) : parseFloatBytes(cur.buf, f.starts[k], f.ends[k]);
    if (Number.isNaN(v)) throw new ParseError(file, cur.lineNo, int ? `an integer for ${what}` : `a number for ${what}`, bytesToString(cur.buf, f.starts[k], f.ends[k]));
    return v;
  };

  let units: string | null = null; // LAMMPS writes ITEM: UNITS once, before the first snapshot
  for (;;) {
    let timestep: number | null = null;
    let n = -1;
    let cell: Float64Array | null = null;
    let origin = [0, 0, 0];
    let pbc: [boolean, boolean, boolean] = [false, false, false];
    let time: number | null = null;
    let cols: string[] = [];
    let text = '';
    // Header items in any order (LAMMPS: [UNITS] [TIME] TIMESTEP, NUMBER OF ATOMS, BOX BOUNDS), then ATOMS.
    for (let first = true; ; first = false) {
      if (first) {
        if (!(yield* nextNonBlankLine(cur))) return;
      } else {
        yield* requireLine(cur, ctx, '"ITEM: ATOMS ..." and the atom rows');
        if (cur.isBlank()) continue;
      }
      text = cur.text().trim();
      if (text === 'ITEM: TIMESTEP') {
        yield* requireLine(cur, ctx, 'the timestep');
        f.split(cur.buf, cur.start, cur.end);
        if (f.count < 1) throw new ParseError(file, cur.lineNo, 'the timestep', 'a blank line');
        timestep = numAt(0, 'the timestep', true);
      } else if (text.startsWith('ITEM: NUMBER OF ATOMS')) {
        yield* requireLine(cur, ctx, 'the number of atoms');
        f.split(cur.buf, cur.start, cur.end);
        if (f.count < 1) throw new ParseError(file, cur.lineNo, 'the number of atoms', 'a blank line');
        n = numAt(0, 'the number of atoms', true);
        if (n < 0) throw new ParseError(file, cur.lineNo, 'a non-negative number of atoms', String(n));
      } else if (text.startsWith('ITEM: BOX BOUNDS')) {
        const words = text.split(/\s+/).slice(3);
        const tiltNames: string[] = words.filter((w) => w === 'xy' || w === 'xz' || w === 'yz');
        const flags = words.filter((w) => !tiltNames.includes(w));
        if (words.includes('abc') || words.includes('origin')) {
          throw new ParseError(file, cur.lineNo, 'a restricted (LAMMPS-form) box', text, 'General triclinic dump boxes are not supported; dump_modify ... triclinic/general no');
        }
        const lo = [0, 0, 0];
        const hi = [0, 0, 0];
        const third = [0, 0, 0];
        const triclinic = tiltNames.length === 3;
        for (let d = 0; d < 3; d++) {
          yield* requireLine(cur, ctx, `box bounds for ${'xyz'[d]}`);
          f.split(cur.buf, cur.start, cur.end);
          const need = triclinic ? 3 : 2;
          if (f.count < need) throw new ParseError(file, cur.lineNo, `${need} numbers (${triclinic ? 'lo_bound hi_bound tilt' : 'lo hi'})`, cur.text().trim());
          lo[d] = numAt(0, `${'xyz'[d]}lo`, false);
          hi[d] = numAt(1, `${'xyz'[d]}hi`, false);
          if (triclinic) third[d] = numAt(2, 'a tilt factor', false);
        }
        let tilt = [0, 0, 0];
        if (triclinic) {
          tilt = ['xy', 'xz', 'yz'].map((name) => third[tiltNames.indexOf(name)]);
          const [xy, xz, yz] = tilt;
          lo[0] -= Math.min(0, xy, xz, xy + xz);
          hi[0] -= Math.max(0, xy, xz, xy + xz);
          lo[1] -= Math.min(0, yz);
          hi[1] -= Math.max(0, yz);
        }
        ({ cell, origin } = lammpsBoxToCell(lo, hi, tilt));
        pbc = [0, 1, 2].map((d) => (flags[d] ?? 'ff').toLowerCase().includes('p')) as [boolean, boolean, boolean];
      } else if (text === 'ITEM: UNITS') {
        yield* requireLine(cur, ctx, 'the unit style');
        units = cur.text().trim();
        if (units !== 'metal' && units !== 'real' && !warnedUnits) {
          warnedUnits = true;
          ctx.warn(cur.lineNo, `units "${units}": numbers are read as metal units (Å, eV/Å, Å/ps) without conversion`);
        }
      } else if (text === 'ITEM: TIME') {
        yield* requireLine(cur, ctx, 'the simulation time');
        f.split(cur.buf, cur.start, cur.end);
        if (f.count < 1) throw new ParseError(file, cur.lineNo, 'the simulation time', 'a blank line');
        time = numAt(0, 'the time', false);
      } else if (text.startsWith('ITEM: ATOMS')) {
        cols = text.split(/\s+/).slice(2);
        break;
      } else {
        throw new ParseError(file, cur.lineNo, first ? '"ITEM: TIMESTEP" (start of a snapshot)' : 'an ITEM line (TIMESTEP, NUMBER OF ATOMS, BOX BOUNDS, ATOMS)', text);
      }
    }
    const atomsLine = cur.lineNo;
    if (n < 0) throw new ParseError(file, atomsLine, '"ITEM: NUMBER OF ATOMS" before the atom rows', text);
    if (timestep === null) throw new ParseError(file, atomsLine, '"ITEM: TIMESTEP" before the atom rows', text);
    const posSet = POSITION_SETS.find((set) => set.every((c) => cols.includes(c)));
    if (!posSet) throw new ParseError(file, atomsLine, 'position columns x y z, xs ys zs, xu yu zu or xsu ysu zsu', text);
    const scaled = posSet[0].includes('s');
    if (scaled && !cell) throw new ParseError(file, atomsLine, '"ITEM: BOX BOUNDS" for scaled coordinates', text);

    // Parse the rows column by column.
    const nc = cols.length;
    const isInt = cols.map((c) => INT_COLUMNS.has(c));
    const elementCol = cols.indexOf('element');
    // Columns grow with the rows read, so a bogus atom count cannot allocate gigabytes.
    let cap = Math.min(n, 1 << 14);
    let data: (Float64Array | Int32Array | null)[] = cols.map((_, k) => (k === elementCol ? null : isInt[k] ? new Int32Array(cap) : new Float64Array(cap)));
    const elements: string[] = [];
    for (let i = 0; i < n; i++) {
      yield* requireLine(cur, ctx, `atom row ${i + 1} of ${n} (NUMBER OF ATOMS)`);
      const got = f.split(cur.buf, cur.start, cur.end);
      if (got !== nc) {
        throw new ParseError(file, cur.lineNo, `${nc} values (${cols.join(' ')})`, got === 0 ? 'a blank line' : `${got} values`, got === 0 || cur.text().startsWith('ITEM') ? 'NUMBER OF ATOMS says more rows than the snapshot has' : undefined);
      }
      if (i === cap) {
        cap = Math.min(n, 2 * cap);
        data = data.map((d) => {
          if (!d) return null;
          const g = d instanceof Int32Array ? new Int32Array(cap) : new Float64Array(cap);
          g.set(d);
          return g;
        });
      }
      for (let k = 0; k < nc; k++) {
        if (k === elementCol) elements.push(bytesToString(cur.buf, f.starts[k], f.ends[k]));
        else data[k]![i] = numAt(k, `column ${cols[k]} of atom row ${i + 1}`, isInt[k]);
      }
    }

    // Sort by id.
    const idCol = cols.indexOf('id');
    let order: Int32Array | null = null;
    if (idCol >= 0) {
      const ids = data[idCol] as Int32Array;
      let sorted = true;
      for (let i = 1; i < n && sorted; i++) sorted = ids[i - 1] <= ids[i];
      if (!sorted) order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => ids[a] - ids[b]);
    }
    const col = (name: string): Float64Array | Int32Array => {
      const src = data[cols.indexOf(name)]!;
      if (!order) return src;
      const out = src instanceof Int32Array ? new Int32Array(n) : new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = src[order[i]];
      return out;
    };
    const vec3 = (names: string[], scale = 1): Float64Array => {
      const [a, b, c] = names.map(col);
      const out = new Float64Array(3 * n);
      for (let i = 0; i < n; i++) {
        out[3 * i] = a[i] * scale;
        out[3 * i + 1] = b[i] * scale;
        out[3 * i + 2] = c[i] * scale;
      }
      return out;
    };

    let pos = vec3(posSet);
    if (scaled) {
      const s = pos;
      const h = cell!;
      pos = new Float64Array(3 * n);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < 3; k++) pos[3 * i + k] = origin[k] + s[3 * i] * h[k] + s[3 * i + 1] * h[3 + k] + s[3 * i + 2] * h[6 + k];
      }
    }

    // Species.
    let symbols: string[];
    if (elementCol >= 0) {
      const el = order ? Array.from(order, (j) => elements[j]) : elements;
      symbols = el.map((e) => {
        const z = atomicNumber(e);
        const s = z > 0 ? symbolOf(z) : symbolFromLabel(e);
        if (!s && !warnedElement) {
          warnedElement = true;
          ctx.warn(atomsLine, `element column value "${e}" is not an element; read as X`);
        }
        return s ?? 'X';
      });
    } else if (cols.includes('type') && ctx.options.species?.length) {
      const sp = ctx.options.species;
      const types = col('type');
      symbols = Array.from(types, (t) => {
        if (t < 1 || t > sp.length) throw new ParseError(file, atomsLine, `atom types 1..${sp.length} (species ${sp.join(' ')})`, `type ${t}`, 'Pass one species per LAMMPS type');
        return sp[t - 1];
      });
    } else {
      symbols = new Array<string>(n).fill('X');
      if (!warnedSpecies) {
        warnedSpecies = true;
        ctx.warn(atomsLine, 'no element column and no species given; atoms read as X. Pass the species in type order, e.g. Cu,Ni');
      }
    }

    // Per-atom columns.
    const velScale = units === 'real' ? 1 : 1 / 1000; // Å/fs
    const forceScale = units === 'real' ? KCAL_PER_MOL_EV : 1;
    const arrays: Record<string, PerAtomArray> = {};
    const used = new Set<string>([...posSet, 'element']);
    let forces: Float64Array | undefined;
    const has = (names: string[]) => names.every((c) => cols.includes(c));
    if (has(['fx', 'fy', 'fz'])) {
      forces = forceScale === 1 ? vec3(['fx', 'fy', 'fz']) : vec3(['fx', 'fy', 'fz'], forceScale);
      ['fx', 'fy', 'fz'].forEach((c) => used.add(c));
    }
    if (has(['vx', 'vy', 'vz'])) {
      const v = vec3(['vx', 'vy', 'vz']);
      for (let i = 0; i < v.length; i++) v[i] *= velScale;
      arrays.velocities = { kind: 'real', width: 3, data: v };
      ['vx', 'vy', 'vz'].forEach((c) => used.add(c));
    }
    if (has(['ix', 'iy', 'iz'])) {
      const [a, b, c] = ['ix', 'iy', 'iz'].map(col);
      const im = new Int32Array(3 * n);
      for (let i = 0; i < n; i++) [im[3 * i], im[3 * i + 1], im[3 * i + 2]] = [a[i], b[i], c[i]];
      arrays.image = { kind: 'int', width: 3, data: im };
      ['ix', 'iy', 'iz'].forEach((c) => used.add(c));
    }
    const rename: Record<string, string> = { q: 'initial_charges', mol: 'mol-id', mass: 'masses' };
    for (const c of cols) {
      if (used.has(c)) continue;
      used.add(c);
      const d = col(c);
      arrays[rename[c] ?? c] = d instanceof Int32Array ? { kind: 'int', width: 1, data: d } : { kind: 'real', width: 1, data: d };
    }

    const frame = makeFrame({ symbols, positionsA: pos, cellA: cell, pbc, forcesEvPerA: forces, arrays });
    frame.info.timestep = timestep;
    frame.info.cell_origin_A = origin;
    if (time !== null) frame.info.time = time;
    if (units !== null) frame.info.units = units;
    if (forces) ctx.noteLabelKey('forces', 'fx fy fz');
    yield frame;
  }
}

function num(x: number): string {
  return String(x === 0 ? 0 : x);
}

/**
 * LAMMPS dump text (metal units): id type element x y z, plus fx fy fz and vx vy vz when the frame
 * has them. The cell is put in LAMMPS form as for data files (see lammpsData.ts).
 */
export function* writeLammpsDump(frames: Iterable<Frame>, _options: WriteOptions = {}): Iterable<string> {
  let index = 0;
  for (const fr of frames) {
    if (!fr.cellA) throw new Error(`frame ${index}: a LAMMPS dump needs a cell; this frame has none`);
    const n = fr.symbols.length;
    const { box, map } = cellToLammps(fr.cellA);
    const [lx, ly, lz, xy, xz, yz] = box;
    const o = fr.info.cell_origin_A;
    let origin = Array.isArray(o) && o.length === 3 && o.every((x) => typeof x === 'number') ? (o as number[]) : [0, 0, 0];
    if (map) origin = Array.from(applyMap(origin, map));
    const pos = map ? applyMap(fr.positionsA, map) : fr.positionsA;
    const forces = fr.forcesEvPerA ? (map ? applyMap(fr.forcesEvPerA, map) : fr.forcesEvPerA) : null;
    const v = fr.arrays.velocities;
    const vel = v && v.kind === 'real' && v.width === 3 ? (map ? applyMap(v.data, map) : v.data) : null;
    const { types, species } = lammpsTypes(fr);
    const flags = fr.pbc.map((p) => (p ? 'pp' : 'ff')).join(' ');
    const ts = typeof fr.info.timestep === 'number' ? fr.info.timestep : index;
    const out = ['ITEM: TIMESTEP', String(ts), 'ITEM: NUMBER OF ATOMS', String(n)];
    const [xlo, ylo, zlo] = origin;
    const [xhi, yhi, zhi] = [xlo + lx, ylo + ly, zlo + lz];
    if (xy !== 0 || xz !== 0 || yz !== 0) {
      out.push(`ITEM: BOX BOUNDS xy xz yz ${flags}`);
      out.push(`${num(xlo + Math.min(0, xy, xz, xy + xz))} ${num(xhi + Math.max(0, xy, xz, xy + xz))} ${num(xy)}`);
      out.push(`${num(ylo + Math.min(0, yz))} ${num(yhi + Math.max(0, yz))} ${num(xz)}`);
      out.push(`${num(zlo)} ${num(zhi)} ${num(yz)}`);
    } else {
      out.push(`ITEM: BOX BOUNDS ${flags}`, `${num(xlo)} ${num(xhi)}`, `${num(ylo)} ${num(yhi)}`, `${num(zlo)} ${num(zhi)}`);
    }
    out.push(`ITEM: ATOMS id type element x y z${forces ? ' fx fy fz' : ''}${vel ? ' vx vy vz' : ''}`);
    for (let i = 0; i < n; i++) {
      let row = `${i + 1} ${types[i]} ${species[types[i] - 1]} ${num(pos[3 * i])} ${num(pos[3 * i + 1])} ${num(pos[3 * i + 2])}`;
      if (forces) row += ` ${num(forces[3 * i])} ${num(forces[3 * i + 1])} ${num(forces[3 * i + 2])}`;
      if (vel) row += ` ${num(vel[3 * i] * 1000)} ${num(vel[3 * i + 1] * 1000)} ${num(vel[3 * i + 2] * 1000)}`;
      out.push(row);
    }
    index++;
    yield out.join('\n') + '\n';
  }
}

function sniffDump(head: string): number {
  if (/^ITEM: TIMESTEP/.test(head.trimStart())) return 0.95;
  return /^ITEM: (ATOMS|BOX BOUNDS|NUMBER OF ATOMS)/m.test(head) ? 0.8 : 0;
}

export const lammpsDumpFormat: FormatSpec = {
  name: 'lammps-dump',
  title: 'LAMMPS text dump',
  extensions: ['dump', 'lammpstrj'],
  multiFrame: true,
  carries: { cell: true, energy: false, forces: true, stress: false },
  sniff: sniffDump,
  read: readDump,
  write: writeLammpsDump,
};
