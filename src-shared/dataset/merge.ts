// Merging datasets: frames of several sources in order, each frame tagged with where it came from
// (info[tagKey], default "source", unless the frame already has that key) so that a merged file can
// still be split or filtered by origin. Label coverage per source is returned so that a merge that
// mixes labelled and unlabelled data is visible (GUIDE §6.1, §6.9).
import type { Frame } from '../atoms/frame';

export interface MergeSource {
  name: string;
  frames: Frame[];
}

export interface MergeReport {
  name: string;
  frames: number;
  withEnergy: number;
  withForces: number;
  withStress: number;
}

export function mergeDatasets(sources: MergeSource[], options: { tagKey?: string | null } = {}): { frames: Frame[]; report: MergeReport[] } {
  const tagKey = options.tagKey === undefined ? 'source' : options.tagKey;
  const frames: Frame[] = [];
  const report: MergeReport[] = [];
  for (const s of sources) {
    let e = 0, f = 0, st = 0;
    for (const fr of s.frames) {
      if (tagKey && fr.info[tagKey] === undefined) fr.info[tagKey] = s.name;
      if (fr.energyEv !== undefined) e++;
      if (fr.forcesEvPerA) f++;
      if (fr.stressEvPerA3) st++;
      frames.push(fr);
    }
    report.push({ name: s.name, frames: s.frames.length, withEnergy: e, withForces: f, withStress: st });
  }
  return { frames, report };
}
