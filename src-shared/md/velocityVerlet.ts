// Velocity Verlet (NVE): the symplectic, time-reversible second-order integrator of Hamilton's
// equations (Swope, Andersen, Berens & Wilson, J. Chem. Phys. 76, 637 (1982); JAX-MD
// simulate.nve; ASE ase/md/verlet.py VelocityVerlet):
//   v(t + dt/2) = v(t) + (dt/2) F(t)/m
//   x(t + dt)   = x(t) + dt v(t + dt/2)
//   v(t + dt)   = v(t + dt/2) + (dt/2) F(t + dt)/m
// It exactly conserves a shadow Hamiltonian H̃ = H + O(dt²), so the total energy fluctuates with
// an amplitude ∝ dt² and does not drift (for smooth forces and a time step well below the fastest
// period). One force call per step. Conserved quantity: E_pot + E_kin (reservoir term 0).
import type { Calculator } from '../calculators/calculator';
import {
  drift,
  endStep,
  forceEvaluator,
  initialState,
  invMassOf,
  kick,
  kineticEnergyEv,
  type CommonMdOptions,
  type Integrator,
  type MdState,
} from './state';

export type VelocityVerletOptions = CommonMdOptions;

export function velocityVerlet(calc: Calculator, options: VelocityVerletOptions): Integrator {
  const dt = options.dtFs;
  if (!(dt > 0)) throw new Error(`velocityVerlet: dtFs must be > 0, got ${dt}`);
  const evaluate = forceEvaluator(calc, options.computeStress ?? false);
  const invMass = new WeakMap<MdState, Float64Array>();
  return {
    name: `NVE velocity Verlet (dt=${dt} fs)`,
    dtFs: dt,
    init: (system) => initialState(system, evaluate, options.zeroMomentum ?? true),
    step(state) {
      const im = invMassOf(invMass, state);
      kick(state, im, 0.5 * dt);
      drift(state, dt);
      evaluate(state);
      kick(state, im, 0.5 * dt);
      state.kineticEnergyEv = kineticEnergyEv(state.massesAmu, state.velocitiesAPerFs);
      return endStep(state, dt);
    },
  };
}
