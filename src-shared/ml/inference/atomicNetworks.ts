// The per-element networks of the bpnn and linear models (models/mlp.ts, models/linear.ts) as
// float64 inference weights, with a hand-written reverse pass for dE/dG:
//   z_1 = x W_1 + b_1,  h_l = act(z_l),  z_{l+1} = h_l W_{l+1} + b_{l+1},  E_i = s_E z_L + ē (+ E0)
//   δ_L = 1,  δh_l = δz_{l+1} W_{l+1}ᵀ,  δz_l = δh_l ∘ act'(z_l),  dE/dG = δz_1 W_1ᵀ
// The input standardisation x = (G - μ_s) / σ_s is folded into the first layer
// (W_1 <- W_1 / σ, b_1 <- b_1 - (μ/σ) W_1) and the output scale and shift into the last
// (W_L <- s_E W_L, b_L <- s_E b_L + ē), so the networks take raw G and return eV directly.
// Weights are the saved float32 values widened to float64; all arithmetic is float64.
import type { ActivationName } from '../tf/activations';
import { featureLayout } from '../models/symmetryFunctions';
import { parseBehlerParrinelloConfig } from '../models/behlerParrinello';
import { parseLinearConfig } from '../models/linear';
import { savedArray, type SavedModel } from '../models/serialization';

export interface AtomicNetworks {
  nSpecies: number;
  /** Layer sizes [F, h1, ..., 1]. */
  sizes: number[];
  activation: ActivationName;
  /** [S][L] kernels [in·out] row-major (standardisation and output scale folded in). */
  kernels: Float64Array[][];
  /** [S][L] biases [out]. */
  biases: Float64Array[][];
  /** [S] E0 per species, eV. */
  e0Ev: Float64Array;
}

/** Fold the standardisation and energy scale into float64 copies of the saved weights. */
export function atomicNetworksOf(saved: SavedModel): AtomicNetworks {
  const S = saved.species.length;
  let sizes: number[], activation: ActivationName, names: (sym: string) => string[][];
  let scale = 1, shift = 0;
  if (saved.type === 'bpnn') {
    const c = parseBehlerParrinelloConfig(saved.config);
    sizes = [featureLayout(c.symmetryFunctions, S).nFeatures, ...c.hidden, 1];
    activation = c.activation;
    names = (sym) => sizes.slice(1).map((_, l) => [`${sym}/dense${l}/kernel`, `${sym}/dense${l}/bias`]);
    scale = saved.scales.energyEvPerAtom;
    shift = saved.scales.energyMeanEvPerAtom;
  } else if (saved.type === 'linear') {
    const c = parseLinearConfig(saved.config);
    sizes = [featureLayout(c.symmetryFunctions, S).nFeatures, 1];
    activation = 'linear';
    names = (sym) => [[`${sym}/linear/kernel`, `${sym}/linear/bias`]];
  } else throw new Error(`atomicNetworksOf: no symmetry-function network in a "${saved.type}" model`);
  const F = sizes[0];
  const mean = savedArray(saved.buffers, 'feature_mean').data, std = savedArray(saved.buffers, 'feature_std').data;
  const kernels: Float64Array[][] = [], biases: Float64Array[][] = [];
  saved.species.forEach((sym, s) => {
    const ks: Float64Array[] = [], bs: Float64Array[] = [];
    names(sym).forEach(([kn, bn], l) => {
      const k = Float64Array.from(savedArray(saved.weights, kn).data), b = Float64Array.from(savedArray(saved.weights, bn).data);
      const nin = sizes[l], nout = sizes[l + 1];
      if (k.length !== nin * nout || b.length !== nout) throw new Error(`${kn}: expected [${nin}, ${nout}], got ${k.length} values`);
      if (l === 0) {
        for (let f = 0; f < F; f++) {
          const mu = mean[s * F + f], sd = std[s * F + f];
          for (let o = 0; o < nout; o++) {
            k[f * nout + o] /= sd;
            b[o] -= mu * k[f * nout + o];
          }
        }
      }
      if (l === sizes.length - 2) {
        for (let q = 0; q < k.length; q++) k[q] *= scale;
        for (let o = 0; o < nout; o++) b[o] = scale * b[o] + shift;
      }
      ks.push(k);
      bs.push(b);
    });
    kernels.push(ks);
    biases.push(bs);
  });
  return { nSpecies: S, sizes, activation, kernels, biases, e0Ev: Float64Array.from(saved.e0.valuesEv) };
}

/** act(z) and act'(z) by name into h, dh (float64). */
function activate(name: ActivationName, z: Float64Array, h: Float64Array, dh: Float64Array, n: number): void {
  for (let o = 0; o < n; o++) {
    const x = z[o];
    switch (name) {
      case 'tanh': {
        const t = Math.tanh(x);
        h[o] = t;
        dh[o] = 1 - t * t;
        break;
      }
      case 'sigmoid': {
        const sg = 1 / (1 + Math.exp(-x));
        h[o] = sg;
        dh[o] = sg * (1 - sg);
        break;
      }
      case 'silu': {
        const sg = 1 / (1 + Math.exp(-x));
        h[o] = x * sg;
        dh[o] = sg * (1 + x * (1 - sg));
        break;
      }
      case 'softplus':
      case 'shifted_softplus': {
        h[o] = (x > 30 ? x : Math.log1p(Math.exp(x))) - (name === 'shifted_softplus' ? Math.LN2 : 0);
        dh[o] = 1 / (1 + Math.exp(-x));
        break;
      }
      default:
        h[o] = x;
        dh[o] = 1;
    }
  }
}

/** Scratch of one evaluation: activations and their derivatives per layer. */
export interface NetworkScratch {
  h: Float64Array[];
  dh: Float64Array[];
  delta: Float64Array[];
}

export function networkScratch(net: AtomicNetworks): NetworkScratch {
  const mk = () => net.sizes.map((n) => new Float64Array(n));
  return { h: mk(), dh: mk(), delta: mk() };
}

/**
 * Per-atom energies E_i (eV, E0 included) into `energies` [N]; with `dEdG` [N·F] given, the
 * reverse pass as well. Returns Σ_i E_i.
 */
export function evaluateNetworks(net: AtomicNetworks, G: Float64Array, species: Int32Array, n: number, energies: Float64Array, dEdG: Float64Array | null, s: NetworkScratch): number {
  const sizes = net.sizes, L = sizes.length - 1, F = sizes[0], act = net.activation;
  const { h, dh, delta } = s;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const sp = species[i], Ks = net.kernels[sp], Bs = net.biases[sp];
    let inp: Float64Array = G, off = i * F; // layer input: row i of G, then h_l
    for (let l = 0; l < L; l++) {
      const K = Ks[l], nin = sizes[l], nout = sizes[l + 1], z = h[l + 1];
      z.set(Bs[l]);
      for (let k = 0; k < nin; k++) {
        const xk = inp[off + k];
        if (xk === 0) continue;
        const o0 = k * nout;
        for (let o = 0; o < nout; o++) z[o] += xk * K[o0 + o];
      }
      if (l + 1 < L) activate(act, z, z, dh[l + 1], nout);
      inp = z;
      off = 0;
    }
    const e = h[L][0] + net.e0Ev[sp];
    energies[i] = e;
    total += e;
    if (!dEdG) continue;
    // reverse: δ_L = 1; δh_l = δz_{l+1} W_{l+1}ᵀ; δz_l = δh_l ∘ act'(z_l)
    delta[L][0] = 1;
    for (let l = L - 1; l >= 0; l--) {
      const K = Ks[l], nin = sizes[l], nout = sizes[l + 1], dz = delta[l + 1];
      const out = l === 0 ? dEdG : delta[l], base = l === 0 ? i * F : 0, d = dh[l];
      for (let k = 0; k < nin; k++) {
        let acc = 0;
        const o0 = k * nout;
        for (let o = 0; o < nout; o++) acc += dz[o] * K[o0 + o];
        out[base + k] = l === 0 ? acc : acc * d[k];
      }
    }
  }
  return total;
}
