// Recent files: a small JSON list in the user data folder. Uploaded files (browser mode, drag and
// drop) have no path, so a copy is kept in uploads/ to reopen them; files opened by path are
// reopened from the path.
import { existsSync, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { RecentEntry } from '../../src-shared/protocol/api';

export interface StoredRecent {
  id: string;
  name: string;
  path: string | null;
  cachePath: string | null;
  format: string;
  frames: number;
  atoms: number;
  sizeBytes: number;
  openedAt: string;
}

const MAX_RECENT = 20;

export class RecentStore {
  private file: string;
  private entries: StoredRecent[] | null = null;
  constructor(private dir: string) {
    this.file = join(dir, 'recent.json');
  }

  private async load(): Promise<StoredRecent[]> {
    if (this.entries) return this.entries;
    try {
      const parsed = JSON.parse(await fsp.readFile(this.file, 'utf8'));
      this.entries = Array.isArray(parsed) ? parsed.filter((e) => e && typeof e.id === 'string') : [];
    } catch {
      this.entries = [];
    }
    return this.entries;
  }

  private async save(): Promise<void> {
    await fsp.mkdir(this.dir, { recursive: true });
    const tmp = this.file + '.tmp';
    await fsp.writeFile(tmp, JSON.stringify(this.entries, null, 1));
    await fsp.rename(tmp, this.file);
  }

  async list(): Promise<RecentEntry[]> {
    const entries = await this.load();
    return entries.map((e) => ({
      id: e.id,
      name: e.name,
      path: e.path,
      format: e.format,
      frames: e.frames,
      atoms: e.atoms,
      sizeBytes: e.sizeBytes,
      openedAt: e.openedAt,
      available: existsSync(e.path ?? e.cachePath ?? ''),
    }));
  }

  async get(id: string): Promise<StoredRecent | undefined> {
    return (await this.load()).find((e) => e.id === id);
  }

  async add(entry: StoredRecent): Promise<void> {
    const entries = await this.load();
    const dup = entries.filter((e) => (entry.path ? e.path === entry.path : e.name === entry.name && e.sizeBytes === entry.sizeBytes));
    for (const d of dup) if (d.cachePath && d.cachePath !== entry.cachePath) await fsp.rm(d.cachePath, { force: true });
    this.entries = [entry, ...entries.filter((e) => !dup.includes(e))];
    for (const old of this.entries.slice(MAX_RECENT)) if (old.cachePath) await fsp.rm(old.cachePath, { force: true });
    this.entries = this.entries.slice(0, MAX_RECENT);
    await this.save();
  }

  async remove(id: string): Promise<boolean> {
    const entries = await this.load();
    const e = entries.find((x) => x.id === id);
    if (!e) return false;
    if (e.cachePath) await fsp.rm(e.cachePath, { force: true });
    this.entries = entries.filter((x) => x !== e);
    await this.save();
    return true;
  }
}
