// The one wrapper over chrome.* that extension code uses (style.md 13): typed messaging with
// the service worker, storage, translated strings, and the few tab and page calls the popup
// and the options page make (the active tab, opening the options page). Works in every
// context (service worker, content script, extension pages) and in Firefox, whose MV3 also
// provides the chrome.* namespace with promise-returning APIs.
//
// Nothing here touches the DOM, so the service worker (no DOM lib) can import it.

import type { Broadcast, ErrorValue, ReplyMap, Request, RequestType, Reply } from './messages';

/** An Error carrying the stable code of an {ok:false} reply ("not_allowed", "not_found", ...). */
export class ExtensionError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'ExtensionError';
    this.code = code;
  }
  static from(error: ErrorValue): ExtensionError {
    return new ExtensionError(error.code, error.message);
  }
}

/** Sends a request to the service worker and resolves with its value; an {ok:false} reply
 *  (or no reply at all: the worker is gone, the extension was reloaded) throws an
 *  ExtensionError with the reply's code ("no_reply" when there was none). */
export async function send<T extends RequestType>(req: Extract<Request, { type: T }>): Promise<ReplyMap[T]> {
  let reply: Reply<ReplyMap[T]> | undefined;
  try {
    reply = (await chrome.runtime.sendMessage(req)) as Reply<ReplyMap[T]> | undefined;
  } catch (e) {
    throw new ExtensionError('no_reply', e instanceof Error ? e.message : String(e));
  }
  if (!reply || typeof reply !== 'object' || typeof reply.ok !== 'boolean')
    throw new ExtensionError('no_reply', 'the service worker gave no answer');
  if (!reply.ok) throw ExtensionError.from(reply.error);
  return reply.value;
}

/** Calls `listener` for each Broadcast the service worker pushes to this context. Messages
 *  from anything but this extension are ignored. Returns a function that stops listening. */
export function onBroadcast(listener: (b: Broadcast) => void): () => void {
  const wrapped = (message: unknown, sender: chrome.runtime.MessageSender): undefined => {
    if (sender.id !== chrome.runtime.id) return undefined;
    if (message && typeof message === 'object' && typeof (message as { type?: unknown }).type === 'string')
      listener(message as Broadcast);
    return undefined;
  };
  chrome.runtime.onMessage.addListener(wrapped);
  return () => chrome.runtime.onMessage.removeListener(wrapped);
}

// ---- tabs and pages ------------------------------------------------------------------------

/** The id of the current window's active tab (the tab a toolbar popup belongs to), or null
 *  when there is none or the browser won't say (no `tabs` access in this context). */
export async function activeTabId(): Promise<number | null> {
  try {
    const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
    return tab?.id ?? null;
  } catch {
    return null;
  }
}

/** Opens (or focuses) the extension's options page. */
export async function openOptionsPage(): Promise<void> {
  await chrome.runtime.openOptionsPage();
}

// ---- storage ------------------------------------------------------------------------------

export type StorageArea = 'local' | 'session';

function area(which: StorageArea): chrome.storage.StorageArea {
  return which === 'local' ? chrome.storage.local : chrome.storage.session;
}

/** The value stored under `key`, or undefined. `local` survives restarts; `session` lives
 *  as long as the browser session (and survives a restarted service worker). */
export async function storageGet<T>(which: StorageArea, key: string): Promise<T | undefined> {
  const got = await area(which).get(key);
  return got[key] as T | undefined;
}

export async function storageSet(which: StorageArea, values: Record<string, unknown>): Promise<void> {
  await area(which).set(values);
}

export async function storageRemove(which: StorageArea, keys: string | string[]): Promise<void> {
  await area(which).remove(keys);
}

// ---- i18n -----------------------------------------------------------------------------------

/** The translated string for `key` from _locales (chrome.i18n.getMessage), with $1..$9
 *  replaced by `subs`. A key missing from the catalogue gives the key itself, so a gap is
 *  visible instead of an empty label. */
export function t(key: string, subs?: string | string[]): string {
  let text = '';
  try {
    text = chrome.i18n.getMessage(key, subs);
  } catch {
    text = '';
  }
  return text || key;
}

/** The browser's UI language ("en-US"), for Intl formatting. */
export function uiLanguage(): string {
  try {
    return chrome.i18n.getUILanguage() || 'en';
  } catch {
    return 'en';
  }
}
