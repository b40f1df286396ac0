// n2p2 / RuNNer input.data: the fixtures written by scripts/fixtures/gen_dft.py from the VASP
// excerpt (Å, eV) and the xtb water (Bohr, Hartree), the unit option as two formats, write->read
// round trips, refusals, and located errors.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeFrame } from '../../atoms/frame';
import { BOHR_A, HARTREE_EV } from '../../units';
import { readText } from '../read';
import { detectFormat, formatByName } from '../registry';
import { checkFrames, readOrThrow } from './dftTesting';
import { n2p2BohrFormat, n2p2Format } from './n2p2';

const DIR = fileURLToPath(new URL('../../../fixtures/io/dft/n2p2/', import.meta.url));
const expected = JSON.parse(readFileSync(DIR + 'expected.json', 'utf8'));
const text = (name: string) => readFileSync(DIR + name + '/input.data', 'utf8');
const write = (fmt: typeof n2p2Format, frames: ReturnType<typeof makeFrame>[]) => [...fmt.write!(frames, { fileName: 'input.data' })].join('');

describe('n2p2 input.data', () => {
  it('Å/eV file as the VASP frames it was written from', () => {
    const r = readOrThrow(n2p2Format, text('caf2_ev'), 'input.data');
    checkFrames(r.frames, expected.caf2_ev.map((e: object) => ({ ...e, stress: null })), { positions: 0, energy: 0, forces: 0 });
    expect(r.frames[0].info.comment).toMatch(/CaF2 ionic step 1/);
  });

  it('Bohr/Hartree file through n2p2-bohr: converted by hand', () => {
    const r = readOrThrow(n2p2BohrFormat, text('h2o_bohr'), 'input.data');
    checkFrames(r.frames, expected.h2o_bohr, { positions: 1e-11, energy: 1e-9, forces: 1e-10 });
    const f = r.frames[0];
    expect(f.positionsA[2]).toBeCloseTo(0.225372517074 * 0.529177210564, 12);
    expect(f.energyEv).toBeCloseTo(-5.07036591362 * 27.211386024, 8);
    expect(f.forcesEvPerA![1]).toBeCloseTo((8.3268541258e-3 * 27.211386024) / 0.529177210564, 9);
    expect(f.cellA).toBeNull();
    expect(f.pbc).toEqual([false, false, false]);
  });

  it('registry: input.data goes to n2p2 (Å, eV) by name and content; n2p2-bohr only on request', () => {
    const f = detectFormat('data/input.data', text('caf2_ev'));
    expect('name' in f && f.name).toBe('n2p2');
    expect(formatByName('n2p2-bohr')).toBe(n2p2BohrFormat);
  });

  it('round trip in both unit systems keeps lattice, labels, charges and config_type', () => {
    const frames = readOrThrow(n2p2Format, text('caf2_ev'), 'input.data').frames;
    frames[0].info.config_type = 'bulk relax';
    frames[1].arrays.initial_charges = { kind: 'real', width: 1, data: Float64Array.from([0.5, -0.25, -0.25]) };
    for (const fmt of [n2p2Format, n2p2BohrFormat]) {
      const back = readOrThrow(fmt, write(fmt, frames), 'input.data').frames;
      const tol = fmt === n2p2Format ? 0 : 1e-12;
      checkFrames(back, expected.caf2_ev.map((e: object) => ({ ...e, stress: null })), { positions: tol, energy: tol * 100, forces: tol });
      expect(back[0].info.config_type).toBe('bulk_relax');
      expect(Array.from(back[1].arrays.initial_charges.data as Float64Array)).toEqual([0.5, -0.25, -0.25]);
      expect(back[1].info.charge).toBe(0);
    }
    // In Bohr the file holds position / BOHR_A and energy / HARTREE_EV.
    const bohrText = write(n2p2BohrFormat, frames.slice(0, 1));
    const lat = /lattice (\S+) (\S+)/.exec(bohrText)!;
    expect(Number(lat[2])).toBeCloseTo(2.735 / BOHR_A, 12);
    expect(Number(/energy (\S+)/.exec(bohrText)![1])).toBeCloseTo(-18.23228395 / HARTREE_EV, 12);
  });

  it('refuses what it cannot write: missing energy or forces, partial periodicity', () => {
    const base = { symbols: ['H'], positionsA: [0, 0, 0] };
    expect(() => write(n2p2Format, [makeFrame({ ...base, forcesEvPerA: new Float64Array(3) })])).toThrow(/no energy/);
    expect(() => write(n2p2Format, [makeFrame({ ...base, energyEv: -1 })])).toThrow(/no forces/);
    const slab = makeFrame({ ...base, energyEv: -1, forcesEvPerA: new Float64Array(3), cellA: [5, 0, 0, 0, 5, 0, 0, 0, 20], pbc: [true, true, false] });
    expect(() => write(n2p2Format, [slab])).toThrow(/periodic along some axes/);
  });

  it('located errors', () => {
    const src = text('caf2_ev');
    let r = readText(n2p2Format, src.replace(/\nend\n/, '\nfinish\n'), { fileName: 'input.data' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/input.data:\d+: expected comment, lattice, atom, energy, charge or end, found "finish"/);
    r = readText(n2p2Format, src.replace(/lattice .*\n/, ''), { fileName: 'input.data' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/3 lattice lines or none/);
    r = readText(n2p2Format, src.slice(0, src.indexOf('end')), { fileName: 'input.data' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/"end" of the structure begun on line 1/);
  });
});
