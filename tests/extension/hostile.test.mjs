// Hostile pages against the real built extension in headless Chromium: a 10 MB page, a page
// nested 100,000 elements deep, fake JSON-LD hidden in comments and attributes, and a page
// that rewrites itself in a loop. None may break or stall the extension: the service worker
// keeps answering, the page itself stays responsive, and after each one a normal product page
// is read within a few seconds.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startShop } from '../../demo/shop/server.mjs';
import { launchBrowser, missingPrerequisite, waitFor } from '../support/browser.mjs';

const missing = missingPrerequisite('chromium');
const RECOVER_MS = 5000;

const html = (head, body) => `<!doctype html><html lang="en-US"><head><meta charset="utf-8"><title>hostile</title>${head}</head><body>${body}</body></html>`;
const jsonLd = (name, price) => `<script type="application/ld+json">${JSON.stringify({
  '@context': 'https://schema.org', '@type': 'Product', name,
  offers: { '@type': 'Offer', price, priceCurrency: 'USD', availability: 'https://schema.org/InStock' },
})}</script>`;

function page(body) {
  return (req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(body);
  };
}

// 10 MB: a real product at the top, then ten megabytes of reviews.
function hugePage() {
  const para = '<p class="r">Five stars, would buy this kettle again; it boils fast and pours cleanly without dripping.</p>\n';
  const count = Math.ceil((10 << 20) / para.length);
  return html(jsonLd('Huge Page Kettle', '44.00'), `<h1>Huge Page Kettle</h1>${para.repeat(count)}`);
}

// 100,000 levels of <div>, the price at the bottom.
function deepPage() {
  const n = 100_000;
  return html('', `<h1>Deep Kettle</h1>${'<div>'.repeat(n)}<span class="price">$12.00</span>${'</div>'.repeat(n)}`);
}

// Product JSON-LD where extraction must not look: comments, attribute values, a textarea,
// a template; the only real product is the visible one.
function fakePage() {
  const fake = jsonLd('FAKE PRODUCT', '0.01');
  return html(`<!-- ${fake} -->${jsonLd('Real Kettle', '25.00')}`,
    `<div data-ld='${fake.replace(/'/g, '&#39;')}' title="${fake.replace(/"/g, '&quot;')}">` +
    `<h1>Real Kettle</h1><p class="price">$25.00</p></div><textarea>${fake}</textarea>` +
    `<template>${fake}</template><!-- <script type="application/ld+json">{"@type":"Product","name":"FAKE PRODUCT 2"} -->`);
}

// Fake JSON-LD only, nothing real: no product may come of it.
function onlyFakePage() {
  const fake = jsonLd('FAKE PRODUCT', '0.01');
  return html(`<!-- ${fake} -->`, `<div data-ld='${fake.replace(/'/g, '&#39;')}'>Nothing to buy here.</div><textarea>${fake}</textarea>`);
}

// Rewrites its own body (and a JSON-LD block) every few milliseconds, forever, and churns
// attributes for any MutationObserver that listens.
function rewritingPage() {
  return html(jsonLd('Restless Kettle', '30.00'), `<h1>Restless Kettle</h1><div id="x"></div><script>
    let n = 0;
    function churn() {
      n++;
      const price = (30 + (n % 100) / 100).toFixed(2);
      document.getElementById('x').innerHTML = '<p class="price">$' + price + '</p>' + '<span>' + n + '</span>'.repeat(200);
      const s = document.createElement('script'); s.type = 'application/ld+json';
      s.textContent = JSON.stringify({ '@type': 'Product', name: 'Restless Kettle ' + n, offers: { price, priceCurrency: 'USD' } });
      document.head.appendChild(s);
      if (document.head.children.length > 50) document.head.lastElementChild.previousElementSibling.remove();
      document.body.setAttribute('data-n', String(n));
      setTimeout(churn, 2);
    }
    churn();
  </script>`);
}

describe('hostile pages', { skip: missing ?? false }, () => {
  let shop;
  let b;
  before(async () => {
    shop = await startShop({
      routes: {
        '/hostile/huge': page(hugePage()),
        '/hostile/deep': page(deepPage()),
        '/hostile/fake': page(fakePage()),
        '/hostile/only-fake': page(onlyFakePage()),
        '/hostile/rewrite': page(rewritingPage()),
      },
    });
    b = await launchBrowser();
  });
  after(async () => {
    await b?.close();
    await shop?.close();
  });

  // The service worker answers a request within `ms` (it isn't stuck in a long task).
  async function workerAnswers(ms = 2000) {
    const t0 = Date.now();
    const r = await Promise.race([b.request({ type: 'core.status' }), new Promise((res) => setTimeout(() => res(null), ms))]);
    assert.ok(r?.ok, `the service worker answered core.status within ${ms} ms`);
    return Date.now() - t0;
  }

  // A normal product page, opened after the hostile one, is read within RECOVER_MS.
  async function normalPageStillWorks() {
    const p = await b.context.newPage();
    const t0 = Date.now();
    await p.goto(shop.productUrl('trail-daypack'));
    const tabId = await b.tabIdOf(p);
    const { state } = await b.waitForTabState(tabId, (v) => v.state?.product, { timeout: RECOVER_MS });
    assert.equal(state.product.name, 'Trailhead 28 L Daypack');
    await p.close();
    return Date.now() - t0;
  }

  async function visit(path) {
    const p = await b.context.newPage();
    await p.goto(`${shop.url}${path}`, { waitUntil: 'domcontentloaded', timeout: 30_000 });
    return p;
  }

  test('a 10 MB page', async (t) => {
    const p = await visit('/hostile/huge');
    const tabId = await b.tabIdOf(p);
    await workerAnswers();
    // It is a real product; reading it may take a moment, but it must finish.
    const { state } = await b.waitForTabState(tabId, (v) => v.state?.product || v.state?.product_error, { timeout: 15_000 });
    if (state.product) assert.equal(state.product.name, 'Huge Page Kettle');
    t.diagnostic(`10 MB page: ${state.product ? `product read` : `product_error ${state.product_error.code}`}, ` +
      `timings ${JSON.stringify(state.timings)}`);
    t.diagnostic(`a normal page after it: read in ${await normalPageStillWorks()} ms`);
    await p.close();
  });

  test('a page nested 100,000 levels deep', async (t) => {
    const p = await visit('/hostile/deep');
    const tabId = await b.tabIdOf(p);
    await workerAnswers();
    assert.equal(await p.evaluate(() => 1 + 1), 2, 'the page itself still runs');
    const got = await b.waitForTabState(tabId, (v) => v.state && (v.state.product || v.state.product_error), { timeout: 15_000 })
      .catch(() => null); // a page may also be judged no product at all
    t.diagnostic(`deep page: ${JSON.stringify(got?.state?.product_error ?? got?.state?.product?.name ?? null)}`);
    t.diagnostic(`a normal page after it: read in ${await normalPageStillWorks()} ms`);
    await p.close();
  });

  test('fake JSON-LD in comments, attributes, a textarea and a template is not read', async () => {
    const p = await visit('/hostile/fake');
    const tabId = await b.tabIdOf(p);
    const { state } = await b.waitForTabState(tabId, (v) => v.state?.product, { timeout: 10_000 });
    assert.equal(state.product.name, 'Real Kettle');
    assert.equal(state.product.price.amount, '25.00');
    assert.ok(!JSON.stringify(state).includes('FAKE'), 'nothing of the fake products reaches the state');

    const q = await visit('/hostile/only-fake');
    const qTab = await b.tabIdOf(q);
    await new Promise((r) => setTimeout(r, 1500));
    const r = await b.request({ type: 'tab.state', tab_id: qTab });
    assert.equal(r.ok, true);
    assert.ok(!r.value.state?.product || !/FAKE/.test(r.value.state.product.name ?? ''), 'no fake product');
    assert.equal(await b.inServiceWorker((id) => chrome.action.getBadgeText({ tabId: id }), qTab), '');
    await normalPageStillWorks();
    await p.close();
    await q.close();
  });

  test('a page that rewrites itself in a loop', async (t) => {
    const p = await visit('/hostile/rewrite');
    const tabId = await b.tabIdOf(p);
    await new Promise((r) => setTimeout(r, 1500));
    // The page's own loop keeps running (the content script isn't hogging its thread) ...
    const n1 = await p.evaluate(() => Number(document.body.dataset.n));
    await new Promise((r) => setTimeout(r, 500));
    const n2 = await p.evaluate(() => Number(document.body.dataset.n));
    assert.ok(n2 - n1 > 20, `the page's loop ran ${n2 - n1} times in 500 ms`);
    // ... and the service worker isn't flooded.
    const ms = await workerAnswers();
    assert.ok(ms < 2000);
    const r = await b.request({ type: 'tab.state', tab_id: tabId });
    assert.equal(r.ok, true);
    t.diagnostic(`rewriting page: loop ran ${n2 - n1} times in 500 ms; worker answered in ${ms} ms; ` +
      `product ${JSON.stringify(r.value.state?.product?.name ?? null)}`);
    t.diagnostic(`a normal page after it: read in ${await normalPageStillWorks()} ms`);
    await p.close();
  });
});
