// The vault and the sync account, as the service worker relays them to the options page and
// the popup (docs/protocol.md, vault.* and sync.*). The agent answers; what comes back is
// read into the typed shapes of ../shared/messages.ts (a wrong type becomes an
// `invalid_reply` error, never a page drawing garbage).
//
// Secrets: vault.set is the one request that carries one. It goes straight from the message
// to the port and nowhere else: not into a cache, storage, a log line or an error message
// (the NativePort keeps a request's method name for its timeout message, not its params).

import type { SyncState, SyncStatus, VaultEntry, VaultStatus } from '../shared/messages';
import { port } from './agent';
import { HostError } from './native_port';

/** How long a sync.status answer is reused, ms: the popup asks on each opening, and the
 *  agent's sync.updated event refreshes it whenever the state or the last sync time moves. */
const SYNC_TTL_MS = 10_000;

let syncCache: { at: number; value: Promise<SyncStatus> } | null = null;

const STATES: ReadonlySet<string> = new Set<SyncState>(['off', 'idle', 'syncing', 'backing_off', 'error', 'vault_locked']);

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const msOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const strOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const count = (v: unknown): number => (Number.isSafeInteger(v) && (v as number) >= 0 ? (v as number) : 0);

function invalid(what: string): HostError {
  return new HostError('invalid_reply', `the dealstack agent's ${what} answer is not what this extension understands`);
}

/** A sync.status object (reply or event data), or null when it isn't one. */
export function readSyncStatus(v: unknown): SyncStatus | null {
  if (!isObj(v) || typeof v.state !== 'string' || !STATES.has(v.state)) return null;
  const e = v.last_error;
  return {
    state: v.state as SyncState,
    server: strOrNull(v.server),
    email: strOrNull(v.email),
    last_sync_at: msOrNull(v.last_sync_at),
    next_attempt_at: msOrNull(v.next_attempt_at),
    pending: count(v.pending),
    records: count(v.records),
    last_error: isObj(e) && typeof e.code === 'string'
      ? { code: e.code, message: typeof e.message === 'string' ? e.message : e.code }
      : null,
    offers_synced_at: msOrNull(v.offers_synced_at),
    rules: count(v.rules),
  };
}

/** The sync status, from the cache when fresh; throws the port's error (the pages show it,
 *  the popup hides its line). A failure is not cached. */
export function getSyncStatus(): Promise<SyncStatus> {
  if (syncCache && Date.now() - syncCache.at < SYNC_TTL_MS) return syncCache.value;
  const entry = {
    at: Date.now(),
    value: port.request<unknown>('sync.status').then((r) => {
      const s = readSyncStatus(r);
      if (!s) throw invalid('sync.status');
      return s;
    }),
  };
  entry.value.catch(() => {
    if (syncCache === entry) syncCache = null;
  });
  syncCache = entry;
  return entry.value;
}

/** One full sync round now; the answer becomes the cached status. */
export async function syncNow(): Promise<SyncStatus> {
  const s = readSyncStatus(await port.request<unknown>('sync.now'));
  if (!s) throw invalid('sync.now');
  noteSyncStatus(s);
  return s;
}

/** A status the agent pushed (sync.updated) or answered: it is the freshest there is. */
export function noteSyncStatus(s: SyncStatus): void {
  syncCache = { at: Date.now(), value: Promise.resolve(s) };
}

/** Forgets the cached status (a new agent). */
export function forgetSync(): void {
  syncCache = null;
}

export function readVaultStatus(v: unknown): VaultStatus {
  if (!isObj(v) || typeof v.initialized !== 'boolean' || typeof v.locked !== 'boolean') throw invalid('vault.status');
  return {
    initialized: v.initialized,
    locked: v.locked,
    protection: v.protection === 'keyring' || v.protection === 'passphrase' ? v.protection : null,
    auto_lock_minutes: count(v.auto_lock_minutes),
    entries: count(v.entries),
  };
}

/** One entry's metadata. Only the listed fields are copied: should an agent ever send more,
 *  it goes no further than this function. */
export function readEntry(v: unknown): VaultEntry | null {
  if (!isObj(v) || typeof v.id !== 'string' || typeof v.kind !== 'string') return null;
  return {
    id: v.id,
    kind: v.kind,
    label: typeof v.label === 'string' ? v.label : '',
    created_at: msOrNull(v.created_at) ?? 0,
    updated_at: msOrNull(v.updated_at) ?? msOrNull(v.created_at) ?? 0,
  };
}

export async function vaultStatus(): Promise<VaultStatus> {
  return readVaultStatus(await port.request<unknown>('vault.status'));
}

export async function vaultList(): Promise<{ entries: VaultEntry[] }> {
  const r = await port.request<unknown>('vault.list');
  if (!isObj(r) || !Array.isArray(r.entries)) throw invalid('vault.list');
  return { entries: r.entries.map(readEntry).filter((e): e is VaultEntry => e !== null) };
}

/** Writes one entry. `secret` is passed on and dropped; the reply carries metadata only. */
export async function vaultSet(id: string, kind: string, label: string, secret: string): Promise<{ entry: VaultEntry }> {
  const r = await port.request<unknown>('vault.set', { id, kind, label, secret });
  const entry = isObj(r) ? readEntry(r.entry) : null;
  if (!entry) throw invalid('vault.set');
  return { entry };
}

export async function vaultDelete(id: string): Promise<{ deleted: string }> {
  await port.request<unknown>('vault.delete', { id });
  return { deleted: id };
}

export async function vaultLock(): Promise<{ locked: true }> {
  await port.request<unknown>('vault.lock');
  return { locked: true };
}
