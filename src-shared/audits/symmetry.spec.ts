// Symmetry audit: exact classical potentials pass to rounding on molecules, crystals, triclinic
// multi-element cells and 3-body potentials; deliberately broken toys are flagged by exactly the
// operations they break (absolute coordinates: rotations, reflections, translations; minimum-image
// bug: cell re-choices only). The transforms themselves are checked (orthogonality, determinants,
// same lattice after a cell re-choice).
import { describe, expect, it } from 'vitest';
import { cellVolumeA3 } from '../atoms/frame';
import { determinant3 } from '../space/cell';
import { createRng } from '../space/rng';
import { checkEquivariance, randomSymmetryOperations, symmetryAudit } from './symmetry';
import { arKrLj, arKrTriclinic, argonLj, cluster, fixturePotential, rattledCrystal } from '../../test-support/auditSystems';
import { absolutePositionToy, minimumImageToy } from './toyCalculators';
import { matMul, randomReflection, randomRotation, randomUnimodular, rechooseCell } from './transforms';

describe('transforms', () => {
  it('rotations are proper, reflections improper, both orthogonal; re-chosen cells span the same lattice', () => {
    const rng = createRng(5);
    for (let t = 0; t < 20; t++) {
      const R = randomRotation(rng), M = randomReflection(rng);
      expect(determinant3(R)).toBeCloseTo(1, 12);
      expect(determinant3(M)).toBeCloseTo(-1, 12);
      const MT = [M[0], M[3], M[6], M[1], M[4], M[7], M[2], M[5], M[8]];
      const I = matMul(M, MT);
      I.forEach((v, q) => expect(v).toBeCloseTo(q % 4 === 0 ? 1 : 0, 12));
      const U = randomUnimodular(rng, [true, true, true], 4, 2);
      expect(determinant3(U)).toBeCloseTo(1, 12);
    }
    const sys = arKrTriclinic(1);
    const U = randomUnimodular(createRng(9), sys.pbc, 4, 2);
    const re = rechooseCell(sys, U);
    expect(cellVolumeA3(re.cellA)).toBeCloseTo(cellVolumeA3(sys.cellA), 9);
    expect(Array.from(re.cellA!)).not.toEqual(Array.from(sys.cellA!));
  });

  it('offers cell re-choices only for periodic systems and permutations only with like atoms', () => {
    const rng = createRng(1);
    const kinds = (s: Parameters<typeof randomSymmetryOperations>[0]) => new Set(randomSymmetryOperations(s, rng).map((o) => o.kind));
    expect(kinds(cluster(9, 3.8, 18, 1)).has('cell_rechoice')).toBe(false);
    expect(kinds(arKrTriclinic(2)).has('cell_rechoice')).toBe(true);
    expect(kinds({ numbers: Int32Array.of(18, 36), positionsA: new Float64Array([0, 0, 0, 3.8, 0, 0]), cellA: null, pbc: [false, false, false] }).has('permutation')).toBe(false);
  });
});

describe('exact potentials pass', () => {
  it.each([
    ['LJ Ar cluster (free space)', argonLj, () => cluster(14, 3.8, 18, 3)],
    ['LJ Ar/Kr cluster (two elements)', () => arKrLj(), () => cluster(12, 3.9, [18, 36], 4)],
    ['LJ Ar/Kr triclinic crystal', () => arKrLj(), () => arKrTriclinic(5)],
    ['EAM Cu rattled fcc', () => fixturePotential('eam:Cu_u3.eam'), () => rattledCrystal(3.615, 2, 29, 0.05, 6)],
    ['SW Si rattled diamond (3-body)', () => fixturePotential('sw:Si.sw'), () => rattledCrystal(5.431, 1, 14, 0.05, 7, true)],
  ])('%s', (_name, make, sys) => {
    const r = symmetryAudit(make(), [sys()], { seed: 11 });
    expect(r.verdict, r.flags.join('\n')).toBe('pass');
    expect(r.max_energy_error_mev_per_atom!).toBeLessThan(1e-8);
    expect(r.max_force_error_ev_per_a!).toBeLessThan(1e-9);
    if (r.structures[0].periodic) {
      expect(r.max_stress_error_gpa!).toBeLessThan(1e-7);
      expect(r.by_kind.cell_rechoice.checks).toBeGreaterThan(0);
    } else expect(r.max_stress_error_gpa).toBeNull();
    for (const kind of ['rotation', 'reflection', 'translation', 'permutation'] as const) expect(r.by_kind[kind].checks).toBeGreaterThan(0);
    // a plain JSON-able object
    expect(JSON.parse(JSON.stringify(r)).verdict).toBe('pass');
  });
});

describe('broken calculators are flagged by the operations they break', () => {
  it('energy depending on absolute x: rotations, reflections and translations flagged, permutations not', () => {
    const toy = absolutePositionToy(argonLj(), 0.01);
    const r = symmetryAudit(toy, [cluster(14, 3.8, 18, 3), rattledCrystal(5.26, 1, 18, 0.05, 2)], { seed: 3 });
    expect(r.verdict).toBe('flag');
    for (const kind of ['rotation', 'reflection', 'translation'] as const) {
      expect(r.by_kind[kind].max_energy_error_mev_per_atom!).toBeGreaterThan(1);
      expect(r.flags.some((f) => f.startsWith(`${kind}:`)), kind).toBe(true);
    }
    expect(r.by_kind.rotation.max_force_error_ev_per_a!).toBeGreaterThan(1e-2);
    expect(r.by_kind.permutation.max_energy_error_mev_per_atom!).toBeLessThan(1e-8);
    expect(r.flags.some((f) => f.startsWith('permutation:'))).toBe(false);
  });

  it('the reusable helper reports the same thing for one structure', () => {
    const sys = cluster(10, 3.8, 18, 8);
    expect(checkEquivariance(argonLj(), sys).pass).toBe(true);
    const bad = checkEquivariance(absolutePositionToy(argonLj()), sys);
    expect(bad.pass).toBe(false);
    expect(bad.checks.filter((c) => c.energy_error_mev_per_atom > 0.01).map((c) => c.kind)).toContain('rotation');
  });

  it('a minimum-image pair sum (cutoff > half the cell) is flagged by cell re-choices only', () => {
    // 4-atom fcc cell, 5.26 Å edge, 8.5 Å cutoff: most images within the cutoff are missed, and
    // which ones are kept depends on the cell vectors chosen
    const toy = minimumImageToy(0.0104, 3.4, 8.5);
    const sys = rattledCrystal(5.26, 1, 18, 0.08, 4);
    const r = symmetryAudit(toy, [sys], { seed: 2, cellRechoices: 3 });
    expect(r.verdict).toBe('flag');
    expect(r.by_kind.cell_rechoice.max_energy_error_mev_per_atom!).toBeGreaterThan(0.1);
    for (const kind of ['rotation', 'reflection', 'translation', 'permutation'] as const) {
      expect(r.by_kind[kind].max_energy_error_mev_per_atom!, kind).toBeLessThan(1e-8);
      expect(r.by_kind[kind].max_force_error_ev_per_a!, kind).toBeLessThan(1e-9);
    }
    expect(r.flags.every((f) => f.startsWith('cell_rechoice:'))).toBe(true);
  });
});
