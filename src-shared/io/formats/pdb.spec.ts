// PDB reader/writer against ASE 3.22 (fixtures/io/structures, made by
// scripts/fixtures/gen_structures.py), write->read round trips, and malformed files.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeFrame } from '../../atoms/frame';
import { readStream, readText } from '../read';
import { cellToCellpar } from './cif';
import { pdbElement, pdbFormat, writePdb } from './pdb';

const DIR = fileURLToPath(new URL('../../../fixtures/io/structures/', import.meta.url));

interface Expected {
  symbols: string[];
  positions: number[];
  cell: number[] | null;
  pbc: boolean[];
  occupancy?: number[];
  bfactor?: number[];
  residuenames?: string[];
  atomtypes?: string[];
  residuenumbers?: number[];
}

function load(name: string): { bytes: Uint8Array; frames: Expected[] } {
  return { bytes: readFileSync(DIR + name), frames: JSON.parse(readFileSync(DIR + name + '.json', 'utf8')).frames };
}

function readOk(text: string | Uint8Array) {
  const r = readText(pdbFormat, text, { fileName: 'x.pdb' });
  if (!r.ok) throw new Error(r.error.message);
  return r;
}

function readErr(text: string) {
  const r = readText(pdbFormat, text, { fileName: 'bad.pdb' });
  expect(r.ok).toBe(false);
  if (r.ok) throw new Error('unreachable');
  expect(r.error.file).toBe('bad.pdb');
  expect(r.error.message).not.toMatch(/Internal reader error/);
  return r.error;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-10) {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (Math.abs(actual[i] - expected[i]) > tol) throw new Error(`index ${i}: ${actual[i]} vs ${expected[i]} (tol ${tol})`);
  }
}

describe('PDB reader matches ASE', () => {
  it('MODEL/ENDMDL frames written by ASE; the CRYST1 cell is kept for every model', () => {
    const { bytes, frames } = load('ase_multimodel.pdb');
    const r = readOk(bytes);
    expect(r.frames).toHaveLength(3);
    r.frames.forEach((f, i) => {
      expect(f.symbols).toEqual(frames[i].symbols);
      expectClose(f.positionsA, frames[i].positions);
      expectClose(f.cellA!, frames[0].cell!); // ASE 3.22 drops it after the first model
      expect(f.pbc).toEqual([true, true, true]);
      expect(f.info.model).toBe(i + 1);
    });
  });

  it('hand-made file: elements from columns 77-78 or names, per-atom columns', () => {
    const { bytes, frames } = load('handmade.pdb');
    const r = readOk(bytes);
    expect(r.frames).toHaveLength(1);
    const f = r.frames[0];
    const e = frames[0];
    expect(f.symbols).toEqual(e.symbols);
    expectClose(f.positionsA, e.positions);
    expectClose(f.cellA!, e.cell!);
    expect(Array.from(f.arrays.occupancy.data as Float64Array)).toEqual(e.occupancy);
    expect(Array.from(f.arrays.bfactor.data as Float64Array)).toEqual(e.bfactor);
    expect(f.arrays.residuenames.data).toEqual(e.residuenames!.map((s) => s.trim()));
    expect(f.arrays.atomtypes.data).toEqual(e.atomtypes);
    expect(Array.from(f.arrays.residuenumbers.data as Int32Array)).toEqual(e.residuenumbers);
  });

  it('streams in small chunks with the same result', async () => {
    const { bytes, frames } = load('ase_multimodel.pdb');
    const chunks = Array.from({ length: Math.ceil(bytes.length / 13) }, (_, i) => bytes.subarray(13 * i, 13 * i + 13));
    const r = await readStream(pdbFormat, chunks, { fileName: 'x.pdb' });
    expect(r.ok).toBe(true);
    expect(r.frames).toHaveLength(3);
    expectClose(r.frames[2].positionsA, frames[2].positions);
  });

  it('element from the atom name follows the PDB alignment rule', () => {
    const atom = (name: string, elem = '') => `ATOM      1 ${name} GLY A   1       1.000   2.000   3.000  1.00  0.00          ${elem}`;
    expect(pdbElement(atom(' CA '))).toBe('C'); // C-alpha (ASE 3.22 says Ca)
    expect(pdbElement(atom('CA  '))).toBe('Ca'); // calcium
    expect(pdbElement(atom('1HB '))).toBe('H');
    expect(pdbElement(atom('  Cu'))).toBe('Cu'); // as ASE writes names
    expect(pdbElement(atom(' Cu '))).toBe('Cu');
    expect(pdbElement(atom('OW  '))).toBe('O');
    expect(pdbElement(atom(' CA ', 'CA'))).toBe('Ca'); // the element column wins
  });

  it('the unit-cube CRYST1 placeholder means no cell', () => {
    const r = readOk('CRYST1    1.000    1.000    1.000  90.00  90.00  90.00 P 1           1\nATOM      1  O   HOH A   1       1.000   2.000   3.000  1.00  0.00           O\n');
    expect(r.frames[0].cellA).toBeNull();
    expect(r.frames[0].pbc).toEqual([false, false, false]);
    expect(r.warnings[0].line).toBe(1);
  });
});

describe('PDB writer round trips', () => {
  const frame = makeFrame({
    symbols: ['O', 'H', 'H', 'Cu'],
    positionsA: [1.0, 1.0, 1.0, 1.957, 1.2, 1.0, 0.8, 1.8, 1.3, 3.21, 4.56, -0.5],
    cellA: [6.0, 0, 0, 0, 5.5, 0, 0, 0, 7.0],
  });

  it('positions, cell and symbols to the 3 decimals PDB keeps', () => {
    const moved = makeFrame({ ...frame, positionsA: frame.positionsA.map((x) => x + 0.25), cellA: frame.cellA });
    const text = [...writePdb([frame, moved])].join('');
    expect(text.match(/^CRYST1/gm)).toHaveLength(1);
    const back = readOk(text).frames;
    expect(back).toHaveLength(2);
    expect(back[0].symbols).toEqual(frame.symbols);
    expectClose(back[1].positionsA, moved.positionsA, 5e-4);
    expectClose(back[1].cellA!, frame.cellA!, 5e-4);
  });

  it('a general cell is rotated into the CRYST1 orientation (cell parameters and fractions kept)', () => {
    const c = Math.cos(0.4);
    const s = Math.sin(0.4);
    const rot = (v: ArrayLike<number>) => Float64Array.from({ length: v.length }, (_, i) => (i % 3 === 0 ? v[i] : i % 3 === 1 ? c * v[i] - s * v[i + 1] : s * v[i - 1] + c * v[i]));
    const tilted = makeFrame({ symbols: frame.symbols, positionsA: rot(frame.positionsA), cellA: rot(frame.cellA!) });
    const back = readOk([...pdbFormat.write!([tilted], {})].join('')).frames[0];
    expectClose(cellToCellpar(back.cellA!), cellToCellpar(frame.cellA!), 5e-3);
    expectClose(back.positionsA, frame.positionsA, 1e-3);
  });

  it('per-atom columns survive, a too-large coordinate is refused', () => {
    const r = readOk(load('handmade.pdb').bytes).frames[0];
    const back = readOk([...writePdb([r])].join('')).frames[0];
    expect(back.symbols).toEqual(r.symbols);
    expect(back.arrays.atomtypes.data).toEqual(r.arrays.atomtypes.data);
    expect(back.arrays.residuenames.data).toEqual(r.arrays.residuenames.data);
    expect(Array.from(back.arrays.bfactor.data as Float64Array)).toEqual(Array.from(r.arrays.bfactor.data as Float64Array));
    const far = makeFrame({ symbols: ['H'], positionsA: [12345.6, 0, 0] });
    expect(() => [...writePdb([far])]).toThrow(/does not fit/);
  });

  it('sniffs PDB text', () => {
    expect(pdbFormat.sniff!([...writePdb([frame])].join(''))).toBeGreaterThan(0.8);
    expect(pdbFormat.sniff!('data_x\n_cell_length_a 3\n')).toBe(0);
  });
});

describe('malformed PDB files give located errors', () => {
  const good =
    'CRYST1   10.000   10.000   10.000  90.00  90.00  90.00 P 1\nMODEL     1\nATOM      1  O   HOH A   1       1.000   2.000   3.000  1.00  0.00           O\nATOM      2  H   HOH A   1       1.500   2.000   3.000  1.00  0.00           H\nENDMDL\n';

  it('truncated ATOM line', () => {
    const e = readErr(good.replace('1.500   2.000   3.000  1.00  0.00           H', '1.500   2.000'));
    expect(e.line).toBe(4);
    expect(e.expected).toMatch(/z coordinate/);
    expect(e.found).toMatch(/too short/);
  });

  it('garbage in a coordinate', () => {
    const e = readErr(good.replace('   1.000   2.000', '   1.0x0   2.000'));
    expect(e.line).toBe(3);
    expect(e.found).toBe('1.0x0');
  });

  it('garbage in CRYST1', () => {
    const e = readErr(good.replace('   10.000   10.000   10.000', '   10.000   ab.000   10.000'));
    expect(e.line).toBe(1);
    expect(e.expected).toMatch(/cell length b/);
  });

  it('an impossible cell', () => {
    const e = readErr(good.replace('90.00  90.00  90.00', '10.00  10.00 170.00'));
    expect(e.line).toBe(1);
  });

  it('a file with no atoms is an error from the driver', () => {
    const r = readText(pdbFormat, 'HEADER    NOTHING\nEND\n', { fileName: 'bad.pdb' });
    expect(r.ok).toBe(false);
  });

  it('a missing ENDMDL is a warning', () => {
    const r = readOk(good.replace('ENDMDL\n', '') + good.split('\n').slice(1).join('\n'));
    expect(r.frames).toHaveLength(2);
    expect(r.warnings.some((w) => /MODEL before the ENDMDL/.test(w.message))).toBe(true);
  });
  it('random corruptions of the fixtures give located errors or frames, never an internal error', () => {
    let seed = 2024;
    const rnd = (m: number) => Math.floor(((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * m);
    const junk = ['', ' ', '\n', 'x', '-', '1', '#', "'", ';', '_', '.', '(', 'ITEM:', 'data_', '1e999', '99999999'];
    for (const name of ['handmade.pdb', 'ase_multimodel.pdb']) {
      const text = readFileSync(DIR + name, 'utf8');
      for (let t = 0; t < 150; t++) {
        let s = text;
        for (let j = 1 + rnd(3); j > 0; j--) {
          const p = rnd(s.length);
          const op = rnd(4);
          s = op === 0 ? s.slice(0, p) : op === 1 ? s.slice(0, p) + junk[rnd(junk.length)] + s.slice(p + 1) : op === 2 ? s.slice(0, p) + s.slice(p + 1 + rnd(20)) : s.slice(0, p) + junk[rnd(junk.length)] + s.slice(p);
        }
        const r = readText(pdbFormat, s, { fileName: name, species: ['Cu', 'Ni'] });
        if (!r.ok) expect(r.error.message).not.toMatch(/Internal reader error/);
        else for (const f of r.frames) expect(f.positionsA.every(Number.isFinite)).toBe(true);
      }
    }
  });
});
