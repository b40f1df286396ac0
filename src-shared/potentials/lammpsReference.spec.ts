// Every potential against LAMMPS itself (29 Sep 2021, Debian's lmp): fixtures/potentials/*.json,
// made by scripts/fixtures/gen_potentials.py (orthogonal and triclinic cells, multi-element cases,
// cells whose cutoff exceeds half the box). The calculators are built from the fixture's spec
// string through the registry, so the spec parser and the file readers are exercised as well.
//
// Criterion (testing.ts): every component of energy, forces, per-atom energies and stress within
// |Δ| <= 1e-8 · max(|ref|, scale), scale = Σ|e_i| (energy) or the RMS of the reference components.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { calculatorFromSpec } from './registry';
import { deviationsFromReference, systemOf, type ReferenceDocument } from './testing';

const DIR = fileURLToPath(new URL('../../fixtures/potentials/', import.meta.url));
const TOL = 1e-8;

function load(name: string): ReferenceDocument {
  return JSON.parse(readFileSync(DIR + name, 'utf8')) as ReferenceDocument;
}

function calculatorFor(spec: string) {
  const colon = spec.indexOf(':');
  const kind = spec.slice(0, colon);
  const needsFile = kind === 'eam' || kind === 'sw';
  const path = spec.slice(colon + 1);
  const built = calculatorFromSpec(needsFile ? `${kind}:${DIR}${path}` : spec, needsFile ? readFileSync(DIR + path, 'utf8') : undefined);
  if ('error' in built) throw new Error(built.error);
  return built.calculator;
}

/** Worst deviation per quantity over all cases of a file (reported in the test name's output). */
const worst: Record<string, { energy: number; forces: number; energies: number; stress: number }> = {};

describe.each(['lj.json', 'morse.json', 'zbl.json', 'eam_funcfl.json', 'eam_setfl.json', 'sw.json'])('LAMMPS reference %s', (file) => {
  const doc = load(file);
  it('was produced by LAMMPS 29 Sep 2021 with its metal-units pressure constant', () => {
    expect(doc.lammps).toMatch(/LAMMPS \(29 Sep 2021/);
    expect(doc.nktv2p).toBe(1.6021765e6);
    expect(doc.cases.length).toBeGreaterThan(1);
  });
  it.each(doc.cases.map((c) => [c.name, c] as const))('%s: energy, forces, per-atom energies, stress within 1e-8', (_name, c) => {
    const calc = calculatorFor(c.spec);
    const r = calc.compute(systemOf(c), { forces: true, stress: true, energies: true });
    const d = deviationsFromReference(r, c);
    const w = (worst[file] ??= { energy: 0, forces: 0, energies: 0, stress: 0 });
    for (const k of ['energy', 'forces', 'energies', 'stress'] as const) w[k] = Math.max(w[k], d[k]);
    expect(d.energy, 'energy').toBeLessThanOrEqual(TOL);
    expect(d.forces, 'forces').toBeLessThanOrEqual(TOL);
    expect(d.energies, 'per-atom energies').toBeLessThanOrEqual(TOL);
    expect(d.stress, 'stress').toBeLessThanOrEqual(TOL);
    // the per-atom energies add up to the energy
    const sum = r.energiesEv!.reduce((s, e) => s + e, 0);
    expect(Math.abs(sum - r.energyEv)).toBeLessThanOrEqual(1e-12 * c.energies.reduce((s, e) => s + Math.abs(e), 0));
  });
  it('a second call on the same calculator (kept neighbour list) gives the same numbers', () => {
    const c = doc.cases[0];
    const calc = calculatorFor(c.spec);
    const sys = systemOf(c);
    const a = calc.compute(sys, { forces: true, stress: true, energies: true });
    const e1 = a.energyEv, f1 = a.forcesEvPerA!.slice(), s1 = a.stressEvPerA3!.slice();
    const b = calc.compute(sys, { forces: true, stress: true, energies: true }, a);
    expect(b).toBe(a);
    expect(b.energyEv).toBe(e1);
    expect(Array.from(b.forcesEvPerA!)).toEqual(Array.from(f1));
    expect(Array.from(b.stressEvPerA3!)).toEqual(Array.from(s1));
  });
  it('reports its worst deviations', () => {
    // printed so that the numbers can be quoted; the assertions are in the cases above
    console.log(`${file}: worst relative deviation from LAMMPS`, worst[file]);
    expect(worst[file]).toBeDefined();
  });
});
