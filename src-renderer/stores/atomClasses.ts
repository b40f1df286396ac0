// Per-atom classes predicted by the property-model view (issue 7) as viewer columns: the predicted
// and the true class index of every atom of one structure, with the class names for the legend.
import { defineStore } from 'pinia';
import { markRaw, shallowRef } from 'vue';

export interface ClassOverlay {
  datasetId: string;
  frameIndex: number;
  /** Column name → [N] class index per atom. */
  columns: Record<string, Float32Array>;
  /** Column name → class names (index → name). */
  classes: Record<string, string[]>;
  /** Column to colour by right after computing. */
  focus: string;
}

/** Viewer columns `predicted KEY` and `true KEY` from a per-atom classification of one frame. */
export function classOverlay(datasetId: string, key: string, r: { classes: string[]; frame: { index: number; truth: number[]; predicted: number[] } }): ClassOverlay {
  const pred = `predicted ${key}`, truth = `true ${key}`;
  return {
    datasetId,
    frameIndex: r.frame.index,
    columns: { [pred]: Float32Array.from(r.frame.predicted), [truth]: Float32Array.from(r.frame.truth) },
    classes: { [pred]: r.classes, [truth]: r.classes },
    focus: pred,
  };
}

export const useAtomClasses = defineStore('atomClasses', () => {
  const overlay = shallowRef<ClassOverlay | null>(null);
  function set(o: ClassOverlay | null) {
    overlay.value = o ? markRaw(o) : null;
  }
  return { overlay, set };
});
