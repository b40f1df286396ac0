// The classical-potential registry: one declarative list of potentials with their parameters, units,
// defaults and descriptions (the UI builds its form from it, the CLI prints it), and the SPEC strings
// both use to name a potential (ASE's declarative IO registry is the model: data drives pickers,
// commands and docs alike).
//
// Spec syntax (units eV, Å):
//   lj:epsilon=0.0104,sigma=3.40,cutoff=8.5[,shift=true][,skin=1]
//   lj:cutoff=8.5,shift=true;Ar-Ar:epsilon=0.0104,sigma=3.40;Kr-Kr:epsilon=0.014,sigma=3.65;Ar-Kr:epsilon=0.012,sigma=3.52
//   morse:d0=0.3429,alpha=1.3588,r0=2.866,cutoff=6[,shift=true]     (per pair as for lj)
//   zbl[:inner=1.5,outer=2.8]
//   eam:/path/Cu_u3.eam            (funcfl)     eam:/path/CuNi.eam.alloy   (setfl)
//   sw:/path/Si.sw
// A spec is "<kind>" or "<kind>:<rest>". For file kinds the rest is the path, verbatim. For the
// others it is ";"-separated segments "[El1-El2:]key=value,key=value": a segment without an element
// pair gives defaults for every pair, one with a pair gives (or overrides) that pair's values.
// Errors are values ({ error }) that name the bad key or value and say how to fix it.
import type { Calculator } from '../calculators/calculator';
import { atomicNumber } from '../atoms/elements';
import { createEamFromText } from './eam';
import { createLennardJones } from './lennardJones';
import { createMorse } from './morse';
import { createStillingerWeberFromText } from './stillingerWeber';
import { createZbl } from './zbl';

export type PotentialKind = 'lj' | 'morse' | 'zbl' | 'eam' | 'sw';

export interface PotentialParameter {
  /** Key in the spec string, e.g. "epsilon". */
  key: string;
  label: string;
  /** Unit as shown to users ("eV", "Å", "1/Å", "" for dimensionless or boolean). */
  unit: string;
  type: 'number' | 'boolean';
  /** Default when omitted; undefined = required. */
  default?: number | boolean;
  /** Lower bound; `exclusiveMin` makes it strict (> instead of >=). */
  min?: number;
  exclusiveMin?: boolean;
  /** Upper bound (inclusive), for absurdly large values. */
  max?: number;
  /** May be given per element pair ("Ar-Kr:epsilon=..."). */
  perPair?: boolean;
  description: string;
}

export interface PotentialEntry {
  kind: PotentialKind;
  title: string;
  description: string;
  /** True when the spec names a parameter file (eam, sw). */
  needsFile: boolean;
  /** File name endings accepted (file kinds). */
  fileExtensions?: readonly string[];
  /** Accepts per-element-pair segments. */
  perPair: boolean;
  parameters: readonly PotentialParameter[];
  example: string;
  reference: string;
}

const SKIN: PotentialParameter = {
  key: 'skin', label: 'Neighbour skin', unit: 'Å', type: 'number', default: 1, min: 0, max: 10,
  description: 'Verlet skin: pairs are listed to cutoff + skin and the list is rebuilt when the two largest displacements since the last build add up to more than the skin.',
};
const SHIFT: PotentialParameter = {
  key: 'shift', label: 'Shift to zero at cutoff', unit: '', type: 'boolean', default: false,
  description: 'Subtract E(cutoff) from each pair energy so it is continuous at the cutoff (LAMMPS pair_modify shift yes). Forces are unchanged.',
};
const CUTOFF_MAX_A = 100;

export const POTENTIALS: readonly PotentialEntry[] = [
  {
    kind: 'lj', title: 'Lennard-Jones 12-6', needsFile: false, perPair: true,
    description: 'E = 4ε[(σ/r)¹² - (σ/r)⁶] for r < cutoff (LAMMPS lj/cut). Parameters may be given per element pair; there are no mixing rules.',
    parameters: [
      { key: 'epsilon', label: 'ε (well depth)', unit: 'eV', type: 'number', min: 0, perPair: true, description: 'Depth of the energy minimum.' },
      { key: 'sigma', label: 'σ (zero crossing)', unit: 'Å', type: 'number', min: 0, exclusiveMin: true, max: 50, perPair: true, description: 'Distance at which the energy crosses zero; the minimum is at 2^(1/6) σ.' },
      { key: 'cutoff', label: 'Cutoff', unit: 'Å', type: 'number', min: 0, exclusiveMin: true, max: CUTOFF_MAX_A, perPair: true, description: 'Pairs farther apart than this do not interact (typically 2.5σ to 3σ).' },
      SHIFT, SKIN,
    ],
    example: 'lj:epsilon=0.0104,sigma=3.40,cutoff=8.5',
    reference: 'Lennard-Jones, Proc. R. Soc. A 106, 463 (1924); LAMMPS pair_style lj/cut',
  },
  {
    kind: 'morse', title: 'Morse', needsFile: false, perPair: true,
    description: 'E = D0[e^(-2α(r-r0)) - 2e^(-α(r-r0))] for r < cutoff (LAMMPS morse). Parameters may be given per element pair.',
    parameters: [
      { key: 'd0', label: 'D0 (well depth)', unit: 'eV', type: 'number', min: 0, perPair: true, description: 'Depth of the energy minimum.' },
      { key: 'alpha', label: 'α (width)', unit: '1/Å', type: 'number', min: 0, exclusiveMin: true, max: 100, perPair: true, description: 'Inverse width of the well.' },
      { key: 'r0', label: 'r0 (equilibrium distance)', unit: 'Å', type: 'number', min: 0, exclusiveMin: true, max: 50, perPair: true, description: 'Position of the minimum.' },
      { key: 'cutoff', label: 'Cutoff', unit: 'Å', type: 'number', min: 0, exclusiveMin: true, max: CUTOFF_MAX_A, perPair: true, description: 'Pairs farther apart than this do not interact.' },
      SHIFT, SKIN,
    ],
    example: 'morse:d0=0.3429,alpha=1.3588,r0=2.866,cutoff=6',
    reference: 'Morse, Phys. Rev. 34, 57 (1929); LAMMPS pair_style morse',
  },
  {
    kind: 'zbl', title: 'ZBL screened nuclear repulsion', needsFile: false, perPair: false,
    description: 'Ziegler-Biersack-Littmark universal repulsion between nuclei (charges = atomic numbers), switched smoothly to zero between inner and outer (LAMMPS zbl). Covers every element.',
    parameters: [
      { key: 'inner', label: 'Switching starts', unit: 'Å', type: 'number', default: 3, min: 0, exclusiveMin: true, max: CUTOFF_MAX_A, description: 'Distance where the switching function begins (LAMMPS inner).' },
      { key: 'outer', label: 'Cutoff', unit: 'Å', type: 'number', default: 4, min: 0, exclusiveMin: true, max: CUTOFF_MAX_A, description: 'Distance where energy, force and curvature reach zero (LAMMPS outer); must exceed inner.' },
      SKIN,
    ],
    example: 'zbl:inner=1.5,outer=2.8',
    reference: 'Ziegler, Biersack & Littmark, The Stopping and Range of Ions in Matter (1985); LAMMPS pair_style zbl',
  },
  {
    kind: 'eam', title: 'Embedded-atom method (EAM)', needsFile: true, perPair: false, fileExtensions: ['.eam', '.eam.alloy'],
    description: 'EAM from a LAMMPS table file: funcfl (*.eam, one element, pair_style eam) or setfl (*.eam.alloy, several elements, pair_style eam/alloy), splined as LAMMPS does.',
    parameters: [],
    example: 'eam:/path/to/Cu_u3.eam',
    reference: 'Daw & Baskes, PRB 29, 6443 (1984); Foiles, Baskes & Daw, PRB 33, 7983 (1986); LAMMPS pair_style eam, eam/alloy',
  },
  {
    kind: 'sw', title: 'Stillinger-Weber', needsFile: true, perPair: false, fileExtensions: ['.sw'],
    description: 'Two- and three-body Stillinger-Weber potential from a LAMMPS *.sw parameter file (multi-element).',
    parameters: [],
    example: 'sw:/path/to/Si.sw',
    reference: 'Stillinger & Weber, PRB 31, 5262 (1985); LAMMPS pair_style sw',
  },
];

export function potentialEntry(kind: string): PotentialEntry | undefined {
  return POTENTIALS.find((p) => p.kind === kind);
}

export type SpecValue = number | boolean;

export interface PairSpec {
  elements: [string, string];
  params: Record<string, SpecValue>;
}

export interface ParsedPotentialSpec {
  kind: PotentialKind;
  /** Parameters by spec key (numbers in the units of the registry entry), defaults filled in. */
  params: Record<string, SpecValue>;
  /** Per-element-pair segments (lj, morse). */
  pairs?: PairSpec[];
  /** Parameter file (eam, sw). */
  path?: string;
}

export type SpecResult = ParsedPotentialSpec | { error: string };

const kinds = () => POTENTIALS.map((p) => p.kind).join(', ');

function parseValue(entry: PotentialEntry, param: PotentialParameter, raw: string, where: string): SpecValue | { error: string } {
  const k = entry.kind;
  if (param.type === 'boolean') {
    const v = raw.trim().toLowerCase();
    if (['true', 'yes', '1', 'on'].includes(v)) return true;
    if (['false', 'no', '0', 'off'].includes(v)) return false;
    return { error: `${k}: ${param.key}${where} must be true or false, got "${raw}"` };
  }
  const text = raw.trim();
  const v = text === '' ? NaN : Number(text);
  const unit = param.unit ? ` ${param.unit}` : '';
  if (!Number.isFinite(v)) return { error: `${k}: ${param.key}${where} must be a finite number (in${unit || ' no unit'}), got "${raw}"` };
  if (param.min !== undefined && (param.exclusiveMin ? !(v > param.min) : !(v >= param.min))) {
    return { error: `${k}: ${param.key}${where} must be ${param.exclusiveMin ? '>' : '>='} ${param.min}${unit}, got ${v}` };
  }
  if (param.max !== undefined && v > param.max) return { error: `${k}: ${param.key}${where} must be <= ${param.max}${unit}, got ${v}` };
  return v;
}

/** Parse "key=value,key=value" against an entry; `pairOnly` restricts to per-pair keys. */
function parseAssignments(entry: PotentialEntry, text: string, where: string, pairOnly: boolean): Record<string, SpecValue> | { error: string } {
  const out: Record<string, SpecValue> = {};
  const k = entry.kind;
  for (const item of text.split(',')) {
    if (item.trim() === '') continue;
    const eq = item.indexOf('=');
    if (eq < 0) return { error: `${k}: "${item.trim()}"${where} is not key=value; e.g. ${entry.example}` };
    const key = item.slice(0, eq).trim();
    const param = entry.parameters.find((p) => p.key === key.toLowerCase());
    if (!param) {
      const known = entry.parameters.map((p) => p.key).join(', ');
      return { error: `${k}: unknown parameter "${key}"${where}; known: ${known || 'none'}` };
    }
    if (pairOnly && !param.perPair) return { error: `${k}: ${param.key} cannot be given per element pair${where}; give it in the segment without a pair` };
    if (param.key in out) return { error: `${k}: ${param.key} is given twice${where}` };
    const v = parseValue(entry, param, item.slice(eq + 1), where);
    if (typeof v === 'object') return v;
    out[param.key] = v;
  }
  return out;
}

/** Parse a potential spec string. Never throws. */
export function parsePotentialSpec(spec: string): SpecResult {
  if (typeof spec !== 'string' || spec.trim() === '') return { error: `empty potential spec; e.g. ${POTENTIALS[0].example} (kinds: ${kinds()})` };
  const s = spec.trim();
  const colon = s.indexOf(':');
  const kindText = (colon < 0 ? s : s.slice(0, colon)).trim().toLowerCase();
  const rest = colon < 0 ? '' : s.slice(colon + 1);
  const entry = potentialEntry(kindText);
  if (!entry) return { error: `unknown potential kind "${kindText}"; known: ${kinds()}` };
  const kind = entry.kind;

  if (entry.needsFile) {
    const path = rest.trim();
    if (path === '') return { error: `${kind}: needs a parameter file, e.g. ${entry.example}` };
    return { kind, params: {}, path };
  }

  const params: Record<string, SpecValue> = {};
  const pairs: PairSpec[] = [];
  const segments = rest.split(';');
  for (let si = 0; si < segments.length; si++) {
    const seg = segments[si].trim();
    if (seg === '') continue;
    const m = /^([A-Za-z]{1,3})\s*-\s*([A-Za-z]{1,3})\s*:(.*)$/.exec(seg);
    if (m) {
      if (!entry.perPair) return { error: `${kind}: does not take per-element-pair parameters ("${m[1]}-${m[2]}:")` };
      const els: [string, string] = [m[1], m[2]];
      for (const e of els) if (atomicNumber(e) < 1) return { error: `${kind}: "${e}" in "${m[1]}-${m[2]}:" is not an element symbol` };
      const where = ` (pair ${els.join('-')})`;
      const a = parseAssignments(entry, m[3], where, true);
      if ('error' in a) return a as { error: string };
      const key = (x: [string, string]) => x.map((e) => atomicNumber(e)).sort((p, q) => p - q).join('-');
      if (pairs.some((p) => key(p.elements) === key(els))) return { error: `${kind}: pair ${els.join('-')} is given twice` };
      pairs.push({ elements: els, params: a as Record<string, SpecValue> });
    } else {
      if (/^[A-Za-z]{1,3}\s*-\s*[A-Za-z]{1,3}\s*$/.test(seg)) return { error: `${kind}: "${seg}" needs a colon and values, e.g. "${seg}:epsilon=0.01,sigma=3.4"` };
      const a = parseAssignments(entry, seg, '', false);
      if ('error' in a) return a as { error: string };
      for (const [k, v] of Object.entries(a as Record<string, SpecValue>)) {
        if (k in params) return { error: `${kind}: ${k} is given twice` };
        params[k] = v;
      }
    }
  }
  // defaults, then required values: every pair must end up with every per-pair parameter
  for (const p of entry.parameters) if (!(p.key in params) && p.default !== undefined) params[p.key] = p.default;
  const required = entry.parameters.filter((p) => p.default === undefined);
  const describeMissing = (keys: PotentialParameter[]) => keys.map((p) => `${p.key} (${p.label}${p.unit ? ', ' + p.unit : ''})`).join(', ');
  if (pairs.length === 0) {
    const missing = required.filter((p) => !(p.key in params));
    if (missing.length) return { error: `${kind}: missing ${describeMissing(missing)}; e.g. ${entry.example}` };
  } else {
    // every pair of the elements named must resolve, from its own segment or the defaults
    const els = [...new Set(pairs.flatMap((q) => q.elements.map((e) => atomicNumber(e))))];
    for (let a = 0; a < els.length; a++) {
      for (let b = a; b < els.length; b++) {
        const own = pairs.find((q) => {
          const z = q.elements.map((e) => atomicNumber(e));
          return (z[0] === els[a] && z[1] === els[b]) || (z[0] === els[b] && z[1] === els[a]);
        });
        const missing = required.filter((p) => !(p.key in params) && !(own && p.key in own.params));
        if (missing.length) {
          const name = own ? own.elements.join('-') : `${pairs.flatMap((q) => q.elements).find((e) => atomicNumber(e) === els[a])}-${pairs.flatMap((q) => q.elements).find((e) => atomicNumber(e) === els[b])}`;
          return { error: `${kind}: missing ${describeMissing(missing)} for the ${name} pair; give "${name}:${missing.map((p) => `${p.key}=...`).join(',')}" or defaults for all pairs` };
        }
      }
    }
  }
  if (kind === 'zbl' && !((params.inner as number) < (params.outer as number))) {
    return { error: `zbl: inner (${params.inner} Å) must be smaller than outer (${params.outer} Å)` };
  }
  return pairs.length > 0 ? { kind, params, pairs } : { kind, params };
}

/** The spec string for a parsed spec (parsePotentialSpec(formatPotentialSpec(p)) gives p back). */
export function formatPotentialSpec(p: ParsedPotentialSpec): string {
  if (p.path !== undefined) return `${p.kind}:${p.path}`;
  const kv = (r: Record<string, SpecValue>) => Object.entries(r).map(([k, v]) => `${k}=${v}`).join(',');
  const segs = [kv(p.params), ...(p.pairs ?? []).map((q) => `${q.elements.join('-')}:${kv(q.params)}`)].filter((x) => x !== '');
  return segs.length ? `${p.kind}:${segs.join(';')}` : p.kind;
}

const num = (v: SpecValue | undefined) => (v === undefined ? undefined : (v as number));

/**
 * Build the calculator for a parsed spec. File kinds need the file's text (the caller reads
 * `parsed.path`; src-shared does no I/O). Throws an Error (ParseError for a bad file) with a message
 * that says what is wrong.
 */
export function createCalculator(parsed: ParsedPotentialSpec, fileText?: string): Calculator {
  const P = parsed.params;
  const skinA = num(P.skin);
  switch (parsed.kind) {
    case 'lj':
      return createLennardJones({
        epsilonEv: num(P.epsilon), sigmaA: num(P.sigma), cutoffA: num(P.cutoff), shift: P.shift === true, skinA,
        pairs: (parsed.pairs ?? []).map((q) => ({ elements: q.elements, params: { epsilonEv: num(q.params.epsilon), sigmaA: num(q.params.sigma), cutoffA: num(q.params.cutoff) } })).map(stripUndefined),
      });
    case 'morse':
      return createMorse({
        d0Ev: num(P.d0), alphaPerA: num(P.alpha), r0A: num(P.r0), cutoffA: num(P.cutoff), shift: P.shift === true, skinA,
        pairs: (parsed.pairs ?? []).map((q) => ({ elements: q.elements, params: { d0Ev: num(q.params.d0), alphaPerA: num(q.params.alpha), r0A: num(q.params.r0), cutoffA: num(q.params.cutoff) } })).map(stripUndefined),
      });
    case 'zbl':
      return createZbl({ innerA: num(P.inner) as number, outerA: num(P.outer) as number, skinA });
    case 'eam':
    case 'sw': {
      if (parsed.path === undefined) throw new Error(`${parsed.kind}: the spec has no file path`);
      if (fileText === undefined) throw new Error(`${parsed.kind}: needs the text of ${parsed.path} (read the file and pass it to createCalculator)`);
      return parsed.kind === 'eam' ? createEamFromText(fileText, parsed.path, { skinA }) : createStillingerWeberFromText(fileText, parsed.path, { skinA });
    }
    default:
      throw new Error(`unknown potential kind "${(parsed as { kind: string }).kind}"; known: ${kinds()}`);
  }
}

function stripUndefined<T extends { params: object }>(q: T): T {
  return { ...q, params: Object.fromEntries(Object.entries(q.params).filter(([, v]) => v !== undefined)) };
}

/** parsePotentialSpec + createCalculator as one value-returning step (never throws). */
export function calculatorFromSpec(spec: string, fileText?: string): { calculator: Calculator; parsed: ParsedPotentialSpec } | { error: string } {
  const parsed = parsePotentialSpec(spec);
  if ('error' in parsed) return parsed;
  try {
    return { calculator: createCalculator(parsed, fileText), parsed };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}
