// Unique names for tf variables: tfjs keeps one registry of variable names per engine, and a
// process creates many models, optimisers and averages over its life.
let counter = 0;

/** `base#k` with k unique in this process. */
export function uniqueVariableName(base: string): string {
  return `${base}#${++counter}`;
}
