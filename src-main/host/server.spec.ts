// Browser-mode host security (issue 9): loopback only; static files confined to the renderer folder
// (no `..`, encoded or not, no absolute paths, no symlinks in the file or a folder on the way, no
// directory listing, GET/HEAD only) with a CSP on every page; the API socket refuses a missing or
// wrong token and another Origin, and validates every payload.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { decodeMessage, encodeMessage } from '../../src-shared/protocol/codec';
import { cleanupHomes, createTestHost } from '../../test-support/hostHarness';
import { CSP, startHost, type RunningHost } from './server';

const SECRET = 'top-secret-outside-the-renderer';
let base: string;
let host: RunningHost;

/** A raw GET (the path goes on the wire exactly as given: no client-side normalisation). */
function get(path: string, method = 'GET'): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, path, method }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'atomforge-host-'));
  const renderer = join(base, 'renderer');
  const outside = join(base, 'outside');
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>ok</title>');
  writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(outside, 'secret.txt'), SECRET);
  writeFileSync(join(base, 'secret.txt'), SECRET);
  symlinkSync(join(outside, 'secret.txt'), join(renderer, 'leak.txt'));
  symlinkSync(outside, join(renderer, 'assets', 'linked'));
  const { b } = createTestHost();
  host = await startHost({ backend: b, rendererDir: renderer, token: 'a'.repeat(48) });
});

afterAll(async () => {
  await host?.close();
  rmSync(base, { recursive: true, force: true });
  cleanupHomes();
});

describe('browser-mode host: static files', () => {
  it('listens on the loopback interface only and serves the page with the CSP', async () => {
    expect((host.server.address() as { address: string }).address).toBe('127.0.0.1');
    const r = await get('/');
    expect(r.status).toBe(200);
    expect(r.headers['content-security-policy']).toBe(CSP);
    expect(CSP).toMatch(/default-src 'self'/);
    expect(CSP).not.toMatch(/unsafe-eval|https?:|\*\.|'unsafe-inline'[^;]*script/);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect((await get('/assets/app.js')).body).toBe('console.log(1)');
  });

  it('refuses traversal, absolute paths and symlinks, and never lists a folder', async () => {
    const attempts = [
      '/../secret.txt',
      '/../outside/secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E%2Fsecret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/..%5csecret.txt',
      `/${encodeURIComponent(join(base, 'secret.txt'))}`,
      `//${join(base, 'secret.txt')}`,
      '/leak.txt',
      '/assets/linked/secret.txt',
      '/index.html%00.js',
      '/%ff%fe',
      '/assets',
      '/assets/',
      '/assets/linked/',
    ];
    for (const path of attempts) {
      const r = await get(path);
      expect(r.status, path).toBeGreaterThanOrEqual(400);
      expect(r.body, path).not.toContain(SECRET);
      expect(r.body, path).not.toMatch(/app\.js|secret\.txt|index\.html/); // no listing
    }
    expect((await get('/index.html', 'POST')).status).toBe(405);
    expect((await get('/index.html', 'PUT')).status).toBe(405);
  });
});

describe('browser-mode host: API socket', () => {
  const origin = () => `http://127.0.0.1:${host.port}`;
  const open = (query: string, originHeader: string | undefined): Promise<{ ok: true; ws: WebSocket } | { ok: false; status: number }> =>
    new Promise((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api${query}`, { headers: originHeader ? { Origin: originHeader } : {} });
      ws.on('open', () => resolve({ ok: true, ws }));
      ws.on('unexpected-response', (_req, res) => resolve({ ok: false, status: res.statusCode ?? 0 }));
      ws.on('error', () => resolve({ ok: false, status: 0 }));
    });

  it('refuses a missing token, a wrong token, another Origin and no Origin', async () => {
    const good = `?token=${host.token}`;
    for (const [q, o] of [['', origin()], ['?token=', origin()], [`?token=${'b'.repeat(48)}`, origin()], ['?token=short', origin()], [good, 'http://evil.example'], [good, `http://localhost:${host.port}`], [good, undefined]] as const) {
      const r = await open(q, o);
      expect(r.ok, `${q} ${o}`).toBe(false);
      if (!r.ok) expect([0, 403]).toContain(r.status);
    }
  });

  it('with the token and the page origin: requests are answered and every payload is validated', async () => {
    const r = await open(`?token=${host.token}`, origin());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const ws = r.ws;
    const replies: Record<number, { result?: unknown; error?: { code: string; message: string } }> = {};
    const all: { id?: unknown; error?: { message: string } }[] = [];
    ws.on('message', (d: Buffer) => {
      const m = decodeMessage(new Uint8Array(d.buffer, d.byteOffset, d.byteLength)) as { id?: number; error?: { message: string } };
      all.push(m);
      if (typeof m.id === 'number') replies[m.id] = m as never;
    });
    const call = async (id: number, method: string, params: unknown) => {
      ws.send(encodeMessage({ id, method, params }));
      for (let k = 0; k < 400 && !replies[id]; k++) await new Promise((res) => setTimeout(res, 25));
      return replies[id];
    };
    expect((await call(1, 'app.info', {}))?.result).toBeTruthy();
    expect((await call(2, 'no.such.method', {}))?.error?.code).toBe('invalid-params');
    expect((await call(3, 'md.start', { runId: 1, settings: 'x' }))?.error?.code).toBe('invalid-params');
    expect((await call(4, 'dataset.open', { jobId: 'j', source: { kind: 'path', path: { $gt: '' } } }))?.error?.code).toBe('invalid-params');
    ws.send('{"id":5,"method":"app.info"}'); // text frames are refused
    const refused = () => all.find((m) => m.error?.message === 'binary frames only');
    for (let k = 0; k < 400 && !refused(); k++) await new Promise((res) => setTimeout(res, 25));
    expect(refused()).toBeTruthy();
    expect(replies[5]).toBeUndefined();
    ws.close();
  });
});
