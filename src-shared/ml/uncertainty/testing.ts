// Test fixtures for the uncertainty and landscape specs: diamond-structure crystals, rattled and
// strained, labelled by Stillinger-Weber potentials for Si (Stillinger & Weber, PRB 31, 5262 (1985),
// as LAMMPS's Si.sw) and Ge (Ding & Andersen, PRB 34, 6987 (1986): ε = 1.918 eV, σ = 2.181 Å,
// λ = 31). Lattice constants 5.431 Å (Si) and 5.658 Å (Ge). Seeded; small cells for fast tests.
import { makeFrame, type Frame } from '../../atoms/frame';
import { createStillingerWeberFromText } from '../../potentials/stillingerWeber';
import { createRng } from '../../space/rng';

export const SW_SI = 'Si Si Si 2.1683 2.0951 1.80 21.0 1.20 -0.333333333333 7.049556277 0.6022245584 4.0 0.0 0.0\n';
export const SW_GE = 'Ge Ge Ge 1.918 2.181 1.80 31.0 1.20 -0.333333333333 7.049556277 0.6022245584 4.0 0.0 0.0\n';

export interface DiamondOptions {
  symbol: 'Si' | 'Ge';
  frames: number;
  seed: number;
  /** Conventional cells per axis (8 atoms each; default 1 -> 8 atoms... 2 -> 64). */
  repeat?: number;
  /** Random displacement std per frame, Å: a value, or [lo, hi] drawn uniformly per frame. */
  rattleA?: number | [number, number];
  /** Random symmetric strain std (default 0.01). */
  strain?: number;
}

/** Rattled, strained diamond crystals labelled with E, F, S by the element's SW potential. */
export function diamondFrames(o: DiamondOptions): Frame[] {
  const rng = createRng(o.seed);
  const a0 = o.symbol === 'Si' ? 5.431 : 5.658;
  const sw = createStillingerWeberFromText(o.symbol === 'Si' ? SW_SI : SW_GE, `${o.symbol}.sw`);
  const rep = o.repeat ?? 1;
  const basis = [0, 0, 0, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0.5];
  const frames: Frame[] = [];
  for (let k = 0; k < o.frames; k++) {
    const sd = o.strain ?? 0.01;
    const eps = new Float64Array(9);
    for (let a = 0; a < 3; a++) for (let b = a; b < 3; b++) eps[3 * a + b] = eps[3 * b + a] = sd * rng.normal() * (a === b ? 1 : 0.5);
    const cell = new Float64Array(9);
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) cell[3 * r + c] = rep * a0 * ((r === c ? 1 : 0) + eps[3 * r + c]);
    const rattle = Array.isArray(o.rattleA) ? rng.uniform(o.rattleA[0], o.rattleA[1]) : (o.rattleA ?? 0.08);
    const pos: number[] = [];
    for (let i = 0; i < rep; i++) for (let j = 0; j < rep; j++) for (let l = 0; l < rep; l++) {
      for (let q = 0; q < 8; q++) {
        const sh = q < 4 ? 0 : 0.25;
        const b = q % 4;
        const s = [(i + basis[3 * b] + sh) / rep, (j + basis[3 * b + 1] + sh) / rep, (l + basis[3 * b + 2] + sh) / rep];
        for (let c = 0; c < 3; c++) pos.push(s[0] * cell[c] + s[1] * cell[3 + c] + s[2] * cell[6 + c] + rattle * rng.normal());
      }
    }
    const f = makeFrame({ symbols: new Array(pos.length / 3).fill(o.symbol), positionsA: pos, cellA: cell, pbc: [true, true, true], info: { config_type: 'rattled', rattle_A: rattle } });
    sw.reset?.();
    const r = sw.compute(f, { forces: true, stress: true });
    f.energyEv = r.energyEv;
    f.forcesEvPerA = r.forcesEvPerA!.slice();
    f.stressEvPerA3 = r.stressEvPerA3!.slice();
    frames.push(f);
  }
  return frames;
}

/** A small symmetry-function set for Si-like crystals (rc = 4.2 Å; 6 radial + 8 angular G5). */
export const SMALL_SF = {
  cutoffA: 4.2,
  radial: [
    { etaPerA2: 0, rsA: 0 },
    { etaPerA2: 4, rsA: 2.2 },
    { etaPerA2: 4, rsA: 2.45 },
    { etaPerA2: 4, rsA: 2.7 },
    { etaPerA2: 2, rsA: 3.5 },
    { etaPerA2: 2, rsA: 3.9 },
  ],
  angular: { kind: 'G5' as const, cutoffA: 3.2, etaPerA2: [0.02, 0.2], zeta: [1, 4], lambda: [-1, 1] },
};
