// Public entry of the 3D structure viewer (plain three.js; the Vue app wraps it).
export { StructureViewer } from './structureViewer';
export type {
  ColorLegend,
  ColorMode,
  ForceArrowLegend,
  PickInfo,
  ViewerOptions,
  ViewerStats,
  ViewStructure,
} from './types';
export { colormapCss, colormapHex, COLORMAP_NAMES, type ColormapName } from './colormaps';
