// PaiNN, the polarizable atom interaction neural network (Schütt, Unke & Gastegger, "Equivariant
// message passing for the prediction of tensorial properties and molecular spectra", ICML 2021,
// arXiv:2102.03150): an E(3)-equivariant message-passing potential.
//
// Every atom carries scalar features s_i ∈ R^F (invariant) and vector features v_i ∈ R^{3×F}
// (rotating with the structure). s_i^0 = embedding(Z_i), v_i^0 = 0. Each of L blocks applies
//   message (Eqs. 7, 8): [φ_ss | φ_vv | φ_vs](s_j) ∘ [W_ss | W_vv | W_vs](r_ij)   (φ: Dense-σ-Dense, F -> 3F)
//     Δs_i = Σ_j φ_ss(s_j) ∘ W_ss(r_ij)
//     Δv_i = Σ_j v_j ∘ φ_vv(s_j) ∘ W_vv(r_ij) + Σ_j φ_vs(s_j) ∘ W_vs(r_ij) r̂_ij
//   with the filter W(r) = (Dense(K -> 3F) of the radial basis) · f_c(r), radial basis
//   sin(nπ r / r_c) / r (n = 1..K, Bessel functions of DimeNet), f_c the cosine cutoff
//   ½(cos(π r / r_c) + 1) or the polynomial envelope of DimeNet (p = 6);
//   update (Eq. 9): [a_vv | a_sv | a_ss] = Dense-σ-Dense(s_i, ‖V v_i‖) (2F -> 3F)
//     Δv_i = a_vv ∘ (U v_i)
//     Δs_i = a_ss + a_sv ∘ ⟨U v_i, V v_i⟩
//   (U, V: F×F channel mixing without bias; ‖x‖ = sqrt(|x|² + 1e-8) so the norm stays smooth,
//   with finite derivatives of every order, where V v_i = 0).
// Energy head: E_i = s_E · MLP(s_i^L) + ē (s_E, ē: energy scale and mean of the training data), so
// E = Σ_i E_i + Σ_i E0(Z_i); forces and stress by autodiff of E (predict.ts), conservative.
//
// Optional direct-force head (`directForces: true`, for the drift study of issue 5): F_i = s_F ·
// Σ_f w_f v_i[:, f], linear in the vector features, hence equivariant but NOT conservative (it is
// not -dE/dR of the energy head or of anything; see directForces.ts). Off by default.
//
// Only second-order-safe ops (safe SiLU from tf/activations.ts; sin, cos, sqrt, gather, segment
// sums, matMul), so a force loss trains correctly. painnF64.ts is the independent float64 twin.
import type { GraphTensors, HostGraphBatch } from '../data/batch';
import { speciesTable } from '../data/species';
import { createRng } from '../../space/rng';
import { ACTIVATIONS, safeOps, type ActivationName } from '../tf/activations';
import { uniqueVariableName } from '../tf/names';
import type { Tensor, Tensor1D, Tensor2D, Tf } from '../tf/types';
import type { DirectForceModel } from './directForces';
import type { AtomisticModel, ModelInit, NamedVariable } from './model';
import { MODEL_FORMAT, MODEL_VERSION, savedArray, type SavedModel, type SavedTensor } from './serialization';

export type PainnCutoffFunction = 'cosine' | 'polynomial';

export interface PainnConfig {
  /** Interaction range r_c, Å. */
  cutoffA: number;
  /** F: scalar and vector channels per atom. */
  features: number;
  /** K: Bessel radial basis functions. */
  radialBasis: number;
  /** L: interaction (message + update) blocks. */
  layers: number;
  /** Hidden widths of the per-atom energy MLP. */
  headHidden: number[];
  /** Nonlinearity of φ, the update network and the head (σ above). */
  activation: ActivationName;
  cutoffFunction: PainnCutoffFunction;
  /** Add the non-conservative vector force head (forces = W v, not -dE/dR). */
  directForces: boolean;
}

/** ε inside ‖V v‖ = sqrt(|V v|² + ε) (schnetpack's value). */
export const PAINN_NORM_EPS = 1e-8;
/** Exponent p of the polynomial cutoff envelope (DimeNet, Klicpera et al. 2020). */
export const PAINN_POLY_P = 6;

export function defaultPainnConfig(): PainnConfig {
  return { cutoffA: 5, features: 32, radialBasis: 16, layers: 2, headHidden: [16], activation: 'silu', cutoffFunction: 'cosine', directForces: false };
}

const posInt = (x: unknown) => Number.isInteger(x) && (x as number) >= 1;

/** Fill defaults and validate a (partial) JSON config; errors name the field. */
export function parsePainnConfig(raw: unknown): PainnConfig {
  const d = defaultPainnConfig();
  const r = (raw ?? {}) as Partial<PainnConfig>;
  const known = new Set(Object.keys(d));
  for (const k of Object.keys(r)) if (!known.has(k)) throw new Error(`painn: unknown config key "${k}" (known: ${[...known].join(', ')})`);
  const c: PainnConfig = { ...d, ...r, headHidden: r.headHidden ?? d.headHidden };
  if (!(typeof c.cutoffA === 'number' && c.cutoffA > 0 && Number.isFinite(c.cutoffA))) throw new Error(`painn: cutoffA must be a positive number of Å, got ${JSON.stringify(c.cutoffA)}`);
  for (const k of ['features', 'radialBasis', 'layers'] as const) if (!posInt(c[k])) throw new Error(`painn: ${k} must be a positive integer, got ${JSON.stringify(c[k])}`);
  if (!Array.isArray(c.headHidden) || !c.headHidden.every(posInt)) throw new Error(`painn: headHidden must be a list of positive integers, got ${JSON.stringify(c.headHidden)}`);
  if (!ACTIVATIONS.includes(c.activation)) throw new Error(`painn: activation must be one of ${ACTIVATIONS.join(', ')}, got ${c.activation}`);
  if (c.cutoffFunction !== 'cosine' && c.cutoffFunction !== 'polynomial') throw new Error(`painn: cutoffFunction must be "cosine" or "polynomial", got ${JSON.stringify(c.cutoffFunction)}`);
  if (typeof c.directForces !== 'boolean') throw new Error(`painn: directForces must be true or false, got ${JSON.stringify(c.directForces)}`);
  return c;
}

/** Names and shapes of the trainable arrays, in variable order (shared with the float64 twin). */
export function painnWeightShapes(c: PainnConfig, nSpecies: number): { name: string; shape: number[] }[] {
  const F = c.features, K = c.radialBasis;
  const out: { name: string; shape: number[] }[] = [{ name: 'embedding', shape: [nSpecies, F] }];
  for (let l = 0; l < c.layers; l++) {
    const p = `layer${l}`;
    out.push(
      { name: `${p}/phi0/kernel`, shape: [F, F] },
      { name: `${p}/phi0/bias`, shape: [F] },
      { name: `${p}/phi1/kernel`, shape: [F, 3 * F] },
      { name: `${p}/phi1/bias`, shape: [3 * F] },
      { name: `${p}/filter/kernel`, shape: [K, 3 * F] },
      { name: `${p}/filter/bias`, shape: [3 * F] },
      { name: `${p}/U`, shape: [F, F] },
      { name: `${p}/V`, shape: [F, F] },
      { name: `${p}/update0/kernel`, shape: [2 * F, F] },
      { name: `${p}/update0/bias`, shape: [F] },
      { name: `${p}/update1/kernel`, shape: [F, 3 * F] },
      { name: `${p}/update1/bias`, shape: [3 * F] },
    );
  }
  const sizes = [F, ...c.headHidden, 1];
  for (let k = 0; k + 1 < sizes.length; k++) out.push({ name: `head/dense${k}/kernel`, shape: [sizes[k], sizes[k + 1]] }, { name: `head/dense${k}/bias`, shape: [sizes[k + 1]] });
  if (c.directForces) out.push({ name: 'forceHead/kernel', shape: [F, 1] });
  return out;
}

/** Initial weights: Glorot-uniform kernels, zero biases, unit-variance embedding; seeded. */
export function initPainnWeights(c: PainnConfig, nSpecies: number, seed: number): SavedTensor<Float32Array>[] {
  const rng = createRng(seed);
  return painnWeightShapes(c, nSpecies).map(({ name, shape }) => {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    if (name === 'embedding') for (let k = 0; k < data.length; k++) data[k] = rng.uniform(-Math.sqrt(3), Math.sqrt(3));
    else if (shape.length === 2) {
      const limit = Math.sqrt(6 / (shape[0] + shape[1]));
      for (let k = 0; k < data.length; k++) data[k] = rng.uniform(-limit, limit);
    }
    return { name, shape, data };
  });
}

/** A new PaiNN model with initial weights (no input statistics needed). */
export function createPainn(tf: Tf, config: PainnConfig, init: ModelInit): AtomisticModel {
  const c = parsePainnConfig(config);
  const saved: SavedModel = {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    type: 'painn',
    config: c,
    species: [...init.species.symbols],
    e0: { method: init.e0.method, valuesEv: Array.from(init.e0.valuesEv) },
    scales: { ...init.scales },
    weights: initPainnWeights(c, init.species.numbers.length, init.seed * 1000 + 17),
    buffers: [],
    metadata: {},
  };
  return loadPainn(tf, saved);
}

type Vars = Record<string, Tensor>;

/**
 * Per-edge geometry: the Cartesian components of r̂_ij as three [P, 1] columns, the Bessel basis
 * times the cutoff, rbf·f_c [P, K], and the cutoff f_c [P, 1]; a filter (rbf W + b) f_c is then
 * (rbf·f_c) W + f_c b, two products whose weight gradients are products too (no axis-0 sums).
 */
function edgeGeometry(tf: Tf, c: PainnConfig, e: Tensor2D) {
  const P = e.shape[0];
  const r = tf.sqrt(tf.sum(tf.square(e), 1, true)); // [P, 1]
  const dir = [0, 1, 2].map((k) => tf.div(tf.slice(e, [0, k], [P, 1]), r)); // 3 × [P, 1]
  const freq = tf.tensor2d(Float32Array.from({ length: c.radialBasis }, (_, n) => ((n + 1) * Math.PI) / c.cutoffA), [1, c.radialBasis]);
  const rbf = tf.div(tf.sin(tf.mul(r, freq)), r); // [P, K]
  let fc: Tensor; // [P, 1]
  if (c.cutoffFunction === 'cosine') fc = tf.mul(tf.add(tf.cos(tf.mul(r, Math.PI / c.cutoffA)), 1), 0.5);
  else {
    // u(x) = 1 - (p+1)(p+2)/2 x^p + p(p+2) x^(p+1) - p(p+1)/2 x^(p+2), x = r/rc
    const p = PAINN_POLY_P;
    const x = tf.div(r, c.cutoffA);
    const xp = tf.pow(x, p);
    fc = tf.add(1, tf.mul(xp, tf.add(-((p + 1) * (p + 2)) / 2, tf.mul(x, tf.add(p * (p + 2), tf.mul(x, -(p * (p + 1)) / 2))))));
  }
  return { dir, rbfc: tf.mul(rbf, fc) as Tensor2D, fc: fc as Tensor2D }; // 3 × [P, 1], [P, K], [P, 1]
}

/** Columns [c·F, (c+1)·F) of a [rows, 3F] kernel or a [3F] bias (a small slice of a weight). */
function chunk(tf: Tf, t: Tensor, c: number, F: number): Tensor {
  return t.rank === 1 ? tf.slice(t, [c * F], [F]) : tf.slice(t, [0, c * F], [t.shape[0], F]);
}

/**
 * Dense(σ)-Dense with three F-wide outputs, [n, in] -> 3 × [n, F] (x may be column blocks, whose
 * products with the kernel rows are summed). The kernel is sliced, not the output: slicing columns
 * of a large [n, 3F] activation is slow on cpu and wasm, slicing a [F, 3F] weight is free.
 */
function twoLayer3(tf: Tf, act: (x: Tensor) => Tensor, x: Tensor2D[], w: Vars, p: string, F: number): Tensor2D[] {
  const W0 = w[`${p}0/kernel`] as Tensor2D;
  let off = 0;
  let h = x.reduce<Tensor | null>((acc, xb) => {
    const Wb = x.length === 1 ? W0 : (tf.slice(W0, [off, 0], [xb.shape[1], W0.shape[1]]) as Tensor2D);
    off += xb.shape[1];
    const y = tf.matMul(xb, Wb);
    return acc ? tf.add(acc, y) : y;
  }, null)!;
  h = act(tf.add(h, w[`${p}0/bias`])); // [n, F]
  const W1 = w[`${p}1/kernel`], b1 = w[`${p}1/bias`];
  return [0, 1, 2].map((c) => tf.add(tf.matMul(h as Tensor2D, chunk(tf, W1, c, F) as Tensor2D), chunk(tf, b1, c, F)) as Tensor2D); // 3 × [n, F]
}

/**
 * Scalar features s [N, F] and vector features v (three [N, F] Cartesian components, null when the
 * model has no block) after L blocks. Keeping x, y, z apart makes every op an equal-shape or
 * last-axis one ([N, 3, F] tensors need middle-axis sums in their gradients, slow on cpu and wasm).
 */
export function painnFeatures(tf: Tf, c: PainnConfig, w: Vars, batch: GraphTensors, edgeVectorsA: Tensor2D): { s: Tensor2D; v: Tensor2D[] | null } {
  const act = safeOps(tf).activation(c.activation);
  const F = c.features, N = batch.host.nAtoms;
  const { dir, rbfc, fc } = edgeGeometry(tf, c, edgeVectorsA); // 3 × [P, 1], [P, K], [P, 1]
  let s = tf.gather(w.embedding, batch.species) as Tensor2D; // [N, F]
  let v: Tensor2D[] | null = null; // 3 × [N, F]; v^0 = 0 (terms with v^0 are skipped, not multiplied by 0)
  const add = (a: Tensor, b: Tensor) => tf.add(a, b) as Tensor2D;
  for (let l = 0; l < c.layers; l++) {
    const p = `layer${l}`;
    // message (Eqs. 7, 8): chunks 0, 1, 2 = ss, vv, vs of φ(s_j) ∘ W(r_ij)
    const phi = twoLayer3(tf, act, [s], w, `${p}/phi`, F); // 3 × [N, F]
    const msg = (k: number): Tensor2D => {
      const filt = add(tf.matMul(rbfc, chunk(tf, w[`${p}/filter/kernel`], k, F) as Tensor2D), tf.matMul(fc, tf.reshape(chunk(tf, w[`${p}/filter/bias`], k, F), [1, F]) as Tensor2D)); // [P, F]
      return tf.mul(tf.gather(phi[k], batch.edgeJ), filt) as Tensor2D; // [P, F]
    };
    s = add(s, tf.unsortedSegmentSum(msg(0), batch.edgeI, N)); // [N, F]
    const mvv = v ? msg(1) : null, mvs = msg(2); // [P, F]
    const dv = [0, 1, 2].map((k) => {
      let e = tf.mul(mvs, dir[k]); // [P, F]
      if (v) e = add(e, tf.mul(mvv!, tf.gather(v[k], batch.edgeJ))); // [P, F]
      return tf.unsortedSegmentSum(e, batch.edgeI, N) as Tensor2D; // [N, F]
    });
    v = v ? v.map((x, k) => add(x, dv[k])) : dv;
    // update (Eq. 9)
    const Uv: Tensor2D[] = v.map((x) => tf.matMul(x, w[`${p}/U`] as Tensor2D)); // 3 × [N, F]
    const Vv: Tensor2D[] = v.map((x) => tf.matMul(x, w[`${p}/V`] as Tensor2D)); // 3 × [N, F]
    const normVv = tf.sqrt(add(add(add(tf.square(Vv[0]), tf.square(Vv[1])), tf.square(Vv[2])), tf.scalar(PAINN_NORM_EPS))) as Tensor2D; // [N, F]
    const dot = add(add(tf.mul(Uv[0], Vv[0]), tf.mul(Uv[1], Vv[1])), tf.mul(Uv[2], Vv[2])); // ⟨U v, V v⟩ [N, F]
    const [avv, asv, ass] = twoLayer3(tf, act, [s, normVv], w, `${p}/update`, F); // 3 × [N, F]
    s = add(s, add(ass, tf.mul(asv, dot))); // [N, F]
    // the last block's Δv reaches no output unless the direct force head reads v
    if (l + 1 < c.layers || c.directForces) v = v.map((x, k): Tensor2D => add(x, tf.mul(avv, Uv[k]))); // 3 × [N, F]
  }
  return { s, v };
}

/** Per-atom energy head: s_E · MLP(s) + ē. [N] */
function energyHead(tf: Tf, c: PainnConfig, w: Vars, s: Tensor2D, sE: number, shift: number): Tensor1D {
  const act = safeOps(tf).activation(c.activation);
  let h: Tensor = s;
  const n = c.headHidden.length + 1;
  for (let k = 0; k < n; k++) {
    h = tf.add(tf.matMul(h as Tensor2D, w[`head/dense${k}/kernel`] as Tensor2D), w[`head/dense${k}/bias`]); // [N, size_k+1]
    if (k + 1 < n) h = act(h);
  }
  return tf.add(tf.mul(tf.reshape(h, [-1]), sE), shift) as Tensor1D; // [N]
}

/** Rebuild a PaiNN model from a SavedModel (weights copied into new tf variables). */
export function loadPainn(tf: Tf, saved: SavedModel): AtomisticModel {
  const c = parsePainnConfig(saved.config);
  const species = speciesTable(saved.species);
  const shapes = painnWeightShapes(c, species.numbers.length);
  const variables: NamedVariable[] = shapes.map(({ name, shape }) => {
    const a = savedArray(saved.weights, name);
    if (a.shape.join('x') !== shape.join('x')) throw new Error(`painn: weight "${name}" has shape [${a.shape}], the config needs [${shape}]`);
    return { name, variable: tf.tidy(() => tf.variable(tf.tensor(a.data, shape, 'float32'), true, uniqueVariableName(`painn/${name}`))) };
  });
  const w: Vars = Object.fromEntries(variables.map((v) => [v.name, v.variable]));
  const sE = saved.scales.energyEvPerAtom, shift = saved.scales.energyMeanEvPerAtom, sF = saved.scales.forceEvPerA;
  const e0 = { method: saved.e0.method as 'least_squares', valuesEv: Float64Array.from(saved.e0.valuesEv) };
  let disposed = false;
  const model: AtomisticModel = {
    type: 'painn',
    config: c,
    species,
    graphSpec: { cutoffA: c.cutoffA },
    e0,
    scales: { ...saved.scales },
    variables,
    tf,
    prepareBatch: (_b: HostGraphBatch) => ({}),
    atomicEnergies(batch: GraphTensors, edgeVectorsA: Tensor2D): Tensor1D {
      return energyHead(tf, c, w, painnFeatures(tf, c, w, batch, edgeVectorsA).s, sE, shift);
    },
    save(metadata = {}) {
      return {
        ...saved,
        config: c,
        scales: { ...saved.scales },
        weights: variables.map((v) => ({ name: v.name, shape: v.variable.shape.slice(), data: Float32Array.from(v.variable.dataSync() as Float32Array) })),
        buffers: [],
        metadata: { ...saved.metadata, ...metadata },
      };
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const v of variables) v.variable.dispose();
    },
  };
  if (!c.directForces) return model;
  // Non-conservative vector head (directForces.ts): predict.ts takes the forces from here.
  const direct: DirectForceModel = {
    ...model,
    energiesAndDirectForces(batch: GraphTensors, edgeVectorsA: Tensor2D) {
      const { s, v } = painnFeatures(tf, c, w, batch, edgeVectorsA);
      const vf = v ? tf.concat(v.map((x) => tf.matMul(x, w['forceHead/kernel'] as Tensor2D)), 1) : tf.zeros([batch.host.nAtoms, 3]); // [N, 3]
      return { atomicEnergiesEv: energyHead(tf, c, w, s, sE, shift), forcesEvPerA: tf.mul(vf, sF) as Tensor2D };
    },
  };
  return direct;
}
