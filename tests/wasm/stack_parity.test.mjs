// Stacking parity: `dealstack stack` (native) and stackDealsJson (the built wasm module) are
// the same core, so for the same request text they must give the same bytes: the result JSON
// (the CLI's stdout minus its newline), or the same error code and message.
//   native: $DEALSTACK_BIN, default build/native/bin/dealstack
//   wasm:   $DEALSTACK_WASM_DIR, default build/wasm/wasm
// Requests: every tests/fixtures/stacking/scenarios/*.json (read when the test runs), 200
// generated ones (fixed seed), and the refused ones of tests/native_host/stack_cli.test.mjs.
// A request on which the two sides disagree is written to $TMPDIR/dealstack-stack-mismatch-*
// so it can be replayed with `dealstack stack FILE`.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { dealstackBin, fixturesDir, importBuiltModule } from './paths.mjs';

const { load, DealstackError } = await importBuiltModule();

const scenariosDir = join(fixturesDir, 'stacking/scenarios');

function native(input) {
  const r = spawnSync(dealstackBin, ['stack'], { input, maxBuffer: 64 << 20, timeout: 60000 });
  if (r.error) throw new Error(`cannot run ${dealstackBin}: ${r.error.message} (build the native preset or set DEALSTACK_BIN)`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

let mismatchDir;
function saveMismatch(name, input) {
  mismatchDir ??= mkdtempSync(join(tmpdir(), 'dealstack-stack-mismatch-'));
  const file = join(mismatchDir, `${name.replace(/\.json$/, '').replace(/[^A-Za-z0-9_.-]+/g, '_')}.json`);
  writeFileSync(file, input);
  return file;
}

// Runs both sides on one request text and asserts they agree. Returns what native said:
// {status, result | error}.
function assertSame(core, name, input) {
  const n = native(input);
  let wasmJson;
  let wasmError;
  try {
    wasmJson = core.stackDealsJson(input);
  } catch (error) {
    wasmError = error;
  }
  const stdout = n.stdout.toString('utf8');
  const fail = (what) => assert.fail(`${name}: ${what} (request saved as ${saveMismatch(name, input)})`);
  if (n.status === 0) {
    if (wasmError) fail(`native gave a result, wasm threw ${wasmError.code}: ${wasmError.message}`);
    if (!Buffer.from(`${wasmJson}\n`, 'utf8').equals(n.stdout)) {
      fail(`result JSON differs\nnative: ${stdout.slice(0, 3000)}\nwasm:   ${wasmJson.slice(0, 3000)}`);
    }
    return { status: 0, result: JSON.parse(wasmJson) };
  }
  if (n.status !== 1) fail(`native exit ${n.status}: ${n.stderr}`);
  const expected = JSON.parse(stdout).error;
  if (!wasmError) fail(`native refused it (${expected.code}: ${expected.message}), wasm returned ${wasmJson.slice(0, 500)}`);
  if (!(wasmError instanceof DealstackError)) fail(`wasm threw a non-DealstackError: ${wasmError}`);
  if (wasmError.code !== expected.code || wasmError.message !== expected.message) {
    fail(`errors differ: native ${expected.code}: ${expected.message} / wasm ${wasmError.code}: ${wasmError.message}`);
  }
  return { status: 1, error: expected };
}

// --- generated requests ----------------------------------------------------------------

// mulberry32: a small seeded PRNG, so a failing request reproduces from its index.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generator(seed) {
  const rnd = prng(seed);
  const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = (xs) => xs[int(0, xs.length - 1)];
  const chance = (p) => rnd() < p;
  return { rnd, int, pick, chance };
}

const CURRENCIES = [
  { code: 'USD', exp: 2 }, { code: 'EUR', exp: 2 }, { code: 'JPY', exp: 0 }, { code: 'KWD', exp: 3 },
];
const TAGS = ['shoes', 'socks', 'brand:acme', 'sale', 'kids'];
const OFFER_KINDS = ['code', 'promotion', 'portal', 'card_offer', 'gift_card'];
const DISCOUNT_TYPES = ['percent', 'amount', 'fixed_price', 'buy_x_get_y', 'tiered', 'free_shipping'];

// Money string with exactly the currency's decimals, from a whole count of minor units.
function money(minor, exp) {
  if (exp === 0) return String(minor);
  const s = String(minor).padStart(exp + 1, '0');
  return `${s.slice(0, -exp)}.${s.slice(-exp)}`;
}

// One request: 1-6 lines, 3-15 offers of every kind (ids unique, cart currency throughout),
// with the retailer rules, wallet and preferences varied too. Amounts stay in sensible
// ranges so that most requests are accepted and searched; a refused one still must agree.
function randomRequest(seed) {
  const g = generator(seed);
  const { int, pick, chance } = g;
  const cur = pick(CURRENCIES);
  const scale = 10 ** cur.exp;
  const m = (lo, hi) => money(int(lo, hi) * (cur.exp === 0 ? 100 : scale / 100), cur.exp); // lo..hi in cents
  const percent = () => (chance(0.5) ? int(1, 60) : `${int(1, 60)}.${int(0, 99)}`);

  const lines = [];
  for (let i = 0, n = int(1, 6); i < n; i++) {
    const line = { sku: `SKU-${i}`, unit_price: m(50, 20000), quantity: int(1, 4) };
    if (chance(0.7)) line.tags = [...new Set([pick(TAGS), pick(TAGS)])];
    if (chance(0.3)) line.name = `Item ${i}`;
    lines.push(line);
  }
  const cart = { currency: cur.code, retailer: 'shop.example', lines };
  const shippingIds = [];
  if (chance(0.75)) {
    cart.shipping_options = [];
    for (let i = 0, n = int(1, 3); i < n; i++) {
      const s = { id: `ship${i}`, price: m(0, 1500) };
      if (chance(0.6)) s.free_over = m(1000, 30000);
      if (chance(0.3)) s.free_over_basis = pick(['after_discounts', 'before_discounts']);
      cart.shipping_options.push(s);
      shippingIds.push(s.id);
    }
  }
  if (chance(0.6)) {
    cart.tax = { percent: pick(['8', '8.875', 20, '0', '19']) };
    if (chance(0.3)) cart.tax.basis = pick(['after_discounts', 'before_discounts']);
    if (chance(0.3)) cart.tax.shipping_taxable = chance(0.5);
  }

  const retailer = {};
  if (chance(0.3)) retailer.platform = pick(['generic', 'shopify', 'woocommerce']);
  if (chance(0.3)) retailer.application_order = pick(['entry', 'woocommerce', 'shopify']);
  if (chance(0.3)) retailer.percent_basis = pick(['compounded', 'original']);
  if (chance(0.4)) retailer.rounding = { mode: pick(['half_up', 'half_even']), scope: pick(['order', 'line']) };
  if (chance(0.7)) retailer.max_codes = int(0, 3);
  if (chance(0.2)) retailer.max_product_order_codes = int(0, 2);
  if (chance(0.2)) retailer.max_shipping_codes = int(0, 1);
  if (chance(0.3)) retailer.max_gift_cards = int(0, 3);

  const wallet = { cards: [] };
  for (let i = 0, n = int(0, 2); i < n; i++) {
    const card = { id: `card${i}`, earn_percent: pick([1, '1.5', 2, 3, '0']) };
    if (chance(0.3)) card.reward_value_percent = pick([100, 150, '80']);
    wallet.cards.push(card);
  }
  if (chance(0.3)) wallet.payment_path = pick(['direct', 'paypal']);

  const skus = lines.map((l) => l.sku);
  const scope = () => {
    const s = {};
    if (chance(0.5)) s.skus = [pick(skus)];
    else s.tags = [pick(TAGS)];
    if (chance(0.2)) s.exclude_tags = [pick(TAGS)];
    if (chance(0.1)) s.exclude_skus = [pick(skus)];
    return s;
  };
  const back = () => (chance(0.6) ? { percent: percent() } : { amount: m(100, 3000) });

  const offers = [];
  const count = int(3, 15);
  // Every kind at least once when there is room, then random kinds.
  const kinds = [...OFFER_KINDS].sort(() => g.rnd() - 0.5).slice(0, Math.min(count, OFFER_KINDS.length));
  while (kinds.length < count) kinds.push(pick(OFFER_KINDS));
  kinds.forEach((kind, i) => {
    const id = `${kind}-${i}`;
    const offer = { id, kind };
    if (chance(0.05)) offer.retailer = pick(['shop.example', 'elsewhere.example']);
    if (kind === 'code' || kind === 'promotion') {
      if (kind === 'code') offer.code = `CODE${i}`;
      if (chance(0.3)) offer.label = `Deal ${i}`;
      const type = pick(DISCOUNT_TYPES);
      const discount = { type };
      if (type === 'percent') discount.percent = percent();
      else if (type === 'amount') {
        discount.amount = m(100, 5000);
        if (chance(0.4)) discount.per = pick(['order', 'unit']);
      } else if (type === 'fixed_price') discount.price = m(50, 10000);
      else if (type === 'buy_x_get_y') {
        discount.buy = int(1, 3);
        discount.get = int(1, 2);
        if (chance(0.4)) discount.percent = pick([50, 100, '25']);
        if (chance(0.3)) discount.max_uses = int(0, 2);
      } else if (type === 'tiered') {
        discount.tiers = [];
        for (let t = 0, n = int(1, 3); t < n; t++) {
          const tier = chance(0.5) ? { percent: percent() } : { amount: m(100, 4000) };
          if (chance(0.8)) tier.min_spend = m(0, 30000);
          else tier.min_quantity = int(0, 6);
          discount.tiers.push(tier);
        }
      } else if (type === 'free_shipping' && shippingIds.length && chance(0.4)) {
        discount.shipping_options = [pick(shippingIds)];
      }
      offer.discount = discount;
      if (chance(0.35)) offer.scope = scope();
      if (chance(0.1) && type !== 'free_shipping') offer.class = pick(['product', 'order']);
      if (chance(0.25)) offer.min_spend = m(0, 25000);
      if (chance(0.1)) offer.min_quantity = int(0, 5);
      if (chance(0.2)) offer.max_discount = m(100, 5000);
      if (chance(0.25)) {
        offer.combines_with = {};
        for (const cls of ['product', 'order', 'shipping']) if (chance(0.6)) offer.combines_with[cls] = chance(0.7);
      }
      if (chance(0.1)) offer.exclusive = true;
    } else if (kind === 'portal') {
      offer.name = `Portal ${i}`;
      offer.cashback = back();
      if (chance(0.3)) offer.cap = m(500, 5000);
      if (chance(0.3)) offer.excludes_gift_cards = chance(0.5);
      if (chance(0.4)) offer.listed_codes = [`code${int(0, count)}`, `CODE${int(0, count)}`];
      if (chance(0.3)) offer.unlisted_codes_void = chance(0.5);
      if (chance(0.5)) offer.pending_days = int(0, 120);
      if (chance(0.3)) offer.clawback_on_returns = chance(0.5);
    } else if (kind === 'card_offer') {
      // Mostly a held card; sometimes one the wallet lacks (then "ignored").
      offer.card = wallet.cards.length && chance(0.8) ? pick(wallet.cards).id : 'card-not-held';
      offer.back = back();
      if (chance(0.5)) offer.min_spend = m(0, 30000);
      if (chance(0.3)) offer.cap = m(100, 3000);
      if (chance(0.2)) offer.excluded_payment_paths = ['paypal'];
      if (chance(0.3)) offer.pending_days = int(0, 60);
    } else {
      offer.source = `Seller ${i}`;
      const faces = Array.from({ length: int(1, 3) }, () => int(1000, 10000));
      if (chance(0.5)) {
        offer.discount_percent = pick([5, '7.5', 10, 12]);
        offer.denominations = faces.map((f) => ({ face: m(f, f) }));
      } else {
        offer.denominations = faces.map((f) => ({ face: m(f, f), price: m(Math.floor(f * 0.85), f) }));
      }
      if (chance(0.5)) offer.max_per_order = int(1, 3);
      if (chance(0.2)) offer.combines_with_codes = false;
    }
    offers.push(offer);
  });
  // not_with between two discounts now and then (ids are known only once all exist).
  const discounts = offers.filter((o) => o.kind === 'code' || o.kind === 'promotion');
  if (discounts.length >= 2 && chance(0.3)) {
    const [a, b] = [pick(discounts), pick(discounts)];
    if (a !== b) a.not_with = [b.id];
  }

  const request = { cart, offers };
  if (Object.keys(retailer).length) request.retailer = retailer;
  if (wallet.cards.length || wallet.payment_path) request.wallet = wallet;
  if (chance(0.3)) request.preferences = { cashback_value_percent: pick([100, 50, '80']) };
  return request;
}

// --- refused requests (the same as tests/native_host/stack_cli.test.mjs) -----------------

function euroCart(extra = {}) {
  return { currency: 'EUR', lines: [{ sku: 'A', unit_price: '10.00', quantity: 1 }], ...extra };
}
const REFUSED = [
  ['malformed JSON', '{"cart": {"currency": "EUR", "lines": [', 'invalid_json'],
  ['an empty request', '', 'invalid_json'],
  ['a JSON array instead of an object', '[1, 2]', 'invalid_json'],
  ['a number instead of a money string',
    JSON.stringify({ cart: { currency: 'EUR', lines: [{ unit_price: 19.99 }] } }), 'invalid_field'],
  ['a negative amount',
    JSON.stringify({ cart: euroCart(), offers: [{ id: 'x', kind: 'code', code: 'X', discount: { type: 'amount', amount: '-5.00' } }] }),
    'amount_out_of_range'],
  ['a line in another currency',
    JSON.stringify({ cart: { currency: 'EUR', lines: [{ unit_price: '1.00' }, { unit_price: '2.00', currency: 'USD' }] } }),
    'currency_mismatch'],
  ['an offer in another currency',
    JSON.stringify({ cart: euroCart(), offers: [{ id: 'x', kind: 'promotion', currency: 'GBP', discount: { type: 'percent', percent: 5 } }] }),
    'currency_mismatch'],
  ['an unknown offer kind',
    JSON.stringify({ cart: euroCart(), offers: [{ id: 'x', kind: 'raffle' }] }), 'unknown_offer_kind'],
  ['100,000 offers',
    JSON.stringify({ cart: euroCart(), offers: Array.from({ length: 100000 }, (_, i) => ({ id: `o${i}`, kind: 'promotion', discount: { type: 'percent', percent: 1 } })) }),
    'too_many_offers'],
  ['200-deep nesting', `{"cart": ${'['.repeat(200)}${']'.repeat(200)}}`, 'invalid_json'],
  ['over 16 MiB', JSON.stringify({ cart: euroCart({ retailer: ' '.repeat(16 << 20) }) }), 'input_too_large'],
];

describe('native `dealstack stack` and wasm stackDealsJson agree', () => {
  let core;
  before(async () => {
    assert.ok(existsSync(dealstackBin), `${dealstackBin} is missing: build the native preset or set DEALSTACK_BIN`);
    core = await load();
  });

  test('on every stacking scenario fixture', async (t) => {
    // Listed now, not at import: fixtures are added while the suite evolves.
    const files = existsSync(scenariosDir)
      ? readdirSync(scenariosDir).filter((f) => f.endsWith('.json')).sort()
      : [];
    assert.ok(files.length >= 1, `no scenarios in ${scenariosDir}`);
    for (const file of files) {
      await t.test(file, () => {
        const fixture = JSON.parse(readFileSync(join(scenariosDir, file), 'utf8'));
        assert.ok(fixture.request, `${file} has no "request"`);
        const input = JSON.stringify(fixture.request);
        const got = assertSame(core, `scenario ${file}`, input);
        // The fixture's own verdict, as the doctest runner reads it: a check that the
        // comparison ran on the intended side of accept/refuse.
        if (fixture.expect_error) assert.equal(got.error?.code, fixture.expect_error.code, file);
        else assert.equal(got.status, 0, `${file}: refused with ${got.error?.code}: ${got.error?.message}`);
      });
    }
  });

  test('on 200 generated requests with 1-6 lines and 3-15 offers of every kind', () => {
    const seen = { accepted: 0, refused: 0, kinds: new Set(), types: new Set(), used: new Set() };
    for (let i = 0; i < 200; i++) {
      const request = randomRequest(0x5eed0000 + i);
      for (const o of request.offers) {
        seen.kinds.add(o.kind);
        if (o.discount) seen.types.add(o.discount.type);
      }
      const got = assertSame(core, `generated #${i} (seed ${0x5eed0000 + i})`, JSON.stringify(request));
      if (got.status === 0) {
        seen.accepted++;
        for (const step of got.result.steps) seen.used.add(step.action);
      } else {
        seen.refused++;
      }
    }
    // The generator must exercise what it claims to: every kind and discount type sent,
    // most requests accepted and every kind of step taken somewhere.
    assert.deepEqual([...seen.kinds].sort(), [...OFFER_KINDS].sort());
    assert.deepEqual([...seen.types].sort(), [...DISCOUNT_TYPES].sort());
    assert.ok(seen.accepted >= 150, `only ${seen.accepted} of 200 generated requests were accepted`);
    for (const action of ['start_at_portal', 'buy_gift_cards', 'automatic_promotion', 'enter_code',
      'choose_shipping', 'pay', 'card_offer']) {
      assert.ok(seen.used.has(action), `no generated request's best stack has a ${action} step`);
    }
  });

  for (const [name, input, code] of REFUSED) {
    test(`on a refused request: ${name} (${code})`, () => {
      const got = assertSame(core, `refused: ${name}`, input);
      assert.equal(got.status, 1);
      assert.equal(got.error.code, code, got.error.message);
    });
  }

  test('stackDeals takes an object or its JSON text and returns the parsed result', () => {
    const request = randomRequest(7);
    const text = JSON.stringify(request);
    const json = core.stackDealsJson(text);
    assert.deepEqual(core.stackDeals(request), JSON.parse(json));
    assert.deepEqual(core.stackDeals(text), JSON.parse(json));
    assert.equal(core.stackDealsJson(new TextEncoder().encode(text)), json);
  });

  test('stackDeals errors are DealstackErrors with the core code and field', () => {
    assert.throws(() => core.stackDeals({ cart: { currency: 'EUR', lines: [{ unit_price: 5 }] } }), (error) => {
      assert.ok(error instanceof DealstackError);
      assert.equal(error.code, 'invalid_field');
      assert.match(error.message, /^cart\.lines\[0\]\.unit_price: /);
      return true;
    });
    assert.throws(() => core.stackDeals({ cart: { currency: 'USD', lines: [{ unit_price: '1.00', currency: 'EUR' }] } }),
      (error) => error instanceof DealstackError && error.code === 'currency_mismatch');
  });

  test('stackDeals refuses what is not a request with invalid_argument', () => {
    for (const bad of [42, null, undefined, true]) {
      assert.throws(() => core.stackDeals(bad), (error) => error instanceof DealstackError && error.code === 'invalid_argument');
    }
    const cyclic = { cart: {} };
    cyclic.cart.self = cyclic;
    assert.throws(() => core.stackDeals(cyclic), (error) => error instanceof DealstackError && error.code === 'invalid_argument');
    assert.throws(() => core.stackDealsJson({ cart: {} }), (error) => error.code === 'invalid_argument');
  });

  test('the module keeps answering correctly after the refused requests', () => {
    const request = JSON.stringify(randomRequest(11));
    assertSame(core, 'after refused requests', request);
  });
});
