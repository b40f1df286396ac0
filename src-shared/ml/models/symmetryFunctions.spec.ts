import { describe, expect, it } from 'vitest';
import { createRng } from '../../space/rng';
import { assembleGraphBatch, graphTensors } from '../data/batch';
import { buildFrameGraph } from '../data/graph';
import { speciesIndices, speciesTable } from '../data/species';
import { randomLabelledFrame } from '../testing/fixtures';
import { useBackend } from '../testing/tfTesting';
import { edgeJacobianError } from '../testing/descriptorChecks';
import { descriptorsF64, featureLayout, featureNames, graphSpecOf, type SymmetryFunctionConfig } from './symmetryFunctions';
import { descriptorSegmentTensors, descriptorsTf, disposeConstants, symmetryFunctionConstants } from './symmetryFunctionsTf';

const config = (kind: 'G4' | 'G5'): SymmetryFunctionConfig => ({
  cutoffA: 4.0,
  radial: [
    { etaPerA2: 0, rsA: 0 },
    { etaPerA2: 1.2, rsA: 2.2 },
    { etaPerA2: 0.5, rsA: 3.0 },
  ],
  angular: { kind, cutoffA: 3.5, etaPerA2: [0.01, 0.2], zeta: [1, 2, 5], lambda: [-1, 1] },
});

const fc = (r: number, rc: number) => (r < rc ? 0.5 * (Math.cos((Math.PI * r) / rc) + 1) : 0);

/** n2p2's formulas written straight from positions (free cluster, O(N³)), atom by atom. */
function bruteForce(c: SymmetryFunctionConfig, pos: Float64Array, species: Int32Array, S: number): Float64Array {
  const N = species.length;
  const L = featureLayout(c, S);
  const G = new Float64Array(N * L.nFeatures);
  const d = (a: number, b: number) => Math.hypot(pos[3 * b] - pos[3 * a], pos[3 * b + 1] - pos[3 * a + 1], pos[3 * b + 2] - pos[3 * a + 2]);
  const a = c.angular!;
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      if (j === i) continue;
      const rij = d(i, j);
      c.radial.forEach((f, k) => (G[i * L.nFeatures + species[j] * L.nRadial + k] += Math.exp(-f.etaPerA2 * (rij - f.rsA) ** 2) * fc(rij, c.cutoffA)));
      for (let k = j + 1; k < N; k++) {
        if (k === i) continue;
        const rik = d(i, k), rjk = d(j, k);
        let dot = 0;
        for (let x = 0; x < 3; x++) dot += (pos[3 * j + x] - pos[3 * i + x]) * (pos[3 * k + x] - pos[3 * i + x]);
        const cos = dot / (rij * rik);
        const lo = Math.min(species[j], species[k]), hi = Math.max(species[j], species[k]);
        const block = S * L.nRadial + (lo * S - (lo * (lo - 1)) / 2 + (hi - lo)) * L.nAngular;
        let col = 0;
        for (const eta of a.etaPerA2) for (const zeta of a.zeta) for (const lam of a.lambda) {
          const g4 = a.kind === 'G4';
          const ex = Math.exp(-eta * (rij * rij + rik * rik + (g4 ? rjk * rjk : 0)));
          const cut = fc(rij, a.cutoffA) * fc(rik, a.cutoffA) * (g4 ? fc(rjk, a.cutoffA) : 1);
          G[i * L.nFeatures + block + col++] += 2 ** (1 - zeta) * (1 + lam * cos) ** zeta * ex * cut;
        }
      }
    }
  }
  return G;
}

describe('symmetry functions (n2p2 definitions)', () => {
  const rng = createRng(11);
  const frame = randomLabelledFrame(rng, ['Si', 'O', 'Si', 'O', 'O', 'Si', 'Si'], { boxA: 4.5, minA: 1.4, periodic: false });
  const table = speciesTable(['O', 'Si']);
  const species = speciesIndices(table, frame.numbers);

  for (const kind of ['G4', 'G5'] as const) {
    it(`${kind}: float64 implementation equals the formulas evaluated atom by atom`, () => {
      const c = config(kind);
      const g = buildFrameGraph(frame, graphSpecOf(c));
      const got = descriptorsF64(c, g, species, 2).values;
      const want = bruteForce(c, frame.positionsA, species, 2);
      expect(got.length).toBe(7 * (2 * 3 + 3 * 12));
      let m = 0;
      want.forEach((v, k) => (m = Math.max(m, Math.abs(v - got[k]))));
      expect(m).toBeLessThan(1e-12);
      expect(Math.max(...want)).toBeGreaterThan(0.1);
    });

    it(`${kind}: analytic derivatives dG/dr equal finite differences`, () => {
      const c = config(kind);
      const periodic = randomLabelledFrame(createRng(3), ['Si', 'O', 'Si', 'O', 'Si'], { boxA: 4.2, minA: 1.5, periodic: true });
      const sp = speciesIndices(table, periodic.numbers);
      const g = buildFrameGraph(periodic, graphSpecOf(c));
      const { worst } = edgeJacobianError(c, g, sp, 2, 7);
      expect(worst).toBeLessThan(1e-6);
    });
  }

  for (const backend of ['cpu', 'wasm'] as const) {
    it(`${backend}: the tf graph equals the float64 implementation`, async () => {
      const { tf } = await useBackend(backend);
      const c = config('G4');
      const frames = [frame, randomLabelledFrame(createRng(4), ['O', 'Si', 'Si', 'Si'], { boxA: 4.4, minA: 1.5, periodic: true })];
      const items = frames.map((f) => ({ graph: buildFrameGraph(f, graphSpecOf(c)), species: speciesIndices(table, f.numbers) }));
      const host = assembleGraphBatch(items, 2);
      const k = symmetryFunctionConstants(tf, c);
      const got = tf.tidy(() => {
        const t = graphTensors(tf, host);
        t.extra = descriptorSegmentTensors(tf, c, host);
        return tf.concat(descriptorsTf(tf, c, k, t, t.edgeVectorsA), 1).arraySync() as number[][];
      });
      disposeConstants(k);
      const F = featureLayout(c, 2).nFeatures;
      const ref = items.map((it) => descriptorsF64(c, it.graph, it.species, 2).values);
      let m = 0, scale = 0;
      for (let q = 0; q < host.nAtoms; q++) {
        for (let f = 0; f < F; f++) {
          const want = ref[host.atomFrame[q]][host.atomOrigin[q] * F + f];
          m = Math.max(m, Math.abs(got[q][f] - want));
          scale = Math.max(scale, Math.abs(want));
        }
      }
      expect(m / scale).toBeLessThan(2e-6);
    });
  }

  it('feature names follow the layout', () => {
    const names = featureNames(config('G4'), ['O', 'Si']);
    expect(names.length).toBe(featureLayout(config('G4'), 2).nFeatures);
    expect(names[0]).toBe('G2[O] eta=0 rs=0');
    expect(names[6]).toBe('G4[O,O] eta=0.01 zeta=1 lambda=-1');
    expect(names[names.length - 1]).toBe('G4[Si,Si] eta=0.2 zeta=5 lambda=1');
  });
});
