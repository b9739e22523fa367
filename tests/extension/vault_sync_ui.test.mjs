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
import { spawn, spawnSync } from 'node:child_process';
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

/** Starts `dealstack-server serve` on a free loopback port with a data folder of its own.
 *  Resolves with {url, ca, loginArgs, clientEnv, admin(args), stop()}. */
async function startServer(bin) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ds-server-'));
  const config = path.join(dir, 'server.json');
  // A cheap password hash keeps the test quick; the agent's own scrypt is the real one.
  fs.writeFileSync(config, JSON.stringify({ port: 0, data_dir: path.join(dir, 'data'), scrypt_log2_n: 10, log_requests: false }));
  const env = { PATH: process.env.PATH, HOME: dir, XDG_DATA_HOME: path.join(dir, 'data-home') };
  const child = spawn(bin, ['serve', '--config', config], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const first = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dealstack-server didn't start: ${err}`)), 15_000);
    child.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) { clearTimeout(timer); resolve(JSON.parse(out.slice(0, nl))); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`dealstack-server exited ${code}: ${err}`)); });
  });
  return {
    url: `https://127.0.0.1:${first.port}`,
    ca: first.ca,
    loginArgs: ['--ca', first.ca],
    clientEnv: {},
    admin: (args) => spawnSync(bin, ['admin', ...args, '--config', config], { env, encoding: 'utf8' }),
    stop: () => { try { child.kill('SIGTERM'); } catch { /* gone */ } fs.rmSync(dir, { recursive: true, force: true }); },
  };
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
  let server = null;

  before(async () => {
    home = makeAgentHome({ prefix: 'ds-vaultui-', agentConfig: TEST_AGENT_CONFIG });
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

  test('sync against a real dealstack-server: live login, Sync now, the popup line, locked vault, revoked token', async (t) => {
    if (!hasVault) { t.skip('the agent has no vault.* methods yet'); return; }
    if (!hasSync) { t.skip('the agent has no sync.* methods yet'); return; }
    const bin = serverBin();
    if (!bin) { t.skip('no dealstack-server built: only the "off" state was tested'); return; }
    server = await startServer(bin);
    const email = `shopper-${crypto.randomBytes(4).toString('hex')}@example.com`;
    const password = `pw-${crypto.randomBytes(8).toString('hex')}`;
    secrets.push(password);
    await page.bringToFront();
    const pill = () => page.locator('#sync-pill').innerText();
    assert.equal(await pill(), msg('sync_state_off'));

    // Logged in from the CLI: the open page follows the agent's sync.updated (no reload).
    const login = await runDealstack(['sync', 'login', '--server', server.url, '--email', email, '--register', '--stdin', ...server.loginArgs],
      `${password}\n`, { ...home.env, ...server.clientEnv });
    assert.equal(login.code, 0, login.stderr);
    await waitFor(async () => [msg('sync_state_idle'), msg('sync_state_syncing')].includes(await pill()), { timeout: 20_000, what: 'the page to show the login' });
    assert.equal(await page.locator('#sync-email').innerText(), email);
    assert.equal(await page.locator('#sync-server').innerText(), server.url);

    // Sync now: one round; the last sync time is the agent's, exact in the tooltip.
    await waitFor(async () => !(await page.locator('#sync-now').isDisabled()), { timeout: 20_000, what: 'Sync now enabled' });
    await page.locator('#sync-now').click();
    await waitFor(async () => (await page.locator('#sync-now-status').innerText()) === msg('sync_now_done'), { timeout: 60_000, what: 'the round done' });
    const st = (await askAgent(home.socket, { method: 'sync.status' })).result;
    assert.equal(st.state, 'idle');
    assert.ok(st.last_sync_at > 0);
    const title = await page.locator('#sync-last time').getAttribute('datetime');
    assert.equal(title, new Date(st.last_sync_at).toISOString());
    await checkA11y(page, '#sync', 'sync (idle)');
    await shoot(page, '#sync', 'options-sync-idle');

    const popup = await b.openPopup(0);
    await popup.waitForSelector('#sync-line:not([hidden])');
    assert.match(await popup.locator('#sync-text').innerText(), new RegExp(`^${msg('sync_line_synced', '').trim()} `));
    await checkA11y(popup, '#sync-line', 'popup sync line');
    await shoot(popup, 'main', 'popup-sync-synced');

    // The vault locked: sync pauses; the popup's line says so (live).
    const lock = await runDealstack(['vault', 'lock'], '', home.env);
    assert.equal(lock.code, 0, lock.stderr);
    await page.locator('#sync-now').click().catch(() => {});
    await waitFor(async () => (await popup.locator('#sync-text').innerText()) === msg('sync_line_vault_locked'), { timeout: 30_000, what: 'the popup line to say vault locked' });
    assert.equal(await pill(), msg('sync_state_vault_locked'));
    assert.equal(await page.locator('#sync-command').innerText(), 'dealstack vault unlock');
    await shoot(popup, 'main', 'popup-sync-vault-locked');
    const unlock = await runDealstack(['vault', 'unlock', '--stdin'], `${PASSPHRASE}\n`, home.env);
    assert.equal(unlock.code, 0, unlock.stderr);

    // A revoked token: stopped, "log in again" with the account's server and email filled in.
    const revoke = server.admin(['tokens', 'revoke', '--email', email]);
    assert.equal(revoke.status, 0, revoke.stderr);
    await page.locator('#sync-now').click();
    await waitFor(async () => (await pill()) === msg('sync_state_error'), { timeout: 60_000, what: 'the error state' });
    assert.equal(await page.locator('#sync-error-code').innerText(), 'token_revoked');
    assert.equal(await page.locator('#sync-command').innerText(), `dealstack sync login --server ${server.url} --email ${email}`);
    await waitFor(async () => (await popup.locator('#sync-text').innerText()) === msg('sync_line_login_again'), { what: 'the popup line to say log in again' });
    await checkA11y(page, '#sync', 'sync (error)');
    await shoot(page, '#sync', 'options-sync-error');
    await shoot(popup, 'main', 'popup-sync-error');
    await popup.close();
  });

  test('nothing typed is in the browser profile on disk', async (t) => {
    if (!hasVault) { t.skip('the agent has no vault.* methods yet'); return; }
    await b.close();
    for (const secret of secrets) assert.deepEqual(filesHolding(profile, secret), [], 'a profile file holds a secret');
  });
});
