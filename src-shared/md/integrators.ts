// Declarative registry of the MD integrators, so that the UI picker, the CLI and the docs are
// driven by the same data (GUIDE §3.5): an id, the ensemble, the parameters with units and
// defaults, the reference, and a factory taking plain numbers (what a form or a command line gives).
import type { Calculator } from '../calculators/calculator';
import type { Rng } from '../space/rng';
import { bussi } from './bussi';
import { langevin } from './langevin';
import { noseHooverChain } from './noseHooverChain';
import type { Integrator } from './state';
import { stochasticCellRescaling } from './stochasticCellRescaling';
import { velocityVerlet } from './velocityVerlet';

export type IntegratorId = 'nve' | 'langevin' | 'bussi' | 'nose-hoover-chain' | 'npt-scr';

export interface IntegratorParam {
  /** Option key, with its unit in the name (dtFs, temperatureK, ...). */
  key: string;
  label: string;
  unit: string;
  default: number;
  min?: number;
  /** Integer-valued (chain length, ...). */
  integer?: boolean;
}

export interface IntegratorSpec {
  id: IntegratorId;
  label: string;
  ensemble: 'NVE' | 'NVT' | 'NPT';
  /** Needs a random number generator (seed). */
  stochastic: boolean;
  /** Needs the calculator's stress and a periodic cell. */
  needsStress: boolean;
  params: readonly IntegratorParam[];
  reference: string;
  create(calc: Calculator, params: Readonly<Record<string, number>>, rng?: Rng, common?: CommonFlags): Integrator;
}

/** Options that are not physics parameters: compute the stress every step (for pressure output). */
export interface CommonFlags {
  computeStress?: boolean;
}

const DT: IntegratorParam = { key: 'dtFs', label: 'Time step', unit: 'fs', default: 1, min: 0 };
const T: IntegratorParam = { key: 'temperatureK', label: 'Temperature', unit: 'K', default: 300, min: 0 };

function value(spec: IntegratorSpec, params: Readonly<Record<string, number>>, key: string): number {
  const p = spec.params.find((q) => q.key === key);
  if (!p) throw new Error(`${spec.id}: unknown parameter ${key}`);
  const v = params[key] ?? p.default;
  if (!Number.isFinite(v) || (p.min !== undefined && v < p.min)) throw new Error(`${spec.id}: ${key} = ${v} ${p.unit} is out of range`);
  return v;
}

function needRng(spec: IntegratorSpec, rng: Rng | undefined): Rng {
  if (!rng) throw new Error(`${spec.id} is stochastic: pass a seeded rng`);
  return rng;
}

export const INTEGRATORS: readonly IntegratorSpec[] = [
  {
    id: 'nve',
    label: 'Velocity Verlet (NVE)',
    ensemble: 'NVE',
    stochastic: false,
    needsStress: false,
    params: [DT],
    reference: 'Swope, Andersen, Berens & Wilson, J. Chem. Phys. 76, 637 (1982)',
    create(calc, params, _rng, common) {
      return velocityVerlet(calc, { ...common, dtFs: value(this, params, 'dtFs') });
    },
  },
  {
    id: 'langevin',
    label: 'Langevin (BAOAB)',
    ensemble: 'NVT',
    stochastic: true,
    needsStress: false,
    params: [DT, T, { key: 'frictionPerFs', label: 'Friction', unit: '1/fs', default: 0.01, min: 0 }],
    reference: 'Leimkuhler & Matthews, Appl. Math. Res. Express 2013, 34',
    create(calc, params, rng, common) {
      return langevin(calc, {
        ...common,
        dtFs: value(this, params, 'dtFs'),
        temperatureK: value(this, params, 'temperatureK'),
        frictionPerFs: value(this, params, 'frictionPerFs'),
        rng: needRng(this, rng),
      });
    },
  },
  {
    id: 'bussi',
    label: 'Bussi velocity rescaling',
    ensemble: 'NVT',
    stochastic: true,
    needsStress: false,
    params: [DT, T, { key: 'tauFs', label: 'Thermostat time', unit: 'fs', default: 100, min: 0 }],
    reference: 'Bussi, Donadio & Parrinello, J. Chem. Phys. 126, 014101 (2007)',
    create(calc, params, rng, common) {
      return bussi(calc, {
        ...common,
        dtFs: value(this, params, 'dtFs'),
        temperatureK: value(this, params, 'temperatureK'),
        tauFs: value(this, params, 'tauFs'),
        rng: needRng(this, rng),
      });
    },
  },
  {
    id: 'nose-hoover-chain',
    label: 'Nosé-Hoover chain',
    ensemble: 'NVT',
    stochastic: false,
    needsStress: false,
    params: [
      DT,
      T,
      { key: 'tauFs', label: 'Thermostat period', unit: 'fs', default: 100, min: 0 },
      { key: 'chainLength', label: 'Chain length', unit: '', default: 3, min: 1, integer: true },
    ],
    reference: 'Martyna, Klein & Tuckerman, J. Chem. Phys. 97, 2635 (1992); Martyna et al., Mol. Phys. 87, 1117 (1996)',
    create(calc, params, _rng, common) {
      return noseHooverChain(calc, {
        ...common,
        dtFs: value(this, params, 'dtFs'),
        temperatureK: value(this, params, 'temperatureK'),
        tauFs: value(this, params, 'tauFs'),
        chainLength: Math.round(value(this, params, 'chainLength')),
      });
    },
  },
  {
    id: 'npt-scr',
    label: 'NPT: stochastic cell rescaling + Bussi',
    ensemble: 'NPT',
    stochastic: true,
    needsStress: true,
    params: [
      DT,
      T,
      { key: 'thermostatTauFs', label: 'Thermostat time', unit: 'fs', default: 100, min: 0 },
      { key: 'pressureGpa', label: 'Pressure', unit: 'GPa', default: 0 },
      { key: 'barostatTauFs', label: 'Barostat time', unit: 'fs', default: 1000, min: 0 },
      { key: 'compressibilityPerGpa', label: 'Compressibility (estimate)', unit: '1/GPa', default: 0.01, min: 0 },
    ],
    reference: 'Bernetti & Bussi, J. Chem. Phys. 153, 114107 (2020)',
    create(calc, params, rng, common) {
      return stochasticCellRescaling(calc, {
        ...common,
        dtFs: value(this, params, 'dtFs'),
        temperatureK: value(this, params, 'temperatureK'),
        thermostatTauFs: value(this, params, 'thermostatTauFs'),
        pressureGpa: value(this, params, 'pressureGpa'),
        barostatTauFs: value(this, params, 'barostatTauFs'),
        compressibilityPerGpa: value(this, params, 'compressibilityPerGpa'),
        rng: needRng(this, rng),
      });
    },
  },
];

export function integratorSpec(id: string): IntegratorSpec {
  const s = INTEGRATORS.find((q) => q.id === id);
  if (!s) throw new Error(`unknown integrator "${id}" (known: ${INTEGRATORS.map((q) => q.id).join(', ')})`);
  return s;
}

/** Build an integrator from its id and plain parameters (defaults fill the gaps). */
export function createIntegrator(id: string, calc: Calculator, params: Readonly<Record<string, number>> = {}, rng?: Rng, common?: CommonFlags): Integrator {
  const spec = integratorSpec(id);
  for (const k of Object.keys(params)) {
    if (!spec.params.some((p) => p.key === k)) throw new Error(`${id}: unknown parameter ${k} (known: ${spec.params.map((p) => p.key).join(', ')})`);
  }
  return spec.create(calc, params, rng, common);
}
