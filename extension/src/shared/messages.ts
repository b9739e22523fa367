// The messages between the extension's contexts and the service worker: one typed union,
// the one place their names live (like native_host/protocol/wire.hpp for the host).
//
// Direction: content script / popup / options page --chrome.runtime.sendMessage--> service
// worker, which answers with a Reply. The service worker pushes Broadcasts to open extension
// pages (popup, options) with chrome.runtime.sendMessage; content scripts get only
// `panel.update` through chrome.tabs.sendMessage.
//
// Trust: a message from a content script (sender.tab set, sender.url a web page) may only be
// one of CONTENT_ALLOWED; the router refuses the rest with `not_allowed`. Nothing a content
// script receives ever holds a secret (there are none in the extension anyway: the vault
// stays in the agent).
//
// Money is always a decimal string with an ISO 4217 code, never a number.

import type { Product, StackResult } from '../../../wasm/dealstack_core.mjs';

export type { Product, StackResult };

/** A stable snake_case error code and a sentence for people. */
export interface ErrorValue {
  code: string;
  message: string;
}

export type Reply<T> = { ok: true; value: T } | { ok: false; error: ErrorValue };

// ---- what the agent's protocol returns (docs/protocol.md) ----------------------------

export interface Watch {
  id: number;
  url: string;
  variant: string | null;
  title: string | null;
  target_price: string | null;
  currency: string | null;
  /** Alert on a drop of this many basis points (1000 = 10 %). */
  drop_bp: number | null;
  notify_restock: boolean;
  notify_increase: boolean;
  interval_seconds: number;
  active_hours: { start_minute: number; end_minute: number } | null;
  created_at: number;
  last_check_at: number | null;
  state: 'active' | 'paused';
}

export interface HistoryDay {
  /** Unix ms of the UTC midnight. */
  day: number;
  min: string | null;
  max: string | null;
  last: string | null;
}

export interface History {
  watch_id: number;
  currency: string | null;
  days: HistoryDay[];
  last_check_at: number | null;
}

export interface Alert {
  id: number;
  watch_id: number;
  kind: string;
  kinds: string[];
  message: string;
  price: string | null;
  currency: string | null;
  at: number;
  acknowledged: boolean;
}

/** The shopper's wallet as the agent keeps it (wallet.get / wallet.set). */
export interface Wallet {
  /** Cards the shopper pays with (docs/stacking.md, `wallet.cards`). */
  cards: { id: string; name?: string; earn_percent?: string; reward_value_percent?: string }[];
  /** Programs the shopper belongs to: portal and shop memberships, by name. Offers whose
   *  `requires_membership` is not listed here are left out of the stack. */
  memberships: string[];
  /** 'use': discounted gift cards may be part of a stack; 'avoid': never. */
  gift_cards: 'use' | 'avoid';
  /** What one unit of portal cashback is worth, percent (preferences.cashback_value_percent). */
  cashback_value_percent: string;
  /** How the shopper pays ("direct", "paypal", "apple_pay"). */
  payment_path: string;
}

/** What vault.status says: never a secret, only whether the vault exists and is open. */
export interface VaultStatus {
  initialized: boolean;
  locked: boolean;
  /** What wraps the data key: the OS keyring (Secret Service) or the shopper's passphrase;
   *  null before `dealstack vault init`. */
  protection: 'keyring' | 'passphrase' | null;
  /** The vault locks itself after this many idle minutes (0: never). */
  auto_lock_minutes: number;
  /** How many entries it holds. */
  entries: number;
}

/** The kinds of vault entries (the issue 6 contract, section 2). */
export type VaultKind = 'account_token' | 'sync_key' | 'shop_session' | 'notify_secret';

/** The kinds the extension may write (vault.set): "account/*" entries belong to
 *  `dealstack sync login` and are never written from a browser. */
export type BrowserVaultKind = 'shop_session' | 'notify_secret';

/** One vault entry as vault.list shows it: metadata only. The agent never returns a secret. */
export interface VaultEntry {
  /** "shop/<host>", "notify/<channel>", "account/token", "account/sync_key". */
  id: string;
  kind: string;
  label: string;
  /** Unix ms. */
  created_at: number;
  updated_at: number;
}

export type SyncState = 'off' | 'idle' | 'syncing' | 'backing_off' | 'error' | 'vault_locked';

/** What sync.status (and the sync.updated event) says about the sync account. */
export interface SyncStatus {
  /** off: not logged in; idle: up to date; syncing: a round is running; backing_off: the
   *  server failed and the next attempt waits (next_attempt_at); error: stopped until the
   *  shopper acts (last_error, e.g. token_expired); vault_locked: waits for the vault. */
  state: SyncState;
  /** The server's base URL and the account's email, when logged in. */
  server: string | null;
  email: string | null;
  /** Unix ms of the last complete round, and of the next attempt when one is scheduled. */
  last_sync_at: number | null;
  next_attempt_at: number | null;
  /** Local changes not yet pushed (outbox rows). */
  pending: number;
  /** Synced records held. */
  records: number;
  last_error: ErrorValue | null;
  /** Unix ms the offers feed was last pulled; how many rule packs are held. */
  offers_synced_at: number | null;
  rules: number;
}

// ---- state the service worker computes ------------------------------------------------

/** Where the connection to the native host stands. */
export type HostState =
  | 'connecting'
  /** The host answered hello: the agent runs. */
  | 'connected'
  /** connectNative failed: the host isn't installed for this browser. */
  | 'host_missing'
  /** The host runs but can't reach or start the agent. */
  | 'agent_unavailable'
  /** The host refuses this extension's id (installed for another id). */
  | 'origin_not_allowed';

export interface HostStatus {
  state: HostState;
  /** From hello, when connected. */
  version: string | null;
  agent_pid: number | null;
  /** The last check of any watch (unix ms), when known. */
  last_check_at: number | null;
  /** The exact command that fixes it ("dealstack install --browser chromium"), else null. */
  fix: string | null;
  /** What went wrong, for people, else null. */
  message: string | null;
}

/** Whether the wasm core loaded in the service worker. */
export type CoreStatus = { state: 'ready' } | { state: 'failed'; error: ErrorValue } | { state: 'loading' };

/** Everything the popup shows about one tab. */
export interface TabState {
  tab_id: number;
  url: string;
  /** The shop, as offers name it: the page's host name without a leading "www.". */
  retailer: string;
  /** null: not a product page, or not read yet (see product_error). */
  product: Product | null;
  product_error: ErrorValue | null;
  /** The best stack for one unit of the product, or null (see stack_error). */
  stack: StackResult | null;
  stack_error: ErrorValue | null;
  /** How many offers the agent holds for this retailer. */
  offer_count: number;
  /** The watch on this url, if any. */
  watch: Watch | null;
  /** When the page was read (unix ms). */
  extracted_at: number;
  /** Milliseconds spent: collecting in the page, extracting in wasm, stacking. The optional
   *  ones (service worker, for the benchmark): digest_ms, the digest's collect + extract when
   *  a full read followed it; agent_wait_ms, waiting for the agent's offers, wallet and
   *  watches after extracting; total_ms, from the report's arrival to the state being ready
   *  (in memory, answering tab.state; the badge and storage.session follow). */
  timings: {
    collect_ms: number; extract_ms: number; stack_ms: number;
    digest_ms?: number; agent_wait_ms?: number; total_ms?: number;
    /** Epoch ms (with a fraction): the first report's collect began in the page (the digest's
     *  when a full read followed), and this state became ready in the service worker. */
    started_at?: number; ready_at?: number;
  };
  /** What the product was read from: 'digest' or 'full' (the HTML, after a digest that was
   *  not enough). Absent in states from before digests. */
  read_from?: 'digest' | 'full';
  /** The length of what was read, UTF-16 code units. */
  read_chars?: number;
  /** true when the page's HTML was cut at the content script's cap (3 MiB) before it was
   *  read: a product described further down may have been missed. */
  truncated?: boolean;
}

export interface Settings {
  /** The in-page panel, everywhere. Default true. */
  panel_enabled: boolean;
  /** Per-site overrides, by host name. */
  sites: Record<string, { panel: boolean }>;
  /** chrome.notifications for alerts. Default true. */
  notifications: boolean;
}

// ---- requests to the service worker -----------------------------------------------------

/** What a content script sends about its page. `html` is the page's HTML (capped), or a
 *  digest of the parts extraction reads; `collect_ms` the time collecting took. */
export interface PageReport {
  url: string;
  html: string;
  collect_ms: number;
  /** true when `html` was cut at the cap. */
  truncated: boolean;
  /** true when `html` is a digest (content/digest.ts) rather than the page's full HTML. The
   *  service worker answers {state: null, need_full: true} when the digest is not enough;
   *  the content script then sends the full HTML in a second page.report. Default false. */
  digest?: boolean;
  /** When the content script began collecting this report: epoch ms with a fraction
   *  (performance.timeOrigin + performance.now()), for the benchmark's attribution. */
  started_at?: number;
}

export type Request =
  // content scripts (CONTENT_ALLOWED)
  | { type: 'page.report'; page: PageReport }
  | { type: 'panel.get' }
  | { type: 'panel.hide_site' }
  // popup and options page
  | { type: 'tab.state'; tab_id: number }
  | { type: 'host.status' }
  | { type: 'host.retry' }
  | { type: 'core.status' }
  | { type: 'watch.add'; params: Partial<Watch> & { url: string } }
  | { type: 'watch.update'; params: Partial<Watch> & { id: number } }
  | { type: 'watch.remove'; id: number }
  | { type: 'watch.check'; id: number }
  | { type: 'watch.list' }
  | { type: 'history'; watch_id: number }
  | { type: 'alerts.list'; all?: boolean }
  | { type: 'alerts.ack'; id: number }
  | { type: 'wallet.get' }
  | { type: 'wallet.set'; wallet: Wallet }
  | { type: 'settings.get' }
  | { type: 'settings.set'; settings: Settings }
  // the vault and the sync account (options page; sync.status also the popup)
  | { type: 'vault.status' }
  | { type: 'vault.list' }
  /** The only message that carries a secret: the service worker passes it to the agent and
   *  keeps nothing (no log, no storage, no cache); the reply holds the entry's metadata. */
  | { type: 'vault.set'; id: string; kind: BrowserVaultKind; label: string; secret: string }
  | { type: 'vault.delete'; id: string }
  | { type: 'vault.lock' }
  | { type: 'sync.status' }
  | { type: 'sync.now' };

export type RequestType = Request['type'];

/** The only requests a content script may make. */
export const CONTENT_ALLOWED: readonly RequestType[] = ['page.report', 'panel.get', 'panel.hide_site'];

/** What each request answers with (the `value` of an ok Reply). */
export interface ReplyMap {
  /** need_full: the report was a digest that isn't enough (state is then null and nothing
   *  was stored): send the full HTML. Absent or false otherwise. */
  'page.report': { state: TabState | null; need_full?: boolean };
  'panel.get': { enabled: boolean; state: TabState | null };
  'panel.hide_site': { enabled: false };
  'tab.state': { state: TabState | null; host: HostStatus; core: CoreStatus; alerts: Alert[]; history: History | null };
  'host.status': HostStatus;
  'host.retry': HostStatus;
  'core.status': CoreStatus;
  'watch.add': Watch;
  'watch.update': Watch;
  'watch.remove': { removed: number };
  'watch.check': { watch: Watch; observation: unknown; changed: boolean; alert: Alert | null };
  'watch.list': { watches: Watch[] };
  'history': History;
  'alerts.list': { alerts: Alert[] };
  'alerts.ack': { acknowledged: number };
  'wallet.get': Wallet;
  'wallet.set': Wallet;
  'settings.get': Settings;
  'settings.set': Settings;
  'vault.status': VaultStatus;
  'vault.list': { entries: VaultEntry[] };
  'vault.set': { entry: VaultEntry };
  'vault.delete': { deleted: string };
  'vault.lock': { locked: true };
  'sync.status': SyncStatus;
  /** The status after one full round (push, pull, offers, rules). */
  'sync.now': SyncStatus;
}

// ---- pushed by the service worker -------------------------------------------------------

export type Broadcast =
  | { type: 'host.changed'; host: HostStatus }
  | { type: 'tab.changed'; tab_id: number }
  | { type: 'watch.changed'; watch: Watch | null; removed: number | null }
  | { type: 'alert'; alert: Alert }
  /** The agent's sync.updated event: the sync state or its last sync time changed. */
  | { type: 'sync.changed'; sync: SyncStatus }
  /** An entry was added, replaced or deleted, or the vault was locked, through this
   *  extension (the agent has no vault event): other open pages reload their vault view. */
  | { type: 'vault.changed' }
  /** To a content script: what its panel shows. */
  | { type: 'panel.update'; enabled: boolean; state: TabState | null };
