// Where things live on disk when running from the source tree (browser mode, CLI, tests):
// the project root, bundled resources, the built renderer and the user data folder.
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RESOURCES_DIR = join(PROJECT_ROOT, 'resources');
export const RENDERER_OUT_DIR = join(PROJECT_ROOT, 'out', 'renderer');

/** ATOMFORGE_HOME, else $XDG_CONFIG_HOME/atomforge, else ~/.config/atomforge. */
export function userDataDir(): string {
  if (process.env.ATOMFORGE_HOME) return resolve(process.env.ATOMFORGE_HOME);
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'atomforge');
}

export function appVersion(): string {
  try {
    return JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')).version;
  } catch {
    return '0.0.0';
  }
}
