// The content script's digest (extension/src/content/digest.ts) against the full HTML: in
// headless Chromium with the real built extension, every page is read the way the extension
// reads it (the digest first, the full HTML when the service worker asks for it), and the
// product in the worker's tab state is compared with `dealstack extract` (the native program)
// of the page's full live HTML, which is what the extension read before digests. Name, price,
// currency, availability, sku, gtin, image, list price, brand, mpn, url and condition must
// agree (not the currency's symbol as shown, which the page may show outside the product's
// corner: "€" beside "EUR"), on the demo shop's pages,
// on synthetic pages built to catch a digest that leaves out something the extractor weighs,
// and on the development pages in ../shared/data/product-pages when that folder exists.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { startShop } from '../../demo/shop/server.mjs';
import { launchBrowser, missingPrerequisite, servePages } from '../support/browser.mjs';
import { repoRoot, runDealstack } from '../support/dealstack.mjs';

const skip = missingPrerequisite('chromium') ?? false;
const realDir = path.resolve(repoRoot, '..', 'shared', 'data', 'product-pages', 'html');
const realPages = fs.existsSync(realDir) ? fs.readdirSync(realDir).filter((f) => f.endsWith('.html.gz')).sort() : [];

const ld = (o) => `<script type="application/ld+json">${JSON.stringify({ '@context': 'https://schema.org', ...o })}</script>`;
const doc = (head, body, lang = 'en-US') =>
  `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>Shop</title>${head}</head><body>${body}</body></html>`;
const filler = (n) => Array.from({ length: n }, (_, i) => `<li><a href="/c/${i}">Category ${i}</a> <span>$${i}.00</span></li>`).join('');

// Each page says which way it must be read: 'digest' (structured and complete) or 'full'.
const SYNTHETIC = {
  // Complete JSON-LD; the product's corner shows the same price and a struck list price.
  '/s/complete': ['digest', doc(ld({ '@type': 'Product', name: 'Copper Kettle', sku: 'CK-1', gtin13: '4006381333931',
    image: '/img/ck.png', offers: { '@type': 'Offer', price: '59.00', priceCurrency: 'EUR', availability: 'https://schema.org/InStock' } }),
  `<nav><ul>${filler(400)}</ul></nav><main><div class="pdp"><h1>Copper Kettle</h1><div class="price">59,00 €<del class="old-price">79,00 €</del></div>` +
    '<button class="add-to-cart">Add to cart</button></div></main>', 'de-DE')],
  // The feed says in stock; the page says sold out and its only buy button is disabled. The
  // digest sees it, but "not in stock" guessed from a corner of the page is checked on it all.
  '/s/stale-stock': ['full', doc(ld({ '@type': 'Product', name: 'Wool Blanket', sku: 'WB-2',
    offers: { '@type': 'Offer', price: '120.00', priceCurrency: 'USD', availability: 'https://schema.org/InStock' } }),
  `<div class="product"><h1 class="product-title">Wool Blanket</h1><span class="price">$120.00</span><p class="stock">Sold out</p>` +
    `<button class="add-to-cart" disabled>Add to cart</button></div><ul>${filler(2000)}</ul>`)],
  // Geo-priced: structured in USD, the shopper is shown pounds beside the title. The digest
  // sees that too, but a price the page shows wins only by heuristics: the full page decides.
  '/s/geo-price': ['full', doc(ld({ '@type': 'Product', name: 'Trail Shoe', sku: 'TS-9',
    offers: { '@type': 'Offer', price: '140.00', priceCurrency: 'USD', availability: 'https://schema.org/InStock' } }),
  '<section><h1>Trail Shoe</h1><div class="product-price current-price">£112.00</div><button class="buy-now">Buy now</button></section>', 'en-GB')],
  // Two products in JSON-LD; the page's title names the second one.
  '/s/two-products': ['digest', doc(ld({ '@type': 'Product', name: 'Gift Wrap', offers: { price: '3.00', priceCurrency: 'EUR', availability: 'InStock' } }) +
    ld({ '@type': 'Product', name: 'Ceramic Teapot Large', sku: 'TP-L', offers: { price: '45.00', priceCurrency: 'EUR', availability: 'InStock' } }),
  '<h1>Ceramic Teapot Large</h1><p class="price">45,00 €</p>', 'fr-FR')],
  // No availability in the data: the enabled buy button beside the title says in stock, as
  // it does in the full page (any enabled buy button there would).
  '/s/no-availability': ['digest', doc(ld({ '@type': 'Product', name: 'Desk Lamp', sku: 'DL-1', offers: { price: '35.00', priceCurrency: 'EUR' } }),
    `<h1>Desk Lamp</h1><div>${filler(50)}</div><button class="add-to-cart">In den Warenkorb</button>`, 'de')],
  // Microdata inside a page-wide WebPage scope on <body> (too big to keep whole: kept as a
  // shell, the product scope inside it whole).
  '/s/body-scope': ['digest', `<!doctype html><html lang="en"><head><title>Daypack</title></head>` +
    `<body itemscope itemtype="https://schema.org/WebPage"><ul>${filler(1600)}</ul>` +
    '<div itemprop="mainEntity" itemscope itemtype="https://schema.org/Product"><h1 itemprop="name">City Daypack</h1>' +
    '<meta itemprop="sku" content="CD-20"><div itemprop="offers" itemscope itemtype="https://schema.org/Offer">' +
    '<span itemprop="price" content="89.90">89,90 €</span><meta itemprop="priceCurrency" content="EUR">' +
    '<link itemprop="availability" href="https://schema.org/InStock"></div></div></body></html>'],
  // Properties outside any scope (orphans), and OpenGraph product tags.
  '/s/orphans-og': ['digest', doc('<meta property="og:type" content="product"><meta property="og:title" content="Linen Apron">' +
    '<meta property="product:price:amount" content="24.00"><meta property="product:price:currency" content="GBP">' +
    '<meta property="og:image" content="https://img.example/apron.jpg"><meta property="product:availability" content="in stock">',
  '<h1>Linen Apron</h1><span itemprop="sku">LA-7</span><span itemprop="gtin13">5012345678900</span>', 'en-GB')],
  // No markup at all: only the full page has it.
  '/s/plain': ['full', doc('', `<header><nav>${filler(30)}</nav></header><div class="product"><h1>Enamel Mug</h1>` +
    '<div class="price">$14.50</div><span class="stock">In stock</span><button class="add-to-cart">Add to cart</button></div>')],
  // Not a product: a listing of many prices.
  '/s/listing': ['full', doc('', `<h1>All mugs</h1><div class="grid">${Array.from({ length: 12 }, (_, i) =>
    `<div class="tile"><a href="/p/${i}">Mug ${i}</a><span class="price">$${10 + i}.00</span></div>`).join('')}</div>`)],
};

let pages;
let base;
let shop;
let b;
let page;
let tabId;

before(async () => {
  if (skip) return;
  // The saved pages' own scripts stay off: the comparison is of one DOM, read two ways.
  pages = await servePages((p) => {
    const real = p.match(/^\/real\/([0-9a-f]+)$/);
    if (real && realPages.includes(`${real[1]}.html.gz`)) return gunzipSync(fs.readFileSync(path.join(realDir, `${real[1]}.html.gz`)));
    return SYNTHETIC[p]?.[1];
  }, { 'content-type': 'text/html', 'content-security-policy': "script-src 'none'" });
  base = pages.base;
  shop = await startShop();
  b = await launchBrowser();
  page = await b.context.newPage();
  // The saved pages link to shops' servers; nothing leaves loopback (fail fast, not by DNS).
  await page.route((u) => u.hostname !== '127.0.0.1', (route) => route.abort());
});

after(async () => {
  await b?.close();
  await shop?.close();
  pages?.close();
});

const pick = (p) => p && {
  name: p.name, price: p.price?.amount ?? null, currency: p.price?.currency ?? null, availability: p.availability,
  sku: p.sku, gtin: p.gtin, image: p.image, list_price: p.list_price?.amount ?? null,
  brand: p.brand, mpn: p.mpn, url: p.url, condition: p.condition,
};

// What some synthetic pages must give (beside agreeing with the full page): the reason each
// page is there.
const EXPECT = {
  '/s/complete': { list_price: '79.00', gtin: '4006381333931' },
  '/s/stale-stock': { availability: 'OutOfStock' },
  '/s/no-availability': { availability: 'InStock' },
  '/s/geo-price': { price: '112.00', currency: 'GBP' },
  '/s/two-products': { name: 'Ceramic Teapot Large', sku: 'TP-L' },
  '/s/body-scope': { name: 'City Daypack', sku: 'CD-20', price: '89.90' },
  '/s/orphans-og': { sku: 'LA-7', gtin: '5012345678900', price: '24.00', currency: 'GBP' },
  '/s/plain': { name: 'Enamel Mug', price: '14.50' },
};

/** Loads `url`, waits for the worker's state for it, and returns it beside the native
 *  program's product for the page's full live HTML. */
async function readBothWays(url) {
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  tabId ??= await b.tabIdOf(page);
  const { state } = await b.waitForTabState(tabId, (v) => v.state?.url === url && (v.state.product || v.state.product_error),
    { timeout: 20_000 });
  const html = await page.evaluate(() => document.documentElement.outerHTML);
  const r = await runDealstack(['extract', '--url', url, '-'], html);
  assert.ok(r.code === 0 || r.code === 3, `dealstack extract: ${r.code} ${r.stderr}`);
  return { state, full: r.code === 0 ? JSON.parse(r.stdout) : null };
}

test('the demo shop: the digest path reads the same product as the full HTML', { skip, timeout: 120_000 }, async () => {
  for (const slug of Object.keys(shop.products)) {
    const url = shop.productUrl(slug);
    const { state, full } = await readBothWays(url);
    assert.ok(full, `${slug}: the full page holds a product`);
    assert.deepEqual(pick(state.product), pick(full), slug);
    // Pages with markup are read from the digest alone; the one without falls back.
    assert.equal(state.read_from, shop.products[slug].markup === 'none' ? 'full' : 'digest', slug);
    if (state.read_from === 'digest') assert.ok(state.read_chars < 16 * 1024, `${slug}: digest of ${state.read_chars} chars`);
    else assert.ok(state.timings.digest_ms >= 0, `${slug}: the digest tried first (${JSON.stringify(state.timings)})`);
  }
});

test('synthetic pages: the digest keeps what the extractor weighs, and falls back where it must', { skip, timeout: 120_000 }, async () => {
  for (const [p, [way]] of Object.entries(SYNTHETIC)) {
    const url = `${base}${p}`;
    const { state, full } = await readBothWays(url);
    assert.deepEqual(pick(state.product), pick(full), p);
    assert.equal(state.product_error?.code ?? null, full ? null : 'no_product', p);
    assert.equal(state.read_from, way, `${p} read from ${state.read_from}`);
    for (const [k, v] of Object.entries(EXPECT[p] ?? {})) assert.equal(pick(state.product)?.[k], v, `${p}: ${k}`);
  }
});

test('development pages (../shared/data): the digest path reads the same product as the full HTML',
  { skip: skip || (realPages.length === 0 && 'no ../shared/data/product-pages'), timeout: 600_000 }, async () => {
    const differ = [];
    let fromDigest = 0;
    for (const f of realPages) {
      const url = `${base}/real/${f.replace('.html.gz', '')}`;
      const { state, full } = await readBothWays(url);
      if (state.read_from === 'digest') fromDigest++;
      const a = JSON.stringify(pick(state.product));
      const e = JSON.stringify(pick(full));
      if (a !== e) differ.push(`${f.slice(0, 12)} (${state.read_from}):\n  worker ${a}\n  full   ${e}`);
    }
    console.log(`# development pages: ${realPages.length}, read from the digest alone: ${fromDigest}, differing: ${differ.length}`);
    assert.deepEqual(differ, []);
  });
