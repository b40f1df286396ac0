// Browser mode, end to end: the bundled example appears on first launch, a file opened through the
// file chooser shows its atom count, the 3D canvas is not blank, the trajectory player advances,
// a malformed file gives a located error, and screenshots are saved for a human to look at.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, hasBrowser, ROOT, test } from './fixtures';

const SHOTS = join(ROOT, 'out', 'screenshots');
mkdirSync(SHOTS, { recursive: true });

test.skip(!hasBrowser, 'No Chromium found (neither Playwright\'s nor a system one such as /usr/bin/chromium): browser e2e tests skipped.');

/** Fraction of canvas pixels that differ from the background colour, read back from WebGL. */
async function canvasCoverage(page: Page): Promise<{ coverage: number; colours: number }> {
  return page.evaluate(() => {
    const gl = document.querySelector('[data-testid="viewer"] canvas') as HTMLCanvasElement | null;
    if (!gl) return { coverage: 0, colours: 0 };
    const c = document.createElement('canvas');
    c.width = gl.width;
    c.height = gl.height;
    const ctx = c.getContext('2d')!;
    ctx.drawImage(gl, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    const bg = [d[0], d[1], d[2]];
    let diff = 0;
    const colours = new Set<number>();
    for (let i = 0; i < d.length; i += 4) {
      if (Math.abs(d[i] - bg[0]) + Math.abs(d[i + 1] - bg[1]) + Math.abs(d[i + 2] - bg[2]) > 24) diff++;
      if (i % 64 === 0) colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    }
    return { coverage: diff / (d.length / 4), colours: colours.size };
  });
}

test.describe('browser mode', () => {
  test('first launch shows the bundled example and renders it', async ({ host, browserInstance }) => {
    const page = await browserInstance.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(host.url);
    await expect(page.getByTestId('atom-count')).toContainText('1525');
    await expect(page.getByTestId('frame-count')).toHaveText('25');
    await expect(page.getByTestId('label-table')).toContainText('25 / 25');
    await expect(page.getByTestId('frame-atoms')).toHaveText(/6\d/);
    await expect.poll(async () => (await canvasCoverage(page)).coverage, { timeout: 20_000 }).toBeGreaterThan(0.02);
    const { colours } = await canvasCoverage(page);
    expect(colours).toBeGreaterThan(3);
    await page.screenshot({ path: join(SHOTS, 'browser-example.png') });
    expect(errors).toEqual([]);
    await page.close();
  });

  test('atoms can be picked and coloured by force, with force arrows', async ({ host, browserInstance }) => {
    const page = await browserInstance.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(host.url);
    await expect(page.getByTestId('frame-count')).toHaveText('25');
    await expect.poll(async () => (await canvasCoverage(page)).coverage).toBeGreaterThan(0.02);
    const box = (await page.getByTestId('viewer').boundingBox())!;
    let picked = false;
    for (let k = 0; k < 25 && !picked; k++) {
      const dx = ((k % 5) - 2) * 25;
      const dy = (Math.floor(k / 5) - 2) * 25;
      await page.mouse.click(box.x + box.width / 2 + dx, box.y + box.height / 2 + dy);
      picked = await page.getByTestId('picked-atom').isVisible();
    }
    expect(picked).toBe(true);
    await expect(page.getByTestId('picked-atom')).toContainText('Si #');
    await expect(page.getByTestId('picked-atom')).toContainText('eV/Å');
    await page.getByTestId('color-by').selectOption('force');
    await page.getByTestId('show-forces').check();
    await expect(page.getByTestId('legend')).toContainText('eV/Å');
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(SHOTS, 'browser-forces-picked.png') });
    await page.close();
  });

  test('trajectory player advances frames', async ({ host, browserInstance }) => {
    const page = await browserInstance.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(host.url);
    await expect(page.getByTestId('frame-count')).toHaveText('25');
    await expect(page.getByTestId('frame-label')).toHaveText('1 / 25');
    await page.getByTestId('next-frame').click();
    await expect(page.getByTestId('frame-label')).toHaveText('2 / 25');
    await page.getByTestId('play-button').click();
    await expect.poll(async () => Number((await page.getByTestId('frame-label').textContent())!.split('/')[0]), { timeout: 15_000 }).toBeGreaterThan(4);
    await page.getByTestId('play-button').click();
    const stopped = await page.getByTestId('frame-label').textContent();
    await page.waitForTimeout(500);
    await expect(page.getByTestId('frame-label')).toHaveText(stopped!);
    await page.close();
  });

  test('opens a file through the file chooser and shows its atom count', async ({ host, browserInstance }) => {
    const page = await browserInstance.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(host.url);
    await expect(page.getByTestId('frame-count')).toHaveText('25');
    const chooserPromise = page.waitForEvent('filechooser');
    await page.getByTestId('open-button').click();
    const chooser = await chooserPromise;
    await chooser.setFiles(join(ROOT, 'e2e/data/water_dimer.xyz'));
    await expect(page.getByTestId('atom-count')).toContainText('6');
    await expect(page.getByTestId('frame-count')).toHaveText('1');
    await expect(page.getByTestId('label-table')).toContainText('1 / 1');
    await expect.poll(async () => (await canvasCoverage(page)).coverage).toBeGreaterThan(0.005);
    await page.screenshot({ path: join(SHOTS, 'browser-water-dimer.png') });
    // It is now in the recent list and reopens from there.
    await page.getByTestId('recent-button').click();
    await expect(page.getByText('water_dimer.xyz').first()).toBeVisible();
    await page.close();
  });

  test('a malformed file gives an error naming file and line, and keeps what was open', async ({ host, browserInstance }) => {
    const page = await browserInstance.newPage();
    await page.goto(host.url);
    await expect(page.getByTestId('frame-count')).toHaveText('25');
    const chooserPromise = page.waitForEvent('filechooser');
    await page.getByTestId('open-button').click();
    await (await chooserPromise).setFiles(join(ROOT, 'e2e/data/broken.xyz'));
    const banner = page.getByTestId('error-banner');
    await expect(banner).toContainText('broken.xyz:4');
    await expect(page.getByTestId('frame-count')).toHaveText('25');
    await page.close();
  });

  test('the API refuses connections without the token or from another origin', async ({ host, browserInstance }) => {
    const page = await browserInstance.newPage();
    await page.goto(host.url);
    const u = new URL(host.url);
    const results = await page.evaluate(async (port) => {
      const tryWs = (url: string) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(url);
          ws.onopen = () => resolve('open');
          ws.onerror = () => resolve('refused');
        });
      return [await tryWs(`ws://127.0.0.1:${port}/api?token=wrong`), await tryWs(`ws://127.0.0.1:${port}/api`)];
    }, u.port);
    expect(results).toEqual(['refused', 'refused']);
    const traversal = await page.request.get(`${u.origin}/..%2F..%2Fpackage.json`);
    expect(traversal.status()).toBeGreaterThanOrEqual(400);
    await page.close();
  });
});
