// The digest: a small HTML document rebuilt from the live DOM holding only what the extractor
// (shared/extract/) reads for structured data, plus the product's own corner of the page.
// Reading it costs well under a millisecond where the full HTML of a 500 KB page costs tens
// (serialising, copying to the service worker, parsing in wasm). The service worker asks for
// the full HTML when the digest isn't enough (router/page.ts: digestSuffices).
//
// Kept whole (outerHTML), in document order:
//   - <title>, every <meta> (meta_tags.cpp reads them anywhere, og:* and product:* included),
//     <link rel=canonical>;
//   - every JSON-LD script, and Shopify's `var meta = {...}` script (extractor.cpp);
//   - microdata and RDFa: the outermost [itemscope]/[typeof] elements and [itemprop] ones
//     outside any scope (microdata.cpp's orphans);
//   - each <h1> with the nearest ancestor that still holds only a few hundred elements: the
//     title, the price beside it (a struck "was" price too), the stock phrase and the buy
//     button, which the visible-facts pass (heuristics.cpp) weighs against the structured
//     data (a stale feed saying in stock, a geo-priced page, the list price).
// Every kept element sits inside shallow copies of its ancestors (tag and attributes, no other
// children): a microdata scope keeps its item, and a "hidden" or "related products" ancestor
// still marks what is inside it.
//
// Bounded for hostile pages: at most MAX_CANDIDATES elements looked at, an element-count
// budget for sizing subtrees, MAX_DIGEST_CHARS in all; past any of these the digest says so
// (`truncated`) and the service worker reads the full HTML instead.

/** The most a digest holds, in UTF-16 code units. Larger structured data than this is rare;
 *  such a page is read from its full HTML. */
export const MAX_DIGEST_CHARS = 512 * 1024;
/** A subtree of at most this many elements is kept whole; a larger one (a scope on <body>) is
 *  kept as a shell and looked into. */
const MAX_SUBTREE_ELEMENTS = 1500;
/** The product's corner around an <h1>: the largest ancestor with at most this many
 *  elements, climbing at most MAX_REGION_LEVELS. */
const MAX_REGION_ELEMENTS = 400;
const MAX_REGION_LEVELS = 12;
/** <h1> elements looked at (the extractor picks the one most like the product's name). */
const MAX_TITLES = 8;
/** Elements the selector may return before the digest gives up (a page of 100,000 itemprops). */
const MAX_CANDIDATES = 4000;
/** Elements visited in all while sizing subtrees. */
const COUNT_BUDGET = 200_000;
/** Shopify's product object is looked for in inline scripts up to this size. */
const MAX_SHOP_SCRIPT_CHARS = 1024 * 1024;

export interface Digest {
  html: string;
  /** true when a bound was hit and something was left out: read the full HTML instead. */
  truncated: boolean;
}

const SELECTOR = [
  'title', 'meta', 'link[rel~="canonical" i]', 'script', '[itemscope]', '[typeof]', '[itemprop]', 'h1',
].join(',');

class Budget {
  left = COUNT_BUDGET;
  exhausted = false;
}

/** Elements in `el`'s subtree (itself included), counting at most `cap + 1`. */
function countUpTo(el: Element, cap: number, budget: Budget): number {
  let n = 1;
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_ELEMENT);
  while (n <= cap && walker.nextNode()) {
    n++;
    if (--budget.left <= 0) {
      budget.exhausted = true;
      return cap + 1;
    }
  }
  return n;
}

interface Kept {
  el: Element;
  /** Whole subtree (outerHTML) rather than a shell holding kept descendants. */
  whole: boolean;
  children: Kept[];
}

function isJsonLd(el: Element): boolean {
  return (el.getAttribute('type') ?? '').toLowerCase().includes('ld+json');
}

/** Shopify's product data (extractor.cpp read_shop_data): an inline script with "var meta". */
function isShopData(el: Element): boolean {
  if (el.hasAttribute('src')) return false;
  const text = el.textContent ?? '';
  return text.length <= MAX_SHOP_SCRIPT_CHARS && text.includes('var meta');
}

function escapeAttr(v: string): string {
  return v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/\u00a0/g, '&nbsp;');
}

function startTag(el: Element): string {
  let s = `<${el.localName}`;
  for (const a of Array.from(el.attributes)) s += ` ${a.name}="${escapeAttr(a.value)}"`;
  return `${s}>`;
}

export function collectDigest(): Digest {
  const root = document.documentElement;
  const budget = new Budget();
  let truncated = false;
  const kept = new Map<Element, Kept>();
  const top: Kept = { el: root, whole: false, children: [] };
  kept.set(root, top);

  /** Keeps `el` (whole, or as a shell) under shells of its ancestors. No-op when an ancestor
   *  is already kept whole. */
  function keep(el: Element, whole: boolean): void {
    const chain: Element[] = [];
    let node: Element | null = el;
    let at: Kept | undefined;
    while (node) {
      at = kept.get(node);
      if (at) break;
      chain.push(node);
      node = node.parentElement;
      if (--budget.left <= 0) {
        budget.exhausted = true;
        return;
      }
    }
    if (!at) return;  // not under <html> (cannot happen for querySelectorAll results)
    if (at.whole) return;
    if (chain.length === 0) {
      // Already kept as a shell: now wanted whole.
      if (whole) {
        at.whole = true;
        at.children = [];
      }
      return;
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      const k: Kept = { el: chain[i]!, whole: i === 0 && whole, children: [] };
      at.children.push(k);
      kept.set(k.el, k);
      at = k;
    }
  }

  /** Whether an ancestor of `el` is kept whole (then `el` is in the digest already). Walks up
   *  to the nearest kept ancestor; each step is charged to the budget (a page may nest its
   *  properties 100,000 deep). */
  function insideWhole(el: Element, b: Budget): boolean {
    for (let node = el.parentElement; node; node = node.parentElement) {
      const k = kept.get(node);
      if (k) return k.whole;
      if (--b.left <= 0) {
        b.exhausted = true;
        return true;
      }
    }
    return false;
  }

  const all = document.querySelectorAll(SELECTOR);
  if (all.length > MAX_CANDIDATES) truncated = true;
  const n = Math.min(all.length, MAX_CANDIDATES);
  let titles = 0;
  let titleSeen = false;
  let shopSeen = false;
  for (let i = 0; i < n && !budget.exhausted; i++) {
    const el = all[i]!;
    switch (el.localName) {
      case 'title':
        // meta_tags.cpp reads the first one only.
        if (!titleSeen) keep(el, true);
        titleSeen = true;
        continue;
      case 'meta':
      case 'link':
        keep(el, true);
        continue;
      case 'script':
        if (isJsonLd(el)) keep(el, true);
        else if (!shopSeen && isShopData(el)) {
          shopSeen = true;
          keep(el, true);
        }
        if (!el.hasAttribute('itemprop') && !el.hasAttribute('itemscope')) continue;
        break;
      case 'h1':
        if (titles < MAX_TITLES) {
          titles++;
          for (const r of regionOf(el, budget)) keep(r, true);
        }
        continue;
    }
    // A scope, or a property (of a scope kept as a shell, or an orphan): whole when small,
    // else a shell whose inside is looked at in turn. Inside a scope kept whole: nothing to do.
    if (!el.hasAttribute('itemscope') && !el.hasAttribute('typeof') && !el.hasAttribute('itemprop')) continue;
    if (insideWhole(el, budget)) continue;
    keep(el, countUpTo(el, MAX_SUBTREE_ELEMENTS, budget) <= MAX_SUBTREE_ELEMENTS);
  }
  if (budget.exhausted) truncated = true;

  const lang = root.getAttribute('lang');
  const out: string[] = ['<!doctype html>'];
  let size = 0;
  const write = (s: string): void => {
    out.push(s);
    size += s.length;
  };
  const byOrder = (a: Kept, b: Kept): number =>
    a.el.compareDocumentPosition(b.el) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
  function emit(k: Kept): void {
    if (size > MAX_DIGEST_CHARS) {
      truncated = true;
      return;
    }
    if (k.whole) {
      const html = k.el.outerHTML;
      if (size + html.length > MAX_DIGEST_CHARS) truncated = true;
      else write(html);
      return;
    }
    write(k === top ? `<html${lang !== null ? ` lang="${escapeAttr(lang)}"` : ''}>` : startTag(k.el));
    k.children.sort(byOrder);
    for (const c of k.children) emit(c);
    write(`</${k.el.localName}>`);
  }
  emit(top);
  return { html: out.join(''), truncated };
}

/** The product's corner around `h1`: its largest ancestor (itself included) holding at most
 *  MAX_REGION_ELEMENTS, then as many of that one's following siblings (and a few preceding
 *  ones) as fit in MAX_REGION_ELEMENTS more: the price and buy button of a page whose title
 *  sits straight in <body> or in a big container are beside it, not under it. */
function regionOf(h1: Element, budget: Budget): Element[] {
  let region = h1;
  let size = countUpTo(h1, MAX_REGION_ELEMENTS, budget);
  let node = h1.parentElement;
  for (let level = 0; node && level < MAX_REGION_LEVELS; level++, node = node.parentElement) {
    if (node === document.body || node === document.documentElement) break;
    const n = countUpTo(node, MAX_REGION_ELEMENTS, budget);
    if (n > MAX_REGION_ELEMENTS) break;
    region = node;
    size = n;
  }
  const out = [region];
  let left = MAX_REGION_ELEMENTS;
  for (let sib = region.nextElementSibling; sib && left > 0; sib = sib.nextElementSibling) {
    const n = countUpTo(sib, left, budget);
    if (n > left) break;
    out.push(sib);
    left -= n;
  }
  left = Math.min(MAX_REGION_ELEMENTS / 4, MAX_REGION_ELEMENTS - size);
  for (let sib = region.previousElementSibling; sib && left > 0; sib = sib.previousElementSibling) {
    const n = countUpTo(sib, left, budget);
    if (n > left) break;
    out.push(sib);
    left -= n;
  }
  return out;
}
