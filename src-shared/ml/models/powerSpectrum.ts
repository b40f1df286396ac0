// A SOAP-like power spectrum (Bartók, Kondor & Csányi, PRB 87, 184115 (2013)) as an extra block of
// the symmetry-function descriptors: the neighbour density of each element t around atom i,
// expanded in radial functions g_n and real spherical harmonics Y_lm,
//   c^t_{nlm}(i) = Σ_{j≠i, element t} g_n(r_ij) Y_lm(r̂_ij),   g_n(r) = exp(-η_n (r - rs_n)²) fc(r)
// (point atoms, the cosine cutoff fc of symmetryFunctions.ts), and its rotational invariants
//   p^{st}_{nn'l}(i) = 4π/(2l+1) Σ_m c^s_{nlm} c^t_{n'lm} = Σ_{j∈s} Σ_{k∈t} g_n(r_ij) g_n'(r_ik) P_l(cos θ_jik)
// (the addition theorem; the double sum includes j = k). Unlike the G4/G5 angular functions, each
// pair of radial shells (n, n') gets its own angular distribution up to degree lMax, and the cost is
// per edge (c) plus per atom (p), not per triplet.
//
// Layout: after the radial and angular blocks, one block per element pair s <= t (pairIndex order),
// l major, then n, then n' (n' >= n when s = t: p is symmetric there; all n' otherwise).
// Everything in float64: the explicit Jacobian dp_i/dr_p per edge (the kernel fit, the tf kernels
// of symmetryFunctionsKernel.ts) and a forward / reverse pass on the half pair list of the fast
// inference path (inference/pairGeometry.ts), which never materialises dp/dr.
import type { RadialFunction } from './symmetryFunctions';
import type { PairGeometry } from '../inference/pairGeometry';

export interface PowerSpectrumConfig {
  /** Cutoff of the neighbour density, Å (<= the radial cutoff of the symmetry functions). */
  cutoffA: number;
  /** The radial functions g_n (Gaussians times the cosine cutoff). */
  radial: RadialFunction[];
  /** Highest spherical-harmonic degree, 0..12. */
  lMax: number;
}

/** nMax Gaussians spaced evenly over [rLowerA, rc - 0.5 Å], η = 1/(2Δr²) (as the radial G2 defaults). */
export function defaultPowerSpectrum(opts: { cutoffA?: number; nMax?: number; lMax?: number; rLowerA?: number } = {}): PowerSpectrumConfig {
  const rc = opts.cutoffA ?? 5.0, n = opts.nMax ?? 8, lo = opts.rLowerA ?? 1.5, hi = rc - 0.5;
  const dr = n > 1 ? (hi - lo) / (n - 1) : 1;
  return {
    cutoffA: rc,
    radial: Array.from({ length: n }, (_, k) => ({ etaPerA2: 1 / (2 * dr * dr), rsA: n > 1 ? lo + k * dr : lo })),
    lMax: opts.lMax ?? 6,
  };
}

/** Validate against the symmetry functions' radial cutoff (throws naming the field). */
export function checkPowerSpectrum(p: PowerSpectrumConfig, radialCutoffA: number): void {
  if (!(p.cutoffA > 0 && p.cutoffA <= radialCutoffA)) throw new Error(`power spectrum: cutoffA must be in (0, ${radialCutoffA}] (the radial cutoff), got ${p.cutoffA}`);
  if (!Array.isArray(p.radial) || p.radial.length === 0 || p.radial.length > 32) throw new Error('power spectrum: radial must list 1..32 functions');
  for (const r of p.radial) if (!(r.etaPerA2 >= 0 && Number.isFinite(r.etaPerA2) && Number.isFinite(r.rsA))) throw new Error(`power spectrum: bad radial function ${JSON.stringify(r)}`);
  if (!(Number.isInteger(p.lMax) && p.lMax >= 0 && p.lMax <= 12)) throw new Error(`power spectrum: lMax must be an integer in 0..12, got ${p.lMax}`);
}

export interface PowerSpectrumLayout {
  nMax: number;
  lMax: number;
  /** (lMax + 1)² spherical harmonics. */
  nLm: number;
  /** Columns of the whole power-spectrum part. */
  width: number;
  /** Each column: element pair (s <= t), degree l and radial channels n, n' (n' >= n when s = t). */
  features: { s: number; t: number; l: number; n: number; n2: number }[];
}

export function powerSpectrumLayout(p: PowerSpectrumConfig, nSpecies: number): PowerSpectrumLayout {
  const N = p.radial.length, L = p.lMax, S = nSpecies;
  const features: PowerSpectrumLayout['features'] = [];
  for (let s = 0; s < S; s++) {
    for (let t = s; t < S; t++) {
      for (let l = 0; l <= L; l++) for (let n = 0; n < N; n++) for (let n2 = s === t ? n : 0; n2 < N; n2++) features.push({ s, t, l, n, n2 });
    }
  }
  return { nMax: N, lMax: L, nLm: (L + 1) * (L + 1), width: features.length, features };
}

/** Feature names, e.g. "P[Mo,Mo] l=2 n=0 n'=3". */
export function powerSpectrumNames(p: PowerSpectrumConfig, symbols: readonly string[]): string[] {
  return powerSpectrumLayout(p, symbols.length).features.map((f) => `P[${symbols[f.s]},${symbols[f.t]}] l=${f.l} n=${f.n} n'=${f.n2}`);
}

/** √((2l+1)/(4π) (l-m)!/(l+m)!) (·√2 for m > 0): the orthonormal real harmonics' factors, [l² + l + m] for m >= 0. */
export function harmonicNorms(L: number): Float64Array {
  const out = new Float64Array((L + 1) * (L + 1));
  for (let l = 0; l <= L; l++) {
    for (let m = 0; m <= l; m++) {
      let ratio = 1; // (l-m)!/(l+m)!
      for (let k = l - m + 1; k <= l + m; k++) ratio /= k;
      out[l * l + l + m] = Math.sqrt(((2 * l + 1) / (4 * Math.PI)) * ratio) * (m > 0 ? Math.SQRT2 : 1);
    }
  }
  return out;
}

/** Index of Q̃_l^m (m <= l) in the triangular arrays of Harmonics. */
const qi = (l: number, m: number) => (l * (l + 1)) / 2 + m;

/** Scratch and constants of the harmonics up to degree L. */
export interface Harmonics {
  L: number;
  norm: Float64Array;
  /** [(L+1)²] Y_lm at index l² + l + m, m = -l..l. */
  Y: Float64Array;
  /** [(L+1)²·3] ∂Y_lm/∂r of the direction r̂ = r/|r| (tangential), per unit length of r: filled for |r| = 1, divide by |r|. */
  dY: Float64Array;
  // Q̃_l^m(z, ρ) and its partials in z and ρ = |r|², [l(l+1)/2 + m]
  Q: Float64Array;
  Qz: Float64Array;
  Qr: Float64Array;
  // Re, Im (x + iy)^m
  cs: Float64Array;
  sn: Float64Array;
}

export function createHarmonics(L: number): Harmonics {
  const nq = ((L + 1) * (L + 2)) / 2, nlm = (L + 1) * (L + 1);
  return { L, norm: harmonicNorms(L), Y: new Float64Array(nlm), dY: new Float64Array(3 * nlm), Q: new Float64Array(nq), Qz: new Float64Array(nq), Qr: new Float64Array(nq), cs: new Float64Array(L + 1), sn: new Float64Array(L + 1) };
}

/**
 * Orthonormal real spherical harmonics of the unit vector (x, y, z) and their gradients as functions
 * of r on the unit sphere (projected onto the tangent plane: ∂Y(r/|r|)/∂r at |r| = 1). From the
 * regular solid harmonics r^l Y_lm = N_lm Q̃_l^|m|(z, r²) {Re, Im}(x + iy)^|m| with the recurrence
 *   Q̃_m^m = (-1)^m (2m-1)!!,  Q̃_{m+1}^m = (2m+1) z Q̃_m^m,
 *   (l-m) Q̃_l^m = (2l-1) z Q̃_{l-1}^m - (l+m-1) r² Q̃_{l-2}^m
 * differentiated alongside (forward mode in z and r²).
 */
export function harmonics(h: Harmonics, x: number, y: number, z: number): void {
  const { L, norm, Y, dY, Q, Qz, Qr, cs, sn } = h;
  cs[0] = 1;
  sn[0] = 0;
  for (let m = 1; m <= L; m++) {
    cs[m] = x * cs[m - 1] - y * sn[m - 1];
    sn[m] = x * sn[m - 1] + y * cs[m - 1];
  }
  const rho = 1; // |r|² on the unit sphere (the polynomial is differentiated as a function of r)
  for (let m = 0; m <= L; m++) {
    const mm = qi(m, m);
    Q[mm] = m === 0 ? 1 : -(2 * m - 1) * Q[qi(m - 1, m - 1)];
    Qz[mm] = 0;
    Qr[mm] = 0;
    if (m + 1 <= L) {
      const k = qi(m + 1, m);
      Q[k] = (2 * m + 1) * z * Q[mm];
      Qz[k] = (2 * m + 1) * Q[mm];
      Qr[k] = 0;
    }
    for (let l = m + 2; l <= L; l++) {
      const k = qi(l, m), a = qi(l - 1, m), b = qi(l - 2, m);
      const c1 = (2 * l - 1) / (l - m), c2 = (l + m - 1) / (l - m);
      Q[k] = c1 * z * Q[a] - c2 * rho * Q[b];
      Qz[k] = c1 * (Q[a] + z * Qz[a]) - c2 * rho * Qz[b];
      Qr[k] = c1 * z * Qr[a] - c2 * (Q[b] + rho * Qr[b]);
    }
  }
  for (let l = 0; l <= L; l++) {
    for (let m = 0; m <= l; m++) {
      const k = qi(l, m), nf = norm[l * l + l + m];
      // ∂Q̃/∂(x, y, z) = (2x Qr, 2y Qr, Qz + 2z Qr); ∂cs_m/∂x = m cs_{m-1}, ∂cs_m/∂y = -m sn_{m-1},
      // ∂sn_m/∂x = m sn_{m-1}, ∂sn_m/∂y = m cs_{m-1}
      const q = Q[k], gx = 2 * x * Qr[k], gy = 2 * y * Qr[k], gz = Qz[k] + 2 * z * Qr[k];
      const cm1 = m > 0 ? cs[m - 1] : 0, sm1 = m > 0 ? sn[m - 1] : 0;
      // m >= 0 with Re(x + iy)^m, then (m > 0) -m with Im(x + iy)^m
      for (let side = 0; side < (m === 0 ? 1 : 2); side++) {
        const idx = side === 0 ? l * l + l + m : l * l + l - m;
        const ang = side === 0 ? cs[m] : sn[m];
        const dax = side === 0 ? m * cm1 : m * sm1, day = side === 0 ? -m * sm1 : m * cm1;
        const v = nf * q * ang;
        let px = nf * (gx * ang + q * dax), py = nf * (gy * ang + q * day), pz = nf * gz * ang;
        // project out the radial part: Y is homogeneous of degree l in r, so r̂·∇ = l Y at |r| = 1
        px -= l * v * x;
        py -= l * v * y;
        pz -= l * v * z;
        Y[idx] = v;
        dY[3 * idx] = px;
        dY[3 * idx + 1] = py;
        dY[3 * idx + 2] = pz;
      }
    }
  }
}

/** Per-call constants and scratch of the power spectrum. */
export interface PowerSpectrumPlan {
  config: PowerSpectrumConfig;
  layout: PowerSpectrumLayout;
  nSpecies: number;
  /** 4π/(2l+1) per feature. */
  featureNorm: Float64Array;
  /** [features] l, n, n', s, t as typed arrays. */
  fl: Int32Array;
  fn: Int32Array;
  fn2: Int32Array;
  fs: Int32Array;
  ft: Int32Array;
  h: Harmonics;
  /** [N] η and rs of the radial channels. */
  eta: Float64Array;
  rs: Float64Array;
  /** [N] g_n and dg_n/dr of the current edge. */
  g: Float64Array;
  dg: Float64Array;
}

export function powerSpectrumPlan(p: PowerSpectrumConfig, nSpecies: number): PowerSpectrumPlan {
  const layout = powerSpectrumLayout(p, nSpecies);
  const f = layout.features;
  return {
    config: p,
    layout,
    nSpecies,
    featureNorm: Float64Array.from(f, (x) => (4 * Math.PI) / (2 * x.l + 1)),
    fl: Int32Array.from(f, (x) => x.l),
    fn: Int32Array.from(f, (x) => x.n),
    fn2: Int32Array.from(f, (x) => x.n2),
    fs: Int32Array.from(f, (x) => x.s),
    ft: Int32Array.from(f, (x) => x.t),
    h: createHarmonics(p.lMax),
    eta: Float64Array.from(p.radial, (f) => f.etaPerA2),
    rs: Float64Array.from(p.radial, (f) => f.rsA),
    g: new Float64Array(layout.nMax),
    dg: new Float64Array(layout.nMax),
  };
}

/** g_n(r), dg_n/dr into plan.g, plan.dg and the harmonics of r̂ into plan.h; false beyond the cutoff. */
function edgeBasis(plan: PowerSpectrumPlan, x: number, y: number, z: number, r: number): boolean {
  const c = plan.config, rc = c.cutoffA;
  if (r >= rc || r === 0) return false;
  const piRc = Math.PI / rc;
  const fc = 0.5 * (Math.cos(piRc * r) + 1), dfc = -0.5 * piRc * Math.sin(piRc * r);
  for (let n = 0; n < plan.eta.length; n++) {
    const eta = plan.eta[n], d = r - plan.rs[n], e = Math.exp(-eta * d * d);
    plan.g[n] = e * fc;
    plan.dg[n] = e * (dfc - 2 * eta * d * fc);
  }
  harmonics(plan.h, x / r, y / r, z / r);
  return true;
}

/**
 * Power spectrum of each centre into G (columns `offset`.. of rows of width F) and, with D given, the
 * explicit edge Jacobian D[(p·F + col)·3 + a] += ∂G_{i_p,col}/∂r_p,a (the layout of descriptorsF64).
 * Edges: (edgeI, edgeJ, vectors r_ij [P·3]), any order.
 */
export function powerSpectrumF64(plan: PowerSpectrumPlan, nAtoms: number, edgeI: Int32Array, edgeJ: Int32Array, v: Float64Array, species: Int32Array, G: Float64Array, D: Float64Array | null, F: number, offset: number): void {
  const { layout, h } = plan, S = plan.nSpecies, N = layout.nMax, LM = layout.nLm, W = layout.width;
  const P = edgeI.length;
  // edges grouped by centre (counting sort)
  const start = new Int32Array(nAtoms + 1);
  for (let p = 0; p < P; p++) start[edgeI[p] + 1]++;
  for (let i = 0; i < nAtoms; i++) start[i + 1] += start[i];
  const order = new Int32Array(P), fill = start.slice(0, nAtoms);
  for (let p = 0; p < P; p++) order[fill[edgeI[p]]++] = p;
  const c = new Float64Array(S * N * LM);
  let maxDeg = 0;
  for (let i = 0; i < nAtoms; i++) maxDeg = Math.max(maxDeg, start[i + 1] - start[i]);
  // per edge of the current centre: ∇(g_n Y_lm) [N·LM·3] (only with D)
  const grad = D ? new Float64Array(maxDeg * N * LM * 3) : null;
  const inside = new Uint8Array(maxDeg);
  // A^u[n][n'][l][a] = Σ_m ∂(g_n Y_lm)/∂r_a c^u_{n'lm}, for the current edge
  const A = D ? new Float64Array(S * N * N * (plan.config.lMax + 1) * 3) : null;
  const L1 = plan.config.lMax + 1;
  for (let i = 0; i < nAtoms; i++) {
    c.fill(0);
    for (let q = start[i]; q < start[i + 1]; q++) {
      const p = order[q], x = v[3 * p], y = v[3 * p + 1], z = v[3 * p + 2], r = Math.sqrt(x * x + y * y + z * z);
      const k = q - start[i];
      inside[k] = edgeBasis(plan, x, y, z, r) ? 1 : 0;
      if (!inside[k]) continue;
      const base = species[edgeJ[p]] * N * LM;
      for (let n = 0; n < N; n++) for (let lm = 0; lm < LM; lm++) c[base + n * LM + lm] += plan.g[n] * h.Y[lm];
      if (grad) {
        const ux = x / r, uy = y / r, uz = z / r, o = k * N * LM * 3;
        for (let n = 0; n < N; n++) {
          for (let lm = 0; lm < LM; lm++) {
            const gy = plan.g[n] / r, dgY = plan.dg[n] * h.Y[lm], w = o + (n * LM + lm) * 3;
            grad[w] = dgY * ux + gy * h.dY[3 * lm];
            grad[w + 1] = dgY * uy + gy * h.dY[3 * lm + 1];
            grad[w + 2] = dgY * uz + gy * h.dY[3 * lm + 2];
          }
        }
      }
    }
    const row = i * F + offset;
    for (let f = 0; f < W; f++) {
      const l = plan.fl[f], a = (plan.fs[f] * N + plan.fn[f]) * LM, b = (plan.ft[f] * N + plan.fn2[f]) * LM;
      let sum = 0;
      for (let lm = l * l; lm < (l + 1) * (l + 1); lm++) sum += c[a + lm] * c[b + lm];
      G[row + f] += plan.featureNorm[f] * sum;
    }
    if (!D || !grad || !A) continue;
    for (let q = start[i]; q < start[i + 1]; q++) {
      const k = q - start[i];
      if (!inside[k]) continue;
      const p = order[q], sj = species[edgeJ[p]], o = k * N * LM * 3;
      A.fill(0);
      for (let u = 0; u < S; u++) {
        for (let n = 0; n < N; n++) {
          for (let n2 = 0; n2 < N; n2++) {
            const cb = (u * N + n2) * LM;
            for (let l = 0; l < L1; l++) {
              let ax = 0, ay = 0, az = 0;
              for (let lm = l * l; lm < (l + 1) * (l + 1); lm++) {
                const cv = c[cb + lm], w = o + (n * LM + lm) * 3;
                ax += grad[w] * cv;
                ay += grad[w + 1] * cv;
                az += grad[w + 2] * cv;
              }
              const t = (((u * N + n) * N + n2) * L1 + l) * 3;
              A[t] = ax;
              A[t + 1] = ay;
              A[t + 2] = az;
            }
          }
        }
      }
      // ∂p^{st}_{nn'l}/∂r = 4π/(2l+1) [δ(s = sj) A^t[n][n'][l] + δ(t = sj) A^s[n'][n][l]]
      const dRow = (p * F + offset) * 3;
      for (let f = 0; f < W; f++) {
        const s = plan.fs[f], t = plan.ft[f];
        if (s !== sj && t !== sj) continue;
        const l = plan.fl[f], n = plan.fn[f], n2 = plan.fn2[f], nf = plan.featureNorm[f];
        let dx = 0, dy = 0, dz = 0;
        if (s === sj) {
          const a = (((t * N + n) * N + n2) * L1 + l) * 3;
          dx += A[a];
          dy += A[a + 1];
          dz += A[a + 2];
        }
        if (t === sj) {
          const a = (((s * N + n2) * N + n) * L1 + l) * 3;
          dx += A[a];
          dy += A[a + 1];
          dz += A[a + 2];
        }
        const w = dRow + f * 3;
        D[w] += nf * dx;
        D[w + 1] += nf * dy;
        D[w + 2] += nf * dz;
      }
    }
  }
}

/** The half pair list of the fast inference path, as much of it as these passes read (grad: added to). */
export type PairList = Pick<PairGeometry, 'nAtoms' | 'nPairs' | 'pairI' | 'pairJ' | 'vec' | 'r' | 'grad'>;

/** Coefficients c and their adjoints dE/dc of every atom, grown on demand (kept from forward to backward). */
export interface PowerSpectrumScratch {
  c: Float64Array;
  dc: Float64Array;
}

export function powerSpectrumScratch(): PowerSpectrumScratch {
  return { c: new Float64Array(0), dc: new Float64Array(0) };
}

/**
 * Forward pass on a half pair list: each pair d_p = r_j - r_i adds g_n Y_lm(d̂) to c^{s_j}(i) and, as
 * Y_lm(-d̂) = (-1)^l Y_lm(d̂), (-1)^l g_n Y_lm(d̂) to c^{s_i}(j); then p into G (rows of width F from
 * column `offset`; added). The coefficients stay in `sc` for powerSpectrumBackward.
 */
export function powerSpectrumForward(plan: PowerSpectrumPlan, g: PairList, species: Int32Array, G: Float64Array, F: number, offset: number, sc: PowerSpectrumScratch): void {
  const { layout, h } = plan, S = plan.nSpecies, N = layout.nMax, LM = layout.nLm, W = layout.width, L = layout.lMax;
  const per = S * N * LM, n = g.nAtoms;
  if (sc.c.length < n * per) {
    sc.c = new Float64Array(2 * n * per);
    sc.dc = new Float64Array(2 * n * per);
  }
  const c = sc.c;
  c.fill(0, 0, n * per);
  for (let p = 0; p < g.nPairs; p++) {
    const q = 3 * p;
    if (!edgeBasis(plan, g.vec[q], g.vec[q + 1], g.vec[q + 2], g.r[p])) continue;
    const i = g.pairI[p], j = g.pairJ[p];
    const bi = i * per + species[j] * N * LM, bj = j * per + species[i] * N * LM;
    for (let l = 0; l <= L; l++) {
      const sign = l % 2 === 0 ? 1 : -1;
      for (let lm = l * l; lm < (l + 1) * (l + 1); lm++) {
        const y = h.Y[lm];
        for (let k = 0; k < N; k++) {
          const v = plan.g[k] * y;
          c[bi + k * LM + lm] += v;
          c[bj + k * LM + lm] += sign * v;
        }
      }
    }
  }
  for (let i = 0; i < n; i++) {
    const row = i * F + offset, ci = i * per;
    for (let f = 0; f < W; f++) {
      const l = plan.fl[f], a = ci + (plan.fs[f] * N + plan.fn[f]) * LM, b = ci + (plan.ft[f] * N + plan.fn2[f]) * LM;
      let sum = 0;
      for (let lm = l * l; lm < (l + 1) * (l + 1); lm++) sum += c[a + lm] * c[b + lm];
      G[row + f] += plan.featureNorm[f] * sum;
    }
  }
}

/**
 * Reverse pass: with W = dE/dG (rows of width F), dE/dc per atom, then onto each pair's gradient
 * g.grad[p] += Σ_{n,lm} (dE/dc^{s_j}_{nlm}(i) + (-1)^l dE/dc^{s_i}_{nlm}(j)) ∇(g_n Y_lm)(d_p).
 * Needs the coefficients of the powerSpectrumForward call on the same geometry.
 */
export function powerSpectrumBackward(plan: PowerSpectrumPlan, g: PairList, species: Int32Array, Wt: Float64Array, F: number, offset: number, sc: PowerSpectrumScratch): void {
  const { layout, h } = plan, S = plan.nSpecies, N = layout.nMax, LM = layout.nLm, W = layout.width, L = layout.lMax;
  const per = S * N * LM, n = g.nAtoms, c = sc.c, dc = sc.dc;
  dc.fill(0, 0, n * per);
  for (let i = 0; i < n; i++) {
    const row = i * F + offset, ci = i * per;
    for (let f = 0; f < W; f++) {
      const w = Wt[row + f] * plan.featureNorm[f];
      if (w === 0) continue;
      const l = plan.fl[f], a = ci + (plan.fs[f] * N + plan.fn[f]) * LM, b = ci + (plan.ft[f] * N + plan.fn2[f]) * LM;
      for (let lm = l * l; lm < (l + 1) * (l + 1); lm++) {
        dc[a + lm] += w * c[b + lm];
        dc[b + lm] += w * c[a + lm];
      }
    }
  }
  for (let p = 0; p < g.nPairs; p++) {
    const q = 3 * p, x = g.vec[q], y = g.vec[q + 1], z = g.vec[q + 2], r = g.r[p];
    if (!edgeBasis(plan, x, y, z, r)) continue;
    const i = g.pairI[p], j = g.pairJ[p];
    const bi = i * per + species[j] * N * LM, bj = j * per + species[i] * N * LM;
    let radial = 0, tx = 0, ty = 0, tz = 0;
    for (let l = 0; l <= L; l++) {
      const sign = l % 2 === 0 ? 1 : -1;
      for (let lm = l * l; lm < (l + 1) * (l + 1); lm++) {
        let sg = 0, sdg = 0;
        for (let k = 0; k < N; k++) {
          const a = dc[bi + k * LM + lm] + sign * dc[bj + k * LM + lm];
          sg += a * plan.g[k];
          sdg += a * plan.dg[k];
        }
        radial += sdg * h.Y[lm];
        tx += sg * h.dY[3 * lm];
        ty += sg * h.dY[3 * lm + 1];
        tz += sg * h.dY[3 * lm + 2];
      }
    }
    g.grad[q] += (radial * x) / r + tx / r;
    g.grad[q + 1] += (radial * y) / r + ty / r;
    g.grad[q + 2] += (radial * z) / r + tz / r;
  }
}
