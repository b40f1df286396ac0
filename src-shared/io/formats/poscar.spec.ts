// POSCAR reader/writer against ASE 3.22 (fixtures/io/structures, made by
// scripts/fixtures/gen_structures.py), write->read round trips, and malformed files.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeFrame, type Frame } from '../../atoms/frame';
import type { ReadOptions } from '../format';
import { readStream, readText } from '../read';
import { poscarFormat, speciesFromComment, writePoscar } from './poscar';

const DIR = fileURLToPath(new URL('../../../fixtures/io/structures/', import.meta.url));

interface Expected {
  symbols: string[];
  positions: number[];
  cell: number[] | null;
  pbc: boolean[];
  selective_dynamics?: boolean[];
  velocities_A_per_fs?: number[];
}

function load(name: string): { bytes: Uint8Array; frames: Expected[]; species?: string[] } {
  const doc = JSON.parse(readFileSync(DIR + name + '.json', 'utf8'));
  return { bytes: readFileSync(DIR + name), frames: doc.frames, species: doc.species };
}

function readOk(text: string | Uint8Array, opts: ReadOptions = {}, fileName = 'POSCAR') {
  const r = readText(poscarFormat, text, { fileName, ...opts });
  if (!r.ok) throw new Error(r.error.message);
  return r;
}

function readErr(text: string, opts: ReadOptions = {}) {
  const r = readText(poscarFormat, text, { fileName: 'bad/POSCAR', ...opts });
  expect(r.ok).toBe(false);
  if (r.ok) throw new Error('unreachable');
  expect(r.error.file).toBe('bad/POSCAR');
  expect(r.error.message).not.toMatch(/Internal reader error/);
  return r.error;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-10) {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (Math.abs(actual[i] - expected[i]) > tol) {
      throw new Error(`index ${i}: ${actual[i]} vs ${expected[i]} (tol ${tol})`);
    }
  }
}

function expectFrame(f: Frame, e: Expected, tol = 1e-10) {
  expect(f.symbols).toEqual(e.symbols);
  expectClose(f.positionsA, e.positions, tol);
  expect(f.cellA).not.toBeNull();
  expectClose(f.cellA!, e.cell!, tol);
  expect(f.pbc).toEqual(e.pbc);
}

describe('POSCAR reader matches ASE', () => {
  for (const name of ['POSCAR_vasp5_direct', 'POSCAR_cartesian', 'POSCAR_negative_scale', 'POSCAR_three_scales', 'POSCAR_vasp4_comment']) {
    it(name, () => {
      const { bytes, frames } = load(name);
      const r = readOk(bytes, {}, name);
      expect(r.frames).toHaveLength(1);
      expectFrame(r.frames[0], frames[0]);
    });
  }

  it('takes VASP 4 species from the comment line with a warning', () => {
    const r = readOk(load('POSCAR_vasp4_comment').bytes);
    expect(r.warnings[0].message).toMatch(/comment line/);
    expect(speciesFromComment('Ag Ge test structure')).toEqual(['Ag', 'Ge']);
    expect(speciesFromComment('POSCAR of NaCl2, run-3')).toEqual(['Na', 'Cl']);
  });

  it('VASP 4 without species: a located error naming the fix, and the species option', () => {
    const { bytes, frames, species } = load('POSCAR_vasp4_nospecies');
    const r = readText(poscarFormat, bytes, { fileName: 'POSCAR' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.line).toBe(6);
      expect(r.error.hint).toMatch(/species/);
    }
    expectFrame(readOk(bytes, { species }).frames[0], frames[0]);
  });

  it('selective dynamics flags (true = T = free), as ASE constraints say', () => {
    const { bytes, frames } = load('POSCAR_selective');
    const f = readOk(bytes).frames[0];
    expectFrame(f, frames[0]);
    const sd = f.arrays.selective_dynamics;
    expect(sd.kind).toBe('bool');
    expect(Array.from(sd.data as Uint8Array, Boolean)).toEqual(frames[0].selective_dynamics);
  });

  it('CONTCAR velocities block is kept in Å/fs', () => {
    const { bytes, frames } = load('CONTCAR_velocities');
    const r = readOk(bytes);
    expectFrame(r.frames[0], frames[0]);
    expectClose(r.frames[0].arrays.velocities.data as Float64Array, frames[0].velocities_A_per_fs!, 1e-15);
    expect(r.warnings).toHaveLength(0);
  });

  it('streams in small chunks with the same result', async () => {
    const { bytes, frames } = load('POSCAR_selective');
    const chunks = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) => bytes.subarray(7 * i, 7 * i + 7));
    const r = await readStream(poscarFormat, chunks, { fileName: 'POSCAR' });
    expect(r.ok).toBe(true);
    expectFrame(r.frames[0], frames[0]);
  });

  it('POTCAR-style species names', () => {
    const text = 'x\n1\n3 0 0\n0 3 0\n0 0 3\nFe_pv O_s/1a2b\n1 1\nDirect\n0 0 0\n0.5 0.5 0.5\n';
    expect(readOk(text).frames[0].symbols).toEqual(['Fe', 'O']);
  });
});

describe('POSCAR writer round trips', () => {
  const frame = makeFrame({
    symbols: ['Si', 'Si', 'O', 'Si'],
    positionsA: [0.1, 0.2, 0.3, 1.234567890123456, 2.5, -0.1, 3.3, 1e-7, 4.75, 1 / 3, 2 / 3, 0.999999999999],
    cellA: [5.1, 0, 0, 0.7, 4.9, 0, -0.4, 0.3, 6.2],
    info: { comment: 'round trip' },
    arrays: {
      selective_dynamics: { kind: 'bool', width: 3, data: Uint8Array.from([1, 1, 1, 0, 0, 0, 1, 0, 1, 0, 1, 0]) },
      velocities: { kind: 'real', width: 3, data: Float64Array.from([1e-3, -2e-3, 0, 0.5, 0.25, 1 / 7, 0, 0, 0, 1, 2, 3]) },
    },
  });

  it('Cartesian is bit-exact (runs of species keep atom order)', () => {
    const text = writePoscar(frame);
    expect(text.split('\n')[5].trim().split(/\s+/)).toEqual(['Si', 'O', 'Si']);
    const back = readOk(text).frames[0];
    expect(back.symbols).toEqual(frame.symbols);
    expect(Array.from(back.positionsA)).toEqual(Array.from(frame.positionsA));
    expect(Array.from(back.cellA!)).toEqual(Array.from(frame.cellA!));
    expect(back.arrays.selective_dynamics).toEqual(frame.arrays.selective_dynamics);
    expect(Array.from(back.arrays.velocities.data as Float64Array)).toEqual(Array.from(frame.arrays.velocities.data as Float64Array));
    expect(back.info.comment).toBe('round trip');
  });

  it('Direct to 1e-14', () => {
    const back = readOk(writePoscar(frame, { direct: true })).frames[0];
    expectClose(back.positionsA, frame.positionsA, 1e-14);
  });

  it('the registry writer refuses several frames and frames without a cell', () => {
    expect(() => [...poscarFormat.write!([frame, frame], { fileName: 'POSCAR' })]).toThrow(/one structure/);
    const noCell = makeFrame({ symbols: ['H'], positionsA: [0, 0, 0] });
    expect(() => [...poscarFormat.write!([noCell], {})]).toThrow(/cell/);
  });

  it('sniffs POSCAR text', () => {
    expect(poscarFormat.sniff!(writePoscar(frame))).toBeGreaterThan(0.5);
    expect(poscarFormat.sniff!('3\ncomment\nH 0 0 0\n')).toBe(0);
  });
});

describe('malformed POSCAR files give located errors', () => {
  const good = 'x\n1.0\n3 0 0\n0 3 0\n0 0 3\nCu Ni\n1 1\nDirect\n0 0 0\n0.5 0.5 0.5\n';

  it('truncated positions', () => {
    const e = readErr(good.split('\n').slice(0, 9).join('\n'));
    expect(e.line).toBe(10);
    expect(e.expected).toMatch(/position of atom 2 of 2/);
  });

  it('truncated lattice', () => {
    const e = readErr('x\n1.0\n3 0 0\n0 3\n');
    expect(e.line).toBe(4);
    expect(e.expected).toMatch(/lattice vector b/);
  });

  it('garbage in a coordinate', () => {
    const e = readErr(good.replace('0.5 0.5 0.5', '0.5 abc 0.5'));
    expect(e.line).toBe(10);
    expect(e.found).toBe('abc');
  });

  it('garbage scale factor', () => {
    const e = readErr(good.replace('1.0', 'one'));
    expect(e.line).toBe(2);
    expect(e.expected).toMatch(/scale/);
  });

  it('species and counts disagree', () => {
    const e = readErr(good.replace('1 1', '1 1 1'));
    expect(e.line).toBe(7);
    expect(e.expected).toMatch(/2 atom counts/);
  });

  it('counts larger than the number of position lines', () => {
    const e = readErr(good.replace('1 1', '1 2'));
    expect(e.expected).toMatch(/atom 3 of 3/);
  });

  it('extra position lines are a warning, not silent', () => {
    const r = readOk(good + '0.1 0.1 0.1\n');
    expect(r.warnings[0].line).toBe(11);
  });

  it('missing selective-dynamics flags', () => {
    const e = readErr(good.replace('Direct', 'Selective dynamics\nDirect'));
    expect(e.line).toBe(10);
    expect(e.expected).toMatch(/flags/);
  });

  it('unknown species', () => {
    const e = readErr(good.replace('Cu Ni', 'Cu Qq'));
    expect(e.line).toBe(6);
  });
  it('random corruptions of the fixtures give located errors or frames, never an internal error', () => {
    let seed = 2024;
    const rnd = (m: number) => Math.floor(((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * m);
    const junk = ['', ' ', '\n', 'x', '-', '1', '#', "'", ';', '_', '.', '(', 'ITEM:', 'data_', '1e999', '99999999'];
    for (const name of ['POSCAR_vasp5_direct', 'POSCAR_selective', 'CONTCAR_velocities']) {
      const text = readFileSync(DIR + name, 'utf8');
      for (let t = 0; t < 150; t++) {
        let s = text;
        for (let j = 1 + rnd(3); j > 0; j--) {
          const p = rnd(s.length);
          const op = rnd(4);
          s = op === 0 ? s.slice(0, p) : op === 1 ? s.slice(0, p) + junk[rnd(junk.length)] + s.slice(p + 1) : op === 2 ? s.slice(0, p) + s.slice(p + 1 + rnd(20)) : s.slice(0, p) + junk[rnd(junk.length)] + s.slice(p);
        }
        const r = readText(poscarFormat, s, { fileName: name, species: ['Cu', 'Ni'] });
        if (!r.ok) expect(r.error.message).not.toMatch(/Internal reader error/);
        else for (const f of r.frames) expect(f.positionsA.every(Number.isFinite)).toBe(true);
      }
    }
  });
});
