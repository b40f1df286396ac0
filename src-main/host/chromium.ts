// Finding a Chromium-family browser for browser mode and for the end-to-end tests.
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'microsoft-edge', 'brave-browser'];
const FIXED = [
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
  'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe',
];

/** CHROME_PATH, then browsers on PATH, then the usual install locations; null when none. */
export function findChromium(): string | null {
  const env = process.env.CHROME_PATH;
  if (env && existsSync(env)) return env;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const n of NAMES) {
      const p = join(dir, n);
      if (dir && existsSync(p)) return p;
    }
  }
  return FIXED.find((p) => existsSync(p)) ?? null;
}
