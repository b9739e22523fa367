// The content script: collects the page and asks the service worker to read it (wasm runs
// there, not here), and shows the optional in-page panel. It only collects and sends
// (style.md 13): it may send page.report, panel.get and panel.hide_site, nothing else.
//
// Pages are hostile input. Nothing here may throw into the page or stall it: every entry
// point is wrapped, the HTML is capped, and watching the page for changes is bounded (a page
// that rewrites itself forever gets a few re-reads, then is left alone).

import type { Broadcast, PageReport, TabState } from '../shared/messages';
import { send } from '../shared/browser';
import { renderPanel, removePanel } from './panel';
import { collectDigest } from './digest';

/** The most HTML sent, in UTF-16 code units (about 3 MiB of ASCII). Product data sits in
 *  the head and the top of the body on real pages; the core caps its input anyway. */
export const MAX_HTML_CHARS = 3 * 1024 * 1024;
/** Re-reads after the first one, at most, when the page's JSON-LD or title changes. */
const MAX_REREPORTS = 3;
/** Time between a change and the look at it (changes meanwhile are looked at together), ms. */
const THROTTLE_MS = 700;
/** Fingerprint checks at most (each one scans the JSON-LD scripts), then stop watching. */
const MAX_CHECKS = 60;
/** Stop watching the page this long after it loaded, ms. */
const WATCH_FOR_MS = 120_000;

/** The digest of the page (digest.ts): what extraction reads from structured data and the
 *  product's corner of the page, a few KB where the full HTML may be megabytes. */
function collectDigestReport(): PageReport {
  const t0 = performance.now();
  const started_at = performance.timeOrigin + t0;
  const d = collectDigest();
  const collect_ms = Math.round((performance.now() - t0) * 100) / 100;
  return { url: location.href, html: d.html, collect_ms, truncated: d.truncated, digest: true, started_at };
}

function collect(): PageReport {
  const t0 = performance.now();
  let html = document.documentElement?.outerHTML ?? '';
  let truncated = false;
  if (html.length > MAX_HTML_CHARS) {
    let end = MAX_HTML_CHARS;
    // Don't split a surrogate pair: a lone half would become U+FFFD on the way.
    const c = html.charCodeAt(end - 1);
    if (c >= 0xd800 && c <= 0xdbff) end--;
    html = html.slice(0, end);
    truncated = true;
  }
  const collect_ms = Math.round((performance.now() - t0) * 100) / 100;
  return { url: location.href, html, collect_ms, truncated, started_at: performance.timeOrigin + t0 };
}

/** What a re-read depends on: the JSON-LD blocks and the title. Cheap: lengths and the ends
 *  of each block, not the whole text (a hostile page can hold megabytes of JSON-LD). */
function fingerprint(): string {
  const parts: string[] = [document.title.slice(0, 300)];
  const scripts = document.querySelectorAll('script[type="application/ld+json" i]');
  const n = Math.min(scripts.length, 50);
  parts.push(String(scripts.length));
  for (let i = 0; i < n; i++) {
    const text = scripts[i]!.textContent ?? '';
    parts.push(`${text.length}:${text.slice(0, 200)}:${text.slice(-200)}`);
  }
  return parts.join('\u0000');
}

let reports = 0;
let lastPrint = '';
let settled = Promise.resolve();

/** Counts the report and notes the fingerprint now (so changes during the send are seen),
 *  then sends it after the previous one. */
function scheduleReport(): void {
  reports++;
  lastPrint = fingerprint();
  queue(report);
}

/** The digest first; the full HTML only when the service worker says the digest is not
 *  enough (no product in it, or fields the rest of the page might give). */
async function report(): Promise<void> {
  const digest = collectDigestReport();
  // A digest cut at one of its bounds may miss what decides the product: read it all.
  let reply = digest.truncated ? { state: null, need_full: true } : await send({ type: 'page.report', page: digest });
  if (reply.need_full) reply = await send({ type: 'page.report', page: collect() });
  await showPanel(reply.state);
}

async function showPanel(state: TabState | null): Promise<void> {
  const { enabled } = await send({ type: 'panel.get' });
  applyPanel(enabled, state);
}

function applyPanel(enabled: boolean, state: TabState | null): void {
  if (!enabled || !state?.product) {
    removePanel();
    return;
  }
  renderPanel(state, () => {
    removePanel();
    send({ type: 'panel.hide_site' }).catch(() => undefined);
  });
}

/** Runs `fn` after the previous report, swallowing every error: a failure here must never
 *  reach the page (an extension reload, for one, invalidates the context). */
function queue(fn: () => Promise<void>): void {
  settled = settled.then(fn).catch(() => undefined);
}

function watchForChanges(): void {
  if (typeof MutationObserver !== 'function') return;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let checks = 0;
  const started = Date.now();
  const observer = new MutationObserver(() => {
    // Called for every batch of mutations: only arm a timer, no work here. Not re-armed
    // while armed (a throttle, not a debounce): a page that never stops changing still gets
    // looked at, at most once per THROTTLE_MS.
    if (timer === null) timer = setTimeout(check, THROTTLE_MS);
  });
  const stop = (): void => {
    observer.disconnect();
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  function check(): void {
    timer = null;
    try {
      checks++;
      if (checks > MAX_CHECKS || Date.now() - started > WATCH_FOR_MS) {
        stop();
        return;
      }
      if (fingerprint() === lastPrint) return;
      scheduleReport();
      if (reports > MAX_REREPORTS) stop();
    } catch {
      stop();
    }
  }
  try {
    observer.observe(document.documentElement, { childList: true, subtree: true, characterData: true });
  } catch {
    return;
  }
  setTimeout(stop, WATCH_FOR_MS);
}

function listen(): void {
  chrome.runtime.onMessage.addListener((message: unknown, sender) => {
    try {
      if (sender.id !== chrome.runtime.id) return;
      const b = message as Broadcast;
      if (b && typeof b === 'object' && b.type === 'panel.update') applyPanel(b.enabled === true, b.state ?? null);
    } catch {
      // never into the page
    }
  });
}

function start(): void {
  try {
    // Only ordinary documents: not XML, not an image or a PDF viewer.
    if (!(document.documentElement instanceof HTMLHtmlElement)) return;
    listen();
    scheduleReport();
    watchForChanges();
  } catch {
    // never into the page
  }
}

// The manifest runs this script at document_start so that it can read the page the moment
// the DOM is complete: its own DOMContentLoaded listener, registered before any of the page's,
// runs first (deferred scripts have run by then). Chromium's document_end injection is a task
// posted after that event, which on a big page waits behind its first layout (tens of ms).
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
else start();
