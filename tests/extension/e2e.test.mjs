// End to end: the real built extension (build/extension/chromium) in headless Chromium, the
// real native host installed into the test's profile, the real agent in a temporary home,
// and the demo shop (demo/shop/server.mjs) on loopback. What the extension shows is compared
// with what the native program computes from the same page and the same offers.
//
// Screenshots of the popup and the options page, light and dark, land in
// build/test-screenshots/ (printed at the end) for a person to look at.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startShop } from '../../demo/shop/server.mjs';
import { makeAgentHome } from '../support/agent_home.mjs';
import {
  TEST_AGENT_CONFIG, copyExtension, extensionDir, launchBrowser, missingPrerequisite, screenshotDir,
  startAgent, waitFor,
} from '../support/browser.mjs';
import { dealstackBin, repoRoot, runDealstack } from '../support/dealstack.mjs';

const missing = missingPrerequisite('chromium');
const OFFERS = path.join(repoRoot, 'demo', 'shop', 'offers.json');
const RETAILER = '127.0.0.1';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('the browser tests can run here', () => {
  assert.equal(missing, null, missing ?? '');
});

// What `dealstack extract` reads from the page the shop serves right now.
async function nativeExtract(url) {
  const html = await (await fetch(url)).text();
  const r = await runDealstack(['extract', '--url', url, '-'], html);
  assert.equal(r.code, 0, `dealstack extract: ${r.stdout}${r.stderr}`);
  return JSON.parse(r.stdout);
}

// What `dealstack stack` finds for one unit of `product` with the demo offers and an empty
// wallet: the request docs/stacking.md describes, built here on its own.
async function nativeStack(product) {
  const feed = JSON.parse(fs.readFileSync(OFFERS, 'utf8')).retailers.find((r) => r.retailer === RETAILER);
  const line = { unit_price: product.price.amount, quantity: 1 };
  if (product.sku) line.sku = product.sku;
  if (product.name) line.name = product.name;
  const request = {
    cart: { currency: product.price.currency, retailer: RETAILER, lines: [line] },
    retailer: feed.rules, offers: feed.offers, wallet: { cards: [], payment_path: 'direct' },
  };
  const r = await runDealstack(['stack', '-'], JSON.stringify(request));
  assert.equal(r.code, 0, `dealstack stack: ${r.stdout}`);
  return JSON.parse(r.stdout);
}

const popupText = (popup) => popup.locator('body').innerText();

// Waits until the popup's text matches every pattern; returns the text.
async function popupShows(popup, patterns, what, timeout = 10_000) {
  return waitFor(async () => {
    const text = await popupText(popup);
    return patterns.every((p) => (typeof p === 'string' ? text.includes(p) : p.test(text))) ? text : false;
  }, { timeout, what: `the popup to show ${what}` });
}

const usd = (amount) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(amount);

describe('the extension on the demo shop, with the host and the agent', { skip: missing ?? false }, () => {
  let shop;
  let b;
  let home;
  before(async () => {
    shop = await startShop();
    home = makeAgentHome({ prefix: 'ds-e2e-', agentConfig: TEST_AGENT_CONFIG });
    await startAgent(home);
    const imported = spawnSync(dealstackBin, ['offers', 'import', OFFERS], { env: home.env, encoding: 'utf8' });
    assert.equal(imported.status, 0, `dealstack offers import: ${imported.stdout}${imported.stderr}`);
    b = await launchBrowser({ agentHome: home });
  });
  after(async () => {
    await b?.close();
    await shop?.close();
    if (home) fs.rmSync(home.home, { recursive: true, force: true });
  });

  test('product page -> badge -> popup shows the product, its price and the best stack', async () => {
    const url = shop.productUrl('espresso-grinder');
    const expected = await nativeExtract(url);
    const expectedStack = await nativeStack(expected);
    assert.ok(expectedStack.steps.length >= 3, 'the demo offers make a stack of several steps');

    const page = await b.context.newPage();
    await page.goto(url);
    const tabId = await b.tabIdOf(page);
    const { state, host, core } = await b.waitForTabState(tabId, (v) => v.state?.stack, { timeout: 15_000 });
    assert.equal(core.state, 'ready');
    assert.equal(host.state, 'connected');
    assert.equal(state.url, url);
    assert.equal(state.retailer, RETAILER);
    assert.equal(state.product.name, expected.name);
    assert.deepEqual(state.product.price, expected.price);
    assert.equal(state.product.availability, 'InStock');
    assert.equal(state.product.sources.price, 'json-ld');
    const offers = JSON.parse(fs.readFileSync(OFFERS, 'utf8')).retailers[0].offers;
    assert.equal(state.offer_count, offers.length);
    // The wasm stacker in the service worker agrees with the native one on the same request.
    assert.equal(state.stack.net, expectedStack.net);
    assert.equal(state.stack.savings, expectedStack.savings);
    assert.deepEqual(state.stack.steps.map((s) => s.action), expectedStack.steps.map((s) => s.action));
    assert.deepEqual(state.stack.stack.offers, expectedStack.stack.offers);

    const badge = await b.inServiceWorker((id) => chrome.action.getBadgeText({ tabId: id }), tabId);
    assert.match(badge, /^-\d+%$/, `badge "${badge}"`);
    // The badge's percentage is the saving over the plain price (whole percent, rounded down
    // or to nearest: either is honest; more than one off is not).
    const pct = Number(badge.slice(1, -1));
    const exact = (Number(expectedStack.savings) / Number(expectedStack.totals.list_total)) * 100; // display only
    assert.ok(Math.abs(pct - exact) <= 1, `badge ${badge} vs ${exact.toFixed(2)} %`);

    const popup = await b.openPopup(tabId);
    const code = expectedStack.steps.find((s) => s.action === 'enter_code').code;
    const text = await popupShows(popup, [expected.name, usd(expected.price.amount), code, usd(expectedStack.net)],
      'the product, its price, the code and the net price');
    assert.equal(await popup.locator('#product-name').innerText(), expected.name);
    assert.match(await popup.locator('#total-effective').innerText(), new RegExp(usd(expectedStack.net).replace(/[$.]/g, '\\$&')));
    for (const step of expectedStack.steps.filter((s) => Number(s.saves) > 0)) {
      assert.ok(text.includes(usd(step.saves)), `the popup shows step "${step.label}" saving ${usd(step.saves)}`);
    }
    await b.screenshots(popup, 'popup-product');
    await popup.close();
    await page.close();
  });

  test('microdata, no-markup and sold-out pages are read; a page with no product gets no badge', async () => {
    for (const [slug, source, availability] of [
      ['trail-daypack', 'microdata', 'InStock'],
      ['pour-over-set', 'heuristic', 'InStock'],
      ['studio-headphones', 'json-ld', 'OutOfStock'],
    ]) {
      const url = shop.productUrl(slug);
      const expected = await nativeExtract(url);
      const page = await b.context.newPage();
      await page.goto(url);
      const tabId = await b.tabIdOf(page);
      const { state } = await b.waitForTabState(tabId, (v) => v.state?.product, { timeout: 15_000 });
      assert.equal(state.product.name, expected.name, slug);
      assert.deepEqual(state.product.price, expected.price, slug);
      assert.equal(state.product.sources.price, source, slug);
      assert.equal(state.product.availability, availability, slug);
      if (slug === 'studio-headphones') {
        const popup = await b.openPopup(tabId);
        await popupShows(popup, [expected.name], 'the sold-out product');
        await b.screenshots(popup, 'popup-sold-out');
        await popup.close();
      }
      await page.close();
    }
    const index = await b.context.newPage();
    await index.goto(`${shop.url}/`);
    const tabId = await b.tabIdOf(index);
    await sleep(1500);
    const r = await b.request({ type: 'tab.state', tab_id: tabId });
    assert.equal(r.ok, true);
    assert.equal(r.value.state?.product ?? null, null, 'the product list is not a product');
    assert.equal(await b.inServiceWorker((id) => chrome.action.getBadgeText({ tabId: id }), tabId), '');
    await index.close();
  });

  test('Watch -> stored by the agent -> the price drops -> a notification, the alert and a new history point', async () => {
    const slug = 'dutch-oven';
    const url = shop.productUrl(slug);
    const page = await b.context.newPage();
    await page.goto(url);
    const tabId = await b.tabIdOf(page);
    const { state } = await b.waitForTabState(tabId, (v) => v.state?.product && v.state.stack, { timeout: 15_000 });
    const before = state.product.price.amount;
    assert.equal(before, shop.products[slug].price);

    // The Watch control in the popup: a target under today's price.
    const popup = await b.openPopup(tabId);
    await popupShows(popup, [state.product.name], 'the product');
    const target = '140.00';
    await popup.getByLabel(/target/i).fill(target);
    await popup.locator('#watch-save').click();
    const stored = await waitFor(async () => {
      const r = await runDealstack(['watch', 'list', '--json'], '', home.env);
      return JSON.parse(r.stdout).watches.find((w) => w.url === url);
    }, { what: 'the agent to store the watch' });
    assert.equal(stored.target_price, target);
    assert.equal(stored.currency, 'USD');
    await popupShows(popup, [/remove/i], 'the stored watch');

    // The first check records today's price; then the shop drops it under the target.
    await waitFor(async () => {
      const r = await b.request({ type: 'history', watch_id: stored.id });
      return r.ok && r.value.days.length > 0 && r.value.days.at(-1).last === before;
    }, { what: 'the first check in the history' });
    const dropped = '129.99';
    shop.setPrice(slug, dropped);
    const check = await runDealstack(['watch', 'check', String(stored.id), '--json'], '', home.env);
    assert.equal(check.code, 0, check.stdout + check.stderr);

    // chrome.notifications shows it (the agent pushed the alert through the host).
    const notes = await waitFor(() => b.inServiceWorker(async () => {
      const all = await chrome.notifications.getAll();
      return Object.keys(all).length ? Object.keys(all) : null;
    }), { timeout: 10_000, what: 'a chrome.notifications notification' });
    assert.ok(notes.length >= 1);

    const alerts = await b.request({ type: 'alerts.list' });
    assert.equal(alerts.ok, true);
    const alert = alerts.value.alerts.find((a) => a.watch_id === stored.id);
    assert.ok(alert, 'the agent raised an alert for the watch');
    assert.equal(alert.price, dropped);
    assert.ok(alert.kinds.includes('below_target'), alert.kinds.join());

    // The popup, opened again, shows the alert and the history's new low.
    await popup.close();
    const again = await b.openPopup(tabId);
    await popupShows(again, [alert.message], 'the alert');
    const history = await b.request({ type: 'history', watch_id: stored.id });
    assert.equal(history.value.days.at(-1).min, dropped);
    assert.equal(history.value.days.at(-1).max, before);
    await waitFor(() => again.locator('#chart').count(), { what: 'the history chart' });
    const chartLabel = await again.locator('#chart').getAttribute('aria-label');
    assert.ok(chartLabel.includes(usd(dropped)), `chart label "${chartLabel}" names the low`);
    await b.screenshots(again, 'popup-alert');
    const options = await b.openOptions();
    await waitFor(async () => (await options.locator('body').innerText()).includes(url) ||
      (await options.locator('body').innerText()).includes(state.product.name), { what: 'the watchlist in the options page' });
    await b.screenshots(options, 'options');
    await options.close();
    await again.close();
    await page.close();
  });

  test('the agent killed: the popup says so, and recovers when it returns', async () => {
    const page = await b.context.newPage();
    await page.goto(shop.productUrl('espresso-grinder'));
    const tabId = await b.tabIdOf(page);
    await b.waitForTabState(tabId, (v) => v.state?.product && v.host.state === 'connected', { timeout: 15_000 });
    // Keep the agent from coming back for a while: settings it refuses to start with (the
    // host then can't reach an agent and says so).
    const config = path.join(home.config, 'agent.json');
    const good = fs.readFileSync(config, 'utf8');
    fs.writeFileSync(config, JSON.stringify({ monitor: { min_host_gap_ms: 'not a number' } }));
    const oldPid = await b.stopAgent();
    assert.ok(oldPid > 0);
    try {
      const popup = await b.openPopup(tabId);
      const st = await waitFor(async () => {
        const r = await b.request({ type: 'host.status' });
        return r.ok && r.value.state !== 'connected' && r.value.state !== 'connecting' ? r.value : false;
      }, { timeout: 20_000, what: 'the host status to report the agent gone' });
      assert.equal(st.state, 'agent_unavailable');
      assert.ok(st.message, 'a sentence says what went wrong');
      await popupShows(popup, [st.message], 'the agent problem');
      await b.screenshots(popup, 'popup-agent-down');
      fs.writeFileSync(config, good);
      // Retry reconnects at once, but the port also reconnects by itself after its backoff,
      // so on a slow machine the agent may be back (and the button gone) before the click:
      // press it whenever it is there until the host is connected.
      const retry = popup.locator('#host-retry');
      const back = await waitFor(async () => {
        const r = await b.request({ type: 'host.status' });
        if (r.ok && r.value.state === 'connected') return r.value;
        if (await retry.isVisible()) await retry.click({ timeout: 2000 }).catch(() => {});
        return false;
      }, { timeout: 30_000, what: 'the host to reconnect' });
      assert.notEqual(back.agent_pid, oldPid, 'a new agent runs');
      await waitFor(async () => !(await popupText(popup)).includes(st.message), { what: 'the popup to recover' });
      await popup.close();
    } finally {
      fs.writeFileSync(config, good);
    }
    await page.close();
  });
});

describe('the host not installed', { skip: missing ?? false }, () => {
  test('the popup says so with the exact fix, and recovers once it is installed', async () => {
    const shop = await startShop();
    const b = await launchBrowser({ host: false });
    try {
      const page = await b.context.newPage();
      await page.goto(shop.productUrl('espresso-grinder'));
      const tabId = await b.tabIdOf(page);
      const { state, host } = await b.waitForTabState(tabId, (v) => v.state?.product && v.host.state === 'host_missing',
        { timeout: 15_000 });
      // Without the agent there are no offers, but the page is still read.
      assert.equal(state.product.name, 'Conical Burr Espresso Grinder');
      assert.equal(host.fix, 'dealstack install --browser chromium');
      const popup = await b.openPopup(tabId);
      await popupShows(popup, ['dealstack install --browser chromium', 'Conical Burr Espresso Grinder'], 'the fix');
      await b.screenshots(popup, 'popup-host-missing');

      b.installHost();
      await popup.locator('#host-retry').click();
      await waitFor(async () => {
        const r = await b.request({ type: 'host.status' });
        return r.ok && r.value.state === 'connected';
      }, { timeout: 15_000, what: 'the host to connect once installed' });
      await waitFor(async () => !(await popupText(popup)).includes('dealstack install --browser chromium'),
        { what: 'the popup to drop the fix' });
      await popup.close();
      await page.close();
    } finally {
      await b.close();
      await shop.close();
    }
  });
});

describe('the wasm module failing to load', { skip: missing ?? false }, () => {
  for (const [how, breakIt] of [
    ['corrupt', (file) => fs.writeFileSync(file, Buffer.from('\0asm\x01\0\0\0this is not a module')) ],
    ['missing', (file) => fs.rmSync(file)],
  ]) {
    test(`a ${how} dealstack_core.wasm gives a clear message in the popup, not a blank popup`, async () => {
      const copy = copyExtension('chromium');
      const wasm = path.join(copy.dir, 'background', 'dealstack_core.wasm');
      assert.ok(fs.existsSync(wasm), 'the build puts the wasm module beside background.js');
      breakIt(wasm);
      const shop = await startShop();
      const b = await launchBrowser({ extensionPath: copy.dir });
      try {
        const page = await b.context.newPage();
        await page.goto(shop.productUrl('espresso-grinder'));
        const tabId = await b.tabIdOf(page);
        const core = await waitFor(async () => {
          const r = await b.request({ type: 'core.status' });
          return r.ok && r.value.state === 'failed' ? r.value : false;
        }, { timeout: 15_000, what: 'core.status failed' });
        assert.equal(core.error.code, 'wasm_load_failed');
        const popup = await b.openPopup(tabId);
        const text = await waitFor(async () => {
          const t = await popupText(popup);
          return t.trim().length > 40 && !/Loading…/.test(t) ? t : false;
        }, { what: 'the popup to render something' });
        assert.match(text, /wasm|WebAssembly|core|reinstall|load/i, text);
        assert.equal(await popup.locator('#product-name').count(), 0, 'no product is pretended');
        if (how === 'corrupt') await b.screenshots(popup, 'popup-core-failed');
        await popup.close();
      } finally {
        await b.close();
        await shop.close();
        copy.remove();
      }
    });
  }
});

test('web-ext lint passes on the Firefox build', { skip: missing ?? false }, () => {
  const dir = extensionDir('firefox');
  assert.ok(fs.existsSync(path.join(dir, 'manifest.json')), `${dir} is built`);
  const r = spawnSync(path.join(repoRoot, 'node_modules', '.bin', 'web-ext'),
    ['lint', '--source-dir', dir, '--output', 'json', '--no-input', '--no-config-discovery', '--boring'],
    { encoding: 'utf8', timeout: 120_000, env: { ...process.env, WEB_EXT_NO_UPDATE_CHECK: '1' } });
  const report = JSON.parse(r.stdout);
  const show = (list) => list.map((m) => `${m.code}: ${m.message} (${m.file ?? ''})`).join('\n');
  assert.equal(report.errors.length, 0, show(report.errors));
  // Warnings too: the manifest's minimum versions match the keys it uses, and the bundles
  // use no API Firefox flags (innerHTML, eval). web-ext is pinned, so its rules don't drift.
  assert.equal(report.warnings.length, 0, show(report.warnings));
  assert.equal(r.status, 0);
});

after(() => {
  if (fs.existsSync(screenshotDir)) console.log(`screenshots: ${screenshotDir}/`);
});
