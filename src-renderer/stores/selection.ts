// Viewer-side selection shared between the 3D view and the properties panel.
import { defineStore } from 'pinia';
import { shallowRef } from 'vue';
import type { PickInfo } from '../viewer';

export const useSelection = defineStore('selection', () => {
  const picked = shallowRef<PickInfo | null>(null);
  return { picked };
});
