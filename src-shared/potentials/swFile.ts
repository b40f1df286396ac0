// Reader for LAMMPS Stillinger-Weber parameter files (*.sw, `pair_style sw`, src/MANYBODY/pair_sw.cpp
// read_file): one entry per element triplet i j k, 14 words that may span several lines:
//
//   el_i el_j el_k  epsilon(eV) sigma(Å) a lambda gamma cos(theta0) A B p q tol
//
// "#" starts a comment, blank lines are skipped. Two-body terms of the pair i-j use the i j j entry,
// three-body terms with centre i and neighbours j, k use i j k (lambda, cos theta0, epsilon) and the
// i j j / i k k entries (sigma, a, gamma). Negative values are refused, as in LAMMPS.
import { ParseError } from '../io/errors';

export interface SwEntry {
  elements: [string, string, string];
  epsilonEv: number;
  sigmaA: number;
  a: number;
  lambda: number;
  gamma: number;
  cosTheta0: number;
  bigA: number;
  bigB: number;
  p: number;
  q: number;
  tol: number;
  /** 1-based line where the entry starts. */
  line: number;
}

export interface SwFile {
  entries: SwEntry[];
  /** Element names in order of first appearance. */
  elements: string[];
}

const NAMES = ['epsilon', 'sigma', 'a', 'lambda', 'gamma', 'costheta0', 'A', 'B', 'p', 'q', 'tol'] as const;
const WORDS = 14;

/** Parse a .sw file. Throws ParseError naming the line and the value that is wrong. */
export function parseSwFile(text: string, file = 'potential.sw'): SwFile {
  const lines = text.split(/\r?\n/);
  const entries: SwEntry[] = [];
  const elements: string[] = [];
  let words: string[] = [];
  let startLine = 0;
  for (let k = 0; k < lines.length; k++) {
    const hash = lines[k].indexOf('#');
    const body = (hash >= 0 ? lines[k].slice(0, hash) : lines[k]).trim();
    if (body === '') continue;
    if (words.length === 0) startLine = k + 1;
    words.push(...body.split(/\s+/));
    if (words.length < WORDS) continue;
    if (words.length > WORDS) {
      throw new ParseError(file, k + 1, `an entry of ${WORDS} words (3 elements and 11 numbers) starting on line ${startLine}`, `${words.length} words`, 'each entry must end at the end of a line');
    }
    const values = words.slice(3).map((w, q) => {
      const v = Number(w);
      if (!Number.isFinite(v)) throw new ParseError(file, k + 1, `a number for ${NAMES[q]}`, w);
      if (v < 0 && NAMES[q] !== 'costheta0') throw new ParseError(file, k + 1, `${NAMES[q]} >= 0`, w, 'LAMMPS refuses negative Stillinger-Weber parameters');
      return v;
    });
    const [epsilonEv, sigmaA, a, lambda, gamma, cosTheta0, bigA, bigB, p, q, tol] = values;
    const el = [words[0], words[1], words[2]] as [string, string, string];
    for (const e of el) if (!elements.includes(e)) elements.push(e);
    const dup = entries.find((x) => x.elements[0] === el[0] && x.elements[1] === el[1] && x.elements[2] === el[2]);
    if (dup) throw new ParseError(file, startLine, `one entry per triplet`, el.join(' '), `the same triplet is also on line ${dup.line}`);
    entries.push({ elements: el, epsilonEv, sigmaA, a, lambda, gamma, cosTheta0, bigA, bigB, p, q, tol, line: startLine });
    words = [];
  }
  if (words.length > 0) throw new ParseError(file, lines.length, `${WORDS} words for the entry starting on line ${startLine}`, `${words.length} words`, 'the last entry is incomplete');
  if (entries.length === 0) throw new ParseError(file, 1, 'at least one entry "el_i el_j el_k epsilon sigma a lambda gamma costheta0 A B p q tol"', 'none');
  return { entries, elements };
}
