// A content script's page report -> the tab's state: extract the product with the wasm core,
// stack the retailer's offers for one unit, find the watch on the page, set the badge.

import type { Broadcast, ErrorValue, PageReport, StackResult, TabState, Wallet, Watch } from '../shared/messages';
import type { DealstackCore, Product } from '../../../wasm/dealstack_core.mjs';
import { getCore, toErrorValue, coreStatus } from './core';
import { findWatch, getOffers, getWallet, getWatches, DEFAULT_WALLET, type RetailerOffers } from './agent';
import { buildStackRequest, retailerOf } from './stacking';
import { getTabState, knownTabs, setTabState } from './tabs';
import { getSettings, panelEnabled } from './settings';

/** The most HTML a report may carry, in UTF-16 code units: the content script cuts at 3 MiB;
 *  the rest is slack for its marker. The core refuses more than it can handle anyway
 *  ("input_too_large"). */
export const MAX_HTML_CHARS = 3 * 1024 * 1024 + 1024;
export const MAX_URL_CHARS = 8192;
/** How long a page report waits for the agent's offers, wallet and watches, ms: past this
 *  the page is stacked without them (the popup must be quick even when the agent is slow). */
const AGENT_WAIT_MS = 3000;

export function withTimeout<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Where a digest's product may stand for the page's: a name, a price in a known currency
 *  read from structured data (JSON-LD, microdata or meta tags, which the digest holds whole),
 *  and a stock state. Otherwise the rest of the page might change it and the full HTML is
 *  read instead: a price only shown is weighed against the whole page (a listing shows many
 *  rival prices); a stock state the digest guessed as anything but in stock may be undone by
 *  an enabled buy button outside the product's corner (an enabled one inside it, in stock,
 *  is what the full page finds too: the extractor takes any enabled one). */
export function digestSuffices(product: Product | null): boolean {
  if (!product?.name || !product.price?.amount || !product.price.currency) return false;
  const from = product.sources.price;
  if (from !== 'json-ld' && from !== 'microdata' && from !== 'meta') return false;
  if (product.availability === 'Unknown') return false;
  return product.sources.availability !== 'heuristic' || product.availability === 'InStock';
}

/** What the digest cost per tab (collect + extract, ms) while its full read is on the way. */
const digestCost = new Map<number, { ms: number; started_at: number | undefined }>();

export interface PageReportResult {
  state: TabState | null;
  /** The report was a digest that isn't enough: nothing was stored; send the full HTML. */
  need_full: boolean;
}

export async function handlePageReport(page: PageReport, tabId: number): Promise<PageReportResult> {
  const t00 = performance.now();
  const retailer = retailerOf(page.url);
  const isDigest = page.digest === true;
  const state: TabState = {
    tab_id: tabId,
    url: page.url,
    retailer,
    product: null,
    product_error: null,
    stack: null,
    stack_error: null,
    offer_count: 0,
    watch: null,
    extracted_at: Date.now(),
    timings: { collect_ms: page.collect_ms, extract_ms: 0, stack_ms: 0 },
    truncated: page.truncated,
    read_from: isDigest ? 'digest' : 'full',
    read_chars: page.html.length,
  };
  const core = await getCore();
  if (!core) {
    const s = coreStatus();
    state.product_error = {
      code: 'wasm_load_failed',
      message: s.state === 'failed' ? s.error.message : 'the dealstack core did not load',
    };
    commit(state);
    return { state, need_full: false };
  }
  // Ask the agent while wasm extracts: all three are cached (agent.ts), so after the first
  // page of a shop this costs nothing.
  const agentData = Promise.all([
    withTimeout(getOffers(retailer), AGENT_WAIT_MS, null as RetailerOffers | null),
    withTimeout(getWallet(), AGENT_WAIT_MS, DEFAULT_WALLET),
    withTimeout(getWatches(), AGENT_WAIT_MS, [] as Watch[]),
  ]);
  let product: Product | null = null;
  const t0 = performance.now();
  try {
    product = core.extractProduct(page.html, page.url);
  } catch (e) {
    state.product_error = toErrorValue(e, 'internal_error');
  }
  state.timings.extract_ms = round(performance.now() - t0);
  if (isDigest && (page.truncated || !digestSuffices(product))) {
    digestCost.set(tabId, { ms: round(page.collect_ms + state.timings.extract_ms), started_at: page.started_at });
    if (digestCost.size > 500) digestCost.delete(digestCost.keys().next().value as number);
    return { state: null, need_full: true };
  }
  if (page.started_at !== undefined) state.timings.started_at = page.started_at;
  if (!isDigest) {
    const d = digestCost.get(tabId);
    if (d !== undefined) {
      state.timings.digest_ms = d.ms;
      if (d.started_at !== undefined) state.timings.started_at = d.started_at;
      digestCost.delete(tabId);
    }
  }
  state.product = product;
  const t1 = performance.now();
  const [offers, wallet, watches] = await agentData;
  state.timings.agent_wait_ms = round(performance.now() - t1);
  state.watch = findWatch(watches, [page.url, product?.url]);
  if (product) {
    const retailerOffers = offers ?? { retailer, rules: null, offers: [], imported_at: null };
    const t2 = performance.now();
    const { stack, error, offerCount } = stackFor(core, product, retailer, retailerOffers, wallet);
    state.timings.stack_ms = round(performance.now() - t2);
    state.stack = stack;
    state.stack_error = error;
    state.offer_count = offerCount;
  }
  const now = performance.now();
  state.timings.total_ms = round(now - t00);
  state.timings.ready_at = performance.timeOrigin + now;
  commit(state);
  return { state, need_full: false };
}

function stackFor(
  core: DealstackCore,
  product: Product,
  retailer: string,
  offers: RetailerOffers,
  wallet: Wallet,
): { stack: StackResult | null; error: ErrorValue | null; offerCount: number } {
  const request = buildStackRequest(product, retailer, offers, wallet);
  if ('code' in request) return { stack: null, error: request, offerCount: offers.offers.length };
  try {
    return { stack: core.stackDeals(request), error: null, offerCount: request.offers?.length ?? 0 };
  } catch (e) {
    return { stack: null, error: toErrorValue(e, 'internal_error'), offerCount: request.offers?.length ?? 0 };
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** The state answers tab.state from now on; open pages hear of it at once. The badge and the
 *  storage.session copy follow in the background (setTabState orders them per tab). */
function commit(state: TabState): void {
  void setTabState(state);
  broadcast({ type: 'tab.changed', tab_id: state.tab_id });
}

/** Pushes a Broadcast to open extension pages (popup, options). No page open is fine. */
export function broadcast(b: Broadcast): void {
  try {
    chrome.runtime.sendMessage(b).catch(() => undefined);
  } catch {
    // No receiver.
  }
}

/** Tells the content script of `tabId` (every known tab when null) what its panel shows. */
export async function pushPanel(tabId: number | null): Promise<void> {
  const settings = await getSettings();
  const tabs = tabId === null ? knownTabs() : [await getTabState(tabId)].filter((s): s is TabState => !!s);
  for (const state of tabs) {
    const b: Broadcast = { type: 'panel.update', enabled: panelEnabled(settings, state.retailer), state };
    chrome.tabs.sendMessage(state.tab_id, b, { frameId: 0 }).catch(() => undefined);
  }
}
