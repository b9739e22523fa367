// The content script against pages that change, in headless Chromium with the real built
// extension: a page whose JSON-LD changes after load is read again; a page that rewrites
// itself forever is read a bounded number of times and stays responsive; a page over the
// 3 MiB cap is cut, marked truncated, and its product (in the head) still read; a big page
// with complete structured data is read from the content script's digest alone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, missingPrerequisite, servePages, waitFor } from '../support/browser.mjs';

const skip = missingPrerequisite('chromium') ?? false;

const ld = (name, price) => JSON.stringify({
  '@context': 'https://schema.org', '@type': 'Product', name,
  offers: { '@type': 'Offer', price, priceCurrency: 'EUR' },
});

const PAGES = {
  // The price changes once, 1.5 s after load (a shop's script fetching the real price).
  '/late-price': `<!doctype html><html><head><title>Mug</title>
    <script type="application/ld+json" id="ld">${ld('Mug', '12.00')}</script></head><body><p>Mug</p>
    <script>setTimeout(() => { document.getElementById('ld').textContent = ${JSON.stringify(ld('Mug', '9.50'))}; }, 1500);</script>
    </body></html>`,
  // Rewrites its JSON-LD and its body every 50 ms, forever.
  '/restless': `<!doctype html><html><head><title>Lamp</title>
    <script type="application/ld+json" id="ld">${ld('Lamp', '10.00')}</script></head><body><div id="b"></div>
    <script>let n = 0; setInterval(() => { n++;
      document.getElementById('ld').textContent = JSON.stringify({ '@context': 'https://schema.org', '@type': 'Product',
        name: 'Lamp', offers: { '@type': 'Offer', price: String(10 + n) + '.00', priceCurrency: 'EUR' } });
      document.getElementById('b').replaceChildren(...Array.from({ length: 50 }, (_, i) => Object.assign(document.createElement('p'), { textContent: n + ':' + i })));
    }, 50);</script></body></html>`,
  // The product in the head (no stock state: the digest is not enough, the full HTML is
  // read), then 5 MB of body.
  '/huge': `<!doctype html><html><head><title>Rug</title>
    <script type="application/ld+json">${ld('Rug', '199.00')}</script></head><body>${'<p>filler text for a very long page</p>\n'.repeat(130_000)}</body></html>`,
  // The same with a complete product: the digest alone is read, a few hundred bytes.
  '/huge-complete': `<!doctype html><html><head><title>Rug</title>
    <script type="application/ld+json">${JSON.stringify({ '@context': 'https://schema.org', '@type': 'Product', name: 'Rug',
      offers: { '@type': 'Offer', price: '199.00', priceCurrency: 'EUR', availability: 'https://schema.org/InStock' } })}</script>
    </head><body>${'<p>filler text for a very long page</p>\n'.repeat(130_000)}</body></html>`,
};

let pages;
let base;
let b;

before(async () => {
  if (skip) return;
  pages = await servePages(PAGES);
  base = pages.base;
  b = await launchBrowser();
});

after(async () => {
  await b?.close();
  pages?.close();
});

test('a page whose JSON-LD changes after load is read again', { skip, timeout: 30_000 }, async () => {
  const page = await b.context.newPage();
  await page.goto(`${base}/late-price`);
  const tabId = await b.tabIdOf(page);
  const first = await b.waitForTabState(tabId, (s) => s.state?.product);
  const later = await b.waitForTabState(tabId, (s) => s.state?.product?.price?.amount === '9.50', { timeout: 10_000 });
  assert.ok(later.state.extracted_at > first.state.extracted_at);
  assert.equal(later.state.stack.net, '9.50');
  await page.close();
});

test('a page that rewrites itself forever is read a few times at most and stays responsive', { skip, timeout: 60_000 }, async () => {
  const page = await b.context.newPage();
  await page.goto(`${base}/restless`);
  const tabId = await b.tabIdOf(page);
  const reads = new Set();
  const prices = new Set();
  const slowest = { ms: 0 };
  const end = Date.now() + 8000;
  while (Date.now() < end) {
    const r = await b.request({ type: 'tab.state', tab_id: tabId });
    if (r.ok && r.value.state?.product) {
      reads.add(r.value.state.extracted_at);
      prices.add(r.value.state.product.price.amount);
    }
    const t0 = Date.now();
    await page.evaluate(() => 1);  // the page's main thread answers
    slowest.ms = Math.max(slowest.ms, Date.now() - t0);
    await new Promise((r) => setTimeout(r, 100));
  }
  // The first read plus at most 3 re-reads (MAX_REREPORTS), each of a newer price.
  assert.ok(reads.size >= 2, `re-read at least once: ${[...prices]}`);
  assert.ok(reads.size <= 4, `read ${reads.size} times: ${[...prices]}`);
  assert.equal(prices.size, reads.size);
  assert.ok(slowest.ms < 1000, `the page answered within ${slowest.ms} ms`);
  // And no more later on: the observer gave up.
  const last = (await b.request({ type: 'tab.state', tab_id: tabId })).value.state.extracted_at;
  await new Promise((r) => setTimeout(r, 2000));
  assert.equal((await b.request({ type: 'tab.state', tab_id: tabId })).value.state.extracted_at, last);
  await page.close();
});

test('a page over the 3 MiB cap is cut and marked truncated; its product is still read', { skip, timeout: 30_000 }, async () => {
  const page = await b.context.newPage();
  await page.goto(`${base}/huge`);
  const tabId = await b.tabIdOf(page);
  const { state } = await b.waitForTabState(tabId, (s) => s.state?.product || s.state?.product_error, { timeout: 15_000 });
  assert.equal(state.product_error, null, JSON.stringify(state.product_error));
  assert.equal(state.product.name, 'Rug');
  assert.equal(state.product.price.amount, '199.00');
  assert.equal(state.truncated, true);
  assert.equal(state.read_from, 'full');
  assert.ok(state.timings.digest_ms >= 0, 'the digest was tried first');
  assert.ok(state.timings.collect_ms < 2000, `collected in ${state.timings.collect_ms} ms`);
  await page.close();
});

test('a 5 MB page with complete structured data is read from its digest alone', { skip, timeout: 30_000 }, async () => {
  const page = await b.context.newPage();
  await page.goto(`${base}/huge-complete`);
  const tabId = await b.tabIdOf(page);
  const { state } = await b.waitForTabState(tabId, (s) => s.state?.product || s.state?.product_error, { timeout: 15_000 });
  assert.equal(state.product.name, 'Rug');
  assert.equal(state.product.price.amount, '199.00');
  assert.equal(state.read_from, 'digest');
  assert.equal(state.truncated, false);
  assert.ok(state.read_chars < 4096, `digest of ${state.read_chars} chars`);
  assert.ok(state.timings.collect_ms < 200, `digest collected in ${state.timings.collect_ms} ms`);
  await page.close();
});
