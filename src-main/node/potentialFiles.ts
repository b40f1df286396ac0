// Turning a potential spec from the UI or CLI into what a worker needs: the spec and, for file
// kinds (eam, sw), the file's text. "bundled:NAME" names a file in resources/potentials; a plain
// path is read only where the caller allows it (CLI, browser mode, or a path the user chose).
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parsePotentialSpec } from '../../src-shared/potentials/registry';
import type { BundledPotential } from '../../src-shared/protocol/api';

export interface ResolvedPotential {
  spec: string;
  fileText?: string;
}

export function resolvePotential(
  p: { spec: string; fileText?: string },
  opts: { bundledDir: string; allowPath: (path: string) => boolean },
): ResolvedPotential | { error: string } {
  const parsed = parsePotentialSpec(p.spec);
  if ('error' in parsed) return parsed;
  if (parsed.path === undefined) return { spec: p.spec };
  if (p.fileText !== undefined) return { spec: p.spec, fileText: p.fileText };
  if (parsed.path.startsWith('bundled:')) {
    const name = basename(parsed.path.slice('bundled:'.length));
    try {
      return { spec: p.spec, fileText: readFileSync(join(opts.bundledDir, name), 'utf8') };
    } catch {
      return { error: `${parsed.kind}: no bundled potential named ${name} (bundled: ${listBundled(opts.bundledDir).map((b) => b.spec).join(', ') || 'none'})` };
    }
  }
  if (!opts.allowPath(parsed.path)) return { error: `${parsed.kind}: pick the potential file with the file picker instead of naming a path` };
  try {
    return { spec: p.spec, fileText: readFileSync(parsed.path, 'utf8') };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { error: `${parsed.kind}: cannot read ${parsed.path} (${code === 'ENOENT' ? 'no such file' : code})` };
  }
}

/** Potentials shipped in resources/potentials, with the elements their files cover. */
export function listBundled(dir: string): BundledPotential[] {
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => /\.(sw|eam|eam\.alloy|eam\.fs)$/.test(n));
  } catch {
    return [];
  }
  return names.map((n) => {
    const kind = n.endsWith('.sw') ? 'sw' : 'eam';
    const text = readFileSync(join(dir, n), 'utf8');
    const elements = new Set<string>();
    if (kind === 'sw') {
      for (const line of text.split('\n')) {
        const t = line.trim();
        if (!t || t.startsWith('#')) continue;
        t.split(/\s+/).slice(0, 3).forEach((e) => elements.add(e));
      }
    }
    const title = (text.split('\n').find((l) => l.startsWith('#')) ?? n).replace(/^#\s*/, '');
    return { spec: `${kind}:bundled:${n}`, title, elements: [...elements] };
  });
}
