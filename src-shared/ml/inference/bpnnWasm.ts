// The WebAssembly SIMD engine of the symmetry-function calculator (kernels/bpnn.ts): the host side
// lays out the kernel's memory (model constants once; per-system arrays grown with headroom, never
// shrunk), copies the gathered pairs in, runs radial and angular descriptors, the networks and the
// reverse passes, and copies the pair gradients and per-atom energies out. Same results as the
// TypeScript engine to ~1e-14 relative (different exp/cos rounding), float64 throughout.
import type { PairGeometry } from './pairGeometry';
import type { SymmetryFunctionEngine } from './bpnnCalculator';
import type { SymmetryFunctionPlan } from './symmetryFunctionsFast';
import type { AtomicNetworks } from './atomicNetworks';
import { ensureMemory, kernelModule, MemoryLayout, wasmApi, type WasmMemory } from './wasmModule';

interface BpnnExports {
  memory: WasmMemory;
  setConfig(ptr: number): void;
  heapBase(): number;
  radialForward(): void;
  radialBackward(): void;
  angular(backward: number): void;
  networks(withGrad: number): number;
}

// configuration block indices (kernels/bpnn.ts C_*)
const C = {
  S: 0, F: 1, KR: 2, RC: 3, NRUNS: 4, ETA: 5, RS: 6, RUNS: 7, RUNSTEP: 8, STEP: 9,
  HASANG: 10, G4: 11, RCA: 12, NETA: 13, AETA: 14, NZ: 15, ZETA: 16, ZSCALE: 17, NL: 18, LAM: 19, KA: 20, BLOCKOF: 21,
  NLAYERS: 22, SIZES: 23, PSIZES: 24, ACT: 25, WPTRS: 26, BPTRS: 27, E0: 28,
  N: 29, P: 30, SPECIES: 31, PI: 32, PJ: 33, VEC: 34, R: 35, NBRSTART: 36, NBRPAIR: 37, NBRSIGN: 38,
  G: 39, W: 40, E: 41, GRAD: 42, SCRATCH: 43, MAXNBR: 44, NSCR: 45, ZPOW2: 46, ZMAX: 47,
} as const;
const ACT_ID: Record<string, number> = { linear: 0, tanh: 1, sigmoid: 2, silu: 3, softplus: 4, shifted_softplus: 5 };

/** Per-system arrays in wasm memory (byte offsets) and their capacities. */
interface Dynamic {
  nCap: number; pCap: number; mCap: number; nbrCap: number;
  species: number; pi: number; pj: number; vec: number; r: number; nbrStart: number; nbrPair: number; nbrSign: number;
  G: number; W: number; E: number; grad: number; scratch: number; end: number;
}

/** Largest k when every ζ is 2^k (k <= 6), else -1 (kernels/bpnn.ts angularPowers). */
function zetaPow2(zetas: ArrayLike<number>): number {
  let k = 0;
  for (let z = 0; z < zetas.length; z++) {
    const e = Math.log2(zetas[z]);
    if (!Number.isInteger(e) || e > 6) return -1;
    k = Math.max(k, e);
  }
  return k;
}

/** The WebAssembly engine, or null where the kernel module is unavailable. */
export function wasmSymmetryFunctionEngine(plan: SymmetryFunctionPlan, net: AtomicNetworks): SymmetryFunctionEngine | null {
  const mod = kernelModule('bpnn');
  // the WebAssembly kernel has no power spectrum (models/powerSpectrum.ts): TypeScript runs those
  if (!mod || !wasmApi || plan.power) return null;
  const ex = new wasmApi.Instance(mod, {}).exports as unknown as BpnnExports;
  const mem = ex.memory;
  const S = plan.nSpecies, F = plan.nFeatures, Kr = plan.nRadial, a = plan.angular;
  const L = net.sizes.length - 1;
  const psizes = net.sizes.map((n, l) => (l === 0 ? n : n + (n & 1)));
  // ---- static layout: config, plan constants, network weights, network scratch
  const lay = new MemoryLayout(ex.heapBase());
  const cfg = lay.take(64 * 8);
  const f64 = (values: ArrayLike<number>) => ({ ptr: lay.take(8 * Math.max(1, values.length)), values, kind: 'f64' as const });
  const i32 = (values: ArrayLike<number>) => ({ ptr: lay.take(4 * Math.max(1, values.length)), values, kind: 'i32' as const });
  const blocks = [
    f64(plan.radialEta), f64(plan.radialRs), i32(plan.runs), f64(plan.runStep), f64(plan.stepFactor),
    f64(a ? a.eta : []), i32(a ? a.zeta : []), f64(a ? a.zetaScale : []), f64(a ? a.lambda : []), i32(a ? a.blockOf : []),
    i32(net.sizes), i32(psizes),
  ];
  const [eta, rs, runs, runStep, step, aeta, zeta, zscale, lam, blockOf, sizes, psz] = blocks;
  const wptrs = new Int32Array(S * L), bptrs = new Int32Array(S * L);
  const weightBlocks: { ptr: number; values: Float64Array; kind: 'f64' }[] = [];
  for (let s = 0; s < S; s++) {
    for (let l = 0; l < L; l++) {
      const nin = net.sizes[l], nout = net.sizes[l + 1], outP = psizes[l + 1];
      const K = new Float64Array(nin * outP), B = new Float64Array(outP);
      for (let k = 0; k < nin; k++) for (let o = 0; o < nout; o++) K[k * outP + o] = net.kernels[s][l][k * nout + o];
      B.set(net.biases[s][l]);
      const kb = { ptr: lay.take(8 * K.length), values: K, kind: 'f64' as const }, bb = { ptr: lay.take(8 * B.length), values: B, kind: 'f64' as const };
      weightBlocks.push(kb, bb);
      wptrs[s * L + l] = kb.ptr;
      bptrs[s * L + l] = bb.ptr;
    }
  }
  const wp = i32(wptrs), bp = i32(bptrs), e0 = f64(net.e0Ev);
  const maxP = Math.max(...psizes);
  const nscr = lay.take(8 * 3 * (L + 1) * maxP);
  const staticEnd = lay.end;
  ensureMemory(mem, staticEnd);
  {
    const b = mem.buffer;
    for (const blk of [...blocks, wp, bp, e0, ...weightBlocks]) {
      if (blk.kind === 'f64') new Float64Array(b, blk.ptr, blk.values.length).set(blk.values);
      else new Int32Array(b, blk.ptr, blk.values.length).set(blk.values);
    }
    new Float64Array(b, nscr, 3 * (L + 1) * maxP).fill(0);
  }
  const cfgValues: Record<number, number> = {
    [C.S]: S, [C.F]: F, [C.KR]: Kr, [C.RC]: plan.cutoffA, [C.NRUNS]: plan.runs.length / 2, [C.ETA]: eta.ptr, [C.RS]: rs.ptr, [C.RUNS]: runs.ptr, [C.RUNSTEP]: runStep.ptr, [C.STEP]: step.ptr,
    [C.HASANG]: a ? 1 : 0, [C.G4]: a?.g4 ? 1 : 0, [C.RCA]: a?.cutoffA ?? 0, [C.NETA]: a?.eta.length ?? 0, [C.AETA]: aeta.ptr, [C.NZ]: a?.zeta.length ?? 0, [C.ZETA]: zeta.ptr, [C.ZSCALE]: zscale.ptr,
    [C.NL]: a?.lambda.length ?? 0, [C.LAM]: lam.ptr, [C.KA]: a?.nAngular ?? 0, [C.BLOCKOF]: blockOf.ptr,
    [C.ZPOW2]: zetaPow2(a ? a.zeta : []), [C.ZMAX]: a ? Math.max(...a.zeta) : 1,
    [C.NLAYERS]: L, [C.SIZES]: sizes.ptr, [C.PSIZES]: psz.ptr, [C.ACT]: ACT_ID[net.activation], [C.WPTRS]: wp.ptr, [C.BPTRS]: bp.ptr, [C.E0]: e0.ptr, [C.NSCR]: nscr,
  };
  ex.setConfig(cfg);

  // ---- per-system arrays, re-laid out when a capacity is exceeded
  const nL = a ? a.lambda.length : 0, nEta = a ? a.eta.length : 0, nZL = a ? a.zeta.length * a.lambda.length : 0, nAcc = a ? ((S * (S + 1)) / 2) * a.nAngular : 0;
  let dyn: Dynamic | null = null;
  let buffer: ArrayBuffer | null = null;
  let vCfg = new Float64Array(0), vSpecies = new Int32Array(0), vPi = new Int32Array(0), vPj = new Int32Array(0), vVec = new Float64Array(0), vR = new Float64Array(0);
  let vStart = new Int32Array(0), vPair = new Int32Array(0), vSign = new Float64Array(0), vG = new Float64Array(0), vE = new Float64Array(0), vGrad = new Float64Array(0);

  function layout(n: number, p2: number, m: number, maxNbr: number): void {
    const grow = (need: number, cap: number) => (need <= cap ? cap : Math.ceil(need * 1.25) + 16);
    const d = dyn;
    const nCap = grow(n, d?.nCap ?? 0), pCap = grow(p2, d?.pCap ?? 0), mCap = grow(m, d?.mCap ?? 0), nbrCap = grow(maxNbr, d?.nbrCap ?? 0);
    if (d && nCap === d.nCap && pCap === d.pCap && mCap === d.mCap && nbrCap === d.nbrCap && buffer === mem.buffer) return;
    const l = new MemoryLayout(staticEnd);
    const mPad = (nbrCap + 5) & ~1;
    const zmax = a ? Math.max(...a.zeta) : 1;
    const scratchBytes = Math.max(16 * Kr, 8 * (11 * mPad + nEta * mPad) + 4 * (mPad + 8) + 16 * (nAcc + 2 * nZL + nEta + Math.max(zmax, 8) + nL + 3 * nZL + 8));
    const nd: Dynamic = {
      nCap, pCap, mCap, nbrCap,
      species: l.take(4 * nCap), pi: l.take(4 * pCap), pj: l.take(4 * pCap), vec: l.take(24 * pCap), r: l.take(8 * pCap),
      nbrStart: l.take(4 * (nCap + 1)), nbrPair: l.take(4 * mCap), nbrSign: l.take(8 * mCap),
      G: l.take(8 * nCap * F), W: l.take(8 * nCap * F), E: l.take(8 * nCap), grad: l.take(24 * pCap), scratch: l.take(scratchBytes), end: 0,
    };
    nd.end = l.end;
    ensureMemory(mem, nd.end);
    dyn = nd;
    buffer = mem.buffer;
    const b = mem.buffer;
    vCfg = new Float64Array(b, cfg, 64);
    vSpecies = new Int32Array(b, nd.species, nCap);
    vPi = new Int32Array(b, nd.pi, pCap);
    vPj = new Int32Array(b, nd.pj, pCap);
    vVec = new Float64Array(b, nd.vec, 3 * pCap);
    vR = new Float64Array(b, nd.r, pCap);
    vStart = new Int32Array(b, nd.nbrStart, nCap + 1);
    vPair = new Int32Array(b, nd.nbrPair, mCap);
    vSign = new Float64Array(b, nd.nbrSign, mCap);
    vG = new Float64Array(b, nd.G, nCap * F);
    vE = new Float64Array(b, nd.E, nCap);
    vGrad = new Float64Array(b, nd.grad, 3 * pCap);
    for (const [k, v] of Object.entries(cfgValues)) vCfg[Number(k)] = v;
    vCfg[C.SPECIES] = nd.species; vCfg[C.PI] = nd.pi; vCfg[C.PJ] = nd.pj; vCfg[C.VEC] = nd.vec; vCfg[C.R] = nd.r;
    vCfg[C.NBRSTART] = nd.nbrStart; vCfg[C.NBRPAIR] = nd.nbrPair; vCfg[C.NBRSIGN] = nd.nbrSign;
    vCfg[C.G] = nd.G; vCfg[C.W] = nd.W; vCfg[C.E] = nd.E; vCfg[C.GRAD] = nd.grad; vCfg[C.SCRATCH] = nd.scratch;
    vCfg[C.MAXNBR] = nbrCap;
  }

  return {
    kind: 'wasm-simd',
    evaluate(geom: PairGeometry, species: Int32Array, energies: Float64Array, gradients: boolean): number {
      const n = geom.nAtoms, P = geom.nPairs, p2 = P + (P & 1);
      const angularOn = !!a && geom.angularCutoffA > 0;
      const M = angularOn ? geom.nbrStart[n] : 0;
      layout(n, p2, M, angularOn ? geom.maxNeighbors : 0);
      for (let i = 0; i < n; i++) vSpecies[i] = species[i];
      const gi = geom.pairI, gj = geom.pairJ, gv = geom.vec, gr = geom.r;
      for (let p = 0; p < P; p++) {
        vPi[p] = gi[p];
        vPj[p] = gj[p];
        vR[p] = gr[p];
      }
      for (let q = 0; q < 3 * P; q++) vVec[q] = gv[q];
      if (p2 > P) { // dummy pair beyond the cutoff (zero contribution)
        vPi[P] = 0; vPj[P] = 0; vR[P] = 2 * plan.cutoffA;
        vVec[3 * P] = 2 * plan.cutoffA; vVec[3 * P + 1] = 0; vVec[3 * P + 2] = 0;
      }
      if (angularOn) {
        const st = geom.nbrStart, pr = geom.nbrPair, sg = geom.nbrSign;
        for (let i = 0; i <= n; i++) vStart[i] = st[i];
        for (let k = 0; k < M; k++) {
          vPair[k] = pr[k];
          vSign[k] = sg[k];
        }
      } else for (let i = 0; i <= n; i++) vStart[i] = 0;
      vCfg[C.N] = n;
      vCfg[C.P] = p2;
      vG.fill(0, 0, n * F);
      ex.radialForward();
      if (angularOn) ex.angular(0);
      const e = ex.networks(gradients ? 1 : 0);
      for (let i = 0; i < n; i++) energies[i] = vE[i];
      if (gradients) {
        ex.radialBackward();
        if (angularOn) ex.angular(1);
        const g = geom.grad;
        for (let q = 0; q < 3 * P; q++) g[q] = vGrad[q];
      }
      return e;
    },
  };
}
