// Per-tab state: what the page showed, its best stack, and the badge. Kept in memory and
// mirrored to chrome.storage.session, so a service worker restarted by the browser (MV3
// workers stop when idle) still answers the popup for a page read before.

import type { StackResult, TabState } from '../shared/messages';
import { storageGet, storageRemove, storageSet, t, uiLanguage } from '../shared/browser';
import { compactMoney, compareDecimal, formatMoney, percentOf } from '../shared/money';

const states = new Map<number, TabState>();

function key(tabId: number): string {
  return `tab:${tabId}`;
}

export async function getTabState(tabId: number): Promise<TabState | null> {
  const mem = states.get(tabId);
  if (mem) return mem;
  const stored = await storageGet<TabState>('session', key(tabId)).catch(() => undefined);
  if (stored && typeof stored === 'object' && stored.tab_id === tabId) {
    states.set(tabId, stored);
    return stored;
  }
  return null;
}

/** Every tab with a state in memory (the panels to update after a settings change). */
export function knownTabs(): TabState[] {
  return [...states.values()];
}

/** The badge and storage writes of each tab, in order: a later state's writes never land
 *  before an earlier one's (nor a clear's before the state it clears). */
const writes = new Map<number, Promise<void>>();

function inOrder(tabId: number, fn: () => Promise<void>): Promise<void> {
  const next = (writes.get(tabId) ?? Promise.resolve()).then(fn).catch(() => undefined);
  writes.set(tabId, next);
  void next.then(() => {
    if (writes.get(tabId) === next) writes.delete(tabId);
  });
  return next;
}

/** The state answers getTabState at once (memory); the returned promise settles when the
 *  badge and the storage.session copy are written, which callers need not wait for. */
export function setTabState(state: TabState): Promise<void> {
  states.set(state.tab_id, state);
  return inOrder(state.tab_id, async () => {
    await setBadge(state.tab_id, state.stack);
    // storage.session holds 10 MiB in Chromium; a TabState is a few KiB (no HTML in it).
    await storageSet('session', { [key(state.tab_id)]: state }).catch(() => undefined);
  });
}

export function clearTabState(tabId: number): Promise<void> {
  const had = states.delete(tabId);
  return inOrder(tabId, async () => {
    await storageRemove('session', key(tabId)).catch(() => undefined);
    if (had) await setBadge(tabId, null);
  });
}

// ---- badge ------------------------------------------------------------------------------

/** The badge for a stack: "-12%" when the saving is a whole percent or more of the price,
 *  else the amount ("$5"); empty when nothing is saved. */
export function badgeText(stack: StackResult | null): string {
  if (!stack || compareDecimal(stack.savings, '0') !== 1) return '';
  const pct = percentOf(stack.savings, stack.totals.list_total);
  if (pct !== null && pct >= 1) return `-${Math.min(pct, 99)}%`;
  const short = compactMoney(stack.savings, stack.currency, uiLanguage());
  return short.length <= 4 ? short : '$';
}

/** The badge's tooltip: the saving, the price it comes to, and the steps. */
export function badgeTitle(stack: StackResult | null): string {
  const base = t('action_title');
  if (!stack || compareDecimal(stack.savings, '0') !== 1) return base;
  const lang = uiLanguage();
  const save = formatMoney(stack.savings, stack.currency, lang);
  const net = formatMoney(stack.net, stack.currency, lang);
  const steps = stack.steps.filter((s) => compareDecimal(s.saves, '0') === 1).map((s) => `• ${s.label}`);
  return [`${base}: ${t('badge_saving', [save, net])}`, ...steps].join('\n');
}

async function setBadge(tabId: number, stack: StackResult | null): Promise<void> {
  try {
    await chrome.action.setBadgeText({ tabId, text: badgeText(stack) });
    await chrome.action.setTitle({ tabId, title: badgeTitle(stack) });
    if (stack) await chrome.action.setBadgeBackgroundColor({ tabId, color: '#1a7f37' });
  } catch {
    // The tab closed meanwhile.
  }
}
