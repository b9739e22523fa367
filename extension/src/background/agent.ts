// What the service worker asks the agent for, with small caches: the offers per retailer
// (offers.get), the wallet (wallet.get) and the watch list (to find the watch on a tab's
// url). Every reader degrades to "nothing" when the host is missing, so a product page still
// gets its product and an (empty) stack.

import type { Wallet, Watch } from '../shared/messages';
import type { StackOffer, RetailerRules } from '../../../wasm/dealstack_core.mjs';
import { NativePort } from './native_port';

export const port = new NativePort();

/** How long offers for one retailer are reused, ms. The agent only changes them on
 *  `offers import`, and says so with an `offers.updated` event, which empties the cache. */
const OFFERS_TTL_MS = 5 * 60_000;
/** How long a failed offers.get (host missing, old agent) is remembered, ms. */
const OFFERS_FAILED_TTL_MS = 30_000;
const WALLET_TTL_MS = 60_000;
const WATCHES_TTL_MS = 60_000;

/** One retailer's offers as offers.get returns them; `requires_membership` is ours to
 *  filter (see stacking.ts), the stacker doesn't know it. */
export type AgentOffer = StackOffer & { requires_membership?: string };

export interface RetailerOffers {
  retailer: string;
  rules: RetailerRules | null;
  offers: AgentOffer[];
  imported_at: number | null;
}

export const DEFAULT_WALLET: Wallet = {
  cards: [],
  memberships: [],
  gift_cards: 'use',
  cashback_value_percent: '100',
  payment_path: 'direct',
};

interface Cached<T> {
  at: number;
  ttl: number;
  value: Promise<T>;
}

const offersCache = new Map<string, Cached<RetailerOffers>>();
let walletCache: Cached<Wallet> | null = null;
let watchesCache: Cached<Watch[]> | null = null;

function fresh<T>(c: Cached<T> | null | undefined): c is Cached<T> {
  return !!c && Date.now() - c.at < c.ttl;
}

/** The retailer's offers; none when the agent can't say (missing host, unknown retailer). */
export function getOffers(retailer: string): Promise<RetailerOffers> {
  const hit = offersCache.get(retailer);
  if (fresh(hit)) return hit.value;
  const entry: Cached<RetailerOffers> = { at: Date.now(), ttl: OFFERS_TTL_MS, value: Promise.resolve(emptyOffers(retailer)) };
  entry.value = port.request<unknown>('offers.get', { retailer }).then(
    (r) => readOffers(retailer, r),
    () => {
      entry.ttl = OFFERS_FAILED_TTL_MS;
      return emptyOffers(retailer);
    },
  );
  offersCache.set(retailer, entry);
  if (offersCache.size > 200) offersCache.delete(offersCache.keys().next().value as string);
  return entry.value;
}

function emptyOffers(retailer: string): RetailerOffers {
  return { retailer, rules: null, offers: [], imported_at: null };
}

function readOffers(retailer: string, r: unknown): RetailerOffers {
  if (typeof r !== 'object' || r === null) return emptyOffers(retailer);
  const o = r as Record<string, unknown>;
  return {
    retailer,
    rules: typeof o.rules === 'object' && o.rules !== null ? (o.rules as RetailerRules) : null,
    offers: Array.isArray(o.offers) ? (o.offers.filter((x) => typeof x === 'object' && x !== null) as AgentOffer[]) : [],
    imported_at: typeof o.imported_at === 'number' ? o.imported_at : null,
  };
}

/** The wallet, or the defaults when the agent has none or can't be reached. */
export function getWallet(): Promise<Wallet> {
  if (fresh(walletCache)) return walletCache.value;
  const entry: Cached<Wallet> = { at: Date.now(), ttl: WALLET_TTL_MS, value: Promise.resolve(DEFAULT_WALLET) };
  entry.value = port.request<Wallet>('wallet.get').then(
    (w) => ({ ...DEFAULT_WALLET, ...w }),
    () => {
      entry.ttl = OFFERS_FAILED_TTL_MS;
      return DEFAULT_WALLET;
    },
  );
  walletCache = entry;
  return entry.value;
}

export function walletChanged(w: Wallet): void {
  walletCache = { at: Date.now(), ttl: WALLET_TTL_MS, value: Promise.resolve(w) };
}

/** Every watch; [] when the agent can't be reached. */
export function getWatches(): Promise<Watch[]> {
  if (fresh(watchesCache)) return watchesCache.value;
  const entry: Cached<Watch[]> = { at: Date.now(), ttl: WATCHES_TTL_MS, value: Promise.resolve([]) };
  entry.value = port.request<{ watches: Watch[] }>('watch.list').then(
    (r) => {
      const list = Array.isArray(r?.watches) ? r.watches : [];
      for (const w of list) port.noteLastCheck(w.last_check_at);
      return list;
    },
    () => {
      entry.ttl = OFFERS_FAILED_TTL_MS;
      return [];
    },
  );
  watchesCache = entry;
  return entry.value;
}

/** Every watch, fresh from the agent; throws the port's error (the options page shows it,
 *  unlike the readers above that fall back to nothing). Refreshes the cache. */
export async function listWatches(): Promise<Watch[]> {
  const r = await port.request<{ watches: Watch[] }>('watch.list');
  const list = Array.isArray(r?.watches) ? r.watches : [];
  for (const w of list) port.noteLastCheck(w.last_check_at);
  watchesCache = { at: Date.now(), ttl: WATCHES_TTL_MS, value: Promise.resolve(list) };
  return list;
}

/** Forgets the watch list (after watch.updated, or a reconnect). */
export function watchesChanged(): void {
  watchesCache = null;
}

/** The agent imported a new offer feed (its `offers.updated` event): every retailer's
 *  cached offers, including "none", are stale. */
export function offersChanged(): void {
  offersCache.clear();
}

/** Forgets everything cached from the agent (a new agent may hold other data). */
export function forgetAgentData(): void {
  offersCache.clear();
  walletCache = null;
  watchesCache = null;
}

/** The watch on `url` (or on the product's canonical url), if any. */
export function findWatch(watches: Watch[], urls: (string | null | undefined)[]): Watch | null {
  const want = new Set(urls.filter((u): u is string => !!u).map(normalizeUrl));
  return watches.find((w) => want.has(normalizeUrl(w.url))) ?? null;
}

function normalizeUrl(u: string): string {
  try {
    const url = new URL(u);
    url.hash = '';
    return url.href;
  } catch {
    return u;
  }
}
