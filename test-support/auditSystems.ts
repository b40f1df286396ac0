// Small structures and calculators shared by the audit tests (seeded, deterministic). Not for
// production use: the CLI and UI audit the user's own structures.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AtomicSystem, Calculator } from '../src-shared/calculators/calculator';
import { createLennardJones } from '../src-shared/potentials/lennardJones';
import { calculatorFromSpec } from '../src-shared/potentials/registry';
import { createRng } from '../src-shared/space/rng';

export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** Argon LJ (ε = 0.0104 eV, σ = 3.4 Å, rc = 8.5 Å) from the registry's implementation. */
export function argonLj(): Calculator {
  return createLennardJones({ epsilonEv: 0.0104, sigmaA: 3.4, cutoffA: 8.5 });
}

/** Ar/Kr LJ with per-pair parameters (no mixing rules). */
export function arKrLj(krScale = 1): Calculator {
  return createLennardJones({
    cutoffA: 8.5,
    epsilonEv: 0.0104,
    sigmaA: 3.4,
    pairs: [
      { elements: ['Kr', 'Kr'], params: { epsilonEv: 0.014 * krScale, sigmaA: 3.65 } },
      { elements: ['Ar', 'Kr'], params: { epsilonEv: 0.012, sigmaA: 3.52 } },
    ],
  });
}

/** A potential from fixtures/potentials by spec ("eam:Cu_u3.eam", "sw:Si.sw"). */
export function fixturePotential(spec: string): Calculator {
  const [kind, file] = spec.split(':');
  const path = `${FIXTURES_DIR}potentials/${file}`;
  const built = calculatorFromSpec(`${kind}:${path}`, readFileSync(path, 'utf8'));
  if ('error' in built) throw new Error(built.error);
  return built.calculator;
}

/** Conventional fcc (or diamond with `diamond`) cubes reps³, rattled by sdA, element z. */
export function rattledCrystal(aA: number, reps: number, z: number, sdA: number, seed: number, diamond = false): AtomicSystem {
  const fcc = [0, 0, 0, 0, 0.5, 0.5, 0.5, 0, 0.5, 0.5, 0.5, 0];
  const basis = diamond ? [...fcc, ...fcc.map((x) => x + 0.25)] : fcc;
  const nb = basis.length / 3;
  const rng = createRng(seed);
  const pos: number[] = [];
  for (let i = 0; i < reps; i++) for (let j = 0; j < reps; j++) for (let k = 0; k < reps; k++) {
    for (let b = 0; b < nb; b++) pos.push((i + basis[3 * b]) * aA, (j + basis[3 * b + 1]) * aA, (k + basis[3 * b + 2]) * aA);
  }
  const n = pos.length / 3;
  return {
    numbers: new Int32Array(n).fill(z),
    positionsA: Float64Array.from(pos, (x) => x + sdA * rng.normal()),
    cellA: new Float64Array([reps * aA, 0, 0, 0, reps * aA, 0, 0, 0, reps * aA]),
    pbc: [true, true, true],
  };
}

/** A free cluster of n atoms on a jittered simple-cubic grid of the given spacing. */
export function cluster(n: number, spacingA: number, numbers: number[] | number, seed: number): AtomicSystem {
  const rng = createRng(seed);
  const pos = new Float64Array(3 * n);
  for (let k = 0; k < n; k++) {
    pos[3 * k] = (k % 3) * spacingA + 0.15 * rng.normal();
    pos[3 * k + 1] = (Math.floor(k / 3) % 3) * spacingA + 0.15 * rng.normal();
    pos[3 * k + 2] = Math.floor(k / 9) * spacingA + 0.15 * rng.normal();
  }
  const nums = typeof numbers === 'number' ? new Int32Array(n).fill(numbers) : Int32Array.from({ length: n }, (_, k) => numbers[k % numbers.length]);
  return { numbers: nums, positionsA: pos, cellA: null, pbc: [false, false, false] };
}

/** An Ar/Kr crystal in a triclinic cell (two fcc cubes' worth of sites, 8 atoms), rattled. */
export function arKrTriclinic(seed: number): AtomicSystem {
  const rng = createRng(seed);
  const cell = new Float64Array([10.8, 0, 0, 0.9, 5.4, 0, -0.6, 0.7, 5.5]);
  const fcc = [0, 0, 0, 0, 0.5, 0.5, 0.5, 0, 0.5, 0.5, 0.5, 0];
  const pos: number[] = [];
  for (let rep = 0; rep < 2; rep++) {
    for (let b = 0; b < 4; b++) {
      const s = [(fcc[3 * b] + rep) / 2, fcc[3 * b + 1], fcc[3 * b + 2]];
      for (let q = 0; q < 3; q++) pos.push(s[0] * cell[q] + s[1] * cell[3 + q] + s[2] * cell[6 + q] + 0.1 * rng.normal());
    }
  }
  const numbers = Int32Array.from({ length: 8 }, (_, k) => (k % 3 === 0 ? 36 : 18));
  return { numbers, positionsA: Float64Array.from(pos), cellA: cell, pbc: [true, true, true] };
}
