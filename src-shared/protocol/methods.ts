// Method and event names of the API contract as plain data (no zod), for the Electron preload,
// which must stay small. api.spec.ts checks that they match the schemas in api.ts.
export const METHOD_NAMES = [
  'app.info',
  'dialog.openFile',
  'upload.begin',
  'upload.chunk',
  'upload.end',
  'dataset.open',
  'job.cancel',
  'dataset.list',
  'dataset.frame',
  'dataset.close',
  'recent.list',
  'recent.remove',
  'potential.list',
  'md.start',
  'md.control',
  'md.list',
  'md.study',
  'train.options',
  'train.backends',
  'train.start',
  'train.control',
  'train.list',
  'train.details',
  'train.delete',
  'study.learningCurve',
  'md.driftStudy',
  'audit.run',
  'analysis.rdf',
  'analysis.msd',
  'uncertainty.shift',
  'uncertainty.atoms',
  'uncertainty.landscape',
  'property.options',
  'property.study',
  'property.cancel',
  'property.classify',
] as const;

export const EVENT_NAME_LIST = ['job.progress', 'md.status', 'md.thermo', 'md.frame', 'study.progress', 'train.status', 'train.epoch', 'train.log', 'study.lcProgress', 'property.progress'] as const;

/** IPC channel of a method / event in Electron. */
export const methodChannel = (m: string) => `atomforge:${m}`;
export const eventChannel = (e: string) => `atomforge-event:${e}`;
