// The options page's wallet section by keyboard and as a screen reader hears it, in the real
// built extension with the real host and agent: cards and memberships added and removed with
// Tab and Enter, each row and each Remove button named by its position, the focus kept on
// something sensible after a removal, removals announced, percent fields naming their unit,
// and a field in error marked invalid and described by the message that says why.
//
// Nothing is saved here (the save round trip is in pages.test.mjs); the page needs the
// agent's wallet.get to draw the form, so the test skips on an agent without it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { makeAgentHome } from '../support/agent_home.mjs';
import { TEST_AGENT_CONFIG, launchBrowser, missingPrerequisite, startAgent, waitFor } from '../support/browser.mjs';
import { repoRoot } from '../support/dealstack.mjs';

const missing = missingPrerequisite('chromium');
const en = JSON.parse(fs.readFileSync(path.join(repoRoot, 'extension', '_locales', 'en', 'messages.json'), 'utf8'));
/** The catalogue's text for `key`, $1.. filled like chrome.i18n.getMessage does. */
const msg = (key, ...subs) => {
  assert.ok(en[key], `_locales/en has "${key}"`);
  return en[key].message.replace(/\$(\d)/g, (_, n) => subs[Number(n) - 1] ?? '');
};

// In the page: what the focused element is, as a screen reader would name it.
function focused() {
  const a = document.activeElement;
  if (!a || a === document.body) return null;
  const labels = a.labels ? [...a.labels].map((l) => l.textContent.trim()).join(' ') : '';
  const described = (a.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean)
    .map((id) => document.getElementById(id)?.textContent.trim() ?? '').join(' ');
  return {
    id: a.id, tag: a.tagName, name: a.getAttribute('aria-label') || labels || a.textContent.trim(),
    described, invalid: a.getAttribute('aria-invalid'),
    group: a.closest('[role="group"]')?.getAttribute('aria-label') ?? null,
  };
}

describe('the wallet section by keyboard and screen reader', { skip: missing ?? false }, () => {
  let home;
  let b;
  before(async () => {
    home = makeAgentHome({ prefix: 'ds-optwallet-', agentConfig: TEST_AGENT_CONFIG });
    await startAgent(home);
    b = await launchBrowser({ agentHome: home });
  });
  after(async () => {
    await b?.close();
    if (home) fs.rmSync(home.home, { recursive: true, force: true });
  });

  test('cards and memberships added and removed with the keyboard, named and announced', async (t) => {
    const probe = await b.request({ type: 'wallet.get' });
    if (!probe.ok && probe.error.code === 'unknown_method') {
      t.skip(`the agent has no wallet.get yet (${probe.error.message})`);
      return;
    }
    assert.ok(probe.ok, JSON.stringify(probe));
    assert.equal(probe.value.cards.length, 0, 'a fresh agent holds no cards');
    const page = await b.openOptions();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.waitForSelector('#wallet-form');
    const where = () => page.evaluate(focused);
    const live = () => page.locator('#live').innerText();

    // Tab from the top of the page reaches "Add a card"; Enter adds a row and puts the focus
    // in its first field, inside a group named "Card 1".
    let tabs = 0;
    while ((await where())?.id !== 'wallet-add-card') {
      assert.ok(++tabs < 60, 'Tab reaches "Add a card"');
      await page.keyboard.press('Tab');
    }
    await page.keyboard.press('Enter');
    let f = await where();
    assert.equal(f.tag, 'INPUT');
    assert.equal(f.name, msg('wallet_card_name'));
    assert.equal(f.group, msg('wallet_card_n', '1'));
    await page.keyboard.type('Everyday Visa');
    await page.keyboard.press('Tab');
    await page.keyboard.type('visa');

    // A second card; every Remove button says which card it removes.
    await page.locator('#wallet-add-card').focus();
    await page.keyboard.press('Enter');
    assert.equal((await where()).group, msg('wallet_card_n', '2'));
    await page.keyboard.type('Travel card');
    const removeNames = await page.locator('#wallet-cards button').evaluateAll((n) => n.map((x) => x.getAttribute('aria-label')));
    assert.deepEqual(removeNames, [msg('wallet_card_remove_n', '1'), msg('wallet_card_remove_n', '2')]);
    // Percent fields carry their unit in their accessible name (the visible "%" is hidden).
    const earnName = `${msg('wallet_card_earn')} ${msg('percent_unit_aria')}`;
    const card2 = page.getByRole('group', { name: msg('wallet_card_n', '2'), exact: true });
    await card2.getByRole('textbox', { name: earnName, exact: true }).fill('150');
    await card2.getByRole('textbox', { name: msg('wallet_card_id'), exact: true }).fill('travel');

    // Enter in a field submits; an earn rate over 100 % is refused in the page: the field is
    // focused, marked invalid and described by the message.
    await card2.getByRole('textbox', { name: earnName, exact: true }).press('Enter');
    await waitFor(async () => (await where())?.invalid === 'true', { what: 'the invalid field focused' });
    f = await where();
    assert.equal(f.group, msg('wallet_card_n', '2'));
    assert.ok(f.described.includes(msg('wallet_bad_percent', '100')), JSON.stringify(f));
    assert.equal(await page.locator('#wallet-status').innerText(), msg('wallet_bad_percent', '100'));
    // Corrected and submitted again: the mark goes (the save itself may fail on this agent).
    await page.keyboard.press('Control+A');
    await page.keyboard.type('2');
    await page.keyboard.press('Enter');
    await waitFor(async () => (await page.locator('[aria-invalid="true"]').count()) === 0, { what: 'the invalid mark to go' });
    assert.ok(!(await card2.getByRole('textbox', { name: earnName, exact: true }).getAttribute('aria-describedby') ?? '').includes('wallet-status'));

    // Remove card 1 with the keyboard: the other card becomes "Card 1", the focus moves into
    // it (not to the top of the page), and the removal is announced.
    const form = page.locator('#wallet-form');
    await form.getByRole('button', { name: msg('wallet_card_remove_n', '1'), exact: true }).focus();
    await page.keyboard.press('Enter');
    await waitFor(async () => (await live()) === msg('wallet_card_removed'), { what: 'the removal announced' });
    f = await where();
    assert.equal(f.group, msg('wallet_card_n', '1'));
    assert.equal(await page.locator('#wallet-cards .card-row').count(), 1);
    assert.equal(await form.locator('[data-k="name"]').inputValue(), 'Travel card');
    // The last card: the focus goes back to "Add a card".
    await form.getByRole('button', { name: msg('wallet_card_remove_n', '1'), exact: true }).press('Enter');
    assert.equal((await where()).id, 'wallet-add-card');
    assert.equal(await page.locator('#wallet-cards .card-row').count(), 0);

    // Memberships: the same by keyboard, each field labelled by its position.
    await page.locator('#wallet-add-membership').press('Enter');
    f = await where();
    assert.equal(f.name, msg('wallet_membership_n', '1'));
    await page.keyboard.type('ShopRewards');
    await page.locator('#wallet-add-membership').press('Enter');
    assert.equal((await where()).name, msg('wallet_membership_n', '2'));
    await form.getByRole('button', { name: msg('wallet_membership_remove_n', '2'), exact: true }).press('Enter');
    await waitFor(async () => (await live()) === msg('wallet_membership_removed'), { what: 'the membership removal announced' });
    assert.equal((await where()).name, msg('wallet_membership_n', '1'), 'focus on the remaining membership');
    assert.equal(await page.getByRole('textbox', { name: msg('wallet_membership_n', '1'), exact: true }).inputValue(), 'ShopRewards');

    // The cashback field names its unit too; no control on the page lacks a name.
    await page.getByRole('textbox', { name: `${msg('wallet_cashback_value')} ${msg('percent_unit_aria')}`, exact: true }).waitFor();
    const unnamed = await page.locator('#wallet-form').evaluate((root) => [...root.querySelectorAll('button, input, select')]
      .filter((n) => !(n.getAttribute('aria-label') || (n.labels && [...n.labels].some((l) => l.textContent.trim())) || (n.tagName === 'BUTTON' && n.textContent.trim())))
      .map((n) => n.outerHTML.slice(0, 100)));
    assert.deepEqual(unnamed, []);
    assert.deepEqual(errors, []);
    await b.screenshots(page, 'options-wallet-keyboard');
    await page.close();
  });
});
