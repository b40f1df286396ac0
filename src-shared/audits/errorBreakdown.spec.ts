// Error breakdown: a model that is wrong only for Kr-Kr interactions is flagged on Kr (and on the
// group of frames containing Kr), never on Ar; MAEs equal a direct computation; missing labels are
// masked; fitted per-element energy constants remove a constant per-atom offset exactly.
import { describe, expect, it } from 'vitest';
import { makeFrame, type Frame } from '../atoms/frame';
import { symbolOf } from '../atoms/elements';
import type { AtomicSystem, Calculator } from '../calculators/calculator';
import { errorBreakdown, fitPerElementShift } from './errorBreakdown';
import { arKrLj, cluster, rattledCrystal } from '../../test-support/auditSystems';

function label(calc: Calculator, sys: AtomicSystem, group: string): Frame {
  const periodic = !!sys.cellA && sys.pbc.every(Boolean);
  calc.reset?.();
  const r = calc.compute(sys, { forces: true, stress: periodic });
  return makeFrame({
    symbols: Array.from(sys.numbers, (z) => symbolOf(z)),
    positionsA: sys.positionsA,
    cellA: sys.cellA,
    pbc: [sys.pbc[0], sys.pbc[1], sys.pbc[2]],
    energyEv: r.energyEv,
    forcesEvPerA: r.forcesEvPerA!.slice(),
    stressEvPerA3: periodic ? r.stressEvPerA3!.slice() : undefined,
    info: { config_type: group },
  });
}

function dataset(): Frame[] {
  const ref = arKrLj();
  const frames: Frame[] = [];
  for (let k = 0; k < 4; k++) frames.push(label(ref, cluster(12, 3.8, 18, 10 + k), 'argon'));
  for (let k = 0; k < 4; k++) frames.push(label(ref, cluster(12, 3.9, [18, 36, 36], 20 + k), 'mixed'));
  for (let k = 0; k < 3; k++) frames.push(label(ref, rattledCrystal(5.26, 1, 18, 0.1, 30 + k), 'crystal'));
  return frames;
}

describe('a model wrong for Kr-Kr only', () => {
  const frames = dataset();
  const r = errorBreakdown(arKrLj(3), frames);

  it('flags Kr and the mixed group, not Ar, argon or crystal', () => {
    expect(r.verdict).toBe('flag');
    const el = Object.fromEntries(r.elements.map((e) => [e.element, e]));
    expect(el.Kr.flagged).toBe(true);
    expect(el.Ar.flagged).toBe(false);
    expect(el.Ar.force_mae_ev_per_a).toBeLessThan(1e-12); // Ar forces do not involve Kr-Kr pairs
    expect(el.Kr.force_mae_ev_per_a!).toBeGreaterThan(0.02);
    const gr = Object.fromEntries(r.groups.map((g) => [g.group, g]));
    expect(gr.mixed.flagged).toBe(true);
    expect(gr.argon.flagged || gr.crystal.flagged).toBe(false);
    expect(gr.crystal.stress_mae_gpa).toBeLessThan(1e-12);
    expect(r.flags.some((f) => f.startsWith('element Kr:'))).toBe(true);
    expect(r.flags.some((f) => f.startsWith('group mixed:'))).toBe(true);
    expect(r.worst_frames[0].group).toBe('mixed');
  });

  it('MAEs equal a direct computation', () => {
    const calc = arKrLj(3);
    let fSum = 0, fN = 0, eSum = 0, krSum = 0, krN = 0;
    for (const f of frames) {
      calc.reset?.();
      const p = calc.compute(f, { forces: true });
      eSum += Math.abs((1000 * (p.energyEv - f.energyEv!)) / f.symbols.length);
      for (let q = 0; q < p.forcesEvPerA!.length; q++) {
        const d = Math.abs(p.forcesEvPerA![q] - f.forcesEvPerA![q]);
        fSum += d;
        fN++;
        if (f.symbols[Math.floor(q / 3)] === 'Kr') {
          krSum += d;
          krN++;
        }
      }
    }
    expect(r.overall.force_mae_ev_per_a!).toBeCloseTo(fSum / fN, 12);
    expect(r.overall.energy_mae_mev_per_atom!).toBeCloseTo(eSum / frames.length, 9);
    expect(r.elements.find((e) => e.element === 'Kr')!.force_mae_ev_per_a!).toBeCloseTo(krSum / krN, 12);
    expect(r.frames_with_stress).toBe(3);
    expect(r.per_frame).toHaveLength(frames.length);
  });
});

it('the exact model passes with zero errors; missing labels are masked, not zero-filled', () => {
  const frames = dataset();
  frames[0].forcesEvPerA = undefined;
  frames[5].energyEv = undefined;
  const r = errorBreakdown(arKrLj(), frames);
  expect(r.verdict).toBe('pass');
  expect(r.frames_with_forces).toBe(frames.length - 1);
  expect(r.frames_with_energy).toBe(frames.length - 1);
  expect(r.per_frame[0].force_mae_ev_per_a).toBeNull();
  expect(r.per_frame[5].energy_error_mev_per_atom).toBeNull();
  expect(r.overall.energy_mae_mev_per_atom!).toBeLessThan(1e-9);
  expect(r.groups.find((g) => g.group === 'argon')!.frames).toBe(4);
  expect(r.overall.force_mae_ev_per_a!).toBeLessThan(1e-12);
});

it('per-element energy constants: an offset μ_Z per atom is fitted and removed', () => {
  const frames = dataset();
  const base = arKrLj();
  const mu: Record<number, number> = { 18: 0.25, 36: -0.4 };
  const shifted: Calculator = {
    ...base,
    name: 'Ar/Kr LJ + per-element constants',
    compute(sys, req, out) {
      const r = base.compute(sys, req, out);
      for (const z of sys.numbers) r.energyEv += mu[z];
      return r;
    },
  };
  const raw = errorBreakdown(shifted, frames);
  expect(raw.overall.energy_mae_mev_per_atom!).toBeGreaterThan(100);
  const fixed = errorBreakdown(shifted, frames, { energyShift: 'per_element' });
  expect(fixed.energy_shift_ev_per_atom!.Ar).toBeCloseTo(-0.25, 9);
  expect(fixed.energy_shift_ev_per_atom!.Kr).toBeCloseTo(0.4, 9);
  expect(fixed.overall.energy_mae_mev_per_atom!).toBeLessThan(1e-6);
  expect(fixed.verdict).toBe('pass');
  // the least-squares fit alone
  const comps = [new Map([['A', 2]]), new Map([['A', 1], ['B', 3]]), new Map([['B', 1]])];
  const s = fitPerElementShift(comps, [2 * 1.5, 1.5 - 3 * 0.5, -0.5]);
  expect(s.A).toBeCloseTo(1.5, 8);
  expect(s.B).toBeCloseTo(-0.5, 8);
});
