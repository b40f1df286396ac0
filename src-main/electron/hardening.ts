// Electron hardening (issue 9), kept apart from main.ts so that it is checked by unit tests where
// the Electron binary is absent (it imports only Electron's types): the window's web preferences,
// navigation / new windows / webviews blocked, every permission request denied, IPC accepted only
// from our own page and every payload validated by the backend's schemas before any work.
import { pathToFileURL } from 'node:url';
import type { Event as ElectronEvent, HandlerDetails, IpcMainInvokeEvent, WebPreferences } from 'electron';
import { ApiError, type ApiErrorInfo, type Method } from '../../src-shared/protocol/api';

/** Web preferences of every window: the page gets no Node, no Electron, no remote content. */
export const WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  experimentalFeatures: false,
  navigateOnDragDrop: false,
  spellcheck: false,
} as const satisfies WebPreferences;

/** The part of WebContents that hardening touches (a fake in tests). */
export interface HardenableContents {
  setWindowOpenHandler(handler: (details: HandlerDetails) => { action: 'deny' }): void;
  on(event: 'will-navigate' | 'will-redirect' | 'will-attach-webview', listener: (e: Pick<ElectronEvent, 'preventDefault'>) => void): unknown;
}

/** No window.open, no navigation or redirect away from the app, no <webview>. */
export function hardenWebContents(contents: HardenableContents): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (e) => e.preventDefault());
  contents.on('will-redirect', (e) => e.preventDefault());
  contents.on('will-attach-webview', (e) => e.preventDefault());
}

/** The part of Session that hardening touches. */
export interface HardenableSession {
  setPermissionRequestHandler(handler: (wc: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (...args: unknown[]) => boolean): void;
}

/** Camera, microphone, geolocation, notifications, clipboard, ...: all denied. */
export function hardenSession(session: HardenableSession): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

/** Where the renderer is loaded from: the dev server URL or the built index.html. */
export type RendererLocation = { url: string } | { file: string };

/** Whether a frame URL is our page (same origin as the dev server, or exactly our index.html). */
export function isOurPage(frameUrl: string, renderer: RendererLocation): boolean {
  let u: URL;
  try {
    u = new URL(frameUrl);
  } catch {
    return false;
  }
  if ('url' in renderer) return u.origin === new URL(renderer.url).origin && u.origin !== 'null';
  const want = pathToFileURL(renderer.file);
  return u.protocol === 'file:' && u.pathname === want.pathname && u.host === want.host;
}

export type IpcReply = { ok: true; result: unknown } | { ok: false; error: ApiErrorInfo };

/**
 * The ipcMain.handle handler of one method: refuses other frames, passes the payload to `dispatch`
 * (Backend.dispatch validates it against the method's zod schema before any work) and turns
 * errors into values (nothing thrown across IPC).
 */
export function ipcHandler(method: Method, dispatch: (method: Method, params: unknown) => Promise<unknown>, renderer: () => RendererLocation) {
  return async (e: Pick<IpcMainInvokeEvent, 'senderFrame'>, params: unknown): Promise<IpcReply> => {
    if (!isOurPage(e.senderFrame?.url ?? '', renderer())) return { ok: false, error: { code: 'invalid-params', message: 'request from an unknown frame' } };
    try {
      return { ok: true, result: await dispatch(method, params) };
    } catch (err) {
      const error: ApiErrorInfo = err instanceof ApiError ? err.info : { code: 'internal', message: err instanceof Error ? err.message : String(err) };
      return { ok: false, error };
    }
  };
}
