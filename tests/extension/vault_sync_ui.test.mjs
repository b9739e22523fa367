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
//   - sync against a real dealstack-server on loopback (when one is built; the agent trusts its
//     CA through agent.json "sync": {"ca_file"}): `dealstack sync login --register --stdin`
//     shows up in the open page through sync.changed (no reload): idle, server, email, last
//     sync, pending none; a watch added through the extension is pushed, "Sync now" moves the
//     last sync, and a second agent logging in to the account pulls the watch from the server;
//     the popup's "Synced just now" line; the vault locked from the page: "Sync paused: vault
//     locked" in both; a token revoked with `dealstack-server admin tokens revoke`: the error
//     with the "log in again" command filled in, which the real CLI then accepts as shown;
//     without a server: the off state only (said so);
//   - light and dark screenshots of both sections and the popup's line, contrast and names.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { askAgent, makeAgentHome, stopAgent } from '../support/agent_home.mjs';
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

/** The dealstack-server binary: DEALSTACK_SERVER_BIN, else the one beside the dealstack
 *  binary in use (DEALSTACK_BIN=build/X/bin/dealstack brings build/X/bin/dealstack-server),
 *  else build/native/bin's (tests/backend/server_harness.mjs's default); null when none is
 *  built. */
function serverBin() {
  if (process.env.DEALSTACK_SERVER_BIN) return path.resolve(repoRoot, process.env.DEALSTACK_SERVER_BIN);
  for (const p of [path.join(path.dirname(dealstackBin), 'dealstack-server'), path.join(repoRoot, 'build', 'native', 'bin', 'dealstack-server')]) {
    if (fs.existsSync(p)) return p;
  }
  return null;
}

/** tests/backend/server_harness.mjs, loaded once the binary is chosen (it reads
 *  DEALSTACK_SERVER_BIN when it is imported). */
async function serverHarness(bin) {
  process.env.DEALSTACK_SERVER_BIN = bin;
  return import('../backend/server_harness.mjs');
}

/** What the clipboard holds, read the way a person would: pasted (Ctrl+V) into a text field
 *  of a page of its own (reading it from script needs a permission extension pages can't be
 *  granted here). */
async function pasted(context) {
  const p = await context.newPage();
  try {
    await p.setContent('<textarea id="t" aria-label="paste here"></textarea>');
    await p.locator('#t').focus();
    await p.keyboard.press('Control+V');
    return await p.locator('#t').inputValue();
  } finally {
    await p.close();
  }
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
  let hasSync = false;
  /** The real dealstack-server (when one is built) and its harness; `others`: more agent
   *  homes the test starts ("another machine"). */
  let server = null;
  let harness = null;
  const others = [];

  before(async () => {
    // The server first: the agent reads agent.json once, at start, and must trust the CA the
    // server generates (agent.json "sync": {"ca_file"}, docs/sync.md).
    const bin = serverBin();
    if (bin) {
      harness = await serverHarness(bin);
      server = await harness.startServer();
      server.url = `https://127.0.0.1:${server.port}`;
    }
    const agentConfig = server
      ? { ...TEST_AGENT_CONFIG, sync: { ca_file: server.caPath, interval_ms: 600_000 } }
      : TEST_AGENT_CONFIG;
    home = makeAgentHome({ prefix: 'ds-vaultui-', agentConfig });
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ds-vaultui-profile-'));
    await startAgent(home);
    const probe = await askAgent(home.socket, { method: 'vault.status' });
    hasVault = !(probe.error && probe.error.code === 'unknown_method');
    const syncProbe = await askAgent(home.socket, { method: 'sync.status' });
    hasSync = !(syncProbe.error && syncProbe.error.code === 'unknown_method');
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
    for (const o of others) {
      await stopAgent(o.lock);
      fs.rmSync(o.home, { recursive: true, force: true });
    }
    if (server) {
      await server.stop();
      fs.rmSync(server.dir, { recursive: true, force: true });
    }
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
    assert.equal(await pasted(b.context), 'dealstack vault init');

    if (hasSync) {
      await page.waitForSelector('#sync-pill');
      assert.equal(await page.locator('#sync-pill').innerText(), msg('sync_state_off'));
      assert.equal(await page.locator('#sync-command').innerText(), 'dealstack sync login --server URL --email E');
      assert.equal(await page.locator('#sync-now').count(), 0, 'no Sync now while logged out');
    } else {
      await page.waitForSelector('#sync-error');
      assert.equal(await page.locator('#sync-error p').innerText(), msg('sync_agent_too_old'));
    }

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

  const PASSPHRASE = `pass ${crypto.randomBytes(6).toString('hex')}`;
  const agentList = async () => (await askAgent(home.socket, { method: 'vault.list' })).result.entries;

  test('after `dealstack vault init`: Check again shows the vault unlocked, by passphrase', async (t) => {
    if (!hasVault) { t.skip('the agent has no vault.* methods yet'); return; }
    const init = await runDealstack(['vault', 'init', '--passphrase', '--stdin'], `${PASSPHRASE}\n`, home.env);
    assert.equal(init.code, 0, init.stderr);
    await page.locator('#vault-cli button[data-action="vault-again"]').click();
    await waitFor(async () => (await page.locator('#vault-pill').innerText()) === msg('vault_state_unlocked'), { what: 'the vault unlocked' });
    const st = (await askAgent(home.socket, { method: 'vault.status' })).result;
    assert.equal(await page.locator('#vault-protection').innerText(), msg('vault_protection_passphrase'));
    assert.equal(await page.locator('#vault-autolock').innerText(),
      st.auto_lock_minutes > 0 ? msg('vault_auto_lock', String(st.auto_lock_minutes)) : msg('vault_auto_lock_never'));
    assert.equal(await page.locator('#vault-cli').count(), 0, 'no command once unlocked');
    assert.equal(await page.locator('#vault-add').isVisible(), true);
    assert.equal(await page.locator('#vault-empty').innerText(), msg('vault_none'));
  });

  test('a shop session typed by keyboard: bad JSON stays in the page, good JSON is saved write-only', async (t) => {
    if (!hasVault) { t.skip('the agent has no vault.* methods yet'); return; }
    const cookie = `c00kie${crypto.randomBytes(8).toString('hex')}`;
    const header = `h3ader${crypto.randomBytes(8).toString('hex')}`;
    secrets.push(cookie, header);
    const form = page.locator('#vault-add');
    // Keyboard: Tab from the kind select through the fields.
    await form.getByLabel(msg('vault_add_kind'), { exact: true }).focus();
    await page.keyboard.press('Tab');
    await page.keyboard.type('members.shop.example');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Shop members');
    await page.keyboard.press('Tab');
    const secretField = form.getByLabel(msg('vault_add_secret_shop_session'), { exact: true });
    assert.equal(await secretField.evaluate((n) => n === document.activeElement && n.tagName), 'TEXTAREA');
    // Not JSON: refused in the page, the field marked and described, nothing sent.
    await page.keyboard.type(`{"cookies": {"sid": ${cookie}}}`);
    await form.locator('#vault-save').click();
    await waitFor(async () => (await secretField.getAttribute('aria-invalid')) === 'true', { what: 'the secret field marked invalid' });
    assert.equal(await page.locator('#vault-add-status').innerText(), msg('vault_session_not_json'));
    assert.ok(!(await page.locator('#vault-add-status').innerText()).includes(cookie));
    assert.equal(await secretField.inputValue(), `{"cookies": {"sid": ${cookie}}}`, 'the text stays to be corrected');
    assert.deepEqual(await agentList(), [], 'nothing reached the agent');
    // A cookie value with a space is refused too (the agent would refuse it).
    await secretField.fill(`{"cookies": {"sid": "a ${cookie}"}}`);
    await page.keyboard.press('Tab'); // to Save
    await page.keyboard.press('Enter');
    await waitFor(async () => (await page.locator('#vault-add-status').innerText()) === msg('vault_session_bad_cookie'), { what: 'the cookie refused' });
    // Corrected: saved; the entry listed with its label, the field empty (a new element).
    await secretField.fill(JSON.stringify({ cookies: { sid: cookie }, headers: { 'X-Member': header } }));
    const before = await secretField.elementHandle();
    await form.locator('#vault-save').click();
    await waitFor(async () => (await page.locator('#vault-add-status').innerText()) === msg('vault_saved', 'Shop members'), { what: 'saved' });
    assert.equal(await before.evaluate((n) => n.isConnected), false, 'the old field is gone');
    assert.equal(await secretField.inputValue(), '');
    assert.equal(await page.locator('#vault-table tbody tr').count(), 1);
    assert.equal(await page.locator('#vault-table tbody th').innerText(), 'Shop members');
    assert.equal(await page.locator('#vault-table .entry-id').innerText(), 'shop/members.shop.example');
    const entries = await agentList();
    assert.deepEqual(entries.map((e) => [e.id, e.kind, e.label]), [['shop/members.shop.example', 'shop_session', 'Shop members']]);
    assert.equal(await page.locator('#vault-count').innerText(), msg('vault_entries_one'));
  });

  test('a notification secret through the password field; saving the same id asks first', async (t) => {
    if (!hasVault) { t.skip('the agent has no vault.* methods yet'); return; }
    const token = `tok${crypto.randomBytes(10).toString('hex')}`;
    secrets.push(token);
    const form = page.locator('#vault-add');
    await form.getByLabel(msg('vault_add_kind'), { exact: true }).selectOption('notify_secret');
    const field = form.getByLabel(msg('vault_add_secret_notify_secret'), { exact: true });
    assert.equal(await field.getAttribute('type'), 'password');
    assert.equal(await field.getAttribute('autocomplete'), 'new-password');
    await form.locator('[data-k="name"]').fill('ntfy');
    await field.fill(token);
    await field.press('Enter');
    await waitFor(async () => (await page.locator('#vault-add-status').innerText()) === msg('vault_saved', 'ntfy'), { what: 'saved' });
    assert.equal(await field.inputValue(), '');
    // The same id again: the first Save warns, the second replaces.
    await form.locator('[data-k="name"]').fill('ntfy');
    await field.fill(`${token}2`);
    secrets.push(`${token}2`);
    const updatedBefore = (await agentList()).find((e) => e.id === 'notify/ntfy').updated_at;
    await form.locator('#vault-save').click();
    assert.equal(await page.locator('#vault-add-status').innerText(), msg('vault_replace_confirm', 'notify/ntfy'));
    assert.equal(await field.inputValue(), `${token}2`, 'nothing sent yet');
    await sleep(5); // updated_at must be able to move
    await form.locator('#vault-save').click();
    await waitFor(async () => (await page.locator('#vault-add-status').innerText()) === msg('vault_saved', 'ntfy'), { what: 'replaced' });
    assert.equal(await field.inputValue(), '');
    const after = await agentList();
    assert.equal(after.length, 2);
    assert.ok(after.find((e) => e.id === 'notify/ntfy').updated_at >= updatedBefore);
  });

  test('the secrets typed are nowhere in the extension: storage, console, DOM, replies', async (t) => {
    if (!hasVault) { t.skip('the agent has no vault.* methods yet'); return; }
    const stored = await b.inServiceWorker(async () => JSON.stringify({
      local: await chrome.storage.local.get(null),
      session: await chrome.storage.session.get(null),
    }));
    const swConsole = await b.inServiceWorker(() => globalThis.__consoleLines ?? []);
    const dom = await page.evaluate(() => document.documentElement.outerHTML +
      [...document.querySelectorAll('input, textarea, select')].map((n) => n.value).join('\n'));
    const replies = JSON.stringify([
      await b.request({ type: 'vault.list' }), await b.request({ type: 'vault.status' }),
      await askAgent(home.socket, { method: 'vault.list' }),
    ]);
    for (const secret of secrets) {
      assert.ok(!stored.includes(secret), 'chrome.storage holds a secret');
      assert.ok(!swConsole.some((l) => l.includes(secret)), 'the service worker logged a secret');
      assert.ok(!consoleLines.some((l) => l.includes(secret)), 'a console logged a secret');
      assert.ok(!dom.includes(secret), 'the page still holds a secret');
      assert.ok(!replies.includes(secret), 'a reply holds a secret');
    }
    assert.deepEqual(pageErrors, []);
  });

  test('Delete asks first, then deletes; the focus stays in the list', async (t) => {
    if (!hasVault) { t.skip('the agent has no vault.* methods yet'); return; }
    await checkA11y(page, '#vault', 'vault (two entries)');
    await shoot(page, '#vault', 'options-vault-entries');
    const del = page.getByRole('button', { name: msg('vault_delete_aria', 'Shop members'), exact: true });
    await del.focus();
    await page.keyboard.press('Enter');
    const asking = page.getByRole('button', { name: msg('vault_delete_confirm_aria', 'Shop members'), exact: true });
    assert.equal(await asking.innerText(), msg('vault_delete_confirm'));
    assert.equal((await agentList()).length, 2, 'not deleted on the first press');
    await page.keyboard.press('Enter');
    await waitFor(async () => (await agentList()).length === 1, { what: 'the entry deleted in the agent' });
    await waitFor(async () => (await page.locator('#vault-table tbody tr').count()) === 1, { what: 'the row gone' });
    await waitFor(async () => (await page.locator('#live').innerText()) === msg('vault_deleted', 'Shop members'), { what: 'the deletion announced' });
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
    assert.equal(focused, msg('vault_delete_aria', 'ntfy'), 'the focus moved to the next Delete');
  });

  test('Lock: the unlock command with Copy, no add form, entries still listed; unlock from the CLI', async (t) => {
    if (!hasVault) { t.skip('the agent has no vault.* methods yet'); return; }
    await page.locator('#vault-lock').click();
    await waitFor(async () => (await page.locator('#vault-pill').innerText()) === msg('vault_state_locked'), { what: 'locked' });
    assert.equal((await askAgent(home.socket, { method: 'vault.status' })).result.locked, true);
    assert.equal(await page.locator('#vault-command').innerText(), 'dealstack vault unlock');
    assert.equal(await page.locator('#vault-add').isHidden(), true);
    assert.equal(await page.locator('#vault-add-closed').innerText(), msg('vault_add_needs_unlock'));
    assert.equal(await page.locator('#vault-table tbody tr').count(), 1, 'entries are listed while locked');
    await page.bringToFront();
    await page.locator('#vault-cli button[data-action="copy-vault-command"]').click();
    await waitFor(async () => (await page.locator('#vault-cli button[data-action="copy-vault-command"]').innerText()) === msg('copied'), { what: 'Copied' });
    assert.equal(await pasted(b.context), 'dealstack vault unlock');
    await checkA11y(page, '#vault', 'vault (locked)');
    await shoot(page, '#vault', 'options-vault-locked');
    // A vault.set while locked is the agent's vault_locked, shown as such.
    const r = await b.request({ type: 'vault.set', id: 'notify/gotify', kind: 'notify_secret', label: '', secret: 'x-locked-secret' });
    assert.equal(r.ok, false);
    assert.equal(r.error.code, 'vault_locked');
    const unlock = await runDealstack(['vault', 'unlock', '--stdin'], `${PASSPHRASE}\n`, home.env);
    assert.equal(unlock.code, 0, unlock.stderr);
    await page.locator('#vault-cli button[data-action="vault-again"]').click();
    await waitFor(async () => (await page.locator('#vault-pill').innerText()) === msg('vault_state_unlocked'), { what: 'unlocked' });
    assert.equal(await page.locator('#vault-add').isVisible(), true);
  });

  test('sync against a real dealstack-server: live login, a watch synced, Sync now, locked vault, revoked token', async (t) => {
    if (!hasVault) { t.skip('the agent has no vault.* methods yet'); return; }
    if (!hasSync) { t.skip('the agent has no sync.* methods yet'); return; }
    if (!server) { t.skip('no dealstack-server built: only the "off" state was tested'); return; }
    const email = `shopper-${crypto.randomBytes(4).toString('hex')}@example.com`;
    const password = `pw-${crypto.randomBytes(8).toString('hex')}`;
    secrets.push(password);
    const agentSync = async () => (await askAgent(home.socket, { method: 'sync.status' })).result;
    await page.bringToFront();
    const pill = () => page.locator('#sync-pill').innerText();
    assert.equal(await pill(), msg('sync_state_off'));

    // What reaches the open page from here on: the service worker's sync.changed broadcasts
    // (the agent's sync.updated events), recorded by a listener of the test's own; and a
    // mark on the document, which a reload would drop.
    await page.evaluate(() => {
      window.__sameDocument = 'yes';
      window.__syncChanged = [];
      chrome.runtime.onMessage.addListener((m) => { if (m?.type === 'sync.changed') window.__syncChanged.push(m.sync); });
    });
    const heard = () => page.evaluate(() => window.__syncChanged);

    // Logged in from the CLI: the open page follows the agent's sync.updated (no reload).
    const login = await runDealstack(['sync', 'login', '--server', server.url, '--email', email, '--register', '--stdin', '--json'],
      `${password}\n`, home.env);
    assert.equal(login.code, 0, login.stderr);
    assert.equal(JSON.parse(login.stdout).email, email);
    await waitFor(async () => (await pill()) === msg('sync_state_idle') && (await page.locator('#sync-last time').count()) === 1,
      { timeout: 30_000, what: 'the page to show the first round done' });
    let st = await agentSync();
    assert.equal(st.state, 'idle', JSON.stringify(st));
    assert.ok(st.last_sync_at > 0);
    assert.equal(st.pending, 0);
    assert.equal(await page.locator('#sync-email').innerText(), email);
    assert.equal(await page.locator('#sync-server').innerText(), server.url);
    assert.equal(await page.locator('#sync-pending').innerText(), msg('sync_pending_none'));
    assert.equal(await page.locator('#sync-records').innerText(), String(st.records));
    assert.equal(await page.locator('#sync-last time').getAttribute('datetime'), new Date(st.last_sync_at).toISOString());
    assert.equal(await page.evaluate(() => window.__sameDocument), 'yes', 'the page was not reloaded');
    const states = (await heard()).map((x) => x.state);
    assert.ok(states.includes('idle') && (await heard()).some((x) => x.last_sync_at === st.last_sync_at),
      `the page heard the round's sync.changed: ${JSON.stringify(states)}`);
    assert.equal(await page.locator('#sync-cli').count(), 0, 'no login command once logged in');

    // A watch added through the extension: the agent's debounced round pushes it, the open
    // page shows each round as it ends; "Sync now" then runs one more and moves the time.
    const watchUrl = `https://shop.invalid/p/synced-${crypto.randomBytes(4).toString('hex')}`;
    const recordsBefore = st.records;
    const added = await b.request({ type: 'watch.add', params: { url: watchUrl } });
    assert.equal(added.ok, true, JSON.stringify(added));
    await waitFor(async () => { const x = await agentSync(); return x.state === 'idle' && x.pending === 0 && x.records === recordsBefore + 1; },
      { timeout: 30_000, what: 'the watch pushed by the agent' });
    st = await agentSync();
    await waitFor(async () => (await page.locator('#sync-records').innerText()) === String(recordsBefore + 1)
      && (await page.locator('#sync-last time').getAttribute('datetime')) === new Date(st.last_sync_at).toISOString(),
    { what: 'the page to show the pushed round (sync.changed)' });
    const lastBefore = st.last_sync_at;
    await sleep(20); // so the next round's time can differ
    await waitFor(async () => !(await page.locator('#sync-now').isDisabled()), { timeout: 20_000, what: 'Sync now enabled' });
    await page.locator('#sync-now').click();
    await waitFor(async () => (await page.locator('#sync-now-status').innerText()) === msg('sync_now_done'), { timeout: 60_000, what: 'the round done' });
    st = await agentSync();
    assert.equal(st.state, 'idle');
    assert.ok(st.last_sync_at > lastBefore, 'Sync now moved the last sync');
    assert.equal(st.pending, 0);
    assert.equal(st.records, recordsBefore + 1);
    assert.equal(await page.locator('#sync-last time').getAttribute('datetime'), new Date(st.last_sync_at).toISOString());
    assert.equal(await page.locator('#sync-pending').innerText(), msg('sync_pending_none'));
    assert.equal(await page.evaluate(() => window.__sameDocument), 'yes', 'the page was not reloaded');
    await checkA11y(page, '#sync', 'sync (idle)');
    await shoot(page, '#sync', 'options-sync-idle');

    // The server holds the watch: a second machine logging in to the account gets it.
    const other = makeAgentHome({ prefix: 'ds-vaultui-b-', agentConfig: { ...TEST_AGENT_CONFIG, sync: { ca_file: server.caPath, interval_ms: 600_000 } } });
    others.push(other);
    await startAgent(other);
    const initB = await runDealstack(['vault', 'init', '--passphrase', '--stdin'], `${PASSPHRASE}\n`, other.env);
    assert.equal(initB.code, 0, initB.stderr);
    const loginB = await runDealstack(['sync', 'login', '--server', server.url, '--email', email, '--stdin'], `${password}\n`, other.env);
    assert.equal(loginB.code, 0, loginB.stderr);
    await waitFor(async () => (await askAgent(other.socket, { method: 'watch.list' })).result?.watches?.some((w) => w.url === watchUrl),
      { timeout: 30_000, what: 'the second machine to pull the watch from the server' });

    const popup = await b.openPopup(0);
    await popup.waitForSelector('#sync-line:not([hidden])');
    // The round ended under a minute ago.
    assert.equal(await popup.locator('#sync-text').innerText(), msg('sync_line_synced_just_now'));
    await checkA11y(popup, '#sync-line', 'popup sync line');
    await shoot(popup, 'main', 'popup-sync-synced');

    // The vault locked (the page's Lock): the next round can't read the token, sync pauses;
    // both the page and the open popup say so, live.
    await page.bringToFront();
    await page.locator('#vault-lock').click();
    await waitFor(async () => (await page.locator('#vault-pill').innerText()) === msg('vault_state_locked'), { what: 'locked' });
    await page.locator('#sync-now').click();
    await waitFor(async () => (await pill()) === msg('sync_state_vault_locked'), { timeout: 30_000, what: 'sync paused' });
    assert.equal((await agentSync()).state, 'vault_locked');
    await waitFor(async () => (await page.locator('#sync-now-status').innerText()) === msg('sync_now_ended_vault_locked'), { what: 'Sync now to say why' });
    assert.equal(await page.locator('#sync-command').innerText(), 'dealstack vault unlock');
    await waitFor(async () => (await popup.locator('#sync-text').innerText()) === msg('sync_line_vault_locked'),
      { timeout: 30_000, what: 'the popup line to say vault locked' });
    await checkA11y(page, '#sync', 'sync (vault locked)');
    await shoot(page, '#sync', 'options-sync-vault-locked');
    await shoot(popup, 'main', 'popup-sync-vault-locked');
    // Unlocked from the CLI: the agent resumes at once, the page follows.
    const unlock = await runDealstack(['vault', 'unlock', '--stdin'], `${PASSPHRASE}\n`, home.env);
    assert.equal(unlock.code, 0, unlock.stderr);
    await waitFor(async () => (await pill()) === msg('sync_state_idle'), { timeout: 30_000, what: 'sync resumed after unlock' });
    await waitFor(async () => (await popup.locator('#sync-text').innerText()) === msg('sync_line_synced_just_now'),
      { what: 'the popup line back to Synced' });

    // A revoked token: Sync now stops with the server's code, and "log in again" shows the
    // account's own server and email, ready to copy.
    const revoke = await harness.admin(server.file, 'tokens', 'revoke', '--email', email);
    assert.equal(revoke.code, 0, revoke.stderr);
    await page.locator('#sync-now').click();
    await waitFor(async () => (await pill()) === msg('sync_state_error'), { timeout: 60_000, what: 'the error state' });
    st = await agentSync();
    assert.equal(st.state, 'error');
    assert.equal(st.last_error.code, 'token_revoked');
    assert.equal(await page.locator('#sync-error-code').innerText(), 'token_revoked');
    assert.equal(await page.locator('#sync-error-message').innerText(), st.last_error.message);
    await waitFor(async () => (await page.locator('#sync-now-status').innerText()) === msg('sync_now_ended_error'), { what: 'Sync now to say why' });
    const again = `dealstack sync login --server ${server.url} --email ${email}`;
    assert.equal(await page.locator('#sync-command').innerText(), again);
    await page.locator('#sync button[data-action="copy-sync-command"]').click();
    await waitFor(async () => (await page.locator('#sync button[data-action="copy-sync-command"]').innerText()) === msg('copied'), { what: 'Copied' });
    assert.equal(await pasted(b.context), again);
    await waitFor(async () => (await popup.locator('#sync-text').innerText()) === msg('sync_line_login_again'), { what: 'the popup line to say log in again' });
    assert.equal(await page.evaluate(() => window.__sameDocument), 'yes', 'the page was not reloaded');
    await checkA11y(page, '#sync', 'sync (error)');
    await checkA11y(popup, '#sync-line', 'popup sync line (error)');
    await shoot(page, '#sync', 'options-sync-error');
    await shoot(popup, 'main', 'popup-sync-error');

    // The command the page gave is one the real CLI takes: run as shown (the password from
    // stdin), it logs in again and the open page and popup follow.
    const relogin = await runDealstack([...again.split(' ').slice(1), '--stdin'], `${password}\n`, home.env);
    assert.equal(relogin.code, 0, relogin.stderr);
    await waitFor(async () => (await pill()) === msg('sync_state_idle') && (await page.locator('#sync-last-error').count()) === 0,
      { timeout: 30_000, what: 'the page back to idle after logging in again' });
    await waitFor(async () => (await popup.locator('#sync-text').innerText()) === msg('sync_line_synced_just_now'),
      { timeout: 30_000, what: 'the popup line back to Synced' });

    // The server gone: Sync now backs off; the page shows the next attempt and the error, the
    // popup "retrying", with no login command (the agent retries by itself).
    await server.stop();
    await page.locator('#sync-now').click();
    await waitFor(async () => (await pill()) === msg('sync_state_backing_off'), { timeout: 30_000, what: 'backing off' });
    st = await agentSync();
    assert.equal(st.state, 'backing_off');
    assert.ok(st.next_attempt_at > 0 && st.last_error, JSON.stringify(st));
    assert.equal(await page.locator('#sync-next time').getAttribute('datetime'), new Date(st.next_attempt_at).toISOString());
    assert.equal(await page.locator('#sync-error-code').innerText(), st.last_error.code);
    assert.equal(await page.locator('#sync-command').count(), 0, 'no login command while retrying');
    await waitFor(async () => (await page.locator('#sync-now-status').innerText()) === msg('sync_now_ended_backing_off'), { what: 'Sync now to say why' });
    // The first retries come within seconds: "soon", not "in 0 seconds" or "now".
    await waitFor(async () => (await popup.locator('#sync-text').innerText()) === msg('sync_line_retrying_soon'),
      { what: 'the popup line to say retrying' });
    await checkA11y(page, '#sync', 'sync (backing off)');
    await shoot(page, '#sync', 'options-sync-backing-off');
    await shoot(popup, 'main', 'popup-sync-backing-off');
    await popup.close();
  });

  test('nothing typed is in the browser profile on disk', async (t) => {
    if (!hasVault) { t.skip('the agent has no vault.* methods yet'); return; }
    await b.close();
    for (const secret of secrets) assert.deepEqual(filesHolding(profile, secret), [], 'a profile file holds a secret');
  });
});
