// Atom-centred symmetry functions (Behler, J. Chem. Phys. 134, 074106 (2011)), with n2p2's
// definitions (Singraber et al., J. Chem. Theory Comput. 15, 1827 (2019); compphysvienna.github.io/n2p2):
//
//   fc(r)  = ½ [cos(π r / rc) + 1]                         for r < rc, else 0   (cosine cutoff)
//   G2_i   = Σ_{j≠i} exp(-η (r_ij - rs)²) fc(r_ij)                               (radial, per element of j)
//   G4_i   = 2^(1-ζ) Σ_{j≠i} Σ_{k>j} (1 + λ cos θ_ijk)^ζ exp(-η (r_ij² + r_ik² + r_jk²)) fc(r_ij) fc(r_ik) fc(r_jk)
//   G5_i   = 2^(1-ζ) Σ_{j≠i} Σ_{k>j} (1 + λ cos θ_ijk)^ζ exp(-η (r_ij² + r_ik²)) fc(r_ij) fc(r_ik)
//                                                                        (angular, per unordered element pair {j, k})
// with cos θ_ijk = r_ij·r_ik / (r_ij r_ik), λ = ±1 and integer ζ >= 1 here (powers by repeated
// multiplication, whose derivatives stay finite at 1 + λ cos θ = 0, which pow() does not).
// Feature layout per atom: S radial blocks (element of j) of Kr functions, then S(S+1)/2 angular
// blocks (element pair {j, k}) of Ka = nη·nζ·nλ functions (η major, then ζ, then λ).
//
// This file holds the configuration and a plain float64 implementation with analytic derivatives
// dG_i/dr_p for every edge p of centre i (the independent reference for the tf graph, the input
// statistics, and the design matrix of the linear model). The tf graph is in symmetryFunctionsTf.ts.
import type { FrameGraph } from '../data/graph';
import { pairIndex } from '../data/species';
import { checkPowerSpectrum, powerSpectrumF64, powerSpectrumLayout, powerSpectrumNames, powerSpectrumPlan, type PowerSpectrumConfig } from './powerSpectrum';

export interface RadialFunction {
  etaPerA2: number;
  rsA: number;
}

export interface AngularSet {
  kind: 'G4' | 'G5';
  /** Angular cutoff (<= the radial cutoff): triplets use only edges shorter than this. */
  cutoffA: number;
  etaPerA2: number[];
  /** Integers >= 1. */
  zeta: number[];
  /** Each +1 or -1. */
  lambda: number[];
}

export interface SymmetryFunctionConfig {
  /** Radial cutoff rc, Å (the model's interaction range). */
  cutoffA: number;
  radial: RadialFunction[];
  angular: AngularSet | null;
  /** Optional SOAP-like power spectrum after the angular blocks (powerSpectrum.ts); absent or null: none. */
  powerSpectrum?: PowerSpectrumConfig | null;
}

/**
 * n2p2 sfparamgen-style defaults: `nRadial` Gaussians shifted evenly over [rLower, rc - 0.5 Å] with
 * η = 1/(2Δr²), plus one η = 0 counting function; angular G4 with η from a centred grid
 * (η = 1/(2 r²), r over [rLower, rcAng]), ζ in {1, 2, 4, 16}, λ = ±1.
 */
export function defaultSymmetryFunctions(opts: { cutoffA?: number; angularCutoffA?: number; nRadial?: number; nAngularEta?: number; rLowerA?: number; zeta?: number[]; kind?: 'G4' | 'G5' } = {}): SymmetryFunctionConfig {
  const rc = opts.cutoffA ?? 5.0;
  const rcA = opts.angularCutoffA ?? rc;
  const n = opts.nRadial ?? 8;
  const lo = opts.rLowerA ?? 1.5;
  const hi = rc - 0.5;
  const radial: RadialFunction[] = [{ etaPerA2: 0, rsA: 0 }];
  const dr = n > 1 ? (hi - lo) / (n - 1) : 1;
  for (let k = 0; k < n; k++) radial.push({ etaPerA2: 1 / (2 * dr * dr), rsA: n > 1 ? lo + k * dr : lo });
  const nEta = opts.nAngularEta ?? 2;
  const etas: number[] = [];
  for (let k = 0; k < nEta; k++) {
    const r = nEta > 1 ? lo + ((rcA - lo) * k) / (nEta - 1) : rcA;
    etas.push(1 / (2 * r * r));
  }
  return {
    cutoffA: rc,
    radial,
    angular: nEta > 0 ? { kind: opts.kind ?? 'G4', cutoffA: rcA, etaPerA2: etas, zeta: opts.zeta ?? [1, 2, 4, 16], lambda: [-1, 1] } : null,
  };
}

/** Validate (throws with a message naming the field); returns the config. */
export function checkSymmetryFunctions(c: SymmetryFunctionConfig): SymmetryFunctionConfig {
  if (!(c.cutoffA > 0 && Number.isFinite(c.cutoffA))) throw new Error(`symmetry functions: cutoffA must be > 0, got ${c.cutoffA}`);
  if (!Array.isArray(c.radial)) throw new Error('symmetry functions: radial must be a list');
  for (const r of c.radial) if (!(r.etaPerA2 >= 0 && Number.isFinite(r.rsA))) throw new Error(`symmetry functions: bad radial function ${JSON.stringify(r)}`);
  const a = c.angular;
  if (a) {
    if (a.kind !== 'G4' && a.kind !== 'G5') throw new Error(`symmetry functions: angular kind must be G4 or G5, got ${a.kind}`);
    if (!(a.cutoffA > 0 && a.cutoffA <= c.cutoffA)) throw new Error(`symmetry functions: angular cutoffA must be in (0, ${c.cutoffA}], got ${a.cutoffA}`);
    for (const z of a.zeta) if (!(Number.isInteger(z) && z >= 1 && z <= 64)) throw new Error(`symmetry functions: zeta must be an integer in [1, 64], got ${z}`);
    for (const l of a.lambda) if (l !== 1 && l !== -1) throw new Error(`symmetry functions: lambda must be +1 or -1, got ${l}`);
    for (const e of a.etaPerA2) if (!(e >= 0)) throw new Error(`symmetry functions: angular eta must be >= 0, got ${e}`);
  }
  if (c.powerSpectrum) checkPowerSpectrum(c.powerSpectrum, c.cutoffA);
  if (c.radial.length === 0 && !(a && a.etaPerA2.length && a.zeta.length && a.lambda.length) && !c.powerSpectrum) throw new Error('symmetry functions: no functions configured');
  return c;
}

export interface FeatureLayout {
  nSpecies: number;
  nRadial: number;
  /** Ka = nη·nζ·nλ, 0 without angular functions. */
  nAngular: number;
  nPairs: number;
  /** Power-spectrum columns (0 without one); they start at powerOffset = S·Kr + S(S+1)/2·Ka. */
  nPower: number;
  powerOffset: number;
  /** Features per atom: S·Kr + S(S+1)/2·Ka + nPower. */
  nFeatures: number;
}

export function featureLayout(c: SymmetryFunctionConfig, nSpecies: number): FeatureLayout {
  const Kr = c.radial.length;
  const Ka = c.angular ? c.angular.etaPerA2.length * c.angular.zeta.length * c.angular.lambda.length : 0;
  const nPairs = (nSpecies * (nSpecies + 1)) / 2;
  const nPower = c.powerSpectrum ? powerSpectrumLayout(c.powerSpectrum, nSpecies).width : 0;
  const powerOffset = nSpecies * Kr + nPairs * Ka;
  return { nSpecies, nRadial: Kr, nAngular: Ka, nPairs, nPower, powerOffset, nFeatures: powerOffset + nPower };
}

/** Human-readable feature names, e.g. "G2[Si] eta=0.5 rs=2", "G4[Si,Si] eta=0.02 zeta=4 lambda=-1". */
export function featureNames(c: SymmetryFunctionConfig, symbols: readonly string[]): string[] {
  const S = symbols.length;
  const names: string[] = [];
  for (let s = 0; s < S; s++) for (const r of c.radial) names.push(`G2[${symbols[s]}] eta=${r.etaPerA2} rs=${r.rsA}`);
  const a = c.angular;
  if (a) for (let s = 0; s < S; s++) for (let t = s; t < S; t++) for (const e of a.etaPerA2) for (const z of a.zeta) for (const l of a.lambda) names.push(`${a.kind}[${symbols[s]},${symbols[t]}] eta=${e} zeta=${z} lambda=${l}`);
  if (c.powerSpectrum) names.push(...powerSpectrumNames(c.powerSpectrum, symbols));
  return names;
}

export interface DescriptorsF64 {
  /** [N·F] G_i (row-major). */
  values: Float64Array;
  /** [P·F·3] dG_{i_p}/dr_p (only when derivatives were requested). */
  edgeDerivatives: Float64Array | null;
}

/**
 * Symmetry functions of one frame graph in float64. `species` [N] species indices.
 * The graph must have been built with this config's cutoff and triplet spec (graphSpecOf).
 */
export function descriptorsF64(
  c: SymmetryFunctionConfig,
  g: FrameGraph,
  species: Int32Array,
  nSpecies: number,
  withDerivatives = false,
  /** A buffer to reuse for the derivatives (zeroed here) when it is at least P·F·3 long. */
  derivativeBuffer?: Float64Array,
): DescriptorsF64 {
  const L = featureLayout(c, nSpecies);
  const F = L.nFeatures, Kr = L.nRadial;
  const N = g.nAtoms, P = g.edgeI.length;
  const G = new Float64Array(N * F);
  const D = withDerivatives ? (derivativeBuffer && derivativeBuffer.length >= P * F * 3 ? derivativeBuffer.subarray(0, P * F * 3).fill(0) : new Float64Array(P * F * 3)) : null;
  const v = g.edgeVectorsA;
  const rc = c.cutoffA;
  const r = new Float64Array(P);
  for (let p = 0; p < P; p++) {
    const x = v[3 * p], y = v[3 * p + 1], z = v[3 * p + 2];
    r[p] = Math.sqrt(x * x + y * y + z * z);
  }
  const piRc = Math.PI / rc;
  const etaR = c.radial.map((f) => f.etaPerA2), rsR = c.radial.map((f) => f.rsA);
  for (let p = 0; p < P; p++) {
    const i = g.edgeI[p], sj = species[g.edgeJ[p]];
    const rp = r[p];
    if (rp >= rc) continue;
    const fc = 0.5 * (Math.cos(piRc * rp) + 1), dfc = -0.5 * piRc * Math.sin(piRc * rp);
    const base = i * F + sj * Kr;
    const ux = v[3 * p] / rp, uy = v[3 * p + 1] / rp, uz = v[3 * p + 2] / rp;
    for (let k = 0; k < Kr; k++) {
      const d = rp - rsR[k];
      const e = Math.exp(-etaR[k] * d * d);
      G[base + k] += e * fc;
      if (D) {
        const dgdr = e * (-2 * etaR[k] * d * fc + dfc);
        const o = (p * F + sj * Kr + k) * 3;
        D[o] += dgdr * ux;
        D[o + 1] += dgdr * uy;
        D[o + 2] += dgdr * uz;
      }
    }
  }
  const a = c.angular;
  if (a && g.tripletA.length) {
    const rcA = a.cutoffA, g4 = a.kind === 'G4', piA = Math.PI / rcA;
    const nEta = a.etaPerA2.length, nZ = a.zeta.length, nL = a.lambda.length, nZL = nZ * nL;
    const angOffset = nSpecies * Kr;
    const cz = a.zeta.map((z) => 2 ** (1 - z));
    const A = new Float64Array(nZL), dA = new Float64Array(nZL), X = new Float64Array(nEta);
    const va = [0, 0, 0], vb = [0, 0, 0], vjk = [0, 0, 0];
    const dcosA = [0, 0, 0], dcosB = [0, 0, 0], dsA = [0, 0, 0], dsB = [0, 0, 0], df3A = [0, 0, 0], df3B = [0, 0, 0];
    for (let t = 0; t < g.tripletA.length; t++) {
      const pa = g.tripletA[t], pb = g.tripletB[t];
      const i = g.edgeI[pa];
      const ra = r[pa], rb = r[pb];
      if (ra >= rcA || rb >= rcA) continue;
      for (let x = 0; x < 3; x++) {
        va[x] = v[3 * pa + x];
        vb[x] = v[3 * pb + x];
        vjk[x] = vb[x] - va[x];
      }
      const rjk = g4 ? Math.sqrt(vjk[0] * vjk[0] + vjk[1] * vjk[1] + vjk[2] * vjk[2]) : 0;
      if (g4 && rjk >= rcA) continue;
      const cos = (va[0] * vb[0] + va[1] * vb[1] + va[2] * vb[2]) / (ra * rb);
      const fca = 0.5 * (Math.cos(piA * ra) + 1), fcb = 0.5 * (Math.cos(piA * rb) + 1), fcjk = g4 ? 0.5 * (Math.cos(piA * rjk) + 1) : 1;
      const f3 = fca * fcb * fcjk;
      const s = ra * ra + rb * rb + (g4 ? rjk * rjk : 0);
      const pairBlock = angOffset + pairIndex(species[g.edgeJ[pa]], species[g.edgeJ[pb]], nSpecies) * L.nAngular;
      // (1 + λ cos)^ζ and its derivative in cos, once per triplet; b^(ζ-1) keeps b = 0 finite
      for (let z = 0; z < nZ; z++) {
        const zeta = a.zeta[z];
        for (let l = 0; l < nL; l++) {
          const lam = a.lambda[l];
          const b = 1 + lam * cos;
          const pm1 = zeta === 1 ? 1 : b ** (zeta - 1);
          A[z * nL + l] = cz[z] * pm1 * b;
          dA[z * nL + l] = cz[z] * zeta * lam * pm1;
        }
      }
      for (let e = 0; e < nEta; e++) X[e] = Math.exp(-a.etaPerA2[e] * s);
      const rowG = i * F + pairBlock;
      for (let e = 0; e < nEta; e++) {
        const xf = X[e] * f3;
        for (let q = 0; q < nZL; q++) G[rowG + e * nZL + q] += A[q] * xf;
      }
      if (!D) continue;
      const dfa = -0.5 * piA * Math.sin(piA * ra), dfb = -0.5 * piA * Math.sin(piA * rb), dfjk = g4 ? -0.5 * piA * Math.sin(piA * rjk) : 0;
      for (let x = 0; x < 3; x++) {
        dcosA[x] = vb[x] / (ra * rb) - (cos * va[x]) / (ra * ra);
        dcosB[x] = va[x] / (ra * rb) - (cos * vb[x]) / (rb * rb);
        dsA[x] = 2 * va[x] - (g4 ? 2 * vjk[x] : 0);
        dsB[x] = 2 * vb[x] + (g4 ? 2 * vjk[x] : 0);
        const jk = g4 ? (fca * fcb * dfjk * vjk[x]) / rjk : 0;
        df3A[x] = ((dfa * va[x]) / ra) * fcb * fcjk - jk;
        df3B[x] = fca * ((dfb * vb[x]) / rb) * fcjk + jk;
      }
      for (let e = 0; e < nEta; e++) {
        const eta = a.etaPerA2[e], Xe = X[e];
        for (let q = 0; q < nZL; q++) {
          const col = pairBlock + e * nZL + q;
          const cA = dA[q] * Xe * f3, cS = -eta * A[q] * Xe * f3, cF = A[q] * Xe;
          const oa = (pa * F + col) * 3, ob = (pb * F + col) * 3;
          for (let x = 0; x < 3; x++) {
            D[oa + x] += cA * dcosA[x] + cS * dsA[x] + cF * df3A[x];
            D[ob + x] += cA * dcosB[x] + cS * dsB[x] + cF * df3B[x];
          }
        }
      }
    }
  }
  if (c.powerSpectrum) powerSpectrumF64(powerSpectrumPlan(c.powerSpectrum, nSpecies), N, g.edgeI, g.edgeJ, v, species, G, D, F, L.powerOffset);
  return { values: G, edgeDerivatives: D };
}

/** The neighbour data these functions need. */
export function graphSpecOf(c: SymmetryFunctionConfig) {
  return { cutoffA: c.cutoffA, triplets: c.angular ? { cutoffA: c.angular.cutoffA, requireJk: c.angular.kind === 'G4' } : undefined };
}

/** Per-species mean and standard deviation of each feature over atoms (n2p2 "scaling"). */
export interface FeatureStatistics {
  /** [S·F] */
  mean: Float64Array;
  /** [S·F], 1 where a feature is constant (std < 1e-6 of its scale) or the species is absent. */
  std: Float64Array;
  /** [S] atoms seen per species. */
  count: Float64Array;
}

export function featureStatistics(items: Iterable<{ values: Float64Array; species: Int32Array }>, nSpecies: number, nFeatures: number): FeatureStatistics {
  const F = nFeatures;
  const sum = new Float64Array(nSpecies * F), sum2 = new Float64Array(nSpecies * F), count = new Float64Array(nSpecies);
  for (const { values, species } of items) {
    for (let i = 0; i < species.length; i++) {
      const s = species[i];
      count[s]++;
      for (let f = 0; f < F; f++) {
        const x = values[i * F + f];
        sum[s * F + f] += x;
        sum2[s * F + f] += x * x;
      }
    }
  }
  const mean = new Float64Array(nSpecies * F), std = new Float64Array(nSpecies * F).fill(1);
  for (let s = 0; s < nSpecies; s++) {
    if (count[s] === 0) continue;
    for (let f = 0; f < F; f++) {
      const m = sum[s * F + f] / count[s];
      const v = Math.max(0, sum2[s * F + f] / count[s] - m * m);
      mean[s * F + f] = m;
      const sd = Math.sqrt(v);
      std[s * F + f] = sd > 1e-6 * Math.max(1, Math.abs(m)) ? sd : 1;
    }
  }
  return { mean, std, count };
}
