// Float64 twin of PaiNN (painn.ts; Schütt, Unke & Gastegger, ICML 2021, Eqs. 7-9): the same forward
// pass written as plain JavaScript loops over atoms, edges and channels, sharing no code with the
// tf graph (only the weight names and the config). It is the independent reference of the gradient
// checks (forces and stress by finite differences of this energy) and of the direct force head.
//
// Layouts: s [N·F] (i·F + f), v [N·3·F] ((i·3 + c)·F + f), dense kernels [in, out] row-major.
// `prepare` does the weight-independent work once per structure (edges, r̂, Bessel basis, cutoff); `energy` runs the network with the saved weights or float64 overrides by name.
import type { FrameGraph } from '../data/graph';
import { activationF64 } from '../tf/activations';
import { PAINN_NORM_EPS, PAINN_POLY_P, parsePainnConfig, type PainnConfig } from './painn';
import type { SavedModel } from './serialization';

export interface PainnF64Input {
  nAtoms: number;
  species: Int32Array;
  edgeI: Int32Array;
  edgeJ: Int32Array;
  /** [3P] unit vectors r̂_ij. */
  dir: Float64Array;
  /** [P·K] sin(nπr/rc)/r. */
  rbf: Float64Array;
  /** [P] cutoff f_c(r). */
  fc: Float64Array;
}

export interface PainnF64Output {
  energyEv: number;
  /** [N] eV, E0 excluded. */
  atomicEnergiesEv: Float64Array;
  /** [3N] eV/Å from the direct head (null when the model has none). */
  directForcesEvPerA: Float64Array | null;
}

/** y[n·out] = x[n·in] W + b (b optional). */
function dense(x: Float64Array, n: number, nin: number, W: ArrayLike<number>, nout: number, b?: ArrayLike<number>): Float64Array {
  const y = new Float64Array(n * nout);
  for (let i = 0; i < n; i++) {
    for (let o = 0; o < nout; o++) {
      let acc = b ? b[o] : 0;
      for (let k = 0; k < nin; k++) acc += x[i * nin + k] * W[k * nout + o];
      y[i * nout + o] = acc;
    }
  }
  return y;
}

/** Dense(act)-Dense: x [n·nin] -> [n·3F] with a hidden layer of width F. */
function mlp2(act: (x: number) => number, x: Float64Array, n: number, nin: number, F: number, k0: ArrayLike<number>, b0: ArrayLike<number>, k1: ArrayLike<number>, b1: ArrayLike<number>): Float64Array {
  const h = dense(x, n, nin, k0, F, b0);
  for (let q = 0; q < h.length; q++) h[q] = act(h[q]);
  return dense(h, n, F, k1, 3 * F, b1);
}

export function painnF64(saved: SavedModel) {
  const c: PainnConfig = parsePainnConfig(saved.config);
  const F = c.features, K = c.radialBasis, rc = c.cutoffA;
  const act = activationF64(c.activation);
  const sE = saved.scales.energyEvPerAtom, shift = saved.scales.energyMeanEvPerAtom, sF = saved.scales.forceEvPerA;

  function prepare(graph: FrameGraph, species: Int32Array): PainnF64Input {
    const P = graph.edgeI.length;
    const dir = new Float64Array(3 * P), rbf = new Float64Array(P * K), fc = new Float64Array(P);
    for (let p = 0; p < P; p++) {
      const x = graph.edgeVectorsA[3 * p], y = graph.edgeVectorsA[3 * p + 1], z = graph.edgeVectorsA[3 * p + 2];
      const r = Math.sqrt(x * x + y * y + z * z);
      dir[3 * p] = x / r;
      dir[3 * p + 1] = y / r;
      dir[3 * p + 2] = z / r;
      for (let n = 0; n < K; n++) rbf[p * K + n] = Math.sin(((n + 1) * Math.PI * r) / rc) / r;
      if (c.cutoffFunction === 'cosine') fc[p] = 0.5 * (Math.cos((Math.PI * r) / rc) + 1);
      else {
        const q = PAINN_POLY_P, u = r / rc;
        fc[p] = 1 - (((q + 1) * (q + 2)) / 2) * u ** q + q * (q + 2) * u ** (q + 1) - ((q * (q + 1)) / 2) * u ** (q + 2);
      }
    }
    return { nAtoms: graph.nAtoms, species, edgeI: graph.edgeI, edgeJ: graph.edgeJ, dir, rbf, fc };
  }

  type Arr = ArrayLike<number>;
  const layerNames = Array.from({ length: c.layers }, (_, l) =>
    ['phi0/kernel', 'phi0/bias', 'phi1/kernel', 'phi1/bias', 'filter/kernel', 'filter/bias', 'U', 'V', 'update0/kernel', 'update0/bias', 'update1/kernel', 'update1/bias'].map((n) => `layer${l}/${n}`),
  );
  const headNames = c.headHidden.concat([1]).map((_, k) => [`head/dense${k}/kernel`, `head/dense${k}/bias`]);
  const savedData: Record<string, Arr> = Object.fromEntries(saved.weights.map((t) => [t.name, t.data]));

  function energy(inp: PainnF64Input, weights?: Record<string, Arr>): PainnF64Output {
    const W = (name: string): Arr => {
      const a = weights?.[name] ?? savedData[name];
      if (!a) throw new Error(`painnF64: no weight "${name}"`);
      return a;
    };
    const N = inp.nAtoms, P = inp.edgeI.length;
    const emb = W('embedding');
    const s = new Float64Array(N * F);
    for (let i = 0; i < N; i++) for (let f = 0; f < F; f++) s[i * F + f] = emb[inp.species[i] * F + f];
    let v = new Float64Array(N * 3 * F);
    const filt = new Float64Array(3 * F);
    for (let l = 0; l < c.layers; l++) {
      const [p0k, p0b, p1k, p1b, fk, fb, U, V, u0k, u0b, u1k, u1b] = layerNames[l].map(W);
      // message: Δs_i = Σ_j φ_ss ∘ W_ss, Δv_i = Σ_j v_j ∘ φ_vv ∘ W_vv + φ_vs ∘ W_vs r̂_ij
      const x = mlp2(act, s, N, F, F, p0k, p0b, p1k, p1b); // [N·3F]
      const ds = new Float64Array(N * F), dv = new Float64Array(N * 3 * F);
      for (let e = 0; e < P; e++) {
        const i = inp.edgeI[e], j = inp.edgeJ[e], fce = inp.fc[e];
        for (let o = 0; o < 3 * F; o++) {
          let acc = fb[o];
          for (let n = 0; n < K; n++) acc += inp.rbf[e * K + n] * fk[n * 3 * F + o];
          filt[o] = acc * fce * x[j * 3 * F + o];
        }
        for (let f = 0; f < F; f++) {
          ds[i * F + f] += filt[f];
          for (let a = 0; a < 3; a++) dv[(i * 3 + a) * F + f] += v[(j * 3 + a) * F + f] * filt[F + f] + filt[2 * F + f] * inp.dir[3 * e + a];
        }
      }
      for (let k = 0; k < s.length; k++) s[k] += ds[k];
      for (let k = 0; k < v.length; k++) v[k] += dv[k];
      // update: a = MLP(s, ‖V v‖); Δv = a_vv ∘ U v, Δs = a_ss + a_sv ∘ ⟨U v, V v⟩
      const Uv = dense(v, 3 * N, F, U, F);
      const Vv = dense(v, 3 * N, F, V, F);
      const ctx = new Float64Array(N * 2 * F);
      for (let i = 0; i < N; i++) {
        for (let f = 0; f < F; f++) {
          let n2 = 0;
          for (let a = 0; a < 3; a++) n2 += Vv[(i * 3 + a) * F + f] ** 2;
          ctx[i * 2 * F + f] = s[i * F + f];
          ctx[i * 2 * F + F + f] = Math.sqrt(n2 + PAINN_NORM_EPS);
        }
      }
      const u = mlp2(act, ctx, N, 2 * F, F, u0k, u0b, u1k, u1b); // [N·3F]: a_vv, a_sv, a_ss
      const vNew = new Float64Array(v.length);
      for (let i = 0; i < N; i++) {
        for (let f = 0; f < F; f++) {
          const avv = u[i * 3 * F + f], asv = u[i * 3 * F + F + f], ass = u[i * 3 * F + 2 * F + f];
          let dot = 0;
          for (let a = 0; a < 3; a++) {
            const q = (i * 3 + a) * F + f;
            dot += Uv[q] * Vv[q];
            vNew[q] = v[q] + avv * Uv[q];
          }
          s[i * F + f] += ass + asv * dot;
        }
      }
      v = vNew;
    }
    // energy head
    const sizes = [F, ...c.headHidden, 1];
    let h: Float64Array = s;
    for (let k = 0; k + 1 < sizes.length; k++) {
      h = dense(h, N, sizes[k], W(headNames[k][0]), sizes[k + 1], W(headNames[k][1]));
      if (k + 2 < sizes.length) for (let q = 0; q < h.length; q++) h[q] = act(h[q]);
    }
    const atomicEnergiesEv = new Float64Array(N);
    let e = 0;
    for (let i = 0; i < N; i++) e += atomicEnergiesEv[i] = sE * h[i] + shift;
    let directForcesEvPerA: Float64Array | null = null;
    if (c.directForces) {
      const wf = W('forceHead/kernel');
      directForcesEvPerA = new Float64Array(3 * N);
      for (let q = 0; q < 3 * N; q++) {
        let acc = 0;
        for (let f = 0; f < F; f++) acc += v[q * F + f] * wf[f];
        directForcesEvPerA[q] = sF * acc;
      }
    }
    return { energyEv: e, atomicEnergiesEv, directForcesEvPerA };
  }

  return { config: c, prepare, energy };
}
