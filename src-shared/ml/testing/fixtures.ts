// Small structures for ML tests: random periodic and free clusters of several elements (atoms kept
// apart by a minimum distance), and a Lennard-Jones-labelled dataset (energies, forces, stress from
// potentials/lennardJones.ts) that any model should learn. Seeded.
import { makeFrame, type Frame } from '../../atoms/frame';
import { createLennardJones } from '../../potentials/lennardJones';
import { createRng, type Rng } from '../../space/rng';

/** Random positions [3n] in a cubic box of side boxA, pairwise >= minA apart (minimum image when periodic). */
export function randomPositions(rng: Rng, n: number, boxA: number, minA: number, periodic: boolean): Float64Array {
  const pos = new Float64Array(3 * n);
  for (let a = 0; a < n; a++) {
    for (let tries = 0; ; tries++) {
      if (tries > 10000) throw new Error('randomPositions: box too small for the minimum distance');
      for (let c = 0; c < 3; c++) pos[3 * a + c] = rng.uniform(0, boxA);
      let ok = true;
      for (let b = 0; b < a && ok; b++) {
        let d2 = 0;
        for (let c = 0; c < 3; c++) {
          let d = pos[3 * a + c] - pos[3 * b + c];
          if (periodic) d -= boxA * Math.round(d / boxA);
          d2 += d * d;
        }
        ok = d2 >= minA * minA;
      }
      if (ok) break;
    }
  }
  return pos;
}

/** A random structure with random labels (for loss and gradient checks, not physics). */
export function randomLabelledFrame(rng: Rng, symbols: string[], opts: { boxA: number; minA: number; periodic: boolean; stress?: boolean; forces?: boolean; energy?: boolean }): Frame {
  const n = symbols.length;
  const positionsA = randomPositions(rng, n, opts.boxA, opts.minA, opts.periodic);
  const f = makeFrame({
    symbols,
    positionsA,
    cellA: opts.periodic ? [opts.boxA, 0, 0, 0, opts.boxA, 0, 0, 0, opts.boxA] : null,
    pbc: opts.periodic ? [true, true, true] : [false, false, false],
  });
  if (opts.energy !== false) f.energyEv = -3 * n + rng.normal();
  if (opts.forces !== false) f.forcesEvPerA = Float64Array.from({ length: 3 * n }, () => rng.normal());
  if (opts.periodic && opts.stress !== false) {
    const s = new Float64Array(9);
    for (let a = 0; a < 3; a++) for (let b = a; b < 3; b++) s[3 * a + b] = s[3 * b + a] = 0.01 * rng.normal();
    f.stressEvPerA3 = s;
  }
  return f;
}

export interface LjDatasetOptions {
  seed: number;
  frames: number;
  /** fcc repetitions per axis (4 atoms per cell). */
  repeat?: number;
  /** Random displacement std, Å. */
  rattleA?: number;
  /** Random symmetric strain std. */
  strain?: number;
}

/**
 * Argon-like fcc crystals (a = 5.26 Å) rattled and strained, labelled by LJ with ε = 0.0104 eV,
 * σ = 3.4 Å, rc = 6.5 Å (shifted). Every frame carries energy, forces and stress; config_type
 * cycles through "rattled", "strained".
 */
export function ljDataset(opts: LjDatasetOptions): Frame[] {
  const rng = createRng(opts.seed);
  const rep = opts.repeat ?? 2;
  const a0 = 5.26;
  const lj = createLennardJones({ epsilonEv: 0.0104, sigmaA: 3.4, cutoffA: 6.5, shift: true });
  const basis = [0, 0, 0, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0.5];
  const frames: Frame[] = [];
  for (let k = 0; k < opts.frames; k++) {
    const eps = new Float64Array(9);
    const sd = opts.strain ?? 0.02;
    for (let a = 0; a < 3; a++) for (let b = a; b < 3; b++) eps[3 * a + b] = eps[3 * b + a] = sd * rng.normal() * (a === b ? 1 : 0.5);
    const m = (r: number, c: number) => (r === c ? 1 : 0) + eps[3 * r + c];
    const cell = new Float64Array(9);
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) cell[3 * r + c] = rep * a0 * m(r, c);
    const pos: number[] = [];
    for (let i = 0; i < rep; i++) for (let j = 0; j < rep; j++) for (let l = 0; l < rep; l++) {
      for (let q = 0; q < 4; q++) {
        const s = [(i + basis[3 * q]) / rep, (j + basis[3 * q + 1]) / rep, (l + basis[3 * q + 2]) / rep];
        for (let c = 0; c < 3; c++) pos.push(s[0] * cell[c] + s[1] * cell[3 + c] + s[2] * cell[6 + c] + (opts.rattleA ?? 0.1) * rng.normal());
      }
    }
    const f = makeFrame({ symbols: new Array(pos.length / 3).fill('Ar'), positionsA: pos, cellA: cell, pbc: [true, true, true], info: { config_type: k % 2 ? 'strained' : 'rattled' } });
    lj.reset?.();
    const r = lj.compute(f, { forces: true, stress: true });
    f.energyEv = r.energyEv;
    f.forcesEvPerA = r.forcesEvPerA!.slice();
    f.stressEvPerA3 = r.stressEvPerA3!.slice();
    frames.push(f);
  }
  return frames;
}
