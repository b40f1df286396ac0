// Which views are showing: the centre (3D structure or training dashboard) and the right panel tab.
import { defineStore } from 'pinia';
import { ref } from 'vue';

export const useUi = defineStore('ui', () => {
  const centre = ref<'structure' | 'training' | 'uncertainty' | 'property'>('structure');
  const right = ref<'properties' | 'simulate' | 'train' | 'audit' | 'analyze'>('properties');
  return { centre, right };
});
