// The shopper's extension settings (messages.ts Settings), in chrome.storage.local so they
// survive restarts and reach every context.

import type { Settings } from '../shared/messages';
import { storageGet, storageSet } from '../shared/browser';

const KEY = 'settings';

export const DEFAULT_SETTINGS: Settings = { panel_enabled: true, sites: {}, notifications: true };

/** Most per-site entries kept: a page can't make the stored settings grow without bound. */
const MAX_SITES = 1000;

export async function getSettings(): Promise<Settings> {
  const stored = await storageGet<unknown>('local', KEY).catch(() => undefined);
  return readSettings(stored) ?? { ...DEFAULT_SETTINGS, sites: {} };
}

/** Validates `value` as Settings; null when it isn't one. Unknown fields are dropped. */
export function readSettings(value: unknown): Settings | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const sites: Settings['sites'] = {};
  if (typeof v.sites === 'object' && v.sites !== null && !Array.isArray(v.sites)) {
    for (const [host, s] of Object.entries(v.sites as Record<string, unknown>).slice(0, MAX_SITES)) {
      if (host.length > 253 || typeof s !== 'object' || s === null) continue;
      const panel = (s as { panel?: unknown }).panel;
      if (typeof panel === 'boolean') sites[host] = { panel };
    }
  }
  return {
    panel_enabled: typeof v.panel_enabled === 'boolean' ? v.panel_enabled : DEFAULT_SETTINGS.panel_enabled,
    sites,
    notifications: typeof v.notifications === 'boolean' ? v.notifications : DEFAULT_SETTINGS.notifications,
  };
}

export async function setSettings(s: Settings): Promise<Settings> {
  await storageSet('local', { [KEY]: s });
  return s;
}

/** Whether the in-page panel shows on `site` (the retailer: host name without "www."). */
export function panelEnabled(s: Settings, site: string): boolean {
  if (!s.panel_enabled) return false;
  return s.sites[site]?.panel ?? true;
}

export async function hideSite(host: string): Promise<Settings> {
  const s = await getSettings();
  s.sites[host] = { panel: false };
  return setSettings(s);
}
