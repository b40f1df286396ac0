// VASP POSCAR / CONTCAR: one periodic structure. Layout (VASP manual, "POSCAR" page):
//   1 comment | 2 scale | 3-5 lattice vectors a, b, c | [species line, VASP 5] | counts |
//   [Selective dynamics] | Direct/Cartesian | N positions [+ T/F flags] | [blank, velocities] ...
// Scale: one positive factor multiplies lattice and Cartesian positions; a negative value is the
// target cell volume in Å³; three values scale the x, y, z components separately (lattice and
// Cartesian positions). Mode lines are recognised by their first letter (C/K = Cartesian, else
// Direct; S = selective dynamics), as VASP does.
// Species: the VASP 5 line (POTCAR names such as "Fe_pv" or "Fe_pv/a1b2" are cut at "_" or "/");
// for VASP 4 files `ReadOptions.species`, else element symbols found in the comment line, as ASE's
// read_vasp does (ase/io/vasp.py), else a ParseError asking for the species.
// Selective dynamics flags are kept as the bool column `selective_dynamics` [N, 3] with VASP's
// meaning (true = "T" = the coordinate may move; ASE's FixAtoms/FixScaled mark the opposite).
// A CONTCAR velocities block is kept as `velocities` [N, 3] in Å/fs (VASP's unit), Cartesian.
import { atomicNumber, symbolFromLabel, symbolOf } from '../../atoms/elements';
import { type Frame, type PerAtomArray, makeFrame } from '../../atoms/frame';
import { ParseError } from '../errors';
import { Fields, bytesToString, parseFloatBytes, parseIntBytes } from '../fields';
import type { FormatSpec, ReadContext, WriteOptions } from '../format';
import { type LineCursor, type NeedMore, nextLine } from '../lineCursor';

function* requireLine(cur: LineCursor, ctx: ReadContext, expected: string): Generator<NeedMore, void, void> {
  if (!(yield* nextLine(cur))) {
    throw new ParseError(ctx.fileName, cur.lineNo + 1, expected, 'end of file', 'The file appears truncated.');
  }
}

/** Floats of fields [from, from+count) of the current line, or a ParseError naming `what`. */
function floatsOf(cur: LineCursor, ctx: ReadContext, f: Fields, from: number, count: number, what: string): number[] {
  const out: number[] = [];
  if (f.count < from + count) throw new ParseError(ctx.fileName, cur.lineNo, `${count} numbers for ${what}`, cur.text().trim());
  for (let k = from; k < from + count; k++) {
    const v = parseFloatBytes(cur.buf, f.starts[k], f.ends[k]);
    if (!Number.isFinite(v)) {
      throw new ParseError(ctx.fileName, cur.lineNo, `a number for ${what}`, bytesToString(cur.buf, f.starts[k], f.ends[k]));
    }
    out.push(v);
  }
  return out;
}

/** Element symbol of a POTCAR-style species name ("Fe", "Fe_pv", "Fe_sv_GW/1a2b"); null if none. */
export function speciesFromPotcarName(name: string): string | null {
  const base = name.split(/[_/.]/)[0];
  const z = atomicNumber(base);
  if (z > 0) return symbolOf(z);
  return symbolFromLabel(base);
}

/** ASE's VASP 4 convention: element symbols written as words (or formulas) in the comment line. */
export function speciesFromComment(comment: string): string[] {
  const out: string[] = [];
  for (const word of comment.split(/\s+/)) {
    const w = word.replace(/[-_,.=0-9]/g, '');
    if (!w) continue;
    const parts = w.match(/[A-Z][a-z]?/g);
    // Stricter than ASE: the whole word must be element symbols ("POSCAR" is not P, O, S, C).
    if (!parts || parts.join('') !== w || parts.some((p) => atomicNumber(p) <= 0)) continue;
    out.push(...parts);
  }
  return out;
}

function det3(m: ArrayLike<number>): number {
  return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
}

function* readPoscar(cur: LineCursor, ctx: ReadContext): Generator<Frame | NeedMore, void, void> {
  const f = new Fields();
  const file = ctx.fileName;
  if (!(yield* nextLine(cur))) return; // empty file: the driver reports it
  const comment = cur.text().trim();

  // Scale factor(s).
  yield* requireLine(cur, ctx, 'the scale factor (line 2)');
  f.split(cur.buf, cur.start, cur.end);
  const first = floatsOf(cur, ctx, f, 0, 1, 'the scale factor')[0];
  let scale3: number[] | null = null;
  if (f.count >= 3) {
    const b = parseFloatBytes(cur.buf, f.starts[1], f.ends[1]);
    const c = parseFloatBytes(cur.buf, f.starts[2], f.ends[2]);
    if (Number.isFinite(b) && Number.isFinite(c)) scale3 = [first, b, c];
  }
  if (scale3 && scale3.some((s) => s <= 0)) {
    throw new ParseError(file, cur.lineNo, 'three positive scale factors', cur.text().trim(), 'VASP allows a negative (volume) scale only as a single value.');
  }
  if (first === 0) throw new ParseError(file, cur.lineNo, 'a non-zero scale factor', cur.text().trim());
  const scaleLine = cur.lineNo;

  // Lattice vectors (rows).
  const lat = new Float64Array(9);
  for (let i = 0; i < 3; i++) {
    yield* requireLine(cur, ctx, `lattice vector ${'abc'[i]}`);
    f.split(cur.buf, cur.start, cur.end);
    lat.set(floatsOf(cur, ctx, f, 0, 3, `lattice vector ${'abc'[i]}`), 3 * i);
  }

  // Species (VASP 5) and counts.
  yield* requireLine(cur, ctx, 'the species or atom counts line');
  f.split(cur.buf, cur.start, cur.end);
  let speciesNames: string[] | null = null;
  const speciesLine = cur.lineNo;
  if (f.count === 0) throw new ParseError(file, cur.lineNo, 'the species or atom counts line', 'a blank line');
  if (Number.isNaN(parseIntBytes(cur.buf, f.starts[0], f.ends[0]))) {
    speciesNames = [];
    for (let k = 0; k < f.count; k++) {
      const t = bytesToString(cur.buf, f.starts[k], f.ends[k]);
      if (t.startsWith('!') || t.startsWith('#')) break;
      speciesNames.push(t);
    }
    yield* requireLine(cur, ctx, 'the atom counts line');
    f.split(cur.buf, cur.start, cur.end);
  }
  const counts: number[] = [];
  for (let k = 0; k < f.count; k++) {
    const t = bytesToString(cur.buf, f.starts[k], f.ends[k]);
    if (t.startsWith('!') || t.startsWith('#')) break;
    const v = parseIntBytes(cur.buf, f.starts[k], f.ends[k]);
    if (Number.isNaN(v) || v < 0) throw new ParseError(file, cur.lineNo, 'non-negative integer atom counts', t);
    counts.push(v);
  }
  if (counts.length === 0) throw new ParseError(file, cur.lineNo, 'atom counts', cur.text().trim());
  const countsLine = cur.lineNo;

  // Symbols per species.
  let symbolsOfSpecies: string[];
  if (speciesNames) {
    if (speciesNames.length !== counts.length) {
      throw new ParseError(file, countsLine, `${speciesNames.length} atom counts (one per species on line ${speciesLine})`, cur.text().trim());
    }
    symbolsOfSpecies = speciesNames.map((name) => {
      const s = speciesFromPotcarName(name);
      if (!s) throw new ParseError(file, speciesLine, 'element symbols on the species line', name);
      return s;
    });
  } else if (ctx.options.species && ctx.options.species.length > 0) {
    const sp = ctx.options.species;
    if (sp.length < counts.length) {
      throw new ParseError(file, countsLine, `at most ${sp.length} species (given: ${sp.join(' ')})`, `${counts.length} counts`, 'Pass one element per count of this VASP 4 file.');
    }
    symbolsOfSpecies = sp.slice(0, counts.length).map((name) => {
      const s = speciesFromPotcarName(name);
      if (!s) throw new ParseError(file, countsLine, 'element symbols in the species option', name);
      return s;
    });
  } else {
    const fromComment = speciesFromComment(comment);
    if (fromComment.length < counts.length) {
      throw new ParseError(
        file,
        countsLine,
        'a species line (VASP 5) before the atom counts',
        cur.text().trim(),
        `This is a VASP 4 file without element names; pass the species option in order, e.g. ${['Cu', 'Ni', 'O', 'H'].slice(0, counts.length).join(',')}`,
      );
    }
    symbolsOfSpecies = fromComment.slice(0, counts.length);
    ctx.warn(1, `VASP 4 file: species ${symbolsOfSpecies.join(' ')} taken from the comment line (as ASE does); pass the species to override`);
  }

  // Selective dynamics and coordinate mode.
  yield* requireLine(cur, ctx, 'the coordinate mode line (Direct or Cartesian)');
  let modeText = cur.text().trim();
  let selective = false;
  if (/^[sS]/.test(modeText)) {
    selective = true;
    yield* requireLine(cur, ctx, 'the coordinate mode line (Direct or Cartesian)');
    modeText = cur.text().trim();
  }
  const cartesian = /^[cCkK]/.test(modeText);

  // Cell and the factor applied to Cartesian input.
  const axisScale = [1, 1, 1];
  if (scale3) axisScale.splice(0, 3, ...scale3);
  else if (first < 0) {
    const v0 = Math.abs(det3(lat));
    if (v0 === 0) throw new ParseError(file, scaleLine, 'lattice vectors spanning a volume (for the negative scale)', 'a singular lattice');
    const s = Math.cbrt(-first / v0);
    axisScale.fill(s);
  } else axisScale.fill(first);
  const cell = new Float64Array(9);
  for (let i = 0; i < 3; i++) for (let k = 0; k < 3; k++) cell[3 * i + k] = lat[3 * i + k] * axisScale[k];

  // Positions (arrays grow with the lines read, so a bogus count cannot allocate gigabytes).
  const n = counts.reduce((a, b) => a + b, 0);
  const posList: number[] = [];
  const flagList: number[] = [];
  for (let i = 0; i < n; i++) {
    yield* requireLine(cur, ctx, `position of atom ${i + 1} of ${n}`);
    f.split(cur.buf, cur.start, cur.end);
    const p = floatsOf(cur, ctx, f, 0, 3, `the position of atom ${i + 1} of ${n}`);
    if (cartesian) {
      for (let k = 0; k < 3; k++) posList.push(p[k] * axisScale[k]);
    } else {
      for (let k = 0; k < 3; k++) posList.push(p[0] * cell[k] + p[1] * cell[3 + k] + p[2] * cell[6 + k]);
    }
    if (selective) {
      if (f.count < 6) throw new ParseError(file, cur.lineNo, `3 selective-dynamics flags (T/F) after the position of atom ${i + 1}`, cur.text().trim());
      for (let k = 0; k < 3; k++) {
        const c = cur.buf[f.starts[3 + k]] | 32; // lower case
        if (c !== 116 && c !== 102) throw new ParseError(file, cur.lineNo, 'a selective-dynamics flag T or F', bytesToString(cur.buf, f.starts[3 + k], f.ends[3 + k]));
        flagList.push(c === 116 ? 1 : 0);
      }
    }
  }
  const pos = Float64Array.from(posList);
  const flags = selective ? Uint8Array.from(flagList) : null;
  const symbols: string[] = [];
  counts.forEach((c, s) => {
    for (let i = 0; i < c; i++) symbols.push(symbolsOfSpecies[s]);
  });

  const arrays: Record<string, PerAtomArray> = {};
  if (flags) arrays.selective_dynamics = { kind: 'bool', width: 3, data: flags };

  // Optional CONTCAR tail: [lattice velocities block] blank, [mode line], N velocity lines.
  const vel = yield* readVelocities(cur, ctx, f, n, cell, countsLine);
  if (vel) arrays.velocities = { kind: 'real', width: 3, data: vel };

  const frame = makeFrame({ symbols, positionsA: pos, cellA: cell, pbc: [true, true, true], arrays });
  if (comment) frame.info.comment = comment;
  yield frame;
}

function* readVelocities(cur: LineCursor, ctx: ReadContext, f: Fields, n: number, cell: Float64Array, countsLine: number): Generator<NeedMore, Float64Array | null, void> {
  if (!(yield* nextLine(cur))) return null;
  if (!cur.isBlank()) {
    ctx.warn(cur.lineNo, `more lines than the ${n} positions that the counts on line ${countsLine} announce; the rest is ignored`);
    return null;
  }
  // Skip blank lines and a "Lattice velocities and vectors" block (MD with a variable cell).
  for (;;) {
    if (!(yield* nextLine(cur))) return null;
    if (cur.isBlank()) continue;
    if (/^\s*lattice velocities/i.test(cur.text())) {
      for (;;) {
        if (!(yield* nextLine(cur))) return null;
        if (cur.isBlank()) break;
      }
      continue;
    }
    break;
  }
  let direct = false;
  f.split(cur.buf, cur.start, cur.end);
  if (Number.isNaN(parseFloatBytes(cur.buf, f.starts[0], f.ends[0]))) {
    const c = cur.buf[f.starts[0]] | 32;
    direct = !(c === 99 || c === 107); // not C/K: Direct
    if (!(yield* nextLine(cur))) return null;
    f.split(cur.buf, cur.start, cur.end);
  }
  const v = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    if (i > 0) {
      if (!(yield* nextLine(cur))) {
        ctx.warn(cur.lineNo, `velocities block has ${i} of ${n} lines; velocities ignored`);
        return null;
      }
      f.split(cur.buf, cur.start, cur.end);
    }
    let ok = f.count >= 3;
    for (let k = 0; ok && k < 3; k++) {
      const x = parseFloatBytes(cur.buf, f.starts[k], f.ends[k]);
      if (!Number.isFinite(x)) ok = false;
      v[3 * i + k] = x;
    }
    if (!ok) {
      ctx.warn(cur.lineNo, 'text after the positions is not a velocities block of 3 numbers per atom; ignored');
      return null;
    }
  }
  if (!direct) return v; // what follows (predictor-corrector block) is not needed
  const out = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 3; k++) out[3 * i + k] = v[3 * i] * cell[k] + v[3 * i + 1] * cell[3 + k] + v[3 * i + 2] * cell[6 + k];
  }
  return out;
}

/** Shortest text that parses back to the same double, always with a decimal point or exponent. */
function num(x: number): string {
  const s = String(x === 0 ? 0 : x);
  return /^-?\d+$/.test(s) ? s + '.0' : s;
}

function pad(s: string, w: number): string {
  return s.length >= w ? ' ' + s : ' '.repeat(w - s.length) + s;
}

/**
 * One frame as VASP 5 POSCAR text: scale 1.0, species line, counts (consecutive runs, atom order
 * kept), Direct or Cartesian positions with round-trip digits, selective dynamics when the frame has
 * `selective_dynamics`, and a Cartesian velocities block when it has `velocities` (Å/fs).
 */
export function writePoscar(frame: Frame, opts: { direct?: boolean; comment?: string } = {}): string {
  const cell = frame.cellA;
  if (!cell) throw new Error('POSCAR needs a cell: this frame has none (add one, or write extxyz/xyz)');
  const n = frame.symbols.length;
  if (n === 0) throw new Error('POSCAR cannot hold a frame without atoms');
  const runs: [string, number][] = [];
  for (const s of frame.symbols) {
    if (runs.length && runs[runs.length - 1][0] === s) runs[runs.length - 1][1]++;
    else runs.push([s, 1]);
  }
  const comment = (opts.comment ?? (typeof frame.info.comment === 'string' ? frame.info.comment : runs.map(([s, c]) => `${s}${c}`).join(''))).replace(/\n/g, ' ');
  const out: string[] = [comment, '1.0'];
  for (let i = 0; i < 3; i++) out.push([0, 1, 2].map((k) => pad(num(cell[3 * i + k]), 24)).join(''));
  out.push(runs.map(([s]) => pad(s, 5)).join(''));
  out.push(runs.map(([, c]) => pad(String(c), 5)).join(''));
  const sd = frame.arrays.selective_dynamics;
  const flags = sd && sd.kind === 'bool' && sd.width === 3 ? sd.data : null;
  if (flags) out.push('Selective dynamics');
  out.push(opts.direct ? 'Direct' : 'Cartesian');
  let coords = frame.positionsA;
  if (opts.direct) {
    const inv = invert3(cell);
    coords = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) {
      const p = frame.positionsA;
      for (let k = 0; k < 3; k++) coords[3 * i + k] = p[3 * i] * inv[k] + p[3 * i + 1] * inv[3 + k] + p[3 * i + 2] * inv[6 + k];
    }
  }
  for (let i = 0; i < n; i++) {
    let line = [0, 1, 2].map((k) => pad(num(coords[3 * i + k]), 24)).join('');
    if (flags) line += [0, 1, 2].map((k) => (flags[3 * i + k] ? '  T' : '  F')).join('');
    out.push(line);
  }
  const v = frame.arrays.velocities;
  if (v && v.kind === 'real' && v.width === 3) {
    out.push('');
    for (let i = 0; i < n; i++) out.push([0, 1, 2].map((k) => pad(num(v.data[3 * i + k]), 24)).join(''));
  }
  return out.join('\n') + '\n';
}

/** Inverse of a 3x3 row-major matrix (cell rows): r = s·cell  =>  s = r·inv. */
function invert3(m: Float64Array): Float64Array {
  const d = det3(m);
  if (d === 0) throw new Error('the cell is singular (zero volume)');
  const [a, b, c, e, f, g, h, i, j] = m;
  return Float64Array.from([
    (f * j - g * i) / d, (c * i - b * j) / d, (b * g - c * f) / d,
    (g * h - e * j) / d, (a * j - c * h) / d, (c * e - a * g) / d,
    (e * i - f * h) / d, (b * h - a * i) / d, (a * f - b * e) / d,
  ]);
}

function* writeFrames(frames: Iterable<Frame>, options: WriteOptions): Iterable<string> {
  let count = 0;
  for (const fr of frames) {
    if (++count > 1) throw new Error(`POSCAR holds one structure; ${options.fileName ?? 'the output'} got several (write extxyz, or one POSCAR per frame)`);
    yield writePoscar(fr);
  }
}

/** Content sniffer: scale line, three lattice rows, then species or counts. */
function sniffPoscar(head: string): number {
  const lines = head.split(/\r?\n/);
  if (lines.length < 7) return 0;
  const nums = (s: string) => s.trim().split(/\s+/).filter(Boolean).map(Number);
  const scale = nums(lines[1]);
  if (!(scale.length >= 1 && Number.isFinite(scale[0]))) return 0;
  for (let i = 2; i < 5; i++) {
    const v = nums(lines[i]);
    if (v.length < 3 || !v.slice(0, 3).every(Number.isFinite)) return 0;
  }
  const six = lines[5].trim().split(/\s+/);
  const isCounts = (t: string[]) => t.length > 0 && t.every((x) => /^\d+$/.test(x));
  if (isCounts(six)) return 0.6;
  if (six.every((t) => speciesFromPotcarName(t)) && isCounts(lines[6].trim().split(/\s+/))) return 0.8;
  return 0;
}

export const poscarFormat: FormatSpec = {
  name: 'vasp',
  title: 'VASP POSCAR/CONTCAR',
  extensions: ['vasp', 'poscar'],
  baseNames: ['POSCAR', 'CONTCAR'],
  multiFrame: false,
  carries: { cell: true, energy: false, forces: false, stress: false },
  sniff: sniffPoscar,
  read: readPoscar,
  write: writeFrames,
};
