// The checks on a vault entry the extension writes (vault.set), shared by the options page
// (to say what's wrong before anything is sent) and the service worker (which refuses a bad
// request whatever the page did). No DOM, no chrome.*: both contexts import it.
//
// A reason returned here is a fixed sentence key, never text built from the secret: an
// error message is shown, announced and may be logged by someone, and JSON.parse's own
// messages quote the input they failed on.

import type { BrowserVaultKind } from './messages';

/** The id prefix each writable kind uses (the issue 6 contract: "shop/<host>",
 *  "notify/<channel>"). */
export const KIND_PREFIX: Record<BrowserVaultKind, string> = {
  shop_session: 'shop/',
  notify_secret: 'notify/',
};

export const BROWSER_KINDS = Object.keys(KIND_PREFIX) as BrowserVaultKind[];

/** Largest secret the extension sends, UTF-16 code units (a shop session's cookies and
 *  headers fit many times over; the agent has its own limit too). */
export const MAX_SECRET_CHARS = 64 * 1024;
export const MAX_LABEL_CHARS = 200;
/** An id: 1..200 characters of [A-Za-z0-9._:/@+-] (the agent's vault::validate_id). */
const ID_RE = /^[A-Za-z0-9._:/@+-]{1,200}$/;
/** A shop's host name: lower-case labels of letters, digits and hyphens, with an optional
 *  port (a shop on a test server). */
const HOST_RE = /^(?=.{1,190}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::\d{1,5})?$/;
/** A notification channel's name ("ntfy", "telegram", "smtp", "webhook-home"). */
const CHANNEL_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
/** An HTTP token (RFC 9110): a header's or a cookie's name. */
const TOKEN_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/;

export type VaultEntryProblem =
  | 'vault_bad_kind'
  | 'vault_bad_id'
  | 'vault_bad_host'
  | 'vault_bad_channel'
  | 'vault_bad_label'
  | 'vault_empty_secret'
  | 'vault_secret_too_large'
  | 'vault_session_not_json'
  | 'vault_session_shape'
  | 'vault_session_empty'
  | 'vault_session_bad_name'
  | 'vault_session_bad_value'
  | 'vault_session_bad_cookie'
  | 'vault_session_too_many';

export function isBrowserKind(kind: unknown): kind is BrowserVaultKind {
  return typeof kind === 'string' && Object.prototype.hasOwnProperty.call(KIND_PREFIX, kind);
}

/** What follows the kind's prefix in an entry id ("shop.example" in "shop/shop.example"):
 *  a host name for a shop session, a channel name for a notification secret. */
export function nameProblem(kind: BrowserVaultKind, name: string): VaultEntryProblem | null {
  if (kind === 'shop_session') return HOST_RE.test(name) ? null : 'vault_bad_host';
  return CHANNEL_RE.test(name) ? null : 'vault_bad_channel';
}

/** Most cookies, and most headers, one shop session may hold (the agent's
 *  kMaxShopSessionItems). */
export const MAX_SESSION_ITEMS = 64;
/** A header value: printable ASCII and spaces (a CR or LF would split the request). */
const HEADER_VALUE_RE = /^[\x20-\x7e]*$/;
/** A cookie value: printable ASCII without spaces, ';', ',', '"' or '\\' (RFC 6265). */
const COOKIE_VALUE_RE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/;

/** A shop session's secret: a JSON object {"cookies":{name:value}, "headers":{name:value}}
 *  with at least one of the two, names HTTP tokens, values as the agent accepts them
 *  (native_host/vault/shop_session.hpp). */
export function sessionProblem(text: string): VaultEntryProblem | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'vault_session_not_json';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'vault_session_shape';
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.some((k) => k !== 'cookies' && k !== 'headers')) return 'vault_session_shape';
  let count = 0;
  for (const k of keys) {
    const part = o[k];
    if (typeof part !== 'object' || part === null || Array.isArray(part)) return 'vault_session_shape';
    const items = Object.entries(part as Record<string, unknown>);
    if (items.length > MAX_SESSION_ITEMS) return 'vault_session_too_many';
    for (const [name, v] of items) {
      if (!TOKEN_RE.test(name)) return 'vault_session_bad_name';
      if (typeof v !== 'string') return 'vault_session_bad_value';
      if (k === 'headers' ? !HEADER_VALUE_RE.test(v) : !COOKIE_VALUE_RE.test(v))
        return k === 'headers' ? 'vault_session_bad_value' : 'vault_session_bad_cookie';
      count++;
    }
  }
  return count ? null : 'vault_session_empty';
}

/** Everything about one vault.set request; null when it may be sent. */
export function entryProblem(e: { id: unknown; kind: unknown; label: unknown; secret: unknown }): VaultEntryProblem | null {
  if (!isBrowserKind(e.kind)) return 'vault_bad_kind';
  const prefix = KIND_PREFIX[e.kind];
  if (typeof e.id !== 'string' || !ID_RE.test(e.id) || !e.id.startsWith(prefix)) return 'vault_bad_id';
  const name = nameProblem(e.kind, e.id.slice(prefix.length));
  if (name) return name;
  if (typeof e.label !== 'string' || e.label.length > MAX_LABEL_CHARS || /[\u0000-\u001f\u007f]/.test(e.label)) return 'vault_bad_label';
  if (typeof e.secret !== 'string' || e.secret.trim() === '') return 'vault_empty_secret';
  if (e.secret.length > MAX_SECRET_CHARS) return 'vault_secret_too_large';
  if (e.kind === 'shop_session') return sessionProblem(e.secret);
  return null;
}
