// The one port to the native host (docs/protocol.md). The browser starts `dealstack` for
// it; the host relays to the per-user agent. Like Bitwarden's nativeMessaging.background.ts:
// an id per request, a timeout each, a map of pending requests, all of them rejected when
// the port goes away, then a reconnect with backoff.
//
// Replies over the browser's 1 MiB limit come as `chunk` messages, reassembled here. The
// first thing sent on a new port is `hello`; its answer (or the host's error frame with id
// null, or chrome.runtime.lastError on disconnect) decides the HostStatus the popup shows.

import type { HostState, HostStatus } from '../shared/messages';

/** The host's name: kHostName in native_host/install/manifest.hpp. */
export const HOST_NAME = 'com.dealstack.host';

/** Per-request timeout (ms) unless the method has its own. */
export const DEFAULT_TIMEOUT_MS = 15_000;
/** Methods that take longer: watch.check fetches a shop page (with its own retries);
 *  sync.now runs a whole round against the sync server (push, pull, offers, rule packs). */
const METHOD_TIMEOUT_MS: Record<string, number> = { 'watch.check': 90_000, 'sync.now': 120_000 };

/** Reconnect delays after the port closes, ms: doubled from the first up to the last. */
const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 30_000;

/** Reassembly bounds: a reply of at most 64 MiB in at most 1024 parts; a partial reply is
 *  dropped when no part came for 60 s. */
const CHUNK_MAX_COUNT = 1024;
const CHUNK_MAX_BYTES = 64 * 1024 * 1024;
const CHUNK_STALE_MS = 60_000;

/** An error from the host or the port, with its stable code ("not_found", "timeout",
 *  "host_missing", "agent_unavailable", ...). */
export class HostError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'HostError';
    this.code = code;
  }
}

interface Pending {
  method: string;
  resolve: (value: unknown) => void;
  reject: (e: HostError) => void;
  timer: ReturnType<typeof setTimeout>;
}

interface Partial {
  parts: (string | undefined)[];
  received: number;
  bytes: number;
  touched: number;
}

/** The exact command that installs the host for this build's browser. */
export function installFix(): string {
  return `dealstack install --browser ${__BROWSER__}`;
}

/** The port's transport: chrome.runtime.connectNative by default; tests of the reassembly
 *  and timeouts pass their own (the real host is used by the browser tests). */
export interface PortLike {
  postMessage(message: unknown): void;
  disconnect(): void;
  onMessage: { addListener(cb: (message: unknown) => void): void };
  onDisconnect: { addListener(cb: () => void): void };
}

export interface NativePortOptions {
  connect?: () => PortLike;
  /** Read after a disconnect: why the port closed (chrome.runtime.lastError). */
  lastError?: () => string | undefined;
  timeoutFor?: (method: string) => number;
}

export type EventListener = (event: string, data: unknown) => void;
export type StatusListener = (status: HostStatus) => void;

export class NativePort {
  private port: PortLike | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly partial = new Map<string, Partial>();
  private status: HostStatus = emptyStatus('connecting');
  /** The error frame (id null) the host sent before hanging up, if any: it explains the
   *  disconnect better than lastError's "Native host has exited." */
  private hostError: { code: string; message: string } | null = null;
  private backoff = BACKOFF_FIRST_MS;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private helloWaiters: (() => void)[] = [];
  private readonly eventListeners: EventListener[] = [];
  private readonly statusListeners: StatusListener[] = [];
  private readonly connectFn: () => PortLike;
  private readonly lastErrorFn: () => string | undefined;
  private readonly timeoutFor: (method: string) => number;

  constructor(options: NativePortOptions = {}) {
    this.connectFn = options.connect ?? (() => chrome.runtime.connectNative(HOST_NAME) as unknown as PortLike);
    this.lastErrorFn = options.lastError ?? (() => chrome.runtime.lastError?.message);
    this.timeoutFor = options.timeoutFor ?? ((m) => METHOD_TIMEOUT_MS[m] ?? DEFAULT_TIMEOUT_MS);
  }

  onEvent(listener: EventListener): void {
    this.eventListeners.push(listener);
  }

  onStatus(listener: StatusListener): void {
    this.statusListeners.push(listener);
  }

  getStatus(): HostStatus {
    return { ...this.status };
  }

  /** Notes the last check time the agent reports (watch.updated, watch.list). */
  noteLastCheck(at: number | null): void {
    if (at !== null && (this.status.last_check_at === null || at > this.status.last_check_at))
      this.setStatus({ ...this.status, last_check_at: at });
  }

  /** Opens the port now (if it isn't open) and resolves once hello answered or the port
   *  failed, at the latest after `waitMs`. host.retry uses it. */
  async reconnectNow(waitMs = 5000): Promise<HostStatus> {
    this.backoff = BACKOFF_FIRST_MS;
    if (this.reconnectTimer !== null) {
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = null;
    }
    if (!this.port) this.open();
    if (this.status.state === 'connecting') {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        this.helloWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.getStatus();
  }

  /** Sends `method` and resolves with its result; rejects with a HostError carrying the
   *  agent's code, "timeout", or the port's state when it closes first. Opens the port
   *  if needed, unless a reconnect is already scheduled after a failure (then the request
   *  fails at once with that failure, so the popup doesn't wait for a host that's missing). */
  request<T = unknown>(method: string, params?: unknown): Promise<T> {
    if (!this.port) {
      if (this.reconnectTimer !== null && this.status.state !== 'connecting')
        return Promise.reject(new HostError(this.status.state, this.status.message ?? this.status.state));
      this.open();
    }
    const port = this.port;
    if (!port) return Promise.reject(new HostError(this.status.state, this.status.message ?? 'no port'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timeout = this.timeoutFor(method);
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new HostError('timeout', `${method}: no answer from the dealstack agent within ${timeout / 1000} s`));
      }, timeout);
      this.pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject, timer });
      try {
        port.postMessage(params === undefined ? { id, method } : { id, method, params });
      } catch (e) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new HostError('agent_unavailable', e instanceof Error ? e.message : String(e)));
      }
    });
  }

  // ---- the port ------------------------------------------------------------------------

  private open(): void {
    this.reconnectTimer = null;
    this.hostError = null;
    this.partial.clear();
    this.setStatus({ ...emptyStatus('connecting'), last_check_at: this.status.last_check_at });
    let port: PortLike;
    try {
      port = this.connectFn();
    } catch (e) {
      // Firefox throws synchronously for a missing host; Chromium reports it on disconnect.
      this.closed(e instanceof Error ? e.message : String(e));
      return;
    }
    this.port = port;
    port.onMessage.addListener((m) => {
      if (this.port === port) this.receive(m);
    });
    port.onDisconnect.addListener(() => {
      if (this.port === port) this.closed(this.lastErrorFn());
    });
    this.request<{ version?: unknown; agent_pid?: unknown }>('hello').then(
      (hello) => {
        this.backoff = BACKOFF_FIRST_MS;
        this.setStatus({
          state: 'connected',
          version: typeof hello.version === 'string' ? hello.version : null,
          agent_pid: typeof hello.agent_pid === 'number' ? hello.agent_pid : null,
          last_check_at: this.status.last_check_at,
          fix: null,
          message: null,
        });
        this.wakeHelloWaiters();
      },
      () => {
        // closed() has set the state (or the hello timed out: treat as unavailable).
        if (this.status.state === 'connecting') {
          this.setStatus(describeFailure('agent_unavailable', 'the dealstack agent did not answer', this.status));
          this.port?.disconnect();
          this.closed(undefined);
        }
      },
    );
  }

  private closed(lastError: string | undefined): void {
    this.port = null;
    this.partial.clear();
    const state = classify(lastError, this.hostError);
    const message = this.hostError?.message ?? lastError ?? 'the dealstack host closed the connection';
    this.setStatus(describeFailure(state, message, this.status));
    const code = state === 'host_missing' || state === 'origin_not_allowed' ? state : 'agent_unavailable';
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(new HostError(code, message));
    }
    this.wakeHelloWaiters();
    // A missing host stays missing until someone installs it: retry rarely (host.retry
    // reconnects at once); an agent that went away is usually back within seconds.
    const delay = state === 'host_missing' || state === 'origin_not_allowed' ? BACKOFF_MAX_MS : this.backoff;
    this.backoff = Math.min(this.backoff * 2, BACKOFF_MAX_MS);
    this.reconnectTimer = setTimeout(() => this.open(), delay);
  }

  private receive(message: unknown): void {
    if (!isObject(message)) return;
    if (isObject(message.chunk)) {
      const whole = this.reassemble(message.chunk);
      if (whole === null) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(whole);
      } catch {
        return;  // a broken reply: its request times out
      }
      this.receive(parsed);
      return;
    }
    if (typeof message.event === 'string') {
      for (const l of this.eventListeners) {
        try {
          l(message.event, message.data);
        } catch {
          // A listener's bug must not stop the port.
        }
      }
      return;
    }
    const id = message.id;
    const error = isObject(message.error) ? message.error : null;
    if (id === null || id === undefined) {
      // The host's own error before it hangs up (origin_not_allowed, agent_unavailable,
      // frame_too_large): remember it for the disconnect that follows.
      if (error) this.hostError = { code: String(error.code), message: String(error.message ?? error.code) };
      return;
    }
    if (typeof id !== 'number') return;
    const p = this.pending.get(id);
    if (!p) return;  // timed out already
    this.pending.delete(id);
    clearTimeout(p.timer);
    if (error) p.reject(new HostError(String(error.code), String(error.message ?? error.code)));
    else p.resolve(message.result);
  }

  /** Adds one chunk; returns the whole reply's text once every part is in, else null. */
  private reassemble(chunk: Record<string, unknown>): string | null {
    const { index, count, data } = chunk;
    if (!Number.isInteger(index) || !Number.isInteger(count) || typeof data !== 'string') return null;
    const n = count as number;
    const i = index as number;
    if (n < 1 || n > CHUNK_MAX_COUNT || i < 0 || i >= n) return null;
    const key = JSON.stringify(chunk.id ?? null);
    const now = Date.now();
    for (const [k, v] of this.partial) if (now - v.touched > CHUNK_STALE_MS) this.partial.delete(k);
    let entry = this.partial.get(key);
    if (!entry || entry.parts.length !== n) {
      entry = { parts: new Array<string | undefined>(n), received: 0, bytes: 0, touched: now };
      this.partial.set(key, entry);
    }
    if (entry.parts[i] === undefined) {
      entry.received++;
      entry.bytes += data.length;
    }
    entry.parts[i] = data;
    entry.touched = now;
    if (entry.bytes > CHUNK_MAX_BYTES) {
      this.partial.delete(key);
      return null;
    }
    if (entry.received < n) return null;
    this.partial.delete(key);
    return entry.parts.join('');
  }

  private setStatus(status: HostStatus): void {
    const changed = JSON.stringify(status) !== JSON.stringify(this.status);
    this.status = status;
    if (!changed) return;
    for (const l of this.statusListeners) {
      try {
        l(this.getStatus());
      } catch {
        // ignore listener bugs
      }
    }
  }

  private wakeHelloWaiters(): void {
    const waiters = this.helloWaiters;
    this.helloWaiters = [];
    for (const w of waiters) w();
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function emptyStatus(state: HostState): HostStatus {
  return { state, version: null, agent_pid: null, last_check_at: null, fix: null, message: null };
}

/** Why the port closed, from the host's last error frame or the browser's lastError. */
export function classify(lastError: string | undefined, hostError: { code: string } | null): HostState {
  if (hostError?.code === 'origin_not_allowed') return 'origin_not_allowed';
  if (hostError) return 'agent_unavailable';
  const text = (lastError ?? '').toLowerCase();
  // Chromium: "Specified native messaging host not found."; Firefox: "No such native
  // application com.dealstack.host", or an "Attempt to postMessage on disconnected port".
  if (text.includes('not found') || text.includes('no such native application')) return 'host_missing';
  // Chromium: "Access to the specified native messaging host is forbidden." (the host
  // manifest doesn't list this extension).
  if (text.includes('forbidden')) return 'origin_not_allowed';
  return 'agent_unavailable';
}

function describeFailure(state: HostState, message: string, previous: HostStatus): HostStatus {
  let fix: string | null = null;
  if (state === 'host_missing') fix = installFix();
  else if (state === 'origin_not_allowed')
    fix = __BROWSER__ === 'chromium' ? `${installFix()} --extension-id ${chrome.runtime.id}` : installFix();
  else if (state === 'agent_unavailable') fix = 'dealstack doctor';
  return { state, version: null, agent_pid: null, last_check_at: previous.last_check_at, fix, message };
}
