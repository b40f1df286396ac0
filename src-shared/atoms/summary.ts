// What a dataset holds: frame and atom counts, elements, periodicity and, above all, how many frames
// carry energy, forces and stress, so that silently ignored labels are impossible (GUIDE §6.1).
import type { Frame } from './frame';

export interface FrameLabels {
  index: number;
  atoms: number;
  formula: string;
  pbc: [boolean, boolean, boolean];
  hasCell: boolean;
  energy: boolean;
  forces: boolean;
  stress: boolean;
  configType: string | null;
}

export interface DatasetSummary {
  frames: number;
  atomsTotal: number;
  atomsMin: number;
  atomsMax: number;
  /** Elements with their total atom counts, by atomic number. */
  elements: { symbol: string; z: number; atoms: number; frames: number }[];
  /** Number of frames that carry each label. */
  labelFrames: { energy: number; forces: number; stress: number };
  periodicFrames: number;
  /** config_type groups with frame counts, in order of first appearance. */
  configTypes: { name: string; frames: number }[];
  infoKeys: string[];
  arrayKeys: string[];
}

/** Hill-order chemical formula (C first, H second, then alphabetical; alphabetical without C). */
export function chemicalFormula(symbols: string[]): string {
  const counts = new Map<string, number>();
  for (const s of symbols) counts.set(s, (counts.get(s) ?? 0) + 1);
  const keys = [...counts.keys()].sort();
  const order = counts.has('C') ? ['C', ...(counts.has('H') ? ['H'] : []), ...keys.filter((k) => k !== 'C' && k !== 'H')] : keys;
  return order.map((k) => k + (counts.get(k)! > 1 ? counts.get(k) : '')).join('');
}

export function configTypeOf(f: Frame): string | null {
  const v = f.info['config_type'] ?? f.info['config_name'] ?? f.info['group'];
  return typeof v === 'string' ? v : v === undefined ? null : String(v);
}

export function frameLabels(f: Frame, index: number): FrameLabels {
  return {
    index,
    atoms: f.symbols.length,
    formula: chemicalFormula(f.symbols),
    pbc: f.pbc,
    hasCell: f.cellA !== null,
    energy: f.energyEv !== undefined,
    forces: f.forcesEvPerA !== undefined,
    stress: f.stressEvPerA3 !== undefined,
    configType: configTypeOf(f),
  };
}

/** Incremental summary so a streaming reader can update it frame by frame. */
export class SummaryBuilder {
  private frames = 0;
  private atomsTotal = 0;
  private atomsMin = Infinity;
  private atomsMax = 0;
  private elements = new Map<number, { symbol: string; z: number; atoms: number; frames: number }>();
  private labelFrames = { energy: 0, forces: 0, stress: 0 };
  private periodic = 0;
  private groups = new Map<string, number>();
  private infoKeys = new Set<string>();
  private arrayKeys = new Set<string>();

  add(f: Frame): void {
    const n = f.symbols.length;
    this.frames++;
    this.atomsTotal += n;
    this.atomsMin = Math.min(this.atomsMin, n);
    this.atomsMax = Math.max(this.atomsMax, n);
    const seen = new Set<number>();
    for (let i = 0; i < n; i++) {
      const z = f.numbers[i];
      let e = this.elements.get(z);
      if (!e) {
        e = { symbol: f.symbols[i], z, atoms: 0, frames: 0 };
        this.elements.set(z, e);
      }
      e.atoms++;
      if (!seen.has(z)) {
        seen.add(z);
        e.frames++;
      }
    }
    if (f.energyEv !== undefined) this.labelFrames.energy++;
    if (f.forcesEvPerA !== undefined) this.labelFrames.forces++;
    if (f.stressEvPerA3 !== undefined) this.labelFrames.stress++;
    if (f.pbc[0] || f.pbc[1] || f.pbc[2]) this.periodic++;
    const g = configTypeOf(f);
    if (g !== null) this.groups.set(g, (this.groups.get(g) ?? 0) + 1);
    for (const k of Object.keys(f.info)) this.infoKeys.add(k);
    for (const k of Object.keys(f.arrays)) this.arrayKeys.add(k);
  }

  build(): DatasetSummary {
    return {
      frames: this.frames,
      atomsTotal: this.atomsTotal,
      atomsMin: this.frames ? this.atomsMin : 0,
      atomsMax: this.atomsMax,
      elements: [...this.elements.values()].sort((a, b) => a.z - b.z),
      labelFrames: { ...this.labelFrames },
      periodicFrames: this.periodic,
      configTypes: [...this.groups.entries()].map(([name, frames]) => ({ name, frames })),
      infoKeys: [...this.infoKeys],
      arrayKeys: [...this.arrayKeys],
    };
  }
}

export function summarize(frames: Iterable<Frame>): DatasetSummary {
  const b = new SummaryBuilder();
  for (const f of frames) b.add(f);
  return b.build();
}
