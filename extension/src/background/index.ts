// The service worker (Firefox: the background script). Loads the wasm core once (core.ts,
// static import), holds the one native port (native_port.ts), routes every message
// (router.ts) and turns the agent's events into tab updates, broadcasts and notifications.
//
// Every listener is registered in the first turn of the script: MV3 only wakes a stopped
// worker for events that had a listener when it last started.

import type { Alert, Watch } from '../shared/messages';
import { getCore } from './core';
import { forgetAgentData, getWatches, offersChanged, port, watchesChanged } from './agent';
import { callerOf, route } from './router';
import { broadcast, pushPanel } from './page';
import { clearTabState, knownTabs, setTabState } from './tabs';
import { listenForClicks, showAlert } from './notify';
import { getSettings } from './settings';
import { forgetSync, noteSyncStatus, readSyncStatus } from './account';

chrome.runtime.onMessage.addListener((message: unknown, sender, sendResponse) => {
  // Broadcasts the worker sent itself never arrive here; anything else is a request.
  route(message, callerOf(sender)).then(sendResponse, (e: unknown) =>
    sendResponse({ ok: false, error: { code: 'internal_error', message: String(e) } }),
  );
  return true;  // the answer comes asynchronously
});

chrome.tabs.onUpdated.addListener((tabId, info) => {
  // A new document is loading: what the old one showed no longer applies. (A same-document
  // navigation doesn't load; its content script reports again when the product changes.)
  if (info.status === 'loading') void clearTabState(tabId);
});
chrome.tabs.onRemoved.addListener((tabId) => void clearTabState(tabId));

listenForClicks();

let wasConnected = false;
port.onStatus((host) => {
  const connected = host.state === 'connected';
  if (connected && !wasConnected) {
    // Possibly a new agent (restarted): what was cached from the old one may be stale. Only
    // on the transition: last_check_at moves with every check and must not refetch anything.
    forgetAgentData();
    forgetSync();
    void getWatches();
  }
  wasConnected = connected;
  broadcast({ type: 'host.changed', host });
});

port.onEvent((event, data) => {
  if (event === 'watch.updated') void watchUpdated(data);
  else if (event === 'alert') void alertRaised(data);
  else if (event === 'offers.updated') offersChanged();
  else if (event === 'sync.updated') syncUpdated(data);
});

async function watchUpdated(data: unknown): Promise<void> {
  watchesChanged();
  const d = (data ?? {}) as { watch?: Watch; removed?: number };
  const watch = d.watch && typeof d.watch === 'object' && typeof d.watch.id === 'number' ? d.watch : null;
  const removed = typeof d.removed === 'number' ? d.removed : null;
  if (watch) port.noteLastCheck(watch.last_check_at);
  broadcast({ type: 'watch.changed', watch, removed });
  for (const state of knownTabs()) {
    const onThisTab =
      (watch && (watch.url === state.url || watch.url === state.product?.url)) ||
      (removed !== null && state.watch?.id === removed);
    if (!onThisTab) continue;
    await setTabState({ ...state, watch: removed !== null ? null : watch });
    broadcast({ type: 'tab.changed', tab_id: state.tab_id });
    void pushPanel(state.tab_id);
  }
}

/** The agent's sync state moved: keep it as the cached status and tell open pages (the
 *  options page's sync section and the popup's sync line update in place). */
function syncUpdated(data: unknown): void {
  const sync = readSyncStatus(data);
  if (!sync) return;
  noteSyncStatus(sync);
  broadcast({ type: 'sync.changed', sync });
}

async function alertRaised(data: unknown): Promise<void> {
  if (!data || typeof data !== 'object' || typeof (data as Alert).id !== 'number') return;
  const alert = data as Alert;
  broadcast({ type: 'alert', alert });
  const settings = await getSettings();
  if (!settings.notifications) return;
  const watches = await getWatches();
  await showAlert(alert, watches.find((w) => w.id === alert.watch_id) ?? null);
}

// Start loading the core and connecting the host now rather than on the first page, so the
// popup's first look already has both.
void getCore();
void port.reconnectNow(0);
