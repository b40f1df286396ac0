// `npm test`: unit and integration tests (Vitest), then the end-to-end tests (Playwright) against
// a fresh renderer build (and an Electron build when the Electron binary is installed). Ends with
// one plain line "N passed, N failed" (skipped tests are reported on the line above it).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const results = join(root, 'out', 'test-results');
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });
const bin = (n) => join(root, 'node_modules', '.bin', n);
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env }).status ?? 1;

const counts = { passed: 0, failed: 0, skipped: 0 };
const problems = [];

// 1. Vitest
const vitestJson = join(results, 'vitest.json');
const vs = run(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`]);
if (existsSync(vitestJson)) {
  const r = JSON.parse(readFileSync(vitestJson, 'utf8'));
  counts.passed += r.numPassedTests ?? 0;
  counts.failed += r.numFailedTests ?? 0;
  counts.skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  // A file that fails to load has no tests but must still fail the run.
  const brokenFiles = (r.testResults ?? []).filter((f) => f.status === 'failed' && (f.assertionResults ?? []).length === 0);
  counts.failed += brokenFiles.length;
  if (vs !== 0 && r.numFailedTests === 0 && brokenFiles.length === 0) {
    counts.failed += 1;
    problems.push('vitest exited with an error');
  }
} else {
  counts.failed += 1;
  problems.push('vitest produced no results');
}

// 2. Builds for the end-to-end tests
let electronPresent = false;
try {
  const p = require('electron');
  electronPresent = typeof p === 'string' && existsSync(p);
} catch {
  electronPresent = false;
}
const built = run(bin('vite'), ['build', '-c', 'vite.renderer.config.ts', '--logLevel', 'warn']);
if (built !== 0) {
  counts.failed += 1;
  problems.push('renderer build failed');
}
if (electronPresent && run(bin('electron-vite'), ['build']) !== 0) {
  counts.failed += 1;
  problems.push('electron-vite build failed');
}

// 3. Playwright
if (!electronPresent) console.log('note: Electron binary not installed: the Electron end-to-end test is skipped (browser mode covers the UI).');
if (built === 0) {
  const pwJson = join(results, 'playwright.json');
  const ps = run(bin('playwright'), ['test']);
  if (existsSync(pwJson)) {
    const r = JSON.parse(readFileSync(pwJson, 'utf8'));
    const s = r.stats ?? {};
    counts.passed += (s.expected ?? 0) + (s.flaky ?? 0);
    counts.failed += s.unexpected ?? 0;
    counts.skipped += s.skipped ?? 0;
    if (ps !== 0 && !(s.unexpected > 0)) {
      counts.failed += 1;
      problems.push('playwright exited with an error');
    }
  } else {
    counts.failed += 1;
    problems.push('playwright produced no results');
  }
}

for (const p of problems) console.log(`problem: ${p}`);
console.log(`${counts.skipped} skipped`);
console.log(`${counts.passed} passed, ${counts.failed} failed`);
process.exit(counts.failed > 0 ? 1 : 0);
