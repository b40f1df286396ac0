// CIF reader/writer against ASE 3.22 (fixtures/io/structures, made by
// scripts/fixtures/gen_structures.py), write->read round trips, and malformed files.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type Frame, makeFrame } from '../../atoms/frame';
import { readStream, readText } from '../read';
import { cellToCellpar, cellparToCell, cifFormat, cifNumber, parseSymop, writeCif } from './cif';

const DIR = fileURLToPath(new URL('../../../fixtures/io/structures/', import.meta.url));

interface Expected {
  symbols: string[];
  positions: number[];
  cell: number[] | null;
  pbc: boolean[];
}

function load(name: string): { bytes: Uint8Array; frames: Expected[] } {
  return { bytes: readFileSync(DIR + name), frames: JSON.parse(readFileSync(DIR + name + '.json', 'utf8')).frames };
}

function readOk(text: string | Uint8Array, fileName = 'x.cif') {
  const r = readText(cifFormat, text, { fileName });
  if (!r.ok) throw new Error(r.error.message);
  return r;
}

function readErr(text: string) {
  const r = readText(cifFormat, text, { fileName: 'bad.cif' });
  expect(r.ok).toBe(false);
  if (r.ok) throw new Error('unreachable');
  expect(r.error.file).toBe('bad.cif');
  expect(r.error.message).not.toMatch(/Internal reader error/);
  return r.error;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-10) {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (Math.abs(actual[i] - expected[i]) > tol) throw new Error(`index ${i}: ${actual[i]} vs ${expected[i]} (tol ${tol})`);
  }
}

/** Positions equal up to lattice vectors (both codes wrap into [0, 1) with different round-off). */
function expectSamePeriodic(pos: ArrayLike<number>, ref: ArrayLike<number>, cell: ArrayLike<number>, tol = 1e-10) {
  expect(pos.length).toBe(ref.length);
  const c = Array.from(cell);
  const det = c[0] * (c[4] * c[8] - c[5] * c[7]) - c[1] * (c[3] * c[8] - c[5] * c[6]) + c[2] * (c[3] * c[7] - c[4] * c[6]);
  const inv = [
    (c[4] * c[8] - c[5] * c[7]) / det, (c[2] * c[7] - c[1] * c[8]) / det, (c[1] * c[5] - c[2] * c[4]) / det,
    (c[5] * c[6] - c[3] * c[8]) / det, (c[0] * c[8] - c[2] * c[6]) / det, (c[2] * c[3] - c[0] * c[5]) / det,
    (c[3] * c[7] - c[4] * c[6]) / det, (c[1] * c[6] - c[0] * c[7]) / det, (c[0] * c[4] - c[1] * c[3]) / det,
  ];
  for (let i = 0; i < pos.length; i += 3) {
    const d = [pos[i] - ref[i], pos[i + 1] - ref[i + 1], pos[i + 2] - ref[i + 2]];
    const s = [0, 1, 2].map((k) => d[0] * inv[k] + d[1] * inv[3 + k] + d[2] * inv[6 + k]).map((x) => x - Math.round(x));
    const r = [0, 1, 2].map((k) => s[0] * c[k] + s[1] * c[3 + k] + s[2] * c[6 + k]);
    if (Math.hypot(r[0], r[1], r[2]) > tol) throw new Error(`atom ${i / 3}: ${Array.from(pos).slice(i, i + 3)} vs ${Array.from(ref).slice(i, i + 3)}`);
  }
}

function expectFrame(f: Frame, e: Expected) {
  expect(f.symbols).toEqual(e.symbols);
  expectClose(f.cellA!, e.cell!);
  expectSamePeriodic(f.positionsA, e.positions, e.cell!);
  expect(f.pbc).toEqual(e.pbc);
}

describe('CIF reader matches ASE', () => {
  it('two data blocks written by ASE are two frames', () => {
    const { bytes, frames } = load('ase_two_blocks.cif');
    const r = readOk(bytes);
    expect(r.frames).toHaveLength(2);
    r.frames.forEach((f, i) => expectFrame(f, frames[i]));
  });

  it('rutile: symmetry expansion, uncertainties, quoted values and a text field', () => {
    const { bytes, frames } = load('rutile_symops.cif');
    const r = readOk(bytes);
    expect(r.frames).toHaveLength(1);
    expectFrame(r.frames[0], frames[0]);
    expect(r.frames[0].cellA![0]).toBe(4.5937); // not the 99.0 inside the text field
    expect(r.frames[0].info.spacegroup).toBe('P 42/m n m');
    expect(r.warnings).toHaveLength(0);
  });

  it('P2_1/c with the modern tag and unquoted operations, beta != 90', () => {
    const { bytes, frames } = load('p21c_symops.cif');
    const f = readOk(bytes).frames[0];
    expect(f.symbols.length).toBe(10); // 4 + 2 (S on an inversion centre) + 4
    expectFrame(f, frames[0]);
  });

  it('partial and mixed occupancy: warned with lines, dominant species kept', () => {
    const { bytes, frames } = load('partial_occupancy.cif');
    const r = readOk(bytes);
    expectFrame(r.frames[0], frames[0]);
    expect(r.warnings.map((w) => w.line)).toEqual([17, 18, 19]);
    expect(r.warnings[0].message).toMatch(/partial occupancy 0.7/);
    expect(Array.from(r.frames[0].arrays.occupancy.data as Float64Array)).toEqual([1, 0.7, 0.5]);
  });

  it('streams in small chunks with the same result', async () => {
    const { bytes, frames } = load('rutile_symops.cif');
    const chunks = Array.from({ length: Math.ceil(bytes.length / 11) }, (_, i) => bytes.subarray(11 * i, 11 * i + 11));
    const r = await readStream(cifFormat, chunks, { fileName: 'rutile.cif' });
    expect(r.ok).toBe(true);
    expectFrame(r.frames[0], frames[0]);
  });

  it('comments after loop rows, a block without atoms, and a molecule without a cell', () => {
    const text = `data_meta\n_journal_year 2020\n\ndata_mol\nloop_\n_atom_site_label\n_atom_site_Cartn_x\n_atom_site_Cartn_y\n_atom_site_Cartn_z\nO1 0 0 0 # oxygen\nH1 0.96 0 0\nH2 -0.24 0.93 0\n`;
    const r = readOk(text);
    expect(r.frames).toHaveLength(1);
    expect(r.frames[0].symbols).toEqual(['O', 'H', 'H']);
    expect(r.frames[0].cellA).toBeNull();
    expect(r.frames[0].pbc).toEqual([false, false, false]);
    expect(r.warnings[0].message).toMatch(/"meta" has no atom sites/);
  });

  it('symmetry operations, numbers with uncertainties, and ASE cell convention', () => {
    expect(parseSymop('-y+1/2, x+1/2, z+1/2')).toEqual({ rot: [0, -1, 0, 1, 0, 0, 0, 0, 1], trans: [0.5, 0.5, 0.5] });
    expect(parseSymop('x-y,X,1/6+z')).toEqual({ rot: [1, -1, 0, 1, 0, 0, 0, 0, 1], trans: [0, 0, 1 / 6] });
    expect(parseSymop('x,y-0.25,-z')!.trans).toEqual([0, -0.25, 0]);
    expect(parseSymop('x,y')).toBeNull();
    expect(parseSymop('x,q,z')).toBeNull();
    expect(cifNumber('0.123(4)')).toBe(0.123);
    expect(cifNumber('-1.5e-2(12)')).toBe(-0.015);
    expect(cifNumber('?')).toBeNaN();
    const cell = cellparToCell([3, 4, 5, 80, 95, 110]);
    expect(cell[1]).toBe(0);
    expect(cell[2]).toBe(0);
    expect(cell[5]).toBe(0);
    expectClose(cellToCellpar(cell), [3, 4, 5, 80, 95, 110], 1e-12);
  });
});

describe('CIF writer round trips', () => {
  const cell = cellparToCell([5.0, 4.6, 6.1, 84, 97, 75]);
  const frac = [0.1, 0.2, 0.3, 0.4, 0.45, 0.6, 0.8, 0.1, 0.95, 1 / 3, 2 / 3, 0.999];
  const pos = new Float64Array(12);
  for (let i = 0; i < 4; i++) for (let k = 0; k < 3; k++) pos[3 * i + k] = frac[3 * i] * cell[k] + frac[3 * i + 1] * cell[3 + k] + frac[3 * i + 2] * cell[6 + k];
  const frame = makeFrame({ symbols: ['Si', 'O', 'O', 'Na'], positionsA: pos, cellA: cell });

  it('a cell in ASE orientation comes back to 1e-12', () => {
    const back = readOk([...writeCif([frame, frame])].join('')).frames;
    expect(back).toHaveLength(2);
    expect(back[1].symbols).toEqual(frame.symbols);
    expectClose(back[1].cellA!, cell, 1e-12);
    expectClose(back[1].positionsA, pos, 1e-12);
  });

  it('a rotated cell keeps cell parameters and fractional coordinates', () => {
    const c = Math.cos(0.3);
    const s = Math.sin(0.3);
    const rot = (v: ArrayLike<number>) => Float64Array.from({ length: v.length }, (_, i) => (i % 3 === 0 ? c * v[i] - s * v[i + 1] : i % 3 === 1 ? s * v[i - 1] + c * v[i] : v[i]));
    const rotated = makeFrame({ symbols: frame.symbols, positionsA: rot(pos), cellA: rot(cell) });
    const back = readOk([...cifFormat.write!([rotated], {})].join('')).frames[0];
    expectClose(cellToCellpar(back.cellA!), cellToCellpar(cell), 1e-10);
    expectClose(back.positionsA, pos, 1e-10);
  });

  it('sniffs CIF text', () => {
    expect(cifFormat.sniff!([...writeCif([frame])].join(''))).toBeGreaterThan(0.8);
    expect(cifFormat.sniff!('ITEM: TIMESTEP\n0\n')).toBe(0);
  });
});

describe('malformed CIF files give located errors', () => {
  const head = 'data_x\n_cell_length_a 4\n_cell_length_b 4\n_cell_length_c 4\n_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\n';
  const sites = 'loop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nNa1 0 0 0\nCl1 0.5 0.5 0.5\n';

  it('garbage in a coordinate', () => {
    const e = readErr(head + sites.replace('0.5 0.5 0.5', '0.5 0.5x 0.5'));
    expect(e.line).toBe(14);
    expect(e.found).toBe('0.5x');
  });

  it('garbage in a cell parameter', () => {
    const e = readErr(head.replace('_cell_length_b 4', '_cell_length_b four') + sites);
    expect(e.line).toBe(3);
  });

  it('a loop row with a missing value (wrong count)', () => {
    const e = readErr(head + sites.replace('Cl1 0.5 0.5 0.5', 'Cl1 0.5 0.5'));
    expect(e.line).toBe(14);
    expect(e.expected).toMatch(/rows of 4 values/);
  });

  it('truncated: a tag without its value, and an unterminated text field', () => {
    expect(readErr(head + sites + '_symmetry_space_group_name_H-M').expected).toMatch(/value for _symmetry/);
    const e = readErr(head + '_publ_section_title\n;\nsome title\n' + sites);
    expect(e.expected).toMatch(/closes the text field of line 9/);
  });

  it('a space group other than P1 without operations', () => {
    const e = readErr(head + "_symmetry_space_group_name_H-M 'F m -3 m'\n" + sites);
    expect(e.line).toBe(8);
    expect(e.hint).toMatch(/P1/);
  });

  it('fractional coordinates without a cell', () => {
    const e = readErr('data_x\n' + sites);
    expect(e.expected).toMatch(/cell parameters/);
  });

  it('a bad symmetry operation', () => {
    const e = readErr(head + "loop_\n_space_group_symop_operation_xyz\n'x, y, z'\n'x, y'\n" + sites);
    expect(e.line).toBe(11);
  });

  it('text before any data block', () => {
    expect(readErr('hello\n').line).toBe(1);
  });
  it('random corruptions of the fixtures give located errors or frames, never an internal error', () => {
    let seed = 2024;
    const rnd = (m: number) => Math.floor(((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * m);
    const junk = ['', ' ', '\n', 'x', '-', '1', '#', "'", ';', '_', '.', '(', 'ITEM:', 'data_', '1e999', '99999999'];
    for (const name of ['rutile_symops.cif', 'partial_occupancy.cif']) {
      const text = readFileSync(DIR + name, 'utf8');
      for (let t = 0; t < 150; t++) {
        let s = text;
        for (let j = 1 + rnd(3); j > 0; j--) {
          const p = rnd(s.length);
          const op = rnd(4);
          s = op === 0 ? s.slice(0, p) : op === 1 ? s.slice(0, p) + junk[rnd(junk.length)] + s.slice(p + 1) : op === 2 ? s.slice(0, p) + s.slice(p + 1 + rnd(20)) : s.slice(0, p) + junk[rnd(junk.length)] + s.slice(p);
        }
        const r = readText(cifFormat, s, { fileName: name, species: ['Cu', 'Ni'] });
        if (!r.ok) expect(r.error.message).not.toMatch(/Internal reader error/);
        else for (const f of r.frames) expect(f.positionsA.every(Number.isFinite)).toBe(true);
      }
    }
  });
});
