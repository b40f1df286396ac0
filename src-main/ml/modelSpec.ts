// The "model:RUNID[,engine=fast|graph]" potential spec, parsed without loading any ML code (the host
// process validates MD requests with it; the workers load the model).
export type ModelEngine = 'fast' | 'graph';
export const MODEL_ENGINES: readonly ModelEngine[] = ['fast', 'graph'];

/** The engine named in a "model:RUNID[,engine=fast|graph]" spec (default fast) and the spec without it. */
export function parseModelSpec(spec: string): { runRef: string; engine: ModelEngine } | { error: string } {
  const [head, ...opts] = spec.split(',');
  let engine: ModelEngine = 'fast';
  for (const o of opts) {
    const m = /^engine=(.*)$/.exec(o.trim());
    if (!m || !MODEL_ENGINES.includes(m[1] as ModelEngine)) return { error: `model spec "${spec}": unknown option "${o}" (use model:RUNID or model:RUNID,engine=fast|graph)` };
    engine = m[1] as ModelEngine;
  }
  return { runRef: head, engine };
}
