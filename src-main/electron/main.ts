// Electron main process: one window, hardened (context isolation, sandbox, no node integration,
// CSP, navigation and new windows blocked, permissions denied), each API method on its own IPC
// channel with validated payloads (Backend.dispatch), parsing in a worker thread.
import { join } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, session } from 'electron';
import { Backend, type Connection } from '../backend/backend';
import type { Method } from '../../src-shared/protocol/api';
import { WEB_PREFERENCES, hardenSession, hardenWebContents, ipcHandler, type RendererLocation } from './hardening';
import { METHOD_NAMES, eventChannel, methodChannel } from '../../src-shared/protocol/methods';
import createIoWorker from '../workers/ioWorker?nodeWorker';
import createMdWorker from '../workers/mdWorker?nodeWorker';
import createTrainWorker from '../workers/trainWorker?nodeWorker';

const here = import.meta.dirname;
let win: BrowserWindow | null = null;

function rendererUrl(): RendererLocation {
  const dev = process.env['ELECTRON_RENDERER_URL'];
  if (!app.isPackaged && dev) return { url: dev };
  return { file: join(here, '../renderer/index.html') };
}

async function createWindow() {
  win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    title: 'Atomforge',
    backgroundColor: '#11151c',
    webPreferences: { ...WEB_PREFERENCES, preload: join(here, '../preload/index.cjs') },
  });
  hardenWebContents(win.webContents);
  const r = rendererUrl();
  if ('url' in r) await win.loadURL(r.url);
  else await win.loadFile(r.file);
}

app.whenReady().then(async () => {
  hardenSession(session.defaultSession);
  app.on('web-contents-created', (_e, contents) => hardenWebContents(contents));

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
    ipcMain.handle(methodChannel(m), ipcHandler(m as Method, (method, params) => backend.dispatch(method, params, conn), rendererUrl));
  }
  await createWindow();
  app.on('window-all-closed', () => {
    backend.dispose();
    app.quit();
  });
});
