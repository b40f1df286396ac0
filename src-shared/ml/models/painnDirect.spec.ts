// PaiNN's optional direct force head F_i = s_F Σ_f w_f v_i[:, f] (painn.ts, directForces.ts): it is
// equivariant (forces and stress rotate, energy invariant), the engine's predict path uses it only
// when the option is set, its loss gradient is right, and it is NOT conservative: the work around a
// closed loop in configuration space is far from zero and its Jacobian is not symmetric, where the
// autodiff forces of the same network give zero to float32 precision.
import { describe, expect, it } from 'vitest';
import type { AtomicSystem, Calculator } from '../../calculators/calculator';
import { createRng } from '../../space/rng';
import { buildFrameGraph, createGraphCache } from '../data/graph';
import { speciesIndices } from '../data/species';
import { makeBatch } from '../data/trainingData';
import { assertEquivariant, checkDerivatives, checkExtensivity } from '../testing/modelChecks';
import { useBackend } from '../testing/tfTesting';
import { batchLoss, trainBatchTensors } from '../train/loss';
import { modelCalculator } from './calculator';
import { hasDirectForces } from './directForces';
import type { AtomisticModel } from './model';
import type { PainnConfig } from './painn';
import { painnF64 } from './painnF64';
import { makePainn, smallSet, tinyPainn } from './painnTesting';
import { loadModel } from './registry';
import { decodeModel, encodeModel } from './serialization';

/** The same network with the direct head switched off (energy and its autodiff forces only). */
function conservativeTwin(model: AtomisticModel): AtomisticModel {
  const s = model.save();
  return loadModel(model.tf, { ...s, config: { ...(s.config as PainnConfig), directForces: false }, weights: s.weights.filter((w) => w.name !== 'forceHead/kernel') });
}

/** ∮ F · dx around the loop x(θ) = x0 + ρ (cos θ d1 + sin θ d2), periodic trapezoid rule with M points. */
function loopWork(calc: Calculator, sys: AtomicSystem, rhoA: number, seed: number, M = 48): { workEv: number; scaleEv: number } {
  const rng = createRng(seed);
  const n3 = sys.positionsA.length;
  const unit = () => {
    const d = Float64Array.from({ length: n3 }, () => rng.normal());
    const norm = Math.hypot(...d);
    return d.map((x) => x / norm);
  };
  const d1 = unit(), d2 = unit();
  let work = 0, scale = 0;
  for (let m = 0; m < M; m++) {
    const th = (2 * Math.PI * m) / M;
    const pos = sys.positionsA.map((x, k) => x + rhoA * (Math.cos(th) * d1[k] + Math.sin(th) * d2[k]));
    const F = calc.compute({ ...sys, positionsA: pos }, { forces: true }).forcesEvPerA!;
    for (let k = 0; k < n3; k++) {
      const dx = rhoA * (-Math.sin(th) * d1[k] + Math.cos(th) * d2[k]) * ((2 * Math.PI) / M);
      work += F[k] * dx;
      scale += Math.abs(F[k] * dx);
    }
  }
  return { workEv: work, scaleEv: scale };
}

describe('PaiNN direct force head (non-conservative option)', () => {
  const { frames, data } = smallSet();
  const config = tinyPainn({ layers: 2, features: 12, directForces: true });

  it('the predict path takes forces from the head only when the option is set; values = float64 twin; save/load keeps the head', async () => {
    const { tf } = await useBackend('wasm');
    const model = makePainn(tf, data, config);
    const plain = conservativeTwin(model);
    expect(hasDirectForces(model)).toBe(true);
    expect(hasDirectForces(plain)).toBe(false);
    const ref = painnF64(model.save());
    for (const f of [frames[0], frames[1], frames[3]]) {
      const r = modelCalculator(model).compute(f, { forces: true });
      const want = ref.energy(ref.prepare(buildFrameGraph(f, model.graphSpec), speciesIndices(model.species, f.numbers)));
      const scale = Math.max(...want.directForcesEvPerA!.map(Math.abs));
      r.forcesEvPerA!.forEach((x, q) => expect(Math.abs(x - want.directForcesEvPerA![q])).toBeLessThan(1e-5 * scale + 1e-6));
      // the energy is the same network's as without the head; the forces are not its gradient
      const p = modelCalculator(plain).compute(f, { forces: true });
      expect(r.energyEv).toBe(p.energyEv);
      expect(Math.max(...r.forcesEvPerA!.map((x, q) => Math.abs(x - p.forcesEvPerA![q])))).toBeGreaterThan(1e-2 * scale);
    }
    const { json, bin } = encodeModel(model.save());
    const back = loadModel(tf, decodeModel(json, bin));
    expect(hasDirectForces(back)).toBe(true);
    expect(Array.from(modelCalculator(back).compute(frames[3], { forces: true }).forcesEvPerA!)).toEqual(Array.from(modelCalculator(model).compute(frames[3], { forces: true }).forcesEvPerA!));
    for (const m of [model, plain, back]) m.dispose();
  });

  it('is equivariant: energy invariant, direct forces and stress rotate (rotation, reflection, translation, permutation); extensive', async () => {
    const { tf } = await useBackend('wasm');
    const model = makePainn(tf, data, config);
    for (const f of [frames[0], frames[1], frames[3]]) {
      const d = assertEquivariant(model, f, { trials: 4, tolerance: { energyEvPerAtom: 1e-5, relative: 1e-4 } });
      const x = checkExtensivity(model, f, { tolerance: { energyEvPerAtom: 1e-5, relative: 1e-4 } });
      console.log(`[painn direct equivariance] dE ${d.energyEvPerAtom.toExponential(2)} eV/atom, dF ${d.forces.toExponential(2)}, dS ${d.stress.toExponential(2)}; extensivity dF ${x.forces.toExponential(2)}`);
    }
    model.dispose();
  });

  it('is NOT conservative: loop work ≠ 0 and an asymmetric force Jacobian, unlike the autodiff forces of the same network', async () => {
    const { tf } = await useBackend('wasm');
    const model = makePainn(tf, data, config);
    const plain = conservativeTwin(model);
    // finite differences of the energy do not reproduce the direct forces
    expect(() => checkDerivatives(model, frames[3], { hA: 3e-3, hStrain: 2e-3, tolerance: { relative: 1e-2, forceEvPerA: 1e-4, stressEvPerA3: 1e-5 } })).toThrow(/forces deviate/);
    checkDerivatives(plain, frames[3], { hA: 3e-3, hStrain: 2e-3, tolerance: { relative: 1e-2, forceEvPerA: 1e-4, stressEvPerA3: 1e-5 } });
    // path integral around closed loops (several random planes in 3N-dimensional space)
    for (const [k, f] of [frames[1], frames[3]].entries()) {
      for (const seed of [1, 2]) {
        const direct = loopWork(modelCalculator(model), f, 0.08, seed + 10 * k);
        const cons = loopWork(modelCalculator(plain), f, 0.08, seed + 10 * k);
        console.log(`[painn loop work] frame ${k} loop ${seed}: direct ${direct.workEv.toExponential(2)} eV, autodiff ${cons.workEv.toExponential(2)} eV (Σ|F·dx| ${direct.scaleEv.toExponential(2)} / ${cons.scaleEv.toExponential(2)} eV)`);
        expect(Math.abs(cons.workEv)).toBeLessThan(3e-4 * cons.scaleEv); // float32 noise
        expect(Math.abs(direct.workEv)).toBeGreaterThan(5e-3 * direct.scaleEv);
        expect(Math.abs(direct.workEv)).toBeGreaterThan(30 * Math.abs(cons.workEv));
      }
    }
    // curl: J_ab = -∂F_a/∂x_b of the float64 twin's direct head is not symmetric (a Hessian would be)
    const ref = painnF64(model.save());
    const f = frames[1];
    const sp = speciesIndices(model.species, f.numbers);
    const forcesAt = (pos: Float64Array) => ref.energy(ref.prepare(buildFrameGraph({ ...f, positionsA: pos }, model.graphSpec), sp)).directForcesEvPerA!;
    const n3 = f.positionsA.length, h = 1e-5;
    const J = new Float64Array(n3 * n3);
    for (let b = 0; b < n3; b++) {
      const p = f.positionsA.slice(), m = f.positionsA.slice();
      p[b] += h;
      m[b] -= h;
      const fp = forcesAt(p), fm = forcesAt(m);
      for (let a = 0; a < n3; a++) J[a * n3 + b] = -(fp[a] - fm[a]) / (2 * h);
    }
    let anti = 0, sym = 0;
    for (let a = 0; a < n3; a++) for (let b = 0; b < n3; b++) {
      anti += ((J[a * n3 + b] - J[b * n3 + a]) / 2) ** 2;
      sym += ((J[a * n3 + b] + J[b * n3 + a]) / 2) ** 2;
    }
    console.log(`[painn direct curl] ‖antisymmetric part‖ / ‖symmetric part‖ of the force Jacobian: ${Math.sqrt(anti / sym).toExponential(2)}`);
    expect(Math.sqrt(anti / sym)).toBeGreaterThan(1e-2);
    model.dispose();
    plain.dispose();
  });

  it('cpu: gradient of the energy + direct-force loss w.r.t. every weight = float64 finite differences of the twin', async () => {
    const { tf } = await useBackend('cpu');
    const model = makePainn(tf, data, tinyPainn({ layers: 2, features: 4, radialBasis: 4, headHidden: [4], directForces: true }), 3);
    const graphs = createGraphCache(frames, model.graphSpec);
    const indices = [0, 1, 2, 3];
    const lw = { energy: 1, forces: 1, stress: 0 };
    const host = makeBatch(data, graphs, indices);
    const vars = model.variables;
    let gTf: Float64Array[] = [];
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => batchLoss(model, trainBatchTensors(model, host), lw, data.scales).total, vars.map((v) => v.variable));
      gTf = vars.map((v) => Float64Array.from(grads[v.variable.name].dataSync()));
    });
    // the loss of train/loss.ts in float64 with the twin's energies and direct forces
    const ref = painnF64(model.save());
    const inputs = indices.map((k) => ref.prepare(graphs.get(k), data.atomSpecies[k]));
    const w: Record<string, Float64Array> = Object.fromEntries(vars.map((v) => [v.name, Float64Array.from(v.variable.dataSync())]));
    const sc = data.scales;
    const loss = () => {
      let sE = 0, nE = 0, sF = 0, nF = 0;
      indices.forEach((k, b) => {
        const f = data.frames[k], n = f.numbers.length;
        const out = ref.energy(inputs[b], w);
        if (f.energyEv !== undefined) {
          sE += data.weights[k] * (out.energyEv / n - (f.energyEv - data.e0SumEv[k]) / n) ** 2;
          nE++;
        }
        if (f.forcesEvPerA) {
          for (let q = 0; q < 3 * n; q++) sF += data.weights[k] * (out.directForcesEvPerA![q] - f.forcesEvPerA[q]) ** 2;
          nF += 3 * n;
        }
      });
      return (lw.energy * sE) / nE / sc.energyEvPerAtom ** 2 + (lw.forces * sF) / nF / sc.forceEvPerA ** 2;
    };
    let num = 0, den = 0, count = 0;
    vars.forEach((v, k) => {
      const x = w[v.name];
      for (let q = 0; q < x.length; q++) {
        const x0 = x[q];
        x[q] = x0 + 1e-5;
        const lp = loss();
        x[q] = x0 - 1e-5;
        const lm = loss();
        x[q] = x0;
        const fd = (lp - lm) / 2e-5;
        num += (gTf[k][q] - fd) ** 2;
        den += fd * fd;
        count++;
      }
    });
    console.log(`[gradient check painn direct head cpu] ${count} weights: norm rel error ${Math.sqrt(num / den).toExponential(2)}`);
    expect(count).toBe(vars.reduce((s, v) => s + v.variable.size, 0));
    expect(Math.sqrt(num / den)).toBeLessThan(2e-4);
    model.dispose();
  });
});
