// Large inputs (issue 9): a 100,000-atom periodic crystal, generated into a temp folder (never
// committed), opens by path in browser mode, its atom count is shown, and the 3D view renders it
// (instanced atoms, cell-list bonds, coarse level of detail: src-renderer/viewer/lod.ts).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, hasBrowser, ROOT, test } from './fixtures';

const SHOTS = join(ROOT, 'out', 'screenshots');
mkdirSync(SHOTS, { recursive: true });

test.skip(!hasBrowser, 'No Chromium found: browser e2e tests skipped.');

/** fcc Cu, a = 3.615 Å, nx × ny × nz conventional cells (4 atoms each), extended XYZ, pbc. */
function fccCopperExtxyz(nx: number, ny: number, nz: number): { text: string; atoms: number } {
  const aA = 3.615;
  const basis = [
    [0, 0, 0],
    [0.5, 0.5, 0],
    [0.5, 0, 0.5],
    [0, 0.5, 0.5],
  ];
  const atoms = 4 * nx * ny * nz;
  const lines: string[] = [
    String(atoms),
    `Lattice="${nx * aA} 0 0 0 ${ny * aA} 0 0 0 ${nz * aA}" Properties=species:S:1:pos:R:3 pbc="T T T"`,
  ];
  for (let i = 0; i < nx; i++)
    for (let j = 0; j < ny; j++)
      for (let k = 0; k < nz; k++)
        for (const b of basis)
          lines.push(`Cu ${((i + b[0]) * aA).toFixed(5)} ${((j + b[1]) * aA).toFixed(5)} ${((k + b[2]) * aA).toFixed(5)}`);
  return { text: lines.join('\n') + '\n', atoms };
}

/** Fraction of canvas pixels that differ from the background colour, read back from WebGL. */
async function canvasCoverage(page: Page): Promise<number> {
  return page.evaluate(() => {
    const gl = document.querySelector('[data-testid="viewer"] canvas') as HTMLCanvasElement | null;
    if (!gl) return 0;
    const c = document.createElement('canvas');
    c.width = gl.width;
    c.height = gl.height;
    const ctx = c.getContext('2d')!;
    ctx.drawImage(gl, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    let diff = 0;
    for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - d[0]) + Math.abs(d[i + 1] - d[1]) + Math.abs(d[i + 2] - d[2]) > 24) diff++;
    return diff / (d.length / 4);
  });
}

test.describe('large inputs', () => {
  test('a 100,000-atom crystal opens and renders', async ({ host, browserInstance }) => {
    const dir = mkdtempSync(join(tmpdir(), 'atomforge-large-'));
    try {
      const { text, atoms } = fccCopperExtxyz(25, 25, 40);
      expect(atoms).toBe(100_000);
      const file = join(dir, 'cu_fcc_100k.xyz');
      writeFileSync(file, text);
      const page = await browserInstance.newPage({ viewport: { width: 1280, height: 800 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(host.url);
      await expect(page.getByTestId('frame-count')).toHaveText('25');
      await page.getByTestId('open-path-button').click();
      await page.getByTestId('path-input').fill(file);
      await page.getByTestId('path-input').press('Enter');
      await expect(page.getByTestId('atom-count')).toContainText('100000', { timeout: 30_000 });
      await expect(page.getByTestId('frame-count')).toHaveText('1');
      await expect(page.getByTestId('frame-atoms')).toHaveText('100000');
      await expect(page.getByTestId('viewer-lod-note')).toHaveText('100,000 atoms: bonds hidden above 20,000 atoms, coarse spheres (level of detail)');
      await expect.poll(() => canvasCoverage(page), { timeout: 30_000 }).toBeGreaterThan(0.05);
      await page.screenshot({ path: join(SHOTS, 'large-100k.png') });
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
