// The potential registry and spec strings: accepted forms, round trips, defaults, and refusals
// whose messages name the bad key or value and the fix. Also the EAM and SW file readers' errors.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../io/errors';
import { parseEamFile, parseEamFuncfl, parseEamSetfl } from './eamFile';
import { calculatorFromSpec, createCalculator, formatPotentialSpec, parsePotentialSpec, POTENTIALS, type ParsedPotentialSpec } from './registry';
import { parseSwFile } from './swFile';
import { swEntryCutoffA } from './stillingerWeber';

const DIR = fileURLToPath(new URL('../../fixtures/potentials/', import.meta.url));
const text = (f: string) => readFileSync(DIR + f, 'utf8');

const ok = (spec: string): ParsedPotentialSpec => {
  const r = parsePotentialSpec(spec);
  if ('error' in r) throw new Error(r.error);
  return r;
};
const err = (spec: string): string => {
  const r = parsePotentialSpec(spec);
  if (!('error' in r)) throw new Error(`expected an error for ${spec}`);
  return r.error;
};

describe('registry entries', () => {
  it('lists every kind with parameters, units, defaults and descriptions', () => {
    expect(POTENTIALS.map((p) => p.kind)).toEqual(['lj', 'morse', 'zbl', 'eam', 'sw']);
    for (const p of POTENTIALS) {
      expect(p.title.length).toBeGreaterThan(0);
      expect(p.description.length).toBeGreaterThan(20);
      expect(p.reference.length).toBeGreaterThan(0);
      for (const q of p.parameters) {
        expect(q.description.length, `${p.kind}.${q.key}`).toBeGreaterThan(10);
        expect(typeof q.unit).toBe('string');
      }
      // every example parses
      expect(parsePotentialSpec(p.example)).not.toHaveProperty('error');
    }
  });
});

describe('parsePotentialSpec', () => {
  it('parses lj with defaults filled in', () => {
    expect(ok('lj:epsilon=0.0104,sigma=3.40,cutoff=8.5')).toEqual({ kind: 'lj', params: { epsilon: 0.0104, sigma: 3.4, cutoff: 8.5, shift: false, skin: 1 } });
    expect(ok(' LJ : epsilon = 0.0104 , sigma=3.4,cutoff=8.5,shift=yes ').params.shift).toBe(true);
  });
  it('parses per-pair lj and morse segments', () => {
    const p = ok('lj:cutoff=8.5,shift=true;Ar-Ar:epsilon=0.0104,sigma=3.40;Kr-Kr:epsilon=0.014,sigma=3.65;Ar-Kr:epsilon=0.012,sigma=3.52,cutoff=7');
    expect(p.pairs).toEqual([
      { elements: ['Ar', 'Ar'], params: { epsilon: 0.0104, sigma: 3.4 } },
      { elements: ['Kr', 'Kr'], params: { epsilon: 0.014, sigma: 3.65 } },
      { elements: ['Ar', 'Kr'], params: { epsilon: 0.012, sigma: 3.52, cutoff: 7 } },
    ]);
    expect(ok('lj:Ar-Ar:epsilon=0.0104,sigma=3.4,cutoff=8.5').pairs).toHaveLength(1);
    expect(ok('morse:cutoff=6;Cu-Cu:d0=0.3429,alpha=1.3588,r0=2.866').pairs).toHaveLength(1);
  });
  it('parses zbl with and without values, and file kinds with any path', () => {
    expect(ok('zbl')).toEqual({ kind: 'zbl', params: { inner: 3, outer: 4, skin: 1 } });
    expect(ok('zbl:inner=1.5,outer=2.8').params).toMatchObject({ inner: 1.5, outer: 2.8 });
    expect(ok('eam:/path/Cu_u3.eam')).toEqual({ kind: 'eam', params: {}, path: '/path/Cu_u3.eam' });
    expect(ok('eam:C:\\pots\\CuNi,v2.eam.alloy').path).toBe('C:\\pots\\CuNi,v2.eam.alloy');
    expect(ok('sw:/path/Si.sw').kind).toBe('sw');
  });
  it('round-trips through formatPotentialSpec', () => {
    for (const s of ['lj:epsilon=0.0104,sigma=3.4,cutoff=8.5,shift=true', 'lj:cutoff=8;Ar-Ar:epsilon=0.01,sigma=3.4;Kr-Kr:epsilon=0.014,sigma=3.65;Ar-Kr:epsilon=0.012,sigma=3.5', 'morse:d0=0.3,alpha=1.3,r0=2.8,cutoff=6', 'zbl:inner=1,outer=2', 'eam:/a b/Cu.eam', 'sw:Si.sw']) {
      const p = ok(s);
      expect(ok(formatPotentialSpec(p))).toEqual(p);
    }
  });
  it.each([
    ['', /empty potential spec/],
    ['tersoff:Si.tersoff', /unknown potential kind "tersoff"; known: lj, morse, zbl, eam, sw/],
    ['lj:epsilon=0.0104,sigma=3.40', /missing cutoff \(Cutoff, Å\)/],
    ['lj:epsilon=0.0104,sigmaa=3.40,cutoff=8', /unknown parameter "sigmaa"; known: epsilon, sigma, cutoff, shift, skin/],
    ['lj:epsilon=0.0104,sigma=0,cutoff=8', /sigma must be > 0 Å, got 0/],
    ['lj:epsilon=0.0104,sigma=-3,cutoff=8', /sigma must be > 0 Å/],
    ['lj:epsilon=0.0104,sigma=3.4,cutoff=0', /cutoff must be > 0 Å, got 0/],
    ['lj:epsilon=0.0104,sigma=3.4,cutoff=-8.5', /cutoff must be > 0 Å/],
    ['lj:epsilon=NaN,sigma=3.4,cutoff=8', /epsilon must be a finite number \(in eV\), got "NaN"/],
    ['lj:epsilon=1e999,sigma=3.4,cutoff=8', /epsilon must be a finite number/],
    ['lj:epsilon=,sigma=3.4,cutoff=8', /epsilon must be a finite number/],
    ['lj:epsilon=0.01,sigma=3.4,cutoff=1000', /cutoff must be <= 100 Å/],
    ['lj:epsilon=0.01,sigma=3.4,cutoff=8,shift=maybe', /shift must be true or false, got "maybe"/],
    ['lj:epsilon=0.01,epsilon=0.02,sigma=3.4,cutoff=8', /epsilon is given twice/],
    ['lj:epsilon 0.01', /"epsilon 0.01" is not key=value; e.g. lj:epsilon=0.0104/],
    ['lj:cutoff=8;Ar-Ar:epsilon=0.01,sigma=3.4;Kr-Kr:epsilon=0.014,sigma=3.6', /missing epsilon .* for the Ar-Kr pair; give "Ar-Kr:epsilon=...,sigma=..."/],
    ['lj:cutoff=8;Ar-Xx:epsilon=0.01,sigma=3.4', /"Xx" in "Ar-Xx:" is not an element symbol/],
    ['lj:cutoff=8;Ar-Ar:epsilon=0.01,sigma=3.4,shift=true', /shift cannot be given per element pair/],
    ['lj:cutoff=8;Ar-Ar:epsilon=0.01,sigma=3.4;Ar-Ar:epsilon=0.02,sigma=3.4', /pair Ar-Ar is given twice/],
    ['lj:Ar-Kr', /needs a colon and values/],
    ['morse:d0=0.3,alpha=0,r0=2.8,cutoff=6', /alpha must be > 0 1\/Å, got 0/],
    ['zbl:inner=3,outer=2', /zbl: inner \(3 Å\) must be smaller than outer \(2 Å\)/],
    ['zbl:inner=0,outer=2', /inner must be > 0 Å/],
    ['zbl:Si-C:inner=1', /does not take per-element-pair parameters/],
    ['eam', /eam: needs a parameter file, e.g. eam:\/path\/to\/Cu_u3.eam/],
    ['sw:  ', /sw: needs a parameter file/],
  ])('refuses %j with a message that says what is wrong', (spec, msg) => {
    expect(err(spec)).toMatch(msg);
  });
});

describe('createCalculator', () => {
  it('builds every kind; file kinds need the file text', () => {
    expect(createCalculator(ok('lj:epsilon=0.0104,sigma=3.4,cutoff=8.5')).cutoffA).toBe(8.5);
    expect(createCalculator(ok('morse:d0=0.3,alpha=1.3,r0=2.8,cutoff=6')).name).toMatch(/^morse\(/);
    expect(createCalculator(ok('zbl:inner=1,outer=2')).cutoffA).toBe(2);
    expect(createCalculator(ok('eam:Cu_u3.eam'), text('Cu_u3.eam')).cutoffA).toBe(4.9499999999999886);
    expect(createCalculator(ok('eam:x/CuNi.eam.alloy'), text('CuNi.eam.alloy')).name).toMatch(/Ni, Cu/);
    expect(createCalculator(ok('sw:GaN.sw'), text('GaN.sw')).name).toMatch(/Ga, N/);
    expect(() => createCalculator(ok('eam:Cu_u3.eam'))).toThrow(/needs the text of Cu_u3.eam/);
  });
  it('calculatorFromSpec returns errors as values (spec and file problems)', () => {
    expect(calculatorFromSpec('lj:sigma=3')).toEqual({ error: expect.stringMatching(/missing epsilon/) });
    const bad = calculatorFromSpec('eam:Cu_u3.eam', text('Cu_u3.eam').split('\n').slice(0, 20).join('\n'));
    expect(bad).toEqual({ error: expect.stringMatching(/^Cu_u3.eam:\d+: expected 500 values of F\(rho\) \(got 85\), found "end of file". the table is shorter than the header says/) });
    expect(calculatorFromSpec('sw:Si.sw', 'Si Si Si 2.1683 2.0951 1.80 21.0 1.20 -0.3333 7.05 0.60 4.0 0.0')).toEqual({ error: expect.stringMatching(/Si.sw:1: expected 14 words .* the last entry is incomplete/) });
  });
});

describe('EAM file readers', () => {
  it('read Cu_u3.eam (funcfl) and CuNi.eam.alloy (setfl) headers and tables', () => {
    const f = parseEamFuncfl(text('Cu_u3.eam'), 'Cu_u3.eam');
    expect(f).toMatchObject({ atomicNumber: 29, massAmu: 63.55, latticeConstantA: 3.615, lattice: 'FCC', nrho: 500, nr: 500, cutoffA: 4.9499999999999886 });
    expect(f.frho[1]).toBe(-3.156163690342435e-1);
    const s = parseEamSetfl(text('CuNi.eam.alloy'), 'CuNi.eam.alloy');
    expect(s.elements.map((e) => e.symbol)).toEqual(['Ni', 'Cu']);
    expect(s.z2r).toHaveLength(3);
    expect(s.cutoffA).toBe(6.394332378);
    expect(parseEamFile(text('CuNi.eam.alloy'), 'noextension').format).toBe('setfl');
    expect(parseEamFile(text('Cu_u3.eam'), 'noextension').format).toBe('funcfl');
  });
  it('locate errors: line, expected, found', () => {
    const lines = text('Cu_u3.eam').split('\n');
    lines[2] = '  500  5.0e-04  500  1.0e-02';
    expect(() => parseEamFuncfl(lines.join('\n'), 'Cu_u3.eam')).toThrow(/Cu_u3.eam:3: expected line 3: Nrho drho Nr dr cutoff/);
    const l2 = text('Cu_u3.eam').split('\n');
    l2[10] = l2[10].replace(/\S+/, '1.0x');
    try {
      parseEamFuncfl(l2.join('\n'), 'Cu_u3.eam');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ParseError);
      expect((e as ParseError).line).toBe(11);
      expect((e as ParseError).found).toBe('1.0x');
    }
    expect(() => parseEamFile('x', 'Fe_mm.eam.fs')).toThrow(/eam\/fs is not supported/);
    const s = text('CuNi.eam.alloy').split('\n');
    s[3] = '    2  Ni  Qq';
    expect(() => parseEamSetfl(s.join('\n'), 'CuNi.eam.alloy')).toThrow(/CuNi.eam.alloy:4: expected element symbols/);
  });
});

describe('SW file reader', () => {
  it('reads multi-line entries and comments', () => {
    const f = parseSwFile(text('Si.sw'), 'Si.sw');
    expect(f.entries).toHaveLength(1);
    expect(f.entries[0]).toMatchObject({ elements: ['Si', 'Si', 'Si'], epsilonEv: 2.1683, sigmaA: 2.0951, a: 1.8, lambda: 21, gamma: 1.2, bigA: 7.049556277, bigB: 0.6022245584, p: 4, q: 0, tol: 0 });
    expect(parseSwFile(text('GaN.sw'), 'GaN.sw').elements).toEqual(['Ga', 'N']);
  });
  it('shortens the cutoff with tol as LAMMPS 29 Sep 2021 does', () => {
    // LAMMPS log for Si.sw with tol = 0.01 and neighbor 0.0: "master list distance cutoff = 3.3162348"
    const e = parseSwFile(text('Si.sw').replace(/4\.0\s+0\.0\s+0\.0/, '4.0 0.0 0.01'), 'Si_tol.sw').entries[0];
    expect(e.tol).toBe(0.01);
    expect(swEntryCutoffA(e)).toBeCloseTo(3.3162348, 7);
    expect(swEntryCutoffA(parseSwFile(text('Si.sw')).entries[0])).toBeCloseTo(1.8 * 2.0951, 12);
  });
  it('refuses negative values, duplicates and missing triplets', () => {
    expect(() => parseSwFile('Si Si Si 2.1683 -2.0951 1.80 21.0 1.20 -0.333 7.05 0.60 4.0 0.0 0.0', 'x.sw')).toThrow(/x.sw:1: expected sigma >= 0/);
    const dup = 'Si Si Si 2.1683 2.0951 1.80 21.0 1.20 -0.333 7.05 0.60 4.0 0.0 0.0\nSi Si Si 2.1683 2.0951 1.80 21.0 1.20 -0.333 7.05 0.60 4.0 0.0 0.0';
    expect(() => parseSwFile(dup, 'x.sw')).toThrow(/also on line 1/);
    const gan = text('GaN.sw').split('\n').filter((l) => !l.startsWith('Ga N  Ga')).join('\n');
    const built = calculatorFromSpec('sw:GaN.sw', gan);
    if ('error' in built) throw new Error(built.error);
    const sys = { numbers: Int32Array.of(31, 7), positionsA: new Float64Array([0, 0, 0, 1.9, 0, 0]), cellA: null, pbc: [false, false, false] as const };
    expect(() => built.calculator.compute(sys)).toThrow(/no entry for the triplet Ga N Ga/);
    // a system with Ga only does not need the mixed triplets
    expect(Number.isFinite(built.calculator.compute({ ...sys, numbers: Int32Array.of(31, 31) }).energyEv)).toBe(true);
  });
});
