// Preload (sandboxed, CommonJS): exposes one named function per API method and a subscription
// per event through contextBridge. The page never sees ipcRenderer or channel strings.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { EVENT_NAME_LIST, METHOD_NAMES, eventChannel, methodChannel } from '../../src-shared/protocol/methods';

const methods: Record<string, (params: unknown) => Promise<unknown>> = {};
for (const m of METHOD_NAMES) methods[m] = (params: unknown) => ipcRenderer.invoke(methodChannel(m), params);

const events: Record<string, (cb: (payload: unknown) => void) => () => void> = {};
for (const ev of EVENT_NAME_LIST) {
  events[ev] = (cb) => {
    const listener = (_e: IpcRendererEvent, payload: unknown) => cb(payload);
    ipcRenderer.on(eventChannel(ev), listener);
    return () => ipcRenderer.removeListener(eventChannel(ev), listener);
  };
}

contextBridge.exposeInMainWorld('atomforge', { methods, events, transport: 'electron' });
