// The renderer's view of the host API, whatever the transport: Electron (named functions exposed
// by the preload) or browser mode (binary messages over a WebSocket to the local host, with the
// per-launch token from the page URL). Errors arrive as ApiError with the host's message.
import {
  ApiError,
  type ApiErrorInfo,
  type AtomforgeApi,
  type EventName,
  type Events,
  type Method,
  type Params,
  type Results,
} from '../../src-shared/protocol/api';
import { decodeMessage, encodeMessage } from '../../src-shared/protocol/codec';

interface ExposedApi {
  methods: Record<string, (params: unknown) => Promise<{ ok: true; result: unknown } | { ok: false; error: ApiErrorInfo }>>;
  events: Record<string, (cb: (payload: unknown) => void) => () => void>;
  transport: 'electron';
}

declare global {
  interface Window {
    atomforge?: ExposedApi;
  }
}

function electronClient(exposed: ExposedApi): AtomforgeApi {
  return {
    async call<M extends Method>(method: M, params: Params<M>): Promise<Results[M]> {
      const fn = exposed.methods[method];
      if (!fn) throw new ApiError({ code: 'unsupported', message: `method ${method} is not available` });
      const r = await fn(params);
      if (!r.ok) throw new ApiError(r.error);
      return r.result as Results[M];
    },
    on<E extends EventName>(event: E, cb: (p: Events[E]) => void) {
      return exposed.events[event]?.((p) => cb(p as Events[E])) ?? (() => {});
    },
  };
}

function wsClient(url: string): AtomforgeApi {
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  let socket: WebSocket | null = null;
  let opening: Promise<WebSocket> | null = null;

  const connect = (): Promise<WebSocket> => {
    if (socket && socket.readyState === WebSocket.OPEN) return Promise.resolve(socket);
    if (opening) return opening;
    opening = new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.binaryType = 'arraybuffer';
      ws.onopen = () => {
        socket = ws;
        opening = null;
        resolve(ws);
      };
      ws.onerror = () => {
        opening = null;
        reject(new ApiError({ code: 'internal', message: 'cannot reach the Atomforge host: is it still running?' }));
      };
      ws.onclose = () => {
        socket = null;
        for (const p of pending.values()) p.reject(new ApiError({ code: 'internal', message: 'connection to the Atomforge host closed' }));
        pending.clear();
      };
      ws.onmessage = (ev) => {
        const msg = decodeMessage(ev.data as ArrayBuffer) as { id?: number; result?: unknown; error?: ApiErrorInfo; event?: string; payload?: unknown };
        if (msg.event) {
          for (const cb of listeners.get(msg.event) ?? []) cb(msg.payload);
          return;
        }
        const p = msg.id !== undefined ? pending.get(msg.id) : undefined;
        if (!p) return;
        pending.delete(msg.id!);
        if (msg.error) p.reject(new ApiError(msg.error));
        else p.resolve(msg.result);
      };
    });
    return opening;
  };

  return {
    async call<M extends Method>(method: M, params: Params<M>): Promise<Results[M]> {
      const ws = await connect();
      const id = nextId++;
      return new Promise<Results[M]>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        ws.send(encodeMessage({ id, method, params }));
      });
    },
    on<E extends EventName>(event: E, cb: (p: Events[E]) => void) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const fn = cb as (p: unknown) => void;
      set.add(fn);
      void connect().catch(() => {});
      return () => set!.delete(fn);
    },
  };
}

export type Transport = 'electron' | 'browser';

export function createApi(): { api: AtomforgeApi; transport: Transport } {
  if (window.atomforge?.transport === 'electron') return { api: electronClient(window.atomforge), transport: 'electron' };
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const wsUrl = `ws://${location.host}/api?token=${encodeURIComponent(token)}`;
  return { api: wsClient(wsUrl), transport: 'browser' };
}

export const { api, transport } = createApi();

export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  return e instanceof Error ? e.message : String(e);
}
