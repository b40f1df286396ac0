// Pair potentials -> one LAMMPS `pair_style table` file (doc: lammps.org/pair_table.html).
//
// Any calculator whose energy is a sum of element-pair terms E_ab(r) (LJ, Morse, ZBL, per-pair
// parameters included) is tabulated by asking the calculator itself for two atoms at distance r in
// free space: E_ab(r) is its energy and f = -dE/dr is the x force on the second atom placed at
// (r, 0, 0). So the file holds exactly what our calculator computes, cutoff shift included.
//
// Layout, chosen so that LAMMPS uses the file values without re-interpolating them
// (pair_table.cpp compute_table(): `match` = the file is in RSQ spacing with N points, rhi equal to
// the pair_coeff cutoff, and `pair_style table spline N` with the same N):
//   # comment lines
//   KEYWORD                       (one section per element pair, e.g. Ar_Kr)
//   N <n> RSQ <inner> <cutoff> FPRIME <df/dr(inner)> <df/dr(cutoff)>
//   (blank)
//   i r_i E_i f_i                 r_i = sqrt(inner² + (i-1)(cutoff² - inner²)/(n-1))
// LAMMPS then fits cubic splines in r² to E and f/r (end slopes from -f and from FPRIME = df/dr);
// that spline is the only approximation, with error ~ h⁴ max|d⁴E/d(r²)⁴|, h = (cutoff² - inner²)/(n-1). The last knot sits at the cutoff,
// where LAMMPS (like us) drops the pair (r < cutoff counts): it holds the limit from below so that
// the spline of a truncated (unshifted) potential is right up to the cutoff.
// Below `inner` LAMMPS stops with "Pair distance < table inner cutoff"; by default inner is the
// shortest distance at which no pair energy exceeds `maxPairEnergyEv` (1000 eV).
import type { AtomicSystem, CalcResult, Calculator } from '../calculators/calculator';
import { atomicNumber, massAmu, symbolOf } from '../atoms/elements';
import type { ParsedPotentialSpec } from '../potentials/registry';

export interface PairTableOptions {
  /** Elements, in LAMMPS atom-type order (type 1 = elements[0]). */
  elements: readonly string[];
  /** Table points per pair (LAMMPS N; also the `pair_style table spline N` length). Default 20000. */
  points?: number;
  /** Inner table bound, Å. Default: see maxPairEnergyEv. */
  innerA?: number;
  /** Default inner bound: the shortest r where every |E_ab(r)| <= this, eV. Default 1000. */
  maxPairEnergyEv?: number;
  /** File name used in the pair_coeff lines. Default "atomforge.table". */
  fileName?: string;
  /** Free text for the header comment (what was exported). */
  source?: string;
  /**
   * Cutoff of one element pair, Å (per-pair cutoffs of LJ / Morse specs: pairCutoffsFromSpec).
   * Default: the calculator's cutoff for every pair. A pair tabulated past its own cutoff would
   * put a jump into the table, which the spline cannot follow.
   */
  cutoffOf?: (a: string, b: string) => number;
}

export interface PairTableSection {
  keyword: string;
  /** LAMMPS atom types (1-based), i <= j. */
  types: [number, number];
  elements: [string, string];
  /** This pair's cutoff (the table's last r), Å. */
  cutoffA: number;
}

export interface PairTableExport {
  /** The table file's text. */
  text: string;
  fileName: string;
  points: number;
  innerA: number;
  cutoffA: number;
  sections: PairTableSection[];
  /** LAMMPS commands that load it (pair_style, pair_coeff lines). */
  pairLines: string[];
  /** `mass` lines (amu) for the types. */
  massLines: string[];
}

/** Two atoms (Z1 at the origin, Z2 at (r, 0, 0)) in free space. */
function dimer(z1: number, z2: number): AtomicSystem {
  return { numbers: Int32Array.of(z1, z2), positionsA: new Float64Array(6), cellA: null, pbc: [false, false, false] };
}

/** E(r) and f = -dE/dr of one element pair from a pair calculator. */
export function pairCurve(calc: Calculator, elementA: string, elementB: string) {
  const sys = dimer(atomicNumber(elementA), atomicNumber(elementB));
  const out: CalcResult = { energyEv: 0 };
  calc.reset?.();
  return (rA: number): { energyEv: number; forceEvPerA: number } => {
    sys.positionsA[3] = rA;
    const r = calc.compute(sys, { forces: true }, out);
    return { energyEv: r.energyEv, forceEvPerA: r.forcesEvPerA![3] };
  };
}

/** Shortest r (scanning down from the cutoff in steps of cutoff/2000) with |E| <= maxEv for every curve. */
function defaultInner(curves: ((r: number) => { energyEv: number })[], cutoffA: number, maxEv: number): number {
  const step = cutoffA / 2000;
  let inner = cutoffA - step;
  for (let r = cutoffA - step; r > step; r -= step) {
    if (curves.some((c) => !(Math.abs(c(r).energyEv) <= maxEv))) break;
    inner = r;
  }
  return Number(inner.toPrecision(6));
}

/**
 * Tabulate a pair calculator for `pair_style table spline N`. Throws when the elements are not
 * known to the calculator (its own message) or the options are out of range.
 */
export function exportPairTable(calc: Calculator, options: PairTableOptions): PairTableExport {
  const els = options.elements.map((e) => symbolOf(atomicNumber(e)));
  if (els.length === 0) throw new Error('pair table export: give at least one element (LAMMPS atom types follow their order)');
  for (const e of options.elements) if (atomicNumber(e) < 1) throw new Error(`pair table export: "${e}" is not an element symbol`);
  if (new Set(els).size !== els.length) throw new Error(`pair table export: elements repeat in ${els.join(', ')}`);
  const n = options.points ?? 20000;
  if (!(Number.isInteger(n) && n >= 10 && n <= 1_000_000)) throw new Error(`pair table export: points must be an integer in [10, 1000000], got ${n}`);
  const cutoffA = calc.cutoffA;
  if (!(Number.isFinite(cutoffA) && cutoffA > 0)) throw new Error(`pair table export: ${calc.name} has no finite cutoff`);
  const pairs: { a: number; b: number; rc: number; curve: ReturnType<typeof pairCurve> }[] = [];
  for (let a = 0; a < els.length; a++) for (let b = a; b < els.length; b++) {
    const rc = options.cutoffOf ? options.cutoffOf(els[a], els[b]) : cutoffA;
    if (!(rc > 0 && rc <= cutoffA)) throw new Error(`pair table export: cutoff of ${els[a]}-${els[b]} must be in (0, ${cutoffA}] Å, got ${rc}`);
    pairs.push({ a, b, rc, curve: pairCurve(calc, els[a], els[b]) });
  }
  const minRc = Math.min(...pairs.map((p) => p.rc));
  const innerA = options.innerA ?? defaultInner(pairs.map((p) => p.curve), minRc, options.maxPairEnergyEv ?? 1000);
  if (!(innerA > 0 && innerA < minRc)) throw new Error(`pair table export: inner bound must be in (0, ${minRc}) Å, got ${innerA}`);
  const fileName = options.fileName ?? 'atomforge.table';
  const lines: string[] = [
    `# LAMMPS pair_style table file written by Atomforge (units metal: Å, eV, eV/Å)`,
    `# source: ${options.source ?? calc.name}`,
    `# use: pair_style table spline ${n}; pair_coeff I J ${fileName} KEYWORD CUTOFF (the section's last r)`,
    `# ${n} points per pair, evenly spaced in r² from ${innerA} Å to the pair's cutoff; columns: index r(Å) E(eV) f=-dE/dr(eV/Å)`,
    '',
  ];
  const sections: PairTableSection[] = [];
  const r2lo = innerA * innerA;
  for (const p of pairs) {
    const keyword = `${els[p.a]}_${els[p.b]}`;
    const rc = p.rc, dr2 = (rc * rc - r2lo) / (n - 1);
    // just below the cutoff: the calculator drops pairs at r >= cutoff, the table's last knot holds the limit
    const rLast = rc * (1 - 1e-13);
    sections.push({ keyword, types: [p.a + 1, p.b + 1], elements: [els[p.a], els[p.b]], cutoffA: rc });
    // FPRIME: df/dr at both ends for LAMMPS's spline of f/r (else it estimates them by a secant, which
    // costs an order of accuracy near the ends): central difference at inner, one-sided at the cutoff
    const d = 1e-5 * innerA, D = 1e-5 * rc;
    const fplo = (p.curve(innerA + d).forceEvPerA - p.curve(innerA - d).forceEvPerA) / (2 * d);
    const fphi = (3 * p.curve(rLast).forceEvPerA - 4 * p.curve(rLast - D).forceEvPerA + p.curve(rLast - 2 * D).forceEvPerA) / (2 * D);
    lines.push(keyword, `N ${n} RSQ ${innerA} ${rc} FPRIME ${fplo} ${fphi}`, '');
    for (let i = 0; i < n; i++) {
      const r = i === n - 1 ? rc : Math.sqrt(r2lo + i * dr2);
      const v = p.curve(Math.min(r, rLast));
      if (!Number.isFinite(v.energyEv) || !Number.isFinite(v.forceEvPerA)) {
        throw new Error(`pair table export: ${keyword} is not finite at r = ${r} Å; raise the inner bound (innerA)`);
      }
      lines.push(`${i + 1} ${r} ${v.energyEv} ${v.forceEvPerA}`);
    }
    lines.push('');
  }
  return {
    text: lines.join('\n'),
    fileName,
    points: n,
    innerA,
    cutoffA,
    sections,
    pairLines: [`pair_style table spline ${n}`, ...sections.map((s) => `pair_coeff ${s.types[0]} ${s.types[1]} ${fileName} ${s.keyword} ${s.cutoffA}`)],
    massLines: els.map((e, t) => `mass ${t + 1} ${massAmu(atomicNumber(e))}`),
  };
}

/**
 * Per-pair cutoffs of a parsed lj / morse spec: a pair's own `cutoff`, else the spec's default
 * (undefined for other kinds: every pair then uses the calculator's cutoff).
 */
export function pairCutoffsFromSpec(parsed: ParsedPotentialSpec): ((a: string, b: string) => number) | undefined {
  if (parsed.kind !== 'lj' && parsed.kind !== 'morse') return undefined;
  const def = parsed.params.cutoff as number | undefined;
  const z = (e: string) => atomicNumber(e);
  return (a, b) => {
    const own = (parsed.pairs ?? []).find((p) => {
      const q = p.elements.map(z);
      return (q[0] === z(a) && q[1] === z(b)) || (q[0] === z(b) && q[1] === z(a));
    });
    const rc = (own?.params.cutoff as number | undefined) ?? def;
    if (rc === undefined) throw new Error(`pair table export: no cutoff for the ${a}-${b} pair in the spec`);
    return rc;
  };
}
