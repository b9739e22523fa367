// One switch over Request.type (style.md 14). Every message is trust-checked first: one from
// a web page's content script may only be a CONTENT_ALLOWED request, and its shape is
// checked before anything reads it (a compromised renderer can send anything).

import {
  CONTENT_ALLOWED,
  type Alert,
  type ErrorValue,
  type History,
  type PageReport,
  type Reply,
  type ReplyMap,
  type Request,
  type RequestType,
  type TabState,
  type Wallet,
  type Watch,
} from '../shared/messages';
import { coreStatus } from './core';
import { port, getWatches, findWatch, listWatches, walletChanged, watchesChanged } from './agent';
import { HostError } from './native_port';
import { broadcast, handlePageReport, withTimeout, MAX_HTML_CHARS, MAX_URL_CHARS, pushPanel } from './page';
import { getTabState } from './tabs';
import { getSettings, hideSite, panelEnabled, readSettings, setSettings } from './settings';
import { retailerOf } from './stacking';
import { getSyncStatus, syncNow, vaultDelete, vaultList, vaultLock, vaultSet, vaultStatus } from './account';
import { KIND_PREFIX, entryProblem } from '../shared/vault_entry';

/** Who sent a message, as far as the router cares. */
export interface Caller {
  /** An extension page (popup, options), as opposed to a web page's content script. */
  trusted: boolean;
  /** The content script's tab and frame, and the page's url as the browser reports it. */
  tabId: number | null;
  frameId: number | null;
  url: string | null;
}

const KNOWN: ReadonlySet<string> = new Set<RequestType>([
  'page.report', 'panel.get', 'panel.hide_site', 'tab.state', 'host.status', 'host.retry', 'core.status',
  'watch.add', 'watch.update', 'watch.remove', 'watch.check', 'watch.list', 'history', 'alerts.list',
  'alerts.ack', 'wallet.get', 'wallet.set', 'settings.get', 'settings.set',
  'vault.status', 'vault.list', 'vault.set', 'vault.delete', 'vault.lock', 'sync.status', 'sync.now',
]);

/** The caller of a runtime message. Trusted only when it comes from this extension's own
 *  origin (the options page runs in a tab, so sender.tab alone doesn't decide). */
export function callerOf(sender: chrome.runtime.MessageSender): Caller {
  const base = chrome.runtime.getURL('');
  const ours = sender.id === chrome.runtime.id;
  const url = typeof sender.url === 'string' ? sender.url : null;
  const trusted = ours && url !== null && url.startsWith(base) &&
    (sender.origin === undefined || `${sender.origin}/` === base);
  return { trusted, tabId: sender.tab?.id ?? null, frameId: sender.frameId ?? null, url };
}

function fail(code: string, message: string): { ok: false; error: ErrorValue } {
  return { ok: false, error: { code, message } };
}

function errorReply(e: unknown): { ok: false; error: ErrorValue } {
  if (e instanceof HostError) return fail(e.code, e.message);
  const code = typeof (e as { code?: unknown })?.code === 'string' ? (e as { code: string }).code : 'internal_error';
  return fail(code, e instanceof Error ? e.message : String(e));
}

const isInt = (v: unknown): v is number => Number.isSafeInteger(v);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks the shape of a message; returns the reason it's refused, or null. */
export function shapeError(m: Record<string, unknown>): string | null {
  switch (m.type as RequestType) {
    case 'page.report': {
      const p = m.page;
      if (!isObj(p)) return 'page: missing';
      if (typeof p.url !== 'string' || p.url.length > MAX_URL_CHARS) return 'page.url: not a url';
      if (typeof p.html !== 'string' || p.html.length > MAX_HTML_CHARS) return 'page.html: missing or too large';
      if (typeof p.collect_ms !== 'number' || !Number.isFinite(p.collect_ms) || p.collect_ms < 0) return 'page.collect_ms: not a duration';
      if (typeof p.truncated !== 'boolean') return 'page.truncated: not a boolean';
      if (p.digest !== undefined && typeof p.digest !== 'boolean') return 'page.digest: not a boolean';
      if (p.started_at !== undefined && (typeof p.started_at !== 'number' || !Number.isFinite(p.started_at)))
        return 'page.started_at: not a time';
      return null;
    }
    case 'tab.state':
      return isInt(m.tab_id) ? null : 'tab_id: not an integer';
    case 'watch.add':
      return isObj(m.params) && typeof m.params.url === 'string' ? null : 'params.url: missing';
    case 'watch.update':
      return isObj(m.params) && isInt(m.params.id) ? null : 'params.id: not an integer';
    case 'watch.remove':
    case 'watch.check':
    case 'alerts.ack':
      return isInt(m.id) ? null : 'id: not an integer';
    case 'history':
      return isInt(m.watch_id) ? null : 'watch_id: not an integer';
    case 'alerts.list':
      return m.all === undefined || typeof m.all === 'boolean' ? null : 'all: not a boolean';
    case 'wallet.set':
      return isObj(m.wallet) ? null : 'wallet: missing';
    case 'settings.set':
      return readSettings(m.settings) ? null : 'settings: missing';
    case 'vault.set': {
      // The reason names the rule broken, never the value (the secret must not travel back
      // in an error).
      const problem = entryProblem({ id: m.id, kind: m.kind, label: m.label, secret: m.secret });
      return problem ? `vault.set: ${problem}` : null;
    }
    case 'vault.delete':
      // Only the kinds the extension writes: "account/*" belongs to `dealstack sync logout`.
      return typeof m.id === 'string' && m.id.length <= 200 && Object.values(KIND_PREFIX).some((p) => (m.id as string).startsWith(p) && (m.id as string).length > p.length)
        ? null : 'id: not an entry this extension may delete';
    default:
      return null;
  }
}

/** Answers one message. Never throws: every failure is an {ok:false} reply. */
export async function route(message: unknown, caller: Caller): Promise<Reply<unknown>> {
  if (!isObj(message) || typeof message.type !== 'string' || !KNOWN.has(message.type))
    return fail('unknown_request', 'not a request this extension knows');
  const type = message.type as RequestType;
  if (!caller.trusted) {
    if (!CONTENT_ALLOWED.includes(type)) return fail('not_allowed', `a web page may not send ${type}`);
    if (caller.tabId === null || caller.tabId < 0 || caller.url === null)
      return fail('not_allowed', 'a content script message must come from a tab');
    if (caller.frameId !== 0) return fail('not_allowed', 'only the top frame reports its page');
  }
  const bad = shapeError(message);
  if (bad) return fail('invalid_request', bad);
  try {
    return { ok: true, value: await dispatch(message as unknown as Request, caller) };
  } catch (e) {
    return errorReply(e);
  }
}

async function dispatch(req: Request, caller: Caller): Promise<ReplyMap[RequestType]> {
  switch (req.type) {
    case 'page.report': {
      // The browser's idea of the page's url wins over what the page says.
      const page: PageReport = { ...req.page, url: caller.url ?? req.page.url };
      const { state, need_full } = await handlePageReport(page, caller.tabId!);
      return (need_full ? { state, need_full } : { state }) satisfies ReplyMap['page.report'];
    }
    case 'panel.get': {
      const settings = await getSettings();
      const state = caller.tabId !== null ? await getTabState(caller.tabId) : null;
      return { enabled: panelEnabled(settings, retailerOf(caller.url ?? '')), state } satisfies ReplyMap['panel.get'];
    }
    case 'panel.hide_site':
      await hideSite(retailerOf(caller.url ?? ''));
      return { enabled: false } satisfies ReplyMap['panel.hide_site'];
    case 'tab.state':
      return tabState(req.tab_id);
    case 'host.status':
      return port.getStatus();
    case 'host.retry':
      return port.reconnectNow();
    case 'core.status':
      return coreStatus();
    case 'watch.add': {
      const w = await port.request<Watch>('watch.add', req.params);
      watchesChanged();
      return w;
    }
    case 'watch.update': {
      const w = await port.request<Watch>('watch.update', req.params);
      watchesChanged();
      return w;
    }
    case 'watch.remove': {
      const r = await port.request<{ removed: number }>('watch.remove', { id: req.id });
      watchesChanged();
      return r;
    }
    case 'watch.check':
      return port.request<ReplyMap['watch.check']>('watch.check', { id: req.id });
    case 'watch.list':
      return { watches: await listWatches() };
    case 'history':
      return port.request<History>('history', { watch_id: req.watch_id });
    case 'alerts.list':
      return port.request<{ alerts: Alert[] }>('alerts.list', { unacknowledged_only: !req.all });
    case 'alerts.ack':
      return port.request<{ acknowledged: number }>('alerts.ack', { id: req.id });
    case 'wallet.get':
      return port.request<Wallet>('wallet.get');
    case 'wallet.set': {
      const w = await port.request<Wallet>('wallet.set', { wallet: req.wallet });
      walletChanged(w);
      return w;
    }
    case 'settings.get':
      return getSettings();
    case 'settings.set': {
      const s = await setSettings(readSettings(req.settings)!);
      void pushPanel(null);
      return s;
    }
    case 'vault.status':
      return vaultStatus();
    case 'vault.list':
      return vaultList();
    case 'vault.set': {
      // The one place a secret passes: from the message to the port, nothing kept.
      const r = await vaultSet(req.id, req.kind, req.label, req.secret);
      broadcast({ type: 'vault.changed' });
      return r;
    }
    case 'vault.delete': {
      const r = await vaultDelete(req.id);
      broadcast({ type: 'vault.changed' });
      return r;
    }
    case 'vault.lock': {
      const r = await vaultLock();
      broadcast({ type: 'vault.changed' });
      return r;
    }
    case 'sync.status':
      return getSyncStatus();
    case 'sync.now':
      return syncNow();
  }
}

/** What the popup shows for a tab; the agent's parts (alerts, history, the watch) are left
 *  empty when it can't be reached within a few seconds, so the popup never hangs. */
async function tabState(tabId: number): Promise<ReplyMap['tab.state']> {
  let state: TabState | null = await getTabState(tabId);
  const connected = port.getStatus().state === 'connected';
  let alerts: Alert[] = [];
  let history: History | null = null;
  if (connected) {
    const [watches, list] = await Promise.all([
      withTimeout(getWatches(), 5000, [] as Watch[]),
      withTimeout(port.request<{ alerts: Alert[] }>('alerts.list', { unacknowledged_only: true }).catch(() => null), 5000, null),
    ]);
    alerts = list?.alerts ?? [];
    if (state) {
      const watch = findWatch(watches, [state.url, state.product?.url]);
      if (watch?.id !== state.watch?.id || watch?.last_check_at !== state.watch?.last_check_at) state = { ...state, watch };
      if (watch)
        history = await withTimeout(port.request<History>('history', { watch_id: watch.id }).catch(() => null), 5000, null);
    }
  }
  return { state, host: port.getStatus(), core: coreStatus(), alerts, history };
}
