// LAMMPS data reader/writer against files LAMMPS wrote (write_data) and ASE 3.22's reading of them
// (fixtures/io/structures, made by scripts/fixtures/gen_structures.py and lammps_io.in),
// write->read round trips, and malformed files.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cellVolumeA3, makeFrame } from '../../atoms/frame';
import type { ReadOptions } from '../format';
import { readStream, readText } from '../read';
import { cellToLammps, elementFromMass, lammpsDataFormat, writeLammpsData } from './lammpsData';

const DIR = fileURLToPath(new URL('../../../fixtures/io/structures/', import.meta.url));

interface Expected {
  symbols: string[];
  positions: number[];
  cell: number[];
  pbc: boolean[];
  velocities_A_per_fs?: number[];
  image?: number[];
  types: number[];
  masses?: number[];
  charges?: number[];
}

function load(name: string): { bytes: Uint8Array; text: string; frames: Expected[] } {
  const bytes = readFileSync(DIR + name);
  return { bytes, text: bytes.toString(), frames: JSON.parse(readFileSync(DIR + name + '.json', 'utf8')).frames };
}

function readOk(text: string | Uint8Array, opts: ReadOptions = {}) {
  const r = readText(lammpsDataFormat, text, { fileName: 'x.data', ...opts });
  if (!r.ok) throw new Error(r.error.message);
  return r;
}

function readErr(text: string, opts: ReadOptions = {}) {
  const r = readText(lammpsDataFormat, text, { fileName: 'bad.data', ...opts });
  expect(r.ok).toBe(false);
  if (r.ok) throw new Error('unreachable');
  expect(r.error.file).toBe('bad.data');
  expect(r.error.message).not.toMatch(/Internal reader error/);
  return r.error;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-10) {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (Math.abs(actual[i] - expected[i]) > tol) throw new Error(`index ${i}: ${actual[i]} vs ${expected[i]} (tol ${tol})`);
  }
}

describe('LAMMPS data reader matches ASE on files LAMMPS wrote', () => {
  it('triclinic atomic file with image flags and velocities; species guessed from masses', () => {
    const { bytes, frames } = load('triclinic.data');
    const r = readOk(bytes);
    const f = r.frames[0];
    const e = frames[0];
    expect(f.symbols).toEqual(e.symbols);
    expectClose(f.positionsA, e.positions);
    expectClose(f.cellA!, e.cell);
    expect(f.pbc).toEqual([true, true, true]);
    expect(Array.from(f.arrays.id.data as Int32Array)).toEqual(e.types.map((_, i) => i + 1));
    expect(Array.from(f.arrays.type.data as Int32Array)).toEqual(e.types);
    expect(Array.from(f.arrays.image.data as Int32Array)).toEqual(e.image);
    expect(Array.from(f.arrays.image.data as Int32Array).some((x) => x !== 0)).toBe(true);
    expectClose(f.arrays.velocities.data as Float64Array, e.velocities_A_per_fs!, 1e-13);
    expectClose(f.arrays.masses.data as Float64Array, e.masses!, 1e-7); // ASE converts g/mol -> its amu
    expect(f.info.atom_style).toBe('atomic');
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0].message).toMatch(/guessed from masses: 1 -> Al .*2 -> Cu/);
  });

  it('the species option wins (and is checked against the masses)', () => {
    const { bytes, frames } = load('triclinic.data');
    const ok = readOk(bytes, { species: ['Al', 'Cu'] });
    expect(ok.frames[0].symbols).toEqual(frames[0].symbols);
    expect(ok.warnings).toHaveLength(0);
    const swapped = readOk(bytes, { species: ['Cu', 'Al'] });
    expect(swapped.warnings.map((w) => w.line)).toEqual([13, 14]);
  });

  it('charge style in a shifted triclinic box', () => {
    const { bytes, frames } = load('charge.data');
    const f = readOk(bytes).frames[0];
    expect(f.symbols).toEqual(frames[0].symbols);
    expectClose(f.positionsA, frames[0].positions);
    expectClose(f.cellA!, frames[0].cell);
    expect(Array.from(f.arrays.initial_charges.data as Float64Array)).toEqual(frames[0].charges);
    expect(f.info.cell_origin_A).toEqual([0.5, -1, 0]);
  });

  it('streams in small chunks with the same result', async () => {
    const { bytes, frames } = load('triclinic.data');
    const chunks = Array.from({ length: Math.ceil(bytes.length / 17) }, (_, i) => bytes.subarray(17 * i, 17 * i + 17));
    const r = await readStream(lammpsDataFormat, chunks, { fileName: 'x.data' });
    expect(r.ok).toBe(true);
    expectClose(r.frames[0].positionsA, frames[0].positions);
  });

  it('atom style from the option, type labels, element comments on masses', () => {
    const text = 'comment\n\n2 atoms\n2 atom types\n0 4 xlo xhi\n0 4 ylo yhi\n0 4 zlo zhi\n\nMasses\n\n1 1.008 # H\n2 15.999 # O\n\nAtoms\n\n2 2 -0.8 1 1 1\n1 1 0.4 0 0 0\n';
    const r = readOk(text, { atomStyle: 'charge' });
    expect(r.frames[0].symbols).toEqual(['H', 'O']);
    expect(Array.from(r.frames[0].arrays.initial_charges.data as Float64Array)).toEqual([0.4, -0.8]);
    const labelled = text.replace('Masses', 'Atom Type Labels\n\n1 Fe\n2 Ni\n\nMasses').replace('2 2 -0.8', '2 Ni -0.8');
    expect(readOk(labelled, { atomStyle: 'charge' }).frames[0].symbols).toEqual(['Fe', 'Ni']);
    expect(elementFromMass(63.546).symbol).toBe('Cu');
  });
});

describe('LAMMPS data writer', () => {
  it('round trips a LAMMPS file exactly (types, image flags, velocities)', () => {
    const f = readOk(load('triclinic.data').bytes).frames[0];
    const text = writeLammpsData(f);
    expect(text).toMatch(/^1 26.982 # Al$/m);
    const back = readOk(text).frames[0];
    expect(back.symbols).toEqual(f.symbols);
    expect(Array.from(back.positionsA)).toEqual(Array.from(f.positionsA));
    expect(Array.from(back.cellA!)).toEqual(Array.from(f.cellA!));
    expect(back.arrays.image).toEqual(f.arrays.image);
    expect(back.arrays.type).toEqual(f.arrays.type);
    expectClose(back.arrays.velocities.data as Float64Array, f.arrays.velocities.data as Float64Array, 1e-15);
  });

  it('charge style round trip keeps charges and the origin', () => {
    const f = readOk(load('charge.data').bytes).frames[0];
    const back = readOk([...lammpsDataFormat.write!([f], {})].join('')).frames[0];
    expect(back.info.atom_style).toBe('charge');
    expect(Array.from(back.positionsA)).toEqual(Array.from(f.positionsA));
    expect(back.info.cell_origin_A).toEqual([0.5, -1, 0]);
    expect(back.arrays.initial_charges).toEqual(f.arrays.initial_charges);
  });

  it('a general cell is rotated into LAMMPS form, keeping the fractional coordinates', () => {
    const cell = [4.0, 1.0, 0.5, -0.8, 3.9, 0.7, 0.3, -0.6, 5.1];
    const frac = [0.1, 0.2, 0.3, 0.7, 0.6, 0.9];
    const pos = [0, 1].flatMap((i) => [0, 1, 2].map((k) => frac[3 * i] * cell[k] + frac[3 * i + 1] * cell[3 + k] + frac[3 * i + 2] * cell[6 + k]));
    const f = makeFrame({ symbols: ['Cu', 'Ni'], positionsA: pos, cellA: cell });
    const back = readOk(writeLammpsData(f)).frames[0];
    const c = back.cellA!;
    expect([c[1], c[2], c[5]]).toEqual([0, 0, 0]);
    expect(cellVolumeA3(c)).toBeCloseTo(cellVolumeA3(f.cellA), 12);
    const got = [0, 1].flatMap((i) => [0, 1, 2].map((k) => frac[3 * i] * c[k] + frac[3 * i + 1] * c[3 + k] + frac[3 * i + 2] * c[6 + k]));
    expectClose(back.positionsA, got, 1e-12);
    // interatomic distance preserved
    const d = (p: ArrayLike<number>) => Math.hypot(p[0] - p[3], p[1] - p[4], p[2] - p[5]);
    expect(d(back.positionsA)).toBeCloseTo(d(pos), 12);
    expect(() => writeLammpsData(makeFrame({ symbols: ['H'], positionsA: [0, 0, 0], cellA: [1, 0, 0, 0, 0, 1, 0, 1, 0] }))).toThrow(/left-handed/);
    expect(() => writeLammpsData(makeFrame({ symbols: ['H'], positionsA: [0, 0, 0] }))).toThrow(/cell/);
  });

  it('too-large tilts become an equivalent reduced cell (same lattice)', () => {
    const cell = Float64Array.from([4, 0, 0, 3.5, 4, 0, -3.1, 2.9, 5]);
    const { box, reduced } = cellToLammps(cell);
    const [lx, ly, lz, xy, xz, yz] = box;
    expect(reduced).toBe(true);
    expect(Math.abs(xy)).toBeLessThanOrEqual(lx / 2);
    expect(Math.abs(xz)).toBeLessThanOrEqual(lx / 2);
    expect(Math.abs(yz)).toBeLessThanOrEqual(ly / 2);
    // the old vectors are integer combinations of the new ones
    const nb = [lx, 0, 0, xy, ly, 0, xz, yz, lz];
    for (let r = 0; r < 3; r++) {
      const z = cell[3 * r + 2] / lz;
      const y = (cell[3 * r + 1] - z * yz) / ly;
      const x = (cell[3 * r] - y * xy - z * xz) / lx;
      for (const v of [x, y, z]) expect(Math.abs(v - Math.round(v))).toBeLessThan(1e-12);
    }
    expect(nb[0] * nb[4] * nb[8]).toBeCloseTo(cellVolumeA3(cell), 10);
  });

  it('refuses several frames; sniffs data files', () => {
    const f = readOk(load('charge.data').bytes).frames[0];
    expect(() => [...lammpsDataFormat.write!([f, f], {})]).toThrow(/one structure/);
    expect(lammpsDataFormat.sniff!(load('triclinic.data').text)).toBeGreaterThan(0.8);
    expect(lammpsDataFormat.sniff!('ITEM: TIMESTEP\n0\n')).toBe(0);
  });
});

describe('malformed LAMMPS data files give located errors', () => {
  const good = 'comment\n\n2 atoms\n1 atom types\n0 4 xlo xhi\n0 4 ylo yhi\n0 4 zlo zhi\n\nMasses\n\n1 63.546\n\nAtoms # atomic\n\n1 1 0 0 0\n2 1 1.8 1.8 0\n';

  it('truncated Atoms section', () => {
    const e = readErr(good.split('\n').slice(0, 15).join('\n'));
    expect(e.expected).toMatch(/2 lines in the Atoms section/);
    expect(e.found).toBe('1');
  });

  it('garbage in a coordinate and in the header', () => {
    const e = readErr(good.replace('2 1 1.8 1.8 0', '2 1 1.8 abc 0'));
    expect(e.line).toBe(16);
    expect(e.found).toBe('abc');
    expect(readErr(good.replace('0 4 ylo yhi', '0 4x ylo yhi')).line).toBe(6);
  });

  it('wrong counts: more rows than atoms, wrong column count, type out of range', () => {
    expect(readErr(good + '3 1 2 2 2\n').line).toBe(17);
    const cols = readErr(good.replace('2 1 1.8 1.8 0', '2 1 1.8 1.8 0 0'));
    expect(cols.line).toBe(16);
    expect(cols.expected).toMatch(/5 or 8 values/);
    expect(readErr(good.replace('2 1 1.8', '2 3 1.8')).expected).toMatch(/type from 1 to 1/);
  });

  it('an ambiguous atom style asks for the style', () => {
    const e = readErr(good.replace('Atoms # atomic', 'Atoms').replace('1 1 0 0 0', '1 1 0.5 0 0 0').replace('2 1 1.8 1.8 0', '2 1 0.5 1.8 1.8 0'));
    expect(e.line).toBe(15);
    expect(e.hint).toMatch(/atom style/);
  });

  it('missing box and unknown header lines', () => {
    expect(readErr(good.replace('0 4 zlo zhi\n', '')).expected).toMatch(/zlo zhi/);
    expect(readErr(good.replace('1 atom types', '1 atom kinds')).line).toBe(4);
    expect(readErr('comment\n\n').expected).toMatch(/N atoms/);
  });
  it('random corruptions of the fixtures give located errors or frames, never an internal error', () => {
    let seed = 2024;
    const rnd = (m: number) => Math.floor(((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * m);
    const junk = ['', ' ', '\n', 'x', '-', '1', '#', "'", ';', '_', '.', '(', 'ITEM:', 'data_', '1e999', '99999999'];
    for (const name of ['triclinic.data', 'charge.data']) {
      const text = readFileSync(DIR + name, 'utf8');
      for (let t = 0; t < 150; t++) {
        let s = text;
        for (let j = 1 + rnd(3); j > 0; j--) {
          const p = rnd(s.length);
          const op = rnd(4);
          s = op === 0 ? s.slice(0, p) : op === 1 ? s.slice(0, p) + junk[rnd(junk.length)] + s.slice(p + 1) : op === 2 ? s.slice(0, p) + s.slice(p + 1 + rnd(20)) : s.slice(0, p) + junk[rnd(junk.length)] + s.slice(p);
        }
        const r = readText(lammpsDataFormat, s, { fileName: name, species: ['Cu', 'Ni'] });
        if (!r.ok) expect(r.error.message).not.toMatch(/Internal reader error/);
        else for (const f of r.frames) expect(f.positionsA.every(Number.isFinite)).toBe(true);
      }
    }
  });
});
