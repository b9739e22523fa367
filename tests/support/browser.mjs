// The real built extension in real headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core), with the real native host installed into the test's own profile and an
// agent home of its own (tests/support/agent_home.mjs): Chromium runs with that home's
// environment, so the host it starts finds that agent and no other.
//
//   const b = await launchBrowser();                 // host installed, agent starts on demand
//   const page = await b.context.newPage(); await page.goto(shop.productUrl('espresso-grinder'));
//   const tabId = await b.tabIdOf(page);
//   const state = await b.waitForTabState(tabId, (s) => s.state?.stack);
//   const popup = await b.openPopup(tabId);
//   await b.screenshots(popup, 'popup-product');      // light and dark, into screenshotDir
//   await b.close();                                  // browser, host, agent, temporary folders
//
// Teardown ends only what this launch started: the Chromium processes whose command line
// names this launch's profile folder, and the agent named in this home's lock file.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { makeAgentHome, stopAgent } from './agent_home.mjs';
import { dealstackBin, repoRoot } from './dealstack.mjs';

/** The development id the chromium manifest's `key` gives (extension/manifest/chromium.json). */
export const EXTENSION_ID = 'noomoddoojahlajgdommlkgnpjnondje';
export const EXTENSION_ORIGIN = `chrome-extension://${EXTENSION_ID}`;
export const chromiumPath = process.env.DEALSTACK_CHROMIUM ?? '/usr/bin/chromium';
/** The built extensions (node scripts/build_extension.mjs; DEALSTACK_EXTENSION_DIR: another
 *  --out-dir holding chromium/ and firefox/). */
export const extensionDir = (flavour = 'chromium') =>
  path.join(path.resolve(repoRoot, process.env.DEALSTACK_EXTENSION_DIR ?? path.join('build', 'extension')), flavour);
/** Where tests leave screenshots for a person to look at. */
export const screenshotDir = path.resolve(process.env.DEALSTACK_SCREENSHOTS ?? path.join(repoRoot, 'build', 'test-screenshots'));

/** The agent settings tests want: no pause between requests to one (loopback) shop, no desktop
 *  pop-ups (the browser shows the alerts). */
export const TEST_AGENT_CONFIG = { monitor: { min_host_gap_ms: 0 }, notifications: { desktop: false } };

/** Why the browser tests can't run here, or null when they can. */
export function missingPrerequisite(flavour = 'chromium') {
  if (!fs.existsSync(chromiumPath)) return `${chromiumPath} is missing (apt-get install chromium)`;
  if (!fs.existsSync(dealstackBin)) return `${dealstackBin} is missing (bash scripts/build.sh native)`;
  const manifest = path.join(extensionDir(flavour), 'manifest.json');
  if (!fs.existsSync(manifest)) return `${manifest} is missing (node scripts/build_extension.mjs)`;
  return null;
}

/** The Chromium flags of ../shared/notes/toolchain.md: nothing reaches for the network. */
export function chromiumArgs(extensionPath, { headless = true } = {}) {
  return [
    ...(headless ? ['--headless=new'] : []),
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--no-default-browser-check',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--disable-features=Translate,OptimizationHints,MediaRouter',
    `--disable-extensions-except=${extensionPath}`, `--load-extension=${extensionPath}`,
  ];
}

/** Writes the host manifest into `profile` and the allow-list into the agent home (the
 *  real `dealstack install`, run with the home's environment). */
export function installHost(profile, env) {
  const r = spawnSync(dealstackBin, ['install', '--browser', 'chromium', '--user-data-dir', profile, '--json'],
    { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`dealstack install failed (${r.status}): ${r.stdout}${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** Starts `dealstack agent` for a home (detached, as the host would) and waits for its
 *  socket. stopAgent(home.lock) ends it. */
export async function startAgent(home) {
  const child = spawn(dealstackBin, ['agent'], { env: home.env, stdio: 'ignore', detached: true });
  child.unref();
  let exited = null;
  child.on('exit', (code) => { exited = code; });
  await waitFor(() => fs.existsSync(home.socket) || exited !== null, { what: 'the agent socket' });
  // exit 3: an agent already runs for this home, which is as good.
  if (exited !== null && exited !== 3) throw new Error(`dealstack agent exited with ${exited}`);
  return child.pid;
}

/** The host manifest `installHost` writes (remove it to make the host "not installed"). */
export const hostManifestPath = (profile) => path.join(profile, 'NativeMessagingHosts', 'com.dealstack.host.json');

// Pids of processes whose command line holds `needle` (this launch's profile folder).
function pidsWith(needle) {
  const out = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.includes(needle)) out.push(Number(entry));
    } catch { /* gone meanwhile */ }
  }
  return out;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` (async) until it returns a truthy value; throws with `what` after `timeout` ms. */
// A loopback server for a test's own pages: `pages` maps a path to its HTML, or is a
// function from the path to the HTML (undefined: 404). `headers` are added to every page.
// Resolves to {base: "http://127.0.0.1:PORT", close()}.
export async function servePages(pages, headers = {}) {
  const server = createServer((req, res) => {
    const p = new URL(req.url, 'http://x').pathname;
    const body = typeof pages === 'function' ? pages(p) : pages[p];
    res.writeHead(body !== undefined ? 200 : 404, { 'content-type': 'text/html; charset=utf-8', ...headers });
    res.end(body ?? 'not found');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { base: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

export async function waitFor(fn, { timeout = 10_000, interval = 50, what = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  let lastError;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) { lastError = e; }
    await sleep(interval);
  }
  throw new Error(`timed out after ${timeout} ms waiting for ${what}` +
    (lastError ? ` (last error: ${lastError.message})` : '') +
    (last !== undefined ? ` (last value: ${JSON.stringify(last)?.slice(0, 500)})` : ''));
}

/**
 * Starts Chromium with the extension. Options:
 *   extensionPath: the unpacked extension (default build/extension/chromium);
 *   host: install the native host into the profile (default true);
 *   agentHome: a makeAgentHome() result to use (default: a fresh one with TEST_AGENT_CONFIG);
 *   profile: the --user-data-dir (default: a fresh temporary folder, removed by close());
 *   headless: default true; keep: leave the temporary folders after close (debugging).
 * Resolves with helpers (see the file's header) and `close()`.
 */
export async function launchBrowser({
  extensionPath = extensionDir('chromium'), host = true, agentHome, profile, headless = true,
  keep = Boolean(process.env.DEALSTACK_KEEP_PROFILE), viewport = { width: 1200, height: 900 },
} = {}) {
  const home = agentHome ?? makeAgentHome({ prefix: 'ds-ext-', agentConfig: TEST_AGENT_CONFIG });
  const ownProfile = !profile;
  const profileDir = profile ?? fs.mkdtempSync(path.join(os.tmpdir(), 'ds-profile-'));
  if (host) installHost(profileDir, home.env);
  // Chromium gets the agent home's environment (HOME, XDG_*), so the host it starts reads that
  // home's allow-list and reaches that home's agent. DISPLAY and friends pass through for a
  // headed run.
  const env = { ...home.env };
  for (const k of ['DISPLAY', 'WAYLAND_DISPLAY', 'XAUTHORITY', 'DBUS_SESSION_BUS_ADDRESS', 'LANG', 'TZ']) {
    if (process.env[k] && !env[k]) env[k] = process.env[k];
  }
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumPath, headless, env, viewport,
    args: chromiumArgs(extensionPath, { headless }),
    // Playwright's own default would switch every extension off.
    ignoreDefaultArgs: ['--disable-extensions', '--disable-component-extensions-with-background-pages'],
  });
  let helperPage = null;
  let closed = false;

  async function serviceWorker(timeout = 10_000) {
    const find = () => context.serviceWorkers().find((w) => w.url().startsWith(`${EXTENSION_ORIGIN}/`));
    const found = find();
    if (found) return found;
    return waitFor(find, { timeout, what: 'the extension service worker' });
  }

  // An extension page that sends requests to the service worker like the popup does.
  async function helper() {
    if (helperPage && !helperPage.isClosed()) return helperPage;
    helperPage = await context.newPage();
    await helperPage.goto(`${EXTENSION_ORIGIN}/options/options.html?harness=1`);
    return helperPage;
  }

  /** Sends a Request (extension/src/shared/messages.ts) from an extension page; resolves with
   *  the Reply ({ok, value} or {ok:false, error}). */
  async function request(message) {
    const page = await helper();
    return page.evaluate((m) => chrome.runtime.sendMessage(m), message);
  }

  /** The tab id of a page (matched by its current url among the browser's tabs). */
  async function tabIdOf(page) {
    const url = page.url();
    const sw = await serviceWorker();
    return waitFor(() => sw.evaluate(async (u) => (await chrome.tabs.query({})).find((t) => t.url === u)?.id ?? null, url),
      { what: `a tab for ${url}` });
  }

  /** Polls `tab.state` until `until(value)` holds; resolves with the reply's value. */
  async function waitForTabState(tabId, until = (v) => v.state, { timeout = 10_000 } = {}) {
    return waitFor(async () => {
      const r = await request({ type: 'tab.state', tab_id: tabId });
      return r?.ok && until(r.value) ? r.value : false;
    }, { timeout, what: `tab.state of tab ${tabId}` });
  }

  /** Opens the popup for `tabId` in a tab of its own (popup.html?tab=ID). */
  async function openPopup(tabId, { width = 400, height = 640 } = {}) {
    const page = await context.newPage();
    await page.setViewportSize({ width, height });
    await page.goto(`${EXTENSION_ORIGIN}/popup/popup.html?tab=${tabId}`);
    return page;
  }

  async function openOptions() {
    const page = await context.newPage();
    await page.goto(`${EXTENSION_ORIGIN}/options/options.html`);
    return page;
  }

  /** Saves `name`-light.png and `name`-dark.png of `page` (prefers-color-scheme emulated).
   *  Returns the two paths. */
  async function screenshots(page, name, { fullPage = true, dir = screenshotDir } = {}) {
    fs.mkdirSync(dir, { recursive: true });
    const paths = [];
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      await sleep(100); // let a transition or a chart redraw settle
      const file = path.join(dir, `${name}-${scheme}.png`);
      await page.screenshot({ path: file, fullPage });
      paths.push(file);
    }
    await page.emulateMedia({ colorScheme: null });
    return paths;
  }

  /** Runs `fn(arg)` in the service worker (chrome.* available there). */
  async function inServiceWorker(fn, arg) {
    const sw = await serviceWorker();
    return sw.evaluate(fn, arg);
  }

  async function close() {
    if (closed) return;
    closed = true;
    await Promise.race([context.close().catch(() => {}), sleep(10_000)]);
    // Whatever outlived close(): Chromium's helpers and the native host, which Chromium starts
    // with the profile folder on no command line, are its children and end with it; the
    // processes naming our profile are ours alone.
    for (const pid of pidsWith(`--user-data-dir=${profileDir}`)) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
    await stopAgent(home.lock);
    if (!keep) {
      if (ownProfile) fs.rmSync(profileDir, { recursive: true, force: true });
      if (!agentHome) fs.rmSync(home.home, { recursive: true, force: true });
    }
  }

  return {
    context, home, env, profile: profileDir, extensionPath,
    serviceWorker, request, tabIdOf, waitForTabState, openPopup, openOptions, screenshots,
    inServiceWorker, close,
    installHost: () => installHost(profileDir, home.env),
    uninstallHost: () => fs.rmSync(hostManifestPath(profileDir), { force: true }),
    stopAgent: () => stopAgent(home.lock),
  };
}

/** A copy of a built extension in a temporary folder, for tests that break a file of it.
 *  Returns {dir, remove()}. */
export function copyExtension(flavour = 'chromium') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ds-ext-copy-'));
  fs.cpSync(extensionDir(flavour), dir, { recursive: true });
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
