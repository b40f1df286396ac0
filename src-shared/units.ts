// The one internal unit system: Å, eV, amu, fs, K; stress in eV/Å³ (ASE sign: positive = tensile).
// Every conversion lives here. Constants are CODATA 2014 as used by ASE 3.22 (ase/units.py), so
// numbers agree with ASE to the last digit.

const _c = 299792458; // m/s
const _mu0 = 4e-7 * Math.PI;
const _eps0 = 1 / _mu0 / (_c * _c);
const _hplanck = 6.62607004e-34; // J s
const _e = 1.6021766208e-19; // C
const _me = 9.10938356e-31; // kg
const _amu = 1.66053904e-27; // kg
const _Nav = 6.022140857e23;
const _k = 1.38064852e-23; // J/K
const _hbar = _hplanck / (2 * Math.PI);

export const ANGSTROM = 1;
export const EV = 1;
/** Bohr radius in Å. */
export const BOHR_A = (4e10 * Math.PI * _eps0 * _hbar * _hbar) / _me / (_e * _e);
/** Hartree in eV. */
export const HARTREE_EV = (_me * _e * _e * _e) / 16 / (Math.PI * Math.PI) / (_eps0 * _eps0) / (_hbar * _hbar);
export const RYDBERG_EV = HARTREE_EV / 2;
/** kJ/mol and kcal/mol in eV. */
export const KJ_PER_MOL_EV = 1000 / _e / _Nav;
export const KCAL_PER_MOL_EV = 4.184 * KJ_PER_MOL_EV;
/** Boltzmann constant, eV/K. */
export const KB_EV_PER_K = _k / _e;
/** 1 GPa in eV/Å³. */
export const GPA_EV_PER_A3 = 1e9 / (_e * 1e30);
/** 1 bar and 1 kbar in eV/Å³. */
export const BAR_EV_PER_A3 = 1e5 / (_e * 1e30);
export const KBAR_EV_PER_A3 = 1e3 * BAR_EV_PER_A3;
/** Mass unit: 1 amu in eV fs²/Å² (so that F/m gives Å/fs²). */
export const AMU_EV_FS2_PER_A2 = (_amu * 1e-10 * 1e-10) / (_e * 1e-30);

export function evPerA3ToGpa(x: number): number {
  return x / GPA_EV_PER_A3;
}
export function gpaToEvPerA3(x: number): number {
  return x * GPA_EV_PER_A3;
}
