// npm start, after the build: the extension at work. It starts a dealstack-server on loopback
// (in a temporary folder) and loads the demo offers into it, installs the native host for
// Chromium into a dedicated profile folder, starts the agent (in a home of its own, so the demo
// never touches your real watches or secrets), sets up its vault with a demo passphrase, logs
// it in to the server (the offers arrive by sync), serves the demo shop on loopback and opens
// Chromium with the extension on it.
//
// With a display ($DISPLAY or $WAYLAND_DISPLAY) Chromium stays open until Ctrl-C. Without one
// (or with --headless) it runs headless: it visits a demo product, opens the popup, saves
// screenshots, prints the product and the best stack, watches the product, drops the demo
// price, checks, prints the alert that follows, and exits.
//
// Environment: DEALSTACK_DEMO_PROFILE: the Chromium profile folder (default
// $XDG_DATA_HOME/dealstack/demo-profile, i.e. ~/.local/share/dealstack/demo-profile);
// DEALSTACK_DEMO_SCREENSHOTS: where screenshots go (default build/demo-screenshots).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startShop } from '../demo/shop/server.mjs';
import { makeAgentHome, stopAgent } from '../tests/support/agent_home.mjs';
import { EXTENSION_ORIGIN, extensionDir, launchBrowser, missingPrerequisite, waitFor } from '../tests/support/browser.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = process.env.DEALSTACK_BIN ?? path.join(root, 'build', 'native', 'bin', 'dealstack');
const serverBin = process.env.DEALSTACK_SERVER_BIN ?? path.join(root, 'build', 'native', 'bin', 'dealstack-server');
const DEMO_EMAIL = 'demo@dealstack.test';
const headless = process.argv.includes('--headless') || !(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
const dataHome = process.env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
const profile = path.resolve(process.env.DEALSTACK_DEMO_PROFILE ?? path.join(dataHome, 'dealstack', 'demo-profile'));
const shotsDir = path.resolve(process.env.DEALSTACK_DEMO_SCREENSHOTS ?? path.join(root, 'build', 'demo-screenshots'));
const DEMO_SLUG = 'espresso-grinder';
const DROPPED_PRICE = '159.00';

const say = (s = '') => console.log(s);
const fail = (msg) => { console.error(`npm start: ${msg}`); process.exit(1); };

const missing = missingPrerequisite('chromium');
if (missing) fail(missing);

// Money for people, from the decimal string (no float arithmetic on it).
function money(amount, currency) {
  if (amount === null || amount === undefined) return '-';
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency: currency ?? 'USD' }).format(amount);
  } catch {
    return `${amount} ${currency ?? ''}`.trim();
  }
}

function cli(args, env, input) {
  const r = spawnSync(bin, args, { env, encoding: 'utf8', input });
  return { status: r.status, out: `${r.stdout}${r.stderr}`.trim() };
}

// dealstack-server on a free loopback port, its data (and the CA it makes) in `dir`.
async function startServer(dir) {
  const config = path.join(dir, 'server.json');
  fs.writeFileSync(config, JSON.stringify({ listen: { address: '127.0.0.1', port: 0 }, data_dir: path.join(dir, 'data') }));
  const child = spawn(serverBin, ['serve', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const first = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)));
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`dealstack-server exited (${code}): ${err.trim().split('\n').pop()}`)));
    setTimeout(() => reject(new Error('dealstack-server did not start within 20 s')), 20_000).unref();
  });
  const admin = (...args) => {
    const r = spawnSync(serverBin, ['admin', ...args, '--config', config], { encoding: 'utf8' });
    return { status: r.status, out: `${r.stdout}${r.stderr}`.trim() };
  };
  return { url: `https://localhost:${first.port}`, ca: first.ca, child, admin };
}

say('\nThe extension on a demo shop (npm start)\n');
fs.mkdirSync(profile, { recursive: true });
const cleanups = [];
// 0. The backend, with the demo offers: the agent gets them by syncing.
const serverDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dealstack-demo-server-'));
cleanups.push(() => fs.rmSync(serverDir, { recursive: true, force: true }));
const server = await startServer(serverDir).catch((e) => {
  say(`  server       not started (${e.message}); the agent imports the offers itself`);
  return null;
});
if (server) {
  cleanups.push(() => new Promise((resolve) => {
    if (server.child.exitCode !== null) return resolve();
    server.child.once('exit', resolve);
    server.child.kill('SIGTERM');
  }));
}
// The agent's own home: its database, socket and allow-list; removed at the end.
const home = makeAgentHome({
  prefix: 'dealstack-demo-',
  agentConfig: {
    monitor: { min_host_gap_ms: 0 },
    notifications: { desktop: false },
    ...(server ? { sync: { ca_file: server.ca } } : {}),
  },
});

let cleaning = null;
async function cleanup() {
  cleaning ??= (async () => {
    for (const fn of cleanups.reverse()) {
      try { await fn(); } catch (e) { console.error(`cleanup: ${e.message}`); }
    }
  })();
  return cleaning;
}
cleanups.push(() => fs.rmSync(home.home, { recursive: true, force: true }));

try {
  // 1. The host, for Chromium, in the demo profile.
  const installed = cli(['install', '--browser', 'chromium', '--user-data-dir', profile], home.env);
  if (installed.status !== 0) throw new Error(`dealstack install failed: ${installed.out}`);
  say(`  profile      ${profile}`);
  say(`  host         dealstack install --browser chromium --user-data-dir ${profile}`);

  // 2. The agent, in the foreground of a child process we stop at the end.
  const agent = spawn(bin, ['agent'], { env: home.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let agentErr = '';
  agent.stderr.on('data', (d) => { agentErr += d; });
  cleanups.push(async () => {
    if (agent.exitCode === null) agent.kill('SIGTERM');
    await stopAgent(home.lock);
  });
  await waitFor(() => fs.existsSync(home.socket) || agent.exitCode !== null, { what: 'the agent socket' });
  if (agent.exitCode !== null) throw new Error(`the agent exited (${agent.exitCode}): ${agentErr}`);
  say(`  agent        pid ${agent.pid}, home ${home.home}`);

  // 3. The demo offers (docs/stacking.md offers, per retailer): loaded into the server, then
  // the agent (vault set up, logged in) pulls them in its first sync. Without a server the
  // agent imports the file itself.
  const offersFile = path.join(root, 'demo', 'shop', 'offers.json');
  if (!(server && syncDemo(server, offersFile))) {
    const imported = cli(['offers', 'import', offersFile], home.env);
    say(imported.status === 0
      ? `  offers       ${imported.out.split('\n')[0] || `imported ${offersFile}`}`
      : `  offers       not imported (${imported.out.split('\n')[0]}); the stack shows no offers`);
  }

  // 4. The shop.
  const shop = await startShop();
  cleanups.push(() => shop.close());
  const productUrl = shop.productUrl(DEMO_SLUG);
  say(`  demo shop    ${shop.url}/`);

  // 5. Chromium with the extension. An unpacked extension keeps its version across rebuilds,
  // so Chromium would keep running the service worker script it cached from an earlier build
  // of this profile (a new wasm module beside an old loader then refuses to load): drop
  // the profile's service-worker cache so the build on disk is what runs.
  fs.rmSync(path.join(profile, 'Default', 'Service Worker'), { recursive: true, force: true });
  const browser = await launchBrowser({
    extensionPath: extensionDir('chromium'), agentHome: home, profile, host: false, headless, keep: true,
  });
  cleanups.push(() => browser.close());
  say(`  chromium     ${headless ? 'headless' : 'on your display'}, extension ${EXTENSION_ORIGIN}/`);

  // A card in the wallet, so the demo's card-linked offer can count (skipped when the
  // service worker doesn't answer wallet requests).
  const wallet = await browser.request({ type: 'wallet.get' }).catch(() => null);
  if (wallet?.ok && !wallet.value.cards.some((c) => c.id === 'blue')) {
    await browser.request({ type: 'wallet.set', wallet: { ...wallet.value,
      cards: [...wallet.value.cards, { id: 'blue', name: 'Blue Cash', earn_percent: '1' }] } }).catch(() => null);
  }

  if (!headless) {
    const page = await browser.context.newPage();
    await page.goto(`${shop.url}/`);
    const product = await browser.context.newPage();
    await product.goto(productUrl);
    say(`\nChromium is open on the demo shop. Click the dealstack icon on a product page.`);
    say(`Change a price from here: the shop is this process (${DEMO_SLUG} costs ${shop.products[DEMO_SLUG].price}).`);
    say('Press Ctrl-C to stop the browser, the agent and the shop.');
    await new Promise((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
      browser.context.once('close', resolve);
    });
  } else {
    await headlessTour(browser, shop, productUrl);
  }
} catch (e) {
  console.error(`\nnpm start: ${e.message}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}

// The vault (a demo passphrase, through stdin), an account on the demo server, one sync.
function syncDemo(srv, offersFile) {
  const loaded = srv.admin('offers', 'import', offersFile);
  if (loaded.status !== 0) {
    say(`  server       offers not loaded (${loaded.out.split('\n')[0]})`);
    return false;
  }
  say(`  server       ${srv.url} (dealstack-server; offers ${loaded.out.split('\n')[0]})`);
  const vault = cli(['vault', 'init', '--passphrase', '--stdin'], home.env, 'demo passphrase, not a real one\n');
  if (vault.status !== 0) {
    say(`  vault        not set up (${vault.out.split('\n').pop()})`);
    return false;
  }
  say(`  vault        ${vault.out.split('\n').pop()}`);
  const login = cli(['sync', 'login', '--server', srv.url, '--email', DEMO_EMAIL, '--register', '--stdin'], home.env,
    'demo password, not a real one\n');
  if (login.status !== 0) {
    say(`  sync         login failed (${login.out.split('\n').pop()})`);
    return false;
  }
  const now = cli(['sync', 'now', '--json'], home.env);
  let status = null;
  try { status = JSON.parse(now.out.split('\n').pop()); } catch { /* printed below */ }
  if (now.status !== 0 || !status?.offers_synced_at) {
    say(`  sync         first round did not finish (${now.out.split('\n').pop()})`);
    return false;
  }
  say(`  sync         ${DEMO_EMAIL}: ${status.state}, offers pulled from the server`);
  return true;
}

async function headlessTour(browser, shop, productUrl) {
  fs.mkdirSync(shotsDir, { recursive: true });
  const page = await browser.context.newPage();
  const started = Date.now();
  await page.goto(productUrl);
  const tabId = await browser.tabIdOf(page);
  const first = await browser.waitForTabState(tabId, (v) => v.state?.product && (v.state.stack || v.state.stack_error),
    { timeout: 15_000 });
  const readyMs = Date.now() - started;
  const { state } = first;
  const p = state.product;
  say(`\nProduct (${productUrl}, ready in the popup ${readyMs} ms after navigation):`);
  say(`  ${p.name}${p.brand ? ` by ${p.brand}` : ''}`);
  say(`  ${money(p.price?.amount, p.price?.currency)}${p.list_price ? ` (was ${money(p.list_price.amount, p.list_price.currency)})` : ''}, ` +
    `${p.availability}; price from ${p.sources?.price ?? '-'} (confidence ${p.confidence?.price ?? '-'})`);
  const badge = await browser.inServiceWorker((id) => chrome.action.getBadgeText({ tabId: id }), tabId).catch(() => '');
  if (badge) say(`  toolbar badge: ${badge}`);
  printStack(state);

  await page.screenshot({ path: path.join(shotsDir, 'product-page.png') });
  let popup = await browser.openPopup(tabId);
  await popup.waitForLoadState('load');
  await new Promise((r) => setTimeout(r, 500));
  await browser.screenshots(popup, 'popup', { dir: shotsDir });

  // Watch it, drop the price, check: the alert follows.
  const currency = p.price?.currency ?? 'USD';
  const target = '175.00';
  const added = await browser.request({ type: 'watch.add', params: { url: productUrl, target_price: target, currency } });
  if (!added?.ok) throw new Error(`watch.add: ${JSON.stringify(added?.error)}`);
  const watch = added.value;
  say(`\nWatching it (watch ${watch.id}): alert below ${money(target, currency)}.`);
  const before = await browser.request({ type: 'watch.check', id: watch.id });
  if (before?.ok) say(`  check: ${money(before.value.observation?.price, currency)}, no alert`);
  shop.setPrice(DEMO_SLUG, DROPPED_PRICE);
  say(`  the demo shop lowers the price to ${money(DROPPED_PRICE, currency)}`);
  const after = await browser.request({ type: 'watch.check', id: watch.id });
  if (!after?.ok) throw new Error(`watch.check: ${JSON.stringify(after?.error)}`);
  const alert = after.value.alert;
  say(`  check: ${money(after.value.observation?.price, currency)}` +
    (alert ? `\n  alert: ${alert.message} (${alert.kinds.join(', ')})` : ', no alert (unexpected)'));
  const notes = await waitFor(() => browser.inServiceWorker(async () => {
    const all = await chrome.notifications.getAll();
    return Object.keys(all).length ? all : null;
  }), { timeout: 5000, what: 'a notification' }).catch(() => null);
  say(notes ? `  notification shown in Chromium (${Object.keys(notes).length})` : '  (no chrome.notifications notification seen)');

  // The popup again: the alert and the new history point.
  await page.reload();
  await browser.waitForTabState(tabId, (v) => v.state?.product?.price?.amount === DROPPED_PRICE, { timeout: 10_000 }).catch(() => null);
  await popup.close();
  popup = await browser.openPopup(tabId);
  await popup.waitForLoadState('load');
  await new Promise((r) => setTimeout(r, 500));
  await browser.screenshots(popup, 'popup-after-drop', { dir: shotsDir });
  if (server) {
    const synced = cli(['sync', 'now', '--json'], home.env);
    try {
      const st = JSON.parse(synced.out.split('\n').pop());
      say(`\nSync: ${st.state}, ${st.records} record(s) on the server (end-to-end encrypted), ${st.pending} pending`);
    } catch {
      say(`\nSync: ${synced.out.split('\n').pop()}`);
    }
  }
  const options = await browser.openOptions();
  await new Promise((r) => setTimeout(r, 300));
  await browser.screenshots(options, 'options', { dir: shotsDir });
  say(`\nScreenshots: ${shotsDir}/`);
  for (const f of fs.readdirSync(shotsDir).sort()) say(`  ${f}`);
}

function printStack(state) {
  if (!state.stack) {
    say(`  no stack: ${state.stack_error ? `${state.stack_error.code}: ${state.stack_error.message}` : 'no offers'}`);
    return;
  }
  const s = state.stack;
  const c = s.currency;
  say(`\nBest stack (${state.offer_count} offers for ${state.retailer}): ` +
    `pay ${money(s.totals.out_of_pocket, c)}, net ${money(s.net, c)}, saves ${money(s.savings, c)}`);
  s.steps.forEach((step, i) => say(`  ${i + 1}. ${step.label.padEnd(60)} ${money(step.saves, c)}`));
  for (const w of s.warnings) say(`  ! ${w.message}`);
  for (const h of s.hints) say(`  + ${h.message}`);
}
