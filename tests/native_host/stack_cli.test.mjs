// `dealstack stack` run as a real process over real pipes. The binary is DEALSTACK_BIN, or
// build/native/bin/dealstack under the repository root.
//
// Contract checked here: a request from FILE, from `-` or from standard input; the result is
// exactly one JSON line on stdout with exit 0; a refused request is exactly one line
// {"error": {"code", "message"}} on stdout with exit 1, the message starting with the field
// it is about; usage errors and unreadable files exit 2 with the message on stderr.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runDealstack as run } from '../support/dealstack.mjs';


// The one JSON line of stdout, parsed.
function oneLine(stdout) {
  assert.ok(stdout.endsWith('\n'), 'output ends with a newline');
  const body = stdout.slice(0, -1);
  assert.ok(!body.includes('\n'), `exactly one line, got: ${stdout.slice(0, 300)}`);
  return JSON.parse(body);
}

// A cart whose answer is worked out by hand below: 50.00 + 2 x 25.00 = 100.00, no shipping,
// no tax. SAVE10 (10 %) takes 10.00; FIVE (5.00 off) can't join it (max_codes 1) and saves
// less, so the best is SAVE10 alone: net 90.00. WELCOME needs 150.00 of spend: short 50.00.
const REQUEST = {
  cart: {
    currency: 'USD',
    lines: [
      { sku: 'LAMP', name: 'Desk lamp', unit_price: '50.00', quantity: 1 },
      { sku: 'BULB', name: 'Bulb', unit_price: '25.00', quantity: 2 },
    ],
  },
  offers: [
    { id: 'five', kind: 'code', code: 'FIVE', discount: { type: 'amount', amount: '5.00' } },
    { id: 'save10', kind: 'code', code: 'SAVE10', discount: { type: 'percent', percent: '10' } },
    { id: 'welcome', kind: 'code', code: 'WELCOME', min_spend: '150.00', discount: { type: 'percent', percent: 20 } },
  ],
};

function checkHandComputed(result) {
  assert.equal(result.currency, 'USD');
  assert.equal(result.net, '90.00');
  assert.equal(result.savings, '10.00');
  assert.deepEqual(result.stack.offers, ['save10']);
  assert.equal(result.totals.subtotal, '100.00');
  assert.equal(result.totals.list_total, '100.00');
  assert.equal(result.totals.total, '90.00');
  const code = result.steps.find((s) => s.action === 'enter_code');
  assert.equal(code.code, 'SAVE10');
  assert.equal(code.saves, '10.00');
  assert.deepEqual(result.not_applicable, [{ offer: 'welcome', reason: 'min_spend', short_by: '50.00' }]);
}

let dir;
before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'dealstack-stack-cli-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('stack reads the request from a file and prints one JSON line', async () => {
  const file = path.join(dir, 'request.json');
  writeFileSync(file, JSON.stringify(REQUEST, null, 2));
  const r = await run(['stack', file]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  checkHandComputed(oneLine(r.stdout));
});

test('stack reads the request from standard input, with or without "-"', async () => {
  const fromFile = path.join(dir, 'same.json');
  writeFileSync(fromFile, JSON.stringify(REQUEST));
  const viaFile = await run(['stack', fromFile]);
  for (const args of [['stack'], ['stack', '-']]) {
    const r = await run(args, JSON.stringify(REQUEST));
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    checkHandComputed(oneLine(r.stdout));
    assert.equal(r.stdout, viaFile.stdout, 'the same bytes whichever way the request came');
  }
});

test('stack gives the same bytes for the same request every time', async () => {
  const runs = await Promise.all([1, 2, 3].map(() => run(['stack'], JSON.stringify(REQUEST))));
  for (const r of runs) assert.equal(r.stdout, runs[0].stdout);
});

test('stack --help prints usage and exits 0', async () => {
  for (const flag of ['--help', '-h']) {
    const r = await run(['stack', flag]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /usage: dealstack stack/);
    assert.match(r.stdout, /exit status/);
  }
});

test('stack usage errors and unreadable files exit 2 with nothing on stdout', async () => {
  for (const args of [
    ['stack', '--bogus'],
    ['stack', 'a.json', 'b.json'],
    ['stack', path.join(dir, 'does-not-exist.json')],
    ['stack', dir], // a folder opens but can't be read
  ]) {
    const r = await run(args, JSON.stringify(REQUEST));
    assert.equal(r.code, 2, `exit code for ${JSON.stringify(args)}: ${r.stdout}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /dealstack stack: /);
  }
});

// Requests the stacker must refuse: [name, request text, error code, field the message
// starts with (null: a message about the whole request)].
function cart(extra = {}) {
  return { currency: 'EUR', lines: [{ sku: 'A', unit_price: '10.00', quantity: 1 }], ...extra };
}
const REFUSED = [
  ['malformed JSON', '{"cart": {"currency": "EUR", "lines": [', 'invalid_json', null],
  ['an empty request', '', 'invalid_json', null],
  ['a JSON array instead of an object', '[1, 2]', 'invalid_json', null],
  ['a number instead of a money string',
    JSON.stringify({ cart: { currency: 'EUR', lines: [{ unit_price: 19.99 }] } }),
    'invalid_field', 'cart.lines[0].unit_price'],
  ['a negative amount',
    JSON.stringify({ cart: cart(), offers: [{ id: 'x', kind: 'code', code: 'X', discount: { type: 'amount', amount: '-5.00' } }] }),
    'amount_out_of_range', 'offers[0].discount.amount'],
  ['a line in another currency',
    JSON.stringify({ cart: { currency: 'EUR', lines: [{ unit_price: '1.00' }, { unit_price: '2.00', currency: 'USD' }] } }),
    'currency_mismatch', 'cart.lines[1].currency'],
  ['an offer in another currency',
    JSON.stringify({ cart: cart(), offers: [{ id: 'x', kind: 'promotion', currency: 'GBP', discount: { type: 'percent', percent: 5 } }] }),
    'currency_mismatch', 'offers[0].currency'],
  ['an unknown offer kind',
    JSON.stringify({ cart: cart(), offers: [{ id: 'x', kind: 'raffle' }] }),
    'unknown_offer_kind', 'offers[0].kind'],
  ['100,000 offers',
    JSON.stringify({ cart: cart(), offers: Array.from({ length: 100000 }, (_, i) => ({ id: `o${i}`, kind: 'promotion', discount: { type: 'percent', percent: 1 } })) }),
    'too_many_offers', 'offers'],
  ['200-deep nesting', `{"cart": ${'['.repeat(200)}${']'.repeat(200)}}`, 'invalid_json', null],
  ['over 16 MiB', JSON.stringify({ cart: cart({ retailer: ' '.repeat(16 << 20) }) }), 'input_too_large', null],
];

for (const [name, input, code, field] of REFUSED) {
  test(`stack refuses ${name}: exit 1, one JSON error line (${code})`, async () => {
    const r = await run(['stack'], input);
    assert.equal(r.code, 1, `exit code; stderr: ${r.stderr}`);
    const out = oneLine(r.stdout);
    assert.deepEqual(Object.keys(out), ['error']);
    assert.equal(out.error.code, code, out.error.message);
    assert.equal(typeof out.error.message, 'string');
    if (field) assert.ok(out.error.message.startsWith(`${field}: `), out.error.message);
    assert.ok(r.ms < 10000, `took ${r.ms} ms`);
  });
}

test('stack refuses binary garbage and invalid UTF-8 with a JSON error', async () => {
  const bytes = Buffer.alloc(64 << 10);
  let x = 2463534242;
  for (let i = 0; i < bytes.length; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  const garbage = await run(['stack'], bytes);
  assert.equal(garbage.code, 1);
  assert.equal(oneLine(garbage.stdout).error.code, 'invalid_json');
  const badUtf8 = Buffer.concat([
    Buffer.from('{"cart": {"currency": "EUR", "retailer": "'),
    Buffer.from([0xc3, 0x28]),
    Buffer.from('", "lines": [{"unit_price": "1.00"}]}}'),
  ]);
  const r = await run(['stack'], badUtf8);
  assert.equal(r.code, 1);
  assert.equal(oneLine(r.stdout).error.code, 'invalid_json');
});
