// prototype: sparse kernel (GAP-like) on symmetry functions, fitted on E+F(+S) in closed form.
import { readFramesFromPath } from '../src-main/node/readFile';
import { prepareTrainingData } from '../src-shared/ml/data/trainingData';
import { createGraphCache } from '../src-shared/ml/data/graph';
import { descriptorsF64, featureLayout, featureStatistics, graphSpecOf } from '../src-shared/ml/models/symmetryFunctions';
import { solveSpd } from '../src-shared/ml/data/referenceEnergies';

const el = process.env.EL ?? 'Mo';
const M = Number(process.env.M ?? 500);
const ell = Number(process.env.ELL ?? 1);
const lamA = Number(process.env.LAM ?? 1e-6);
const kind = process.env.KIND ?? 'gauss';
const zeta = Number(process.env.ZETA ?? 4);
const sel = process.env.SEL ?? 'fps';
const wS = Number(process.env.WS ?? 0.05);
const wEn = Number(process.env.WE ?? 1);

async function read(p: string) {
  const r = await readFramesFromPath(p, {});
  if ('error' in r || !r.result.ok) throw new Error('read ' + p);
  return r.result.frames;
}
const t0 = Date.now();
const dir = (process.env.DATA ?? '../shared/data') + '/mlearn_Zuo2020/';
const tr = await read(dir + `${el}_train.xyz`), te = await read(dir + `${el}_test.xyz`);
const frames = [...tr, ...te];
const data = prepareTrainingData(frames, { split: { method: 'indices', train: tr.map((_, i) => i), valid: [], test: te.map((_, i) => tr.length + i) } });
const rc = Number(process.env.RC ?? 5), n = Number(process.env.NR ?? 12), lo = 1.5, hi = rc - 0.5, dr = (hi - lo) / (n - 1);
const radial = [{ etaPerA2: 0, rsA: 0 }, ...Array.from({ length: n }, (_, k) => ({ etaPerA2: 1 / (2 * dr * dr), rsA: lo + k * dr }))];
const etas = (process.env.AW ?? `1.5,2.5,3.5,${rc}`).split(',').map(Number).map((r) => 1 / (2 * r * r));
const sf = { cutoffA: rc, radial, angular: { kind: (process.env.SFK ?? 'G4') as 'G4' | 'G5', cutoffA: rc, etaPerA2: etas, zeta: (process.env.ZS ?? '1,2,4,16').split(',').map(Number), lambda: [-1, 1] } };
const graphs = createGraphCache(frames, graphSpecOf(sf));
const S = 1, F = featureLayout(sf, S).nFeatures;
const desc = frames.map((_, k) => descriptorsF64(sf, graphs.get(k), data.atomSpecies[k], S, false).values);
const st = featureStatistics(data.split.train.map((k) => ({ values: desc[k], species: data.atomSpecies[k] })), S, F);
const X = desc.map((G) => { const x = G.slice(); for (let i = 0; i < x.length; i++) x[i] = (x[i] - st.mean[i % F]) / st.std[i % F]; return x; });
// kernel input: gauss on standardized x; poly on raw G normalized (positive features)
const Kin = kind === 'gauss' ? X : desc;
console.error(`F=${F} read+desc ${(Date.now() - t0) / 1000}s`);
// sparse points by FPS over training atoms
const pool: Float64Array[] = [];
for (const k of data.split.train) for (let i = 0; i < frames[k].numbers.length; i++) pool.push(Kin[k].subarray(i * F, (i + 1) * F));
function nrm(v: Float64Array) { let s = 0; for (const a of v) s += a * a; return Math.sqrt(s); }
const Z: Float64Array[] = [];
{
  const dmin = new Float64Array(pool.length).fill(Infinity);
  let next = 0;
  let rng = 12345;
  const rand = () => ((rng = (rng * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let m = 0; m < M; m++) {
    if (sel === 'random') next = Math.floor(rand() * pool.length);
    const z = pool[next].slice();
    Z.push(z);
    let best = -1, bi = 0;
    for (let a = 0; a < pool.length; a++) {
      let d = 0; const p = pool[a];
      for (let f = 0; f < F; f++) { const t = p[f] - z[f]; d += t * t; }
      if (d < dmin[a]) dmin[a] = d;
      if (dmin[a] > best) { best = dmin[a]; bi = a; }
    }
    next = bi;
  }
}
const Zn = Z.map((z) => { const nz = nrm(z); return z.map((v) => v / nz); });
const sF2 = F * ell * ell;
// k and dk/dx for one atom: returns k[M], dk[M*F] wrt kernel input
function kern(x: Float64Array, k: Float64Array, dk: Float64Array | null) {
  if (kind === 'gauss') {
    for (let m = 0; m < M; m++) {
      const z = Z[m]; let d = 0;
      for (let f = 0; f < F; f++) { const t = x[f] - z[f]; d += t * t; }
      const km = Math.exp(-d / (2 * sF2)); k[m] = km;
      if (dk) for (let f = 0; f < F; f++) dk[m * F + f] = -km * (x[f] - z[f]) / sF2;
    }
  } else {
    const nx = nrm(x);
    for (let m = 0; m < M; m++) {
      const z = Zn[m]; let c = 0;
      for (let f = 0; f < F; f++) c += x[f] * z[f];
      c /= nx;
      const km = Math.pow(c, zeta); k[m] = km;
      if (dk) { const g = zeta * Math.pow(c, zeta - 1) / nx; for (let f = 0; f < F; f++) dk[m * F + f] = g * (z[f] - c * x[f] / nx); }
    }
  }
}
// columns: [w (F), b (1), alpha (M)]
const C = F + 1 + M;
const AtA = new Float64Array(C * C), Aty = new Float64Array(C);
const counts = { e: 0, f: 0, s: 0 };
for (const k of data.split.train) { const f = frames[k]; counts.e++; if (f.forcesEvPerA) counts.f += 3 * f.numbers.length; if (f.stressEvPerA3) counts.s += 9; }
const sc = data.scales;
const rE = Math.sqrt(wEn / counts.e) / sc.energyEvPerAtom, rF = Math.sqrt(1 / counts.f) / sc.forceEvPerA, rS = Math.sqrt(wS / counts.s) / sc.stressEvPerA3;
function addRows(R: Float64Array, nr: number, y: ArrayLike<number>, scale: number) {
  for (let q = 0; q < nr; q++) {
    const r = R.subarray(q * C, (q + 1) * C), t = y[q] * scale;
    for (let a = 0; a < C; a++) {
      const ra = r[a] * scale; if (ra === 0) continue;
      Aty[a] += ra * t;
      const o = a * C;
      for (let b = a; b < C; b++) AtA[o + b] += ra * r[b] * scale;
    }
  }
}
const kbuf = new Float64Array(M), dkbuf = new Float64Array(M * F);
const t1 = Date.now();
for (const k of data.split.train) {
  const f = frames[k], g = graphs.get(k), nA = f.numbers.length;
  const { edgeDerivatives: D } = descriptorsF64(sf, g, data.atomSpecies[k], S, true);
  const x = X[k], xin = Kin[k];
  const Er = new Float64Array(C);
  const Fr = new Float64Array(nA * 3 * C), Sr = new Float64Array(9 * C);
  // per atom: dE_i/dG_i (raw G) for each column -> J[col][f]
  const P = g.edgeI.length;
  let p0 = 0;
  for (let i = 0; i < nA; i++) {
    const xi = x.subarray(i * F, (i + 1) * F);
    for (let m = 0; m < F; m++) Er[m] += xi[m] / nA;
    Er[F] += 1 / nA;
    kern(xin.subarray(i * F, (i + 1) * F), kbuf, dkbuf);
    for (let m = 0; m < M; m++) Er[F + 1 + m] += kbuf[m] / nA;
    // convert dk wrt kernel input to wrt raw G
    if (kind === 'gauss') for (let m = 0; m < M; m++) for (let ff = 0; ff < F; ff++) dkbuf[m * F + ff] /= st.std[ff];
    let p1 = p0; while (p1 < P && g.edgeI[p1] === i) p1++;
    for (let p = p0; p < p1; p++) {
      const j = g.edgeJ[p];
      const v = g.edgeVectorsA;
      for (let col = 0; col < F + M; col++) {
        // gradient of column wrt r_p
        let gx = 0, gy = 0, gz = 0;
        if (col < F) { const inv = 1 / st.std[col]; const o = (p * F + col) * 3; gx = D![o] * inv; gy = D![o + 1] * inv; gz = D![o + 2] * inv; }
        else {
          const m = col - F; const dk = dkbuf.subarray(m * F, (m + 1) * F);
          for (let ff = 0; ff < F; ff++) { const o = (p * F + ff) * 3; const d = dk[ff]; gx += d * D![o]; gy += d * D![o + 1]; gz += d * D![o + 2]; }
        }
        const cc = col < F ? col : col + 1;
        Fr[(i * 3) * C + cc] += gx; Fr[(i * 3 + 1) * C + cc] += gy; Fr[(i * 3 + 2) * C + cc] += gz;
        Fr[(j * 3) * C + cc] -= gx; Fr[(j * 3 + 1) * C + cc] -= gy; Fr[(j * 3 + 2) * C + cc] -= gz;
        if (f.stressEvPerA3 && g.volumeA3 > 0) {
          const gv = [gx, gy, gz];
          for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) Sr[(3 * a + b) * C + cc] += 0.5 * (v[3 * p + a] * gv[b] + v[3 * p + b] * gv[a]) / g.volumeA3;
        }
      }
    }
    p0 = p1;
  }
  addRows(Er, 1, [(f.energyEv! - data.e0SumEv[k]) / nA], rE);
  if (f.forcesEvPerA) addRows(Fr, 3 * nA, f.forcesEvPerA, rF);
  if (f.stressEvPerA3 && g.volumeA3 > 0) addRows(Sr, 9, f.stressEvPerA3, rS);
}
console.error(`design ${(Date.now() - t1) / 1000}s`);
for (let a = 0; a < C; a++) for (let b = 0; b < a; b++) AtA[a * C + b] = AtA[b * C + a];
// regulariser: ridge on w, lam*K_MM on alpha
const Kmm = new Float64Array(M * M);
for (let m = 0; m < M; m++) { kern(kind === 'gauss' ? Z[m] : Z[m], kbuf, null); for (let q = 0; q < M; q++) Kmm[m * M + q] = kbuf[q]; }
const lamW = Number(process.env.LAMW ?? 1e-6);
let tr2 = 0; for (let a = 0; a < C; a++) tr2 += AtA[a * C + a];
const A = AtA.slice();
for (let a = 0; a < F; a++) A[a * C + a] += lamW;
for (let m = 0; m < M; m++) for (let q = 0; q < M; q++) A[(F + 1 + m) * C + F + 1 + q] += lamA * Kmm[m * M + q];
let sol: Float64Array | null = null, jit = 1e-12 * tr2 / C;
while (!sol) { try { const B = A.slice(); for (let a = 0; a < C; a++) B[a * C + a] += jit; sol = solveSpd(B, Aty, C); } catch { jit *= 10; } }
console.error(`solve done jitter ${jit.toExponential(1)}`);
if (process.env.F32) for (let a = 0; a < C; a++) sol[a] = Math.fround(sol[a]);
{ let mx = 0; for (let a = F + 1; a < C; a++) mx = Math.max(mx, Math.abs(sol[a])); console.error('max |alpha|', mx); }
// evaluate test: energies + forces (forces by finite design as above, reuse code path lightly)
function predict(k: number) {
  const f = frames[k], g = graphs.get(k), nA = f.numbers.length;
  const { edgeDerivatives: D } = descriptorsF64(sf, g, data.atomSpecies[k], S, true);
  const x = X[k], xin = Kin[k];
  let E = 0; const Fo = new Float64Array(3 * nA);
  const P = g.edgeI.length; let p0 = 0;
  const dEdG = new Float64Array(F);
  for (let i = 0; i < nA; i++) {
    const xi = x.subarray(i * F, (i + 1) * F);
    E += sol![F];
    for (let m = 0; m < F; m++) { E += sol![m] * xi[m]; dEdG[m] = sol![m] / st.std[m]; }
    kern(xin.subarray(i * F, (i + 1) * F), kbuf, dkbuf);
    for (let m = 0; m < M; m++) {
      const a = sol![F + 1 + m]; E += a * kbuf[m];
      const s = kind === 'gauss' ? 1 : 1;
      for (let ff = 0; ff < F; ff++) dEdG[ff] += a * dkbuf[m * F + ff] * s / (kind === 'gauss' ? st.std[ff] : 1);
    }
    let p1 = p0; while (p1 < P && g.edgeI[p1] === i) p1++;
    for (let p = p0; p < p1; p++) {
      const j = g.edgeJ[p];
      for (let c = 0; c < 3; c++) { let s = 0; for (let ff = 0; ff < F; ff++) s += dEdG[ff] * D![(p * F + ff) * 3 + c]; Fo[i * 3 + c] += s; Fo[j * 3 + c] -= s; }
    }
    p0 = p1;
  }
  return { E: E + data.e0SumEv[k], F: Fo };
}
function score(idx: number[]) {
  let eAbs = 0, fAbs = 0, nf = 0;
  for (const k of idx) {
    const f = frames[k], p = predict(k);
    eAbs += Math.abs(p.E - f.energyEv!) / f.numbers.length;
    if (f.forcesEvPerA) for (let q = 0; q < p.F.length; q++) { fAbs += Math.abs(p.F[q] - f.forcesEvPerA[q]); nf++; }
  }
  return { e: (1000 * eAbs) / idx.length, f: fAbs / nf };
}
const trS = score(data.split.train), teS = score(data.split.test);
console.log(JSON.stringify({ el, kind, M, ell, lamA, zeta, sel, wS, wEn, F, rc, sfk: process.env.SFK ?? 'G4', train: trS, test: teS, s: (Date.now() - t0) / 1000 }));
