// Browser-mode host: serves the built renderer on 127.0.0.1 and exposes the same API as Electron's
// IPC over a WebSocket. Loopback only, a random per-launch token, an Origin check on the socket,
// static files confined to the renderer folder (no listing, no traversal), and a strict CSP.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { decodeMessage, encodeMessage } from '../../src-shared/protocol/codec';
import { ApiError, type ApiErrorInfo, type Method } from '../../src-shared/protocol/api';
import type { Backend, Connection } from '../backend/backend';

export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "font-src 'self' data:; connect-src 'self' ws://127.0.0.1:*; worker-src 'self' blob:; object-src 'none'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
};

export interface HostOptions {
  backend: Backend;
  /** Folder with the built renderer (index.html + assets). */
  rendererDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** Fixed token (tests); random otherwise. */
  token?: string;
}

export interface RunningHost {
  url: string;
  port: number;
  token: string;
  server: Server;
  close(): Promise<void>;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export async function startHost(opts: HostOptions): Promise<RunningHost> {
  const token = opts.token ?? randomBytes(24).toString('hex');
  const root = resolve(opts.rendererDir);
  const realRoot = await fsp.realpath(root);
  let origin = '';

  const serveStatic = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    const url = new URL(req.url ?? '/', origin);
    let rel: string;
    try {
      rel = decodeURIComponent(url.pathname);
    } catch {
      res.writeHead(400).end('bad path');
      return;
    }
    if (rel.includes('\0')) {
      res.writeHead(400).end('bad path');
      return;
    }
    if (rel === '/' || rel === '') rel = '/index.html';
    const file = normalize(join(root, rel));
    if (!file.startsWith(root + sep)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    try {
      // No symlinks at all, in the last component (lstat) or in a folder on the way (realpath):
      // nothing outside the renderer folder is ever served.
      const st = await fsp.lstat(file);
      const real = await fsp.realpath(file);
      if (!st.isFile() || real !== realRoot + file.slice(root.length)) {
        res.writeHead(404).end('not found');
        return;
      }
    } catch {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, {
      'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-cache',
      'Referrer-Policy': 'no-referrer',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  };

  const server = createServer((req, res) => {
    serveStatic(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 2 ** 20 });

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', origin);
    const t = url.searchParams.get('token') ?? '';
    if (url.pathname !== '/api' || req.headers.origin !== origin || !sameToken(t, token)) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  const attach = (ws: WebSocket) => {
    const conn: Connection = {
      emit(event, payload) {
        if (ws.readyState === ws.OPEN) ws.send(encodeMessage({ event, payload }));
      },
    };
    const detach = opts.backend.attach(conn);
    ws.on('close', detach);
    ws.on('message', async (data, isBinary) => {
      let id: unknown = null;
      try {
        if (!isBinary) throw new ApiError({ code: 'invalid-params', message: 'binary frames only' });
        const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
        const msg = decodeMessage(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)) as { id?: unknown; method?: unknown; params?: unknown };
        id = msg.id;
        if (typeof msg.id !== 'number' || typeof msg.method !== 'string') throw new ApiError({ code: 'invalid-params', message: 'request needs a numeric id and a method' });
        const result = await opts.backend.dispatch(msg.method as Method, msg.params, conn);
        if (ws.readyState === ws.OPEN) ws.send(encodeMessage({ id, result }));
      } catch (e) {
        const error: ApiErrorInfo = e instanceof ApiError ? e.info : { code: 'internal', message: e instanceof Error ? e.message : String(e) };
        if (ws.readyState === ws.OPEN) ws.send(encodeMessage({ id, error }));
      }
    });
  };

  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(opts.port ?? 0, '127.0.0.1', () => res());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/?token=${token}`,
    port,
    token,
    server,
    async close() {
      for (const c of wss.clients) c.terminate();
      wss.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
