// Electron hardening checked without the Electron binary (issue 9): the web preferences, the
// handlers installed on every WebContents and the session (tried with fakes that record them),
// which frames may call the API, payload validation before any work, and the page's CSP.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateParams } from '../../src-shared/protocol/api';
import { ROOT } from '../../test-support/hostHarness';
import { WEB_PREFERENCES, hardenSession, hardenWebContents, ipcHandler, isOurPage } from './hardening';

describe('Electron hardening', () => {
  it('web preferences: context isolation, sandbox, no Node anywhere, web security, no webview', () => {
    expect(WEB_PREFERENCES).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInWorker: false, nodeIntegrationInSubFrames: false, webSecurity: true, allowRunningInsecureContent: false, webviewTag: false });
    // main.ts builds every window from these (and only adds the preload path).
    const main = readFileSync(join(ROOT, 'src-main/electron/main.ts'), 'utf8');
    expect(main).toMatch(/webPreferences: \{ \.\.\.WEB_PREFERENCES, preload: join\([^)]*\) \}/);
    expect(main).toMatch(/hardenSession\(session\.defaultSession\)/);
    expect(main).toMatch(/web-contents-created', \(_e, contents\) => hardenWebContents\(contents\)/);
    expect(main).not.toMatch(/nodeIntegration: true|contextIsolation: false|sandbox: false|webSecurity: false/);
  });

  it('navigation, redirects, window.open and <webview> are blocked; permissions are denied', () => {
    const listeners: Record<string, (e: { preventDefault(): void }) => void> = {};
    let openHandler: ((d: never) => { action: string }) | null = null;
    hardenWebContents({
      setWindowOpenHandler: (h) => (openHandler = h as never),
      on: (ev, l) => (listeners[ev] = l),
    });
    expect(openHandler!({ url: 'https://evil.example', frameName: '', features: '', disposition: 'new-window', referrer: {}, postBody: undefined } as never)).toEqual({ action: 'deny' });
    for (const ev of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      let prevented = false;
      listeners[ev]({ preventDefault: () => (prevented = true) });
      expect(prevented, ev).toBe(true);
    }
    let request: ((wc: unknown, p: string, cb: (g: boolean) => void) => void) | null = null;
    let check: ((...a: unknown[]) => boolean) | null = null;
    hardenSession({ setPermissionRequestHandler: (h) => (request = h), setPermissionCheckHandler: (h) => (check = h) });
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen']) {
      let granted: boolean | null = null;
      request!(null, p, (g) => (granted = g));
      expect(granted, p).toBe(false);
      expect(check!(null, p, 'file://', {})).toBe(false);
    }
  });

  it('only our own page may call the API', () => {
    const file = join(ROOT, 'out/renderer/index.html');
    const ours = { file };
    expect(isOurPage(pathToFileURL(file).href, ours)).toBe(true);
    expect(isOurPage(`${pathToFileURL(file).href}#/train`, ours)).toBe(true);
    expect(isOurPage(pathToFileURL('/tmp/evil.html').href, ours)).toBe(false);
    expect(isOurPage('file:///etc/passwd', ours)).toBe(false);
    expect(isOurPage('https://evil.example/index.html', ours)).toBe(false);
    expect(isOurPage('', ours)).toBe(false);
    const dev = { url: 'http://localhost:5173' };
    expect(isOurPage('http://localhost:5173/#/md', dev)).toBe(true);
    expect(isOurPage('http://localhost:51730/', dev)).toBe(false);
    expect(isOurPage('http://localhost:5173.evil.example/', dev)).toBe(false);
    expect(isOurPage('data:text/html,<script>', dev)).toBe(false);
  });

  it('IPC: other frames are refused; payloads are validated before the backend does anything; errors are values', async () => {
    const calls: unknown[] = [];
    const dispatch = async (method: string, params: unknown) => {
      const p = validateParams(method as never, params); // what Backend.dispatch does first
      calls.push(p);
      return { ok: 1 };
    };
    const renderer = () => ({ url: 'http://localhost:5173' });
    const h = ipcHandler('md.start', dispatch, renderer);
    const evil = await h({ senderFrame: { url: 'https://evil.example/' } as never }, {});
    expect(evil).toEqual({ ok: false, error: { code: 'invalid-params', message: 'request from an unknown frame' } });
    const bad = await h({ senderFrame: { url: 'http://localhost:5173/' } as never }, { runId: 5, settings: { steps: 'many' }, __proto__: { polluted: true } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.code).toBe('invalid-params');
    expect(calls).toHaveLength(0);
    const info = await ipcHandler('app.info', dispatch, renderer)({ senderFrame: { url: 'http://localhost:5173/' } as never }, {});
    expect(info).toEqual({ ok: true, result: { ok: 1 } });
    const thrown = await ipcHandler('app.info', async () => {
      throw new Error('boom');
    }, renderer)({ senderFrame: { url: 'http://localhost:5173/' } as never }, {});
    expect(thrown).toEqual({ ok: false, error: { code: 'internal', message: 'boom' } });
  });

  it('the page CSP allows only our own scripts: no eval, no remote origins, no plugins', () => {
    const html = readFileSync(join(ROOT, 'src-renderer/index.html'), 'utf8');
    const csp = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? '';
    const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([k, ...v]) => [k, v]));
    expect(directives['default-src']).toEqual(["'self'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(directives['base-uri']).toEqual(["'none'"]);
    expect(csp).not.toMatch(/unsafe-eval|https?:\/\/(?!127\.0\.0\.1)|\s\*(\s|;|$)/);
  });
});
