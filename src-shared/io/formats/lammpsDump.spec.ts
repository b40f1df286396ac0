// LAMMPS dump reader/writer against dumps LAMMPS wrote during EAM MD (orthogonal and triclinic,
// rows out of id order) and ASE 3.22's reading of them (fixtures/io/structures, made by
// scripts/fixtures/gen_structures.py and lammps_io.in), round trips, and malformed files.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ReadOptions } from '../format';
import { readStream, readText } from '../read';
import { lammpsDumpFormat, writeLammpsDump } from './lammpsDump';

const DIR = fileURLToPath(new URL('../../../fixtures/io/structures/', import.meta.url));

interface Expected {
  symbols: string[];
  positions: number[];
  cell: number[];
  pbc: boolean[];
  forces: number[];
  celldisp: number[];
  timestep: number;
  types: number[];
  velocities_A_per_fs?: number[];
  image?: number[];
  c_pe?: number[];
}

function load(name: string): { bytes: Uint8Array; text: string; frames: Expected[] } {
  const bytes = readFileSync(DIR + name);
  return { bytes, text: bytes.toString(), frames: JSON.parse(readFileSync(DIR + name + '.json', 'utf8')).frames };
}

function readOk(text: string | Uint8Array, opts: ReadOptions = {}) {
  const r = readText(lammpsDumpFormat, text, { fileName: 'x.lammpstrj', ...opts });
  if (!r.ok) throw new Error(r.error.message);
  return r;
}

function readErr(text: string) {
  const r = readText(lammpsDumpFormat, text, { fileName: 'bad.lammpstrj' });
  expect(r.ok).toBe(false);
  if (r.ok) throw new Error('unreachable');
  expect(r.error.file).toBe('bad.lammpstrj');
  expect(r.error.message).not.toMatch(/Internal reader error/);
  return r.error;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-10) {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (Math.abs(actual[i] - expected[i]) > tol) throw new Error(`index ${i}: ${actual[i]} vs ${expected[i]} (tol ${tol})`);
  }
}

/** The dump text without some columns of "ITEM: ATOMS". */
function dropColumns(text: string, drop: string[]): string {
  let keep: boolean[] | null = null;
  return text
    .split('\n')
    .map((line) => {
      if (line.startsWith('ITEM: ATOMS')) {
        const cols = line.split(/\s+/).slice(2);
        keep = cols.map((c) => !drop.includes(c));
        return 'ITEM: ATOMS ' + cols.filter((_, k) => keep![k]).join(' ');
      }
      if (line.startsWith('ITEM:')) keep = null;
      if (!keep || !line.trim()) return line;
      return line.trim().split(/\s+/).filter((_, k) => keep![k]).join(' ');
    })
    .join('\n');
}

describe('LAMMPS dump reader matches ASE', () => {
  for (const name of ['ortho.lammpstrj', 'triclinic.lammpstrj']) {
    it(`${name}: every frame, sorted by id`, () => {
      const { bytes, frames } = load(name);
      const r = readOk(bytes);
      expect(r.frames).toHaveLength(frames.length);
      expect(r.labelKeys.forces).toEqual({ 'fx fy fz': frames.length });
      r.frames.forEach((f, i) => {
        const e = frames[i];
        expect(f.symbols).toEqual(e.symbols);
        expectClose(f.positionsA, e.positions);
        expectClose(f.cellA!, e.cell);
        expectClose(f.forcesEvPerA!, e.forces);
        expect(f.pbc).toEqual(e.pbc);
        expect(f.info.timestep).toBe(e.timestep);
        expectClose(f.info.cell_origin_A as number[], e.celldisp);
        expect(Array.from(f.arrays.type.data as Int32Array)).toEqual(e.types);
        expect(Array.from(f.arrays.id.data as Int32Array)).toEqual(e.types.map((_, k) => k + 1));
        if (e.velocities_A_per_fs) {
          expectClose(f.arrays.velocities.data as Float64Array, e.velocities_A_per_fs, 1e-13);
          expect(Array.from(f.arrays.image.data as Int32Array)).toEqual(e.image);
          expect(Array.from(f.arrays.c_pe.data as Float64Array)).toEqual(e.c_pe);
        }
      });
    });
  }

  it('triclinic: scaled coordinates through the bounding-box conversion give LAMMPS x y z', () => {
    const { text, frames } = load('triclinic.lammpstrj');
    expect(text).toMatch(/BOX BOUNDS xy xz yz pp pp pp/);
    const r = readOk(dropColumns(text, ['x', 'y', 'z']));
    r.frames.forEach((f, i) => expectClose(f.positionsA, frames[i].positions, 1e-12));
  });

  it('species from the option by type, else X with one warning', () => {
    const { text, frames } = load('ortho.lammpstrj');
    const noElement = dropColumns(text, ['element']);
    const withSpecies = readOk(noElement, { species: ['Al', 'Cu'] });
    expect(withSpecies.frames[2].symbols).toEqual(frames[2].symbols);
    const bare = readOk(noElement);
    expect(bare.frames[0].symbols.every((s) => s === 'X')).toBe(true);
    expect(bare.warnings).toHaveLength(1);
    expect(bare.warnings[0].message).toMatch(/species/);
    const r = readText(lammpsDumpFormat, noElement, { fileName: 'x.dump', species: ['Al'] });
    expect(r.ok).toBe(false);
  });

  it('streams in small chunks with the same result', async () => {
    const { bytes, frames } = load('triclinic.lammpstrj');
    const chunks = Array.from({ length: Math.ceil(bytes.length / 100) }, (_, i) => bytes.subarray(100 * i, 100 * i + 100));
    const r = await readStream(lammpsDumpFormat, chunks, { fileName: 'x.lammpstrj' });
    expect(r.ok).toBe(true);
    expect(r.frames).toHaveLength(3);
    expectClose(r.frames[2].forcesEvPerA!, frames[2].forces);
  });

  it('units real converts forces; units and time go to info', () => {
    // LAMMPS order: UNITS once before the first snapshot, TIME before each TIMESTEP.
    const snap = (t: number) => `ITEM: TIME\n${t / 2}\nITEM: TIMESTEP\n${t}\nITEM: NUMBER OF ATOMS\n1\nITEM: BOX BOUNDS pp pp ff\n0 10\n0 10\n-5 5\nITEM: ATOMS id type x y z fx fy fz vx\n1 1 1 2 3 1 0 0 0.5\n`;
    const frames = readOk('ITEM: UNITS\nreal\n' + snap(25) + snap(30)).frames;
    const f = frames[0];
    expect(frames[1].info).toMatchObject({ units: 'real', time: 15, timestep: 30 });
    expect(f.forcesEvPerA![0]).toBeCloseTo(0.0433641, 6);
    expect(f.info).toMatchObject({ units: 'real', time: 12.5, timestep: 25 });
    expect(f.pbc).toEqual([true, true, false]);
    expect(Array.from(f.arrays.vx.data as Float64Array)).toEqual([0.5]);
  });
});

describe('LAMMPS dump writer round trips', () => {
  for (const name of ['ortho.lammpstrj', 'triclinic.lammpstrj']) {
    it(name, () => {
      const frames = readOk(load(name).bytes).frames;
      const back = readOk([...writeLammpsDump(frames)].join('')).frames;
      expect(back).toHaveLength(frames.length);
      back.forEach((f, i) => {
        expect(f.symbols).toEqual(frames[i].symbols);
        expect(Array.from(f.positionsA)).toEqual(Array.from(frames[i].positionsA));
        expect(Array.from(f.forcesEvPerA!)).toEqual(Array.from(frames[i].forcesEvPerA!));
        expectClose(f.cellA!, frames[i].cellA!, 1e-14);
        expect(f.info.timestep).toBe(frames[i].info.timestep);
        if (frames[i].arrays.velocities) expectClose(f.arrays.velocities.data as Float64Array, frames[i].arrays.velocities.data as Float64Array, 1e-15);
      });
    });
  }

  it('sniffs dumps', () => {
    expect(lammpsDumpFormat.sniff!(load('ortho.lammpstrj').text.slice(0, 4096))).toBeGreaterThan(0.9);
    expect(lammpsDumpFormat.sniff!('data_x\n')).toBe(0);
  });
});

describe('malformed LAMMPS dumps give located errors', () => {
  const good = 'ITEM: TIMESTEP\n0\nITEM: NUMBER OF ATOMS\n2\nITEM: BOX BOUNDS pp pp pp\n0 4\n0 4\n0 4\nITEM: ATOMS id type x y z\n2 1 1 1 1\n1 1 0 0 0\n';

  it('truncated rows', () => {
    const e = readErr(good.split('\n').slice(0, 10).join('\n'));
    expect(e.line).toBe(11);
    expect(e.expected).toMatch(/atom row 2 of 2/);
  });

  it('truncated box', () => {
    const e = readErr(good.split('\n').slice(0, 7).join('\n'));
    expect(e.expected).toMatch(/box bounds for z/);
  });

  it('garbage in a numeric field', () => {
    const e = readErr(good.replace('1 1 0 0 0', '1 1 0 zz 0'));
    expect(e.line).toBe(11);
    expect(e.found).toBe('zz');
    expect(e.expected).toMatch(/column y/);
  });

  it('NUMBER OF ATOMS larger than the rows', () => {
    const e = readErr(good.replace('ITEM: NUMBER OF ATOMS\n2', 'ITEM: NUMBER OF ATOMS\n3') + good);
    expect(e.line).toBe(12);
    expect(e.hint).toMatch(/NUMBER OF ATOMS/);
  });

  it('a row with a missing value, no positions, junk between snapshots', () => {
    expect(readErr(good.replace('2 1 1 1 1', '2 1 1 1')).line).toBe(10);
    expect(readErr(good.replace('id type x y z', 'id type q')).expected).toMatch(/position columns/);
    expect(readErr(good + 'hello\n').line).toBe(12);
  });
  it('random corruptions of the fixtures give located errors or frames, never an internal error', () => {
    let seed = 2024;
    const rnd = (m: number) => Math.floor(((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * m);
    const junk = ['', ' ', '\n', 'x', '-', '1', '#', "'", ';', '_', '.', '(', 'ITEM:', 'data_', '1e999', '99999999'];
    for (const name of ['triclinic.lammpstrj']) {
      const text = readFileSync(DIR + name, 'utf8');
      for (let t = 0; t < 150; t++) {
        let s = text;
        for (let j = 1 + rnd(3); j > 0; j--) {
          const p = rnd(s.length);
          const op = rnd(4);
          s = op === 0 ? s.slice(0, p) : op === 1 ? s.slice(0, p) + junk[rnd(junk.length)] + s.slice(p + 1) : op === 2 ? s.slice(0, p) + s.slice(p + 1 + rnd(20)) : s.slice(0, p) + junk[rnd(junk.length)] + s.slice(p);
        }
        const r = readText(lammpsDumpFormat, s, { fileName: name, species: ['Cu', 'Ni'] });
        if (!r.ok) expect(r.error.message).not.toMatch(/Internal reader error/);
        else for (const f of r.frames) expect(f.positionsA.every(Number.isFinite)).toBe(true);
      }
    }
  });
});
