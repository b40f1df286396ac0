// Per-element-pair parameters for pair potentials (LJ, Morse), like LAMMPS's `pair_coeff I J ...`
// but keyed by element instead of atom type, and without mixing rules: a pair is given explicitly
// ("Ar-Kr: epsilon, sigma") or takes the defaults. Elements named in no pair use the defaults too
// (one shared "other" species); with incomplete defaults they are not covered, and a system
// containing them is refused with an error that names the element.
import { atomicNumber, symbolOf } from '../atoms/elements';
import type { SpeciesMap } from './calculatorKit';

export interface PairOverride<P> {
  /** Element symbols of the pair, e.g. ["Ar", "Kr"] (order does not matter). */
  elements: readonly [string, string];
  /** Parameters for this pair; missing ones come from the defaults. */
  params: Partial<P>;
}

export interface PairTable<P> {
  map: SpeciesMap;
  /** Number of species (T). */
  nSpecies: number;
  /** [T*T] resolved parameters, symmetric. */
  params: P[];
}

/**
 * Resolve parameters for every species pair.
 * @param keys the parameter names that must all be present for a pair
 */
export function buildPairTable<P extends object>(
  context: string,
  keys: readonly (keyof P & string)[],
  defaults: Partial<P>,
  pairs: readonly PairOverride<P>[],
): PairTable<P> {
  const complete = (p: Partial<P>) => keys.every((k) => p[k] !== undefined);
  const zs: number[] = [];
  for (const pair of pairs) {
    for (const s of pair.elements) {
      const z = atomicNumber(s);
      if (z < 1) throw new Error(`${context}: unknown element "${s}" in pair ${pair.elements.join('-')}`);
      if (!zs.includes(z)) zs.push(z);
    }
  }
  const defaultsComplete = complete(defaults);
  const hasOther = defaultsComplete;
  const nT = zs.length + (hasOther ? 1 : 0);
  const byZ = new Int32Array(119).fill(hasOther ? zs.length : -1);
  zs.forEach((z, t) => (byZ[z] = t));
  const symbols = zs.map((z) => symbolOf(z));
  const given = new Map<string, Partial<P>>();
  for (const pair of pairs) {
    const a = byZ[atomicNumber(pair.elements[0])], b = byZ[atomicNumber(pair.elements[1])];
    const key = `${Math.min(a, b)},${Math.max(a, b)}`;
    if (given.has(key)) throw new Error(`${context}: pair ${pair.elements.join('-')} is given twice`);
    given.set(key, pair.params);
  }
  if (nT === 0) {
    const missing = keys.filter((k) => defaults[k] === undefined).join(', ');
    throw new Error(`${context}: no parameters: give ${missing} (for all pairs) or per-element-pair values`);
  }
  const params: P[] = new Array(nT * nT);
  for (let a = 0; a < nT; a++) {
    for (let b = a; b < nT; b++) {
      const own = given.get(`${a},${b}`) ?? {};
      const merged = { ...defaults, ...own } as Partial<P>;
      if (!complete(merged)) {
        const name = `${a < zs.length ? symbols[a] : 'other elements'}-${b < zs.length ? symbols[b] : 'other elements'}`;
        const missing = keys.filter((k) => merged[k] === undefined).join(', ');
        throw new Error(`${context}: no ${missing} for the ${name} pair; give ${missing} for that pair or as defaults for all pairs`);
      }
      params[a * nT + b] = params[b * nT + a] = merged as P;
    }
  }
  return { map: { byZ, symbols: hasOther ? [...symbols, 'any other element'] : symbols }, nSpecies: nT, params };
}
