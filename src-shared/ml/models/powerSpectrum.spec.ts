import { describe, expect, it } from 'vitest';
import { createRng } from '../../space/rng';
import { buildFrameGraph } from '../data/graph';
import { speciesIndices, speciesTable } from '../data/species';
import { randomLabelledFrame } from '../testing/fixtures';
import { createHarmonics, defaultPowerSpectrum, harmonics, powerSpectrumLayout } from './powerSpectrum';
import { assembleGraphBatch, graphTensors } from '../data/batch';
import { useBackend } from '../testing/tfTesting';
import { edgeJacobianError } from '../testing/descriptorChecks';
import { descriptorSegmentTensors, descriptorsTf, disposeConstants, symmetryFunctionConstants } from './symmetryFunctionsTf';
import { checkSymmetryFunctions, descriptorsF64, featureLayout, featureNames, graphSpecOf, type SymmetryFunctionConfig } from './symmetryFunctions';

const fc = (r: number, rc: number) => (r < rc ? 0.5 * (Math.cos((Math.PI * r) / rc) + 1) : 0);

/** Legendre P_l(x) by Bonnet's recurrence. */
function legendre(l: number, x: number): number {
  let p0 = 1, p1 = x;
  if (l === 0) return 1;
  for (let k = 2; k <= l; k++) [p0, p1] = [p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k];
  return p1;
}

const config = (): SymmetryFunctionConfig => ({
  cutoffA: 4.0,
  radial: [{ etaPerA2: 1.2, rsA: 2.2 }],
  angular: null,
  powerSpectrum: { cutoffA: 3.6, radial: [{ etaPerA2: 0.8, rsA: 1.8 }, { etaPerA2: 1.5, rsA: 2.6 }, { etaPerA2: 0.3, rsA: 3.1 }], lMax: 5 },
});

describe('power spectrum (SOAP-like invariants)', () => {
  it('real spherical harmonics are orthonormal (the addition theorem) and their gradients match finite differences', () => {
    const L = 7, h = createHarmonics(L), rng = createRng(5);
    const unit = () => {
      const v = [rng.normal(), rng.normal(), rng.normal()], n = Math.hypot(...v);
      return v.map((x) => x / n);
    };
    for (let trial = 0; trial < 5; trial++) {
      const a = unit(), b = unit();
      harmonics(h, a[0], a[1], a[2]);
      const Ya = h.Y.slice();
      harmonics(h, b[0], b[1], b[2]);
      const cos = a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
      for (let l = 0; l <= L; l++) {
        let sum = 0;
        for (let m = -l; m <= l; m++) sum += Ya[l * l + l + m] * h.Y[l * l + l + m];
        expect(sum).toBeCloseTo(((2 * l + 1) / (4 * Math.PI)) * legendre(l, cos), 12);
      }
    }
    // ∂Y(r/|r|)/∂r at |r| = 1, against central differences of Y(r/|r|)
    const r = unit(), eps = 1e-6;
    harmonics(h, r[0], r[1], r[2]);
    const dY = h.dY.slice();
    let worst = 0;
    for (let x = 0; x < 3; x++) {
      const at = (d: number) => {
        const q = r.slice();
        q[x] += d;
        const n = Math.hypot(...q);
        harmonics(h, q[0] / n, q[1] / n, q[2] / n);
        return h.Y.slice();
      };
      const p = at(eps), m = at(-eps);
      for (let k = 0; k < p.length; k++) worst = Math.max(worst, Math.abs((p[k] - m[k]) / (2 * eps) - dY[3 * k + x]));
    }
    expect(worst).toBeLessThan(1e-7);
  });

  it('equals the double sum over neighbour pairs with Legendre polynomials, atom by atom', () => {
    const c = config(), ps = c.powerSpectrum!;
    const frame = randomLabelledFrame(createRng(11), ['Si', 'O', 'Si', 'O', 'O', 'Si', 'Si'], { boxA: 4.5, minA: 1.4, periodic: false });
    const table = speciesTable(['O', 'Si']);
    const sp = speciesIndices(table, frame.numbers);
    const g = buildFrameGraph(frame, graphSpecOf(c));
    const L = featureLayout(c, 2);
    const got = descriptorsF64(c, g, sp, 2).values;
    const lay = powerSpectrumLayout(ps, 2);
    expect(L.nPower).toBe((6 + 6 + 9) * 6);
    const pos = frame.positionsA, N = sp.length;
    const vec = (i: number, j: number) => [0, 1, 2].map((x) => pos[3 * j + x] - pos[3 * i + x]);
    const gn = (n: number, r: number) => Math.exp(-ps.radial[n].etaPerA2 * (r - ps.radial[n].rsA) ** 2) * fc(r, ps.cutoffA);
    let worst = 0, largest = 0;
    for (let i = 0; i < N; i++) {
      lay.features.forEach((f, k) => {
        let want = 0;
        for (let j = 0; j < N; j++) {
          if (j === i || sp[j] !== f.s) continue;
          for (let q = 0; q < N; q++) {
            if (q === i || sp[q] !== f.t) continue;
            const a = vec(i, j), b = vec(i, q), ra = Math.hypot(...a), rb = Math.hypot(...b);
            const cos = Math.min(1, Math.max(-1, (a[0] * b[0] + a[1] * b[1] + a[2] * b[2]) / (ra * rb)));
            want += gn(f.n, ra) * gn(f.n2, rb) * legendre(f.l, cos);
          }
        }
        worst = Math.max(worst, Math.abs(want - got[i * L.nFeatures + L.powerOffset + k]));
        largest = Math.max(largest, Math.abs(want));
      });
    }
    expect(largest).toBeGreaterThan(0.1);
    expect(worst).toBeLessThan(1e-12);
  });

  it('analytic edge derivatives equal finite differences (periodic, two elements)', () => {
    const c = config();
    const table = speciesTable(['O', 'Si']);
    const frame = randomLabelledFrame(createRng(3), ['Si', 'O', 'Si', 'O', 'Si'], { boxA: 4.2, minA: 1.5, periodic: true });
    const sp = speciesIndices(table, frame.numbers);
    const g = buildFrameGraph(frame, graphSpecOf(c));
    const { worst, largest } = edgeJacobianError(c, g, sp, 2, 5);
    expect(largest).toBeGreaterThan(0.1);
    expect(worst).toBeLessThan(1e-6);
  });

  it('is invariant under rotation and reflection of the neighbourhood', () => {
    const c = config();
    const table = speciesTable(['O', 'Si']);
    const frame = randomLabelledFrame(createRng(8), ['Si', 'O', 'Si', 'O', 'O', 'Si'], { boxA: 4.5, minA: 1.4, periodic: false });
    const sp = speciesIndices(table, frame.numbers);
    const g = buildFrameGraph(frame, graphSpecOf(c));
    const G0 = descriptorsF64(c, g, sp, 2).values;
    // a rotation about an oblique axis followed by a mirror
    const t = 0.83, k = [1 / Math.sqrt(3), 1 / Math.sqrt(3), 1 / Math.sqrt(3)], ct = Math.cos(t), st = Math.sin(t);
    const R = [0, 1, 2].map((a) => [0, 1, 2].map((b) => (a === b ? ct : 0) + (1 - ct) * k[a] * k[b] + st * ([0, -k[2], k[1], k[2], 0, -k[0], -k[1], k[0], 0][3 * a + b])));
    const v = g.edgeVectorsA;
    for (let p = 0; p < g.edgeI.length; p++) {
      const x = [v[3 * p], v[3 * p + 1], v[3 * p + 2]];
      for (let a = 0; a < 3; a++) v[3 * p + a] = (a === 2 ? -1 : 1) * (R[a][0] * x[0] + R[a][1] * x[1] + R[a][2] * x[2]);
    }
    const G1 = descriptorsF64(c, g, sp, 2).values;
    let worst = 0;
    G0.forEach((x, q) => (worst = Math.max(worst, Math.abs(x - G1[q]))));
    expect(worst).toBeLessThan(1e-12);
  });

  for (const backend of ['cpu', 'wasm'] as const) {
    it(`${backend}: the tf graph (values and gradients) equals the float64 implementation`, async () => {
      const { tf } = await useBackend(backend);
      const c = config();
      const table = speciesTable(['O', 'Si']);
      const frames = [randomLabelledFrame(createRng(11), ['Si', 'O', 'Si', 'O', 'O', 'Si', 'Si'], { boxA: 4.5, minA: 1.4, periodic: false }), randomLabelledFrame(createRng(4), ['O', 'Si', 'Si', 'Si'], { boxA: 4.4, minA: 1.5, periodic: true })];
      const items = frames.map((f) => ({ graph: buildFrameGraph(f, graphSpecOf(c)), species: speciesIndices(table, f.numbers) }));
      const host = assembleGraphBatch(items, 2);
      const k = symmetryFunctionConstants(tf, c);
      const F = featureLayout(c, 2).nFeatures;
      // weights for a scalar Σ w·G whose gradient in the edge vectors is Σ w·∂G/∂r
      const w = Float32Array.from({ length: host.nAtoms * F }, (_, q) => Math.sin(0.7 * q));
      const { got, grad } = tf.tidy(() => {
        const t = graphTensors(tf, host);
        t.extra = descriptorSegmentTensors(tf, c, host);
        const G = () => tf.concat(descriptorsTf(tf, c, k, t, t.edgeVectorsA), 1);
        const wt = tf.tensor2d(w, [host.nAtoms, F]);
        const gr = tf.grad((v: import('../tf/types').Tensor) => tf.sum(tf.mul(tf.concat(descriptorsTf(tf, c, k, t, v as import('../tf/types').Tensor2D), 1), wt)))(t.edgeVectorsA);
        return { got: G().arraySync() as number[][], grad: gr.arraySync() as number[][] };
      });
      disposeConstants(k);
      const ref = items.map((it) => descriptorsF64(c, it.graph, it.species, 2, true));
      let m = 0, scale = 0;
      for (let q = 0; q < host.nAtoms; q++) {
        for (let f = 0; f < F; f++) {
          const want = ref[host.atomFrame[q]].values[host.atomOrigin[q] * F + f];
          m = Math.max(m, Math.abs(got[q][f] - want));
          scale = Math.max(scale, Math.abs(want));
        }
      }
      expect(m / scale).toBeLessThan(2e-6);
      // gradient: batch edges are the frames' edges in order, atoms re-ordered by species
      let gm = 0, gs = 0, p0 = 0;
      const rowOf = new Map<string, number>();
      for (let q = 0; q < host.nAtoms; q++) rowOf.set(`${host.atomFrame[q]}:${host.atomOrigin[q]}`, q);
      items.forEach((it, fr) => {
        const D = ref[fr].edgeDerivatives!;
        for (let p = 0; p < it.graph.edgeI.length; p++) {
          const row = rowOf.get(`${fr}:${it.graph.edgeI[p]}`)!;
          for (let x = 0; x < 3; x++) {
            let want = 0;
            for (let f = 0; f < F; f++) want += w[row * F + f] * D[(p * F + f) * 3 + x];
            gm = Math.max(gm, Math.abs(grad[p0 + p][x] - want));
            gs = Math.max(gs, Math.abs(want));
          }
        }
        p0 += it.graph.edgeI.length;
      });
      expect(gs).toBeGreaterThan(0.1);
      expect(gm / gs).toBeLessThan(1e-5);
    });
  }

  it('names, layout and refusals', () => {
    const c = config();
    const names = featureNames(c, ['O', 'Si']);
    expect(names.length).toBe(featureLayout(c, 2).nFeatures);
    expect(names[2]).toBe("P[O,O] l=0 n=0 n'=0");
    expect(names[names.length - 1]).toBe("P[Si,Si] l=5 n=2 n'=2");
    const d = defaultPowerSpectrum({ cutoffA: 5, nMax: 8, lMax: 6 });
    expect(powerSpectrumLayout(d, 1).width).toBe(36 * 7);
    expect(() => checkSymmetryFunctions({ ...c, powerSpectrum: { ...c.powerSpectrum!, cutoffA: 4.5 } })).toThrow(/cutoffA must be in \(0, 4\]/);
    expect(() => checkSymmetryFunctions({ ...c, powerSpectrum: { ...c.powerSpectrum!, lMax: 13 } })).toThrow(/lMax must be an integer in 0..12/);
    expect(() => checkSymmetryFunctions({ ...c, powerSpectrum: { ...c.powerSpectrum!, radial: [] } })).toThrow(/radial must list/);
  });
});
