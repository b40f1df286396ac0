// Extensivity audit: finite-cutoff potentials are exactly extensive (LJ clusters apart beyond the
// cutoff: E(AB) = E(A) + E(B) to rounding; supercells of LJ, EAM and SW crystals); a global N²
// term is flagged in both forms; the gap defaults to the cutoff + 5 Å.
import { describe, expect, it } from 'vitest';
import type { AtomicSystem } from '../calculators/calculator';
import { extensivityAudit, separatedPair } from './extensivity';
import { arKrLj, arKrTriclinic, argonLj, cluster, fixturePotential, rattledCrystal } from '../../test-support/auditSystems';
import { nonExtensiveToy } from './toyCalculators';

describe('LJ clusters are exactly extensive', () => {
  it('E(A and B apart) = E(A) + E(B), forces of each part unchanged', () => {
    const a = cluster(13, 3.8, 18, 1), b = cluster(9, 3.9, [18, 36], 2);
    for (const calc of [argonLj(), arKrLj()]) {
      const r = extensivityAudit(calc, [a, b]);
      expect(r.verdict, r.flags.join('\n')).toBe('pass');
      expect(r.gap_a).toBe(8.5 + 5);
      expect(r.checks.map((c) => c.kind)).toEqual(['separated', 'separated']);
      expect(r.checks[0].structures).toEqual([0, 1]);
      expect(r.max_energy_error_mev_per_atom!).toBeLessThan(1e-9);
      expect(r.max_force_error_ev_per_a!).toBeLessThan(1e-12);
      // the parts really interact with themselves (the check is not trivially 0 = 0)
      expect(Math.abs(r.checks[0].energy_parts_ev)).toBeGreaterThan(0.1);
    }
  });

  it('a structure alone is paired with a copy of itself, placed gapA apart', () => {
    const a = cluster(6, 3.8, 18, 3);
    const pair = separatedPair(a, a, 20);
    let maxA = -Infinity, minB = Infinity;
    for (let k = 0; k < 6; k++) maxA = Math.max(maxA, pair.positionsA[3 * k]);
    for (let k = 6; k < 12; k++) minB = Math.min(minB, pair.positionsA[3 * k]);
    expect(minB - maxA).toBeCloseTo(20, 12);
    const r = extensivityAudit(argonLj(), [a]);
    expect(r.checks[0].structures).toEqual([0, 0]);
    expect(r.verdict).toBe('pass');
  });
});

describe('periodic supercells', () => {
  it.each([
    ['LJ Ar/Kr triclinic', () => arKrLj(), () => arKrTriclinic(4)],
    ['EAM Cu', () => fixturePotential('eam:Cu_u3.eam'), () => rattledCrystal(3.615, 1, 29, 0.05, 5)],
    ['SW Si', () => fixturePotential('sw:Si.sw'), () => rattledCrystal(5.431, 1, 14, 0.05, 6, true)],
  ])('%s: n×m×k supercells have n·m·k·E, the same forces and stress', (_n, make, sys) => {
    const r = extensivityAudit(make(), [sys()]);
    expect(r.verdict, r.flags.join('\n')).toBe('pass');
    expect(r.checks.map((c) => c.repeats!.join('x'))).toEqual(['2x1x1', '1x2x1', '1x1x2', '2x2x2']);
    expect(r.max_energy_error_mev_per_atom!).toBeLessThan(1e-9);
    expect(r.max_force_error_ev_per_a!).toBeLessThan(1e-10);
    expect(r.max_stress_error_gpa!).toBeLessThan(1e-9);
  });

  it('a slab is repeated along its periodic axes only; maxAtoms skips big supercells', () => {
    const bulk = rattledCrystal(5.26, 1, 18, 0.05, 7);
    const slab: AtomicSystem = { ...bulk, pbc: [true, true, false] };
    const r = extensivityAudit(argonLj(), [slab], { maxAtoms: 10 });
    expect(r.checks.map((c) => c.repeats!.join('x'))).toEqual(['2x1x1', '1x2x1']);
    expect(r.skipped).toHaveLength(1); // 2x2x1 = 16 atoms > 10
    expect(r.verdict).toBe('pass');
  });
});

describe('a non-extensive toy (E + c·N²) is flagged', () => {
  it('in both forms', () => {
    const toy = nonExtensiveToy(argonLj(), 1e-3);
    const r = extensivityAudit(toy, [cluster(8, 3.8, 18, 1), rattledCrystal(5.26, 1, 18, 0.05, 2)]);
    expect(r.verdict).toBe('flag');
    const sep = r.checks.find((c) => c.kind === 'separated')!;
    // E(AB) - E(A) - E(B) = c (16² - 2·8²) = 0.128 eV over 16 atoms = 8 meV/atom
    expect(sep.energy_error_mev_per_atom).toBeCloseTo(8, 9);
    expect(r.flags.some((f) => f.includes('E(A and B apart)'))).toBe(true);
    expect(r.flags.some((f) => f.includes('supercell'))).toBe(true);
    // forces and stress are unaffected by a constant
    expect(r.max_force_error_ev_per_a!).toBeLessThan(1e-10);
  });
});
