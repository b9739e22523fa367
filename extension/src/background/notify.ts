// Agent alerts as chrome.notifications. Clicking one opens the watched product's page; the
// notification id -> url map lives in storage.session so it survives a restarted worker.
//
// Opening a notification does not acknowledge the alert: the alert stays in the popup's list
// until the shopper sees it there (the popup sends alerts.ack), so a notification dismissed
// by accident loses nothing.

import type { Alert, Watch } from '../shared/messages';
import { storageGet, storageSet, t, uiLanguage } from '../shared/browser';
import { formatMoney } from '../shared/money';

const MAP_KEY = 'notification_urls';
/** Most notification ids remembered (oldest forgotten first). */
const MAX_REMEMBERED = 100;

export async function showAlert(alert: Alert, watch: Watch | null): Promise<string | null> {
  const id = `alert-${alert.id}`;
  const title = watch?.title || t('notification_title');
  const price = alert.price ? formatMoney(alert.price, alert.currency, uiLanguage()) : null;
  const message = price && !alert.message.includes(alert.price ?? '') ? `${alert.message} (${price})` : alert.message;
  try {
    await chrome.notifications.create(id, {
      type: 'basic',
      iconUrl: chrome.runtime.getURL('icons/icon128.png'),
      title: title.slice(0, 200),
      message: message.slice(0, 500) || title,
      priority: 1,
    });
  } catch {
    return null;
  }
  if (watch) {
    const map = (await storageGet<Record<string, string>>('session', MAP_KEY).catch(() => undefined)) ?? {};
    map[id] = watch.url;
    const keys = Object.keys(map);
    for (const k of keys.slice(0, Math.max(0, keys.length - MAX_REMEMBERED))) delete map[k];
    await storageSet('session', { [MAP_KEY]: map }).catch(() => undefined);
  }
  return id;
}

/** Registered at the worker's first turn (index.ts) so a click wakes a stopped worker. */
export function listenForClicks(): void {
  chrome.notifications.onClicked.addListener((id) => {
    void (async () => {
      const map = (await storageGet<Record<string, string>>('session', MAP_KEY).catch(() => undefined)) ?? {};
      const url = map[id];
      if (url && /^https?:\/\//i.test(url)) await chrome.tabs.create({ url }).catch(() => undefined);
      await chrome.notifications.clear(id).catch(() => undefined);
    })();
  });
}
