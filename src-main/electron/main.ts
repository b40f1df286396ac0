// Electron main process: one window, hardened (context isolation, sandbox, no node integration,
// CSP, navigation and new windows blocked, permissions denied), each API method on its own IPC
// channel with validated payloads (Backend.dispatch), parsing in a worker thread.
import { join } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, session, type IpcMainInvokeEvent } from 'electron';
import { Backend, type Connection } from '../backend/backend';
import { ApiError, type ApiErrorInfo, type Method } from '../../src-shared/protocol/api';
import { METHOD_NAMES, eventChannel, methodChannel } from '../../src-shared/protocol/methods';
import createIoWorker from '../workers/ioWorker?nodeWorker';
import createMdWorker from '../workers/mdWorker?nodeWorker';
import createTrainWorker from '../workers/trainWorker?nodeWorker';

const here = import.meta.dirname;
let win: BrowserWindow | null = null;

function rendererUrl(): { url?: string; file?: string } {
  const dev = process.env['ELECTRON_RENDERER_URL'];
  if (!app.isPackaged && dev) return { url: dev };
  return { file: join(here, '../renderer/index.html') };
}

function isOurFrame(e: IpcMainInvokeEvent): boolean {
  const url = e.senderFrame?.url ?? '';
  const r = rendererUrl();
  return r.url ? url.startsWith(r.url) : url.startsWith('file://');
}

async function createWindow() {
  win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    title: 'Atomforge',
    backgroundColor: '#11151c',
    webPreferences: {
      preload: join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.webContents.on('will-navigate', (e) => e.preventDefault());
  win.webContents.on('will-redirect', (e) => e.preventDefault());
  const r = rendererUrl();
  if (r.url) await win.loadURL(r.url);
  else await win.loadFile(r.file!);
}

app.whenReady().then(async () => {
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-attach-webview', (ev) => ev.preventDefault());
  });

  const backend = new Backend({
    mode: 'electron',
    version: app.getVersion(),
    userDataDir: app.getPath('userData'),
    resourcesDir: app.isPackaged ? join(process.resourcesPath, 'resources') : join(here, '../../resources'),
    allowAnyPath: false,
    spawnIoWorker: () => createIoWorker({}),
    spawnMdWorker: () => createMdWorker({}),
    spawnTrainWorker: () => createTrainWorker({}),
    showOpenDialog: async () => {
      const r = await dialog.showOpenDialog(win!, {
        title: 'Open structure or dataset',
        properties: ['openFile'],
        filters: [
          { name: 'Structures and datasets', extensions: ['xyz', 'extxyz', 'vasp', 'poscar', 'cif', 'pdb', 'data', 'lmp', 'lammps', 'dump', 'lammpstrj'] },
          { name: 'All files', extensions: ['*'] },
        ],
      });
      return r.canceled || r.filePaths.length === 0 ? null : r.filePaths[0];
    },
  });

  const conn: Connection = {
    emit(event, payload) {
      win?.webContents.send(eventChannel(event), payload);
    },
  };
  backend.attach(conn);
  for (const m of METHOD_NAMES) {
    ipcMain.handle(methodChannel(m), async (e, params) => {
      if (!isOurFrame(e)) return { ok: false, error: { code: 'invalid-params', message: 'request from an unknown frame' } };
      try {
        return { ok: true, result: await backend.dispatch(m as Method, params, conn) };
      } catch (err) {
        const error: ApiErrorInfo = err instanceof ApiError ? err.info : { code: 'internal', message: err instanceof Error ? err.message : String(err) };
        return { ok: false, error };
      }
    });
  }
  await createWindow();
  app.on('window-all-closed', () => {
    backend.dispose();
    app.quit();
  });
});
