// What the popup and the options page build on top of ../browser.ts (the one wrapper over
// chrome.*; nothing here calls chrome.* itself): requests answered as Reply values (a page
// shows an error where the data would be, so a value is handier than a throw), the tab a
// popup is for, and the translation of the static HTML.

import { ExtensionError, activeTabId, onBroadcast, openOptionsPage, send as sendOrThrow, t, uiLanguage } from '../browser';
import type { Reply, ReplyMap, Request, RequestType } from '../messages';

export { onBroadcast, t, uiLanguage };

export type RequestOf<T extends RequestType> = Extract<Request, { type: T }>;

/** Sends a request to the service worker; never rejects. A worker that doesn't answer is
 *  the error `no_reply`. */
export async function send<T extends RequestType>(request: RequestOf<T>): Promise<Reply<ReplyMap[T]>> {
  try {
    return { ok: true, value: await sendOrThrow(request) };
  } catch (e) {
    if (e instanceof ExtensionError) return { ok: false, error: { code: e.code, message: e.message } };
    return { ok: false, error: { code: 'no_reply', message: String((e as Error)?.message ?? e) } };
  }
}

/** The tab the toolbar popup belongs to: `?tab=ID` when given (tests, screenshots, a popup
 *  opened as a page has no active tab of its own), else the current window's active tab. */
export async function targetTabId(): Promise<number | null> {
  const param = new URLSearchParams(location.search).get('tab');
  if (param !== null && /^\d{1,10}$/.test(param)) return Number(param);
  return activeTabId();
}

/** Fills every [data-i18n] element's text (and [data-i18n-aria] / [data-i18n-placeholder]
 *  attributes) of the static page, and sets the document's language. */
export function localizePage(root: ParentNode = document): void {
  document.documentElement.lang = uiLanguage();
  for (const node of root.querySelectorAll<HTMLElement>('[data-i18n]')) node.textContent = t(node.dataset.i18n!);
  for (const node of root.querySelectorAll<HTMLElement>('[data-i18n-aria]')) node.setAttribute('aria-label', t(node.dataset.i18nAria!));
  for (const node of root.querySelectorAll<HTMLElement>('[data-i18n-placeholder]')) node.setAttribute('placeholder', t(node.dataset.i18nPlaceholder!));
}

export function openOptions(): void {
  openOptionsPage().catch(() => undefined);
}

export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}
