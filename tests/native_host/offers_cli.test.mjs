// `dealstack offers import|list` as real processes against the real agent (started on demand
// by the first command) in a temporary home, and the agent's offers.* and wallet.* methods
// over its real Unix socket. The binary is DEALSTACK_BIN, or build/native/bin/dealstack
// (tests/support/dealstack.mjs).
//
// Checked here: a bad feed file (missing, not JSON, a bad offer, over 16 MiB, over one
// message) is refused with its path named, before anything is sent (no agent started) and
// without touching what the agent holds; an import is what offers.get and offers.list serve,
// --json printing exactly the agent's answer; the wallet round-trips and bad fields are named;
// docs/schemas/offer-feed.schema.json accepts the documented feed and stays a faithful copy
// of the request schema's offer.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { askAgent, makeAgentHome, processAlive, stopAgent } from '../support/agent_home.mjs';
import { assertFails, oneJsonLine, repoRoot, runDealstack } from '../support/dealstack.mjs';

const makeHome = (tag) => makeAgentHome({ prefix: `ds-offers-${tag}-`, env: { TZ: 'UTC' },
  agentConfig: { notifications: { desktop: false } } });

// The feed documented in docs/stacking.md ("Offer feed files").
function docFeed() {
  const doc = fs.readFileSync(path.join(repoRoot, 'docs', 'stacking.md'), 'utf8');
  const marker = '<!-- example:feed -->';
  const at = doc.indexOf(marker);
  assert.notEqual(at, -1, `docs/stacking.md has no ${marker}`);
  const m = /^\s*```json\n([\s\S]*?)\n```/.exec(doc.slice(at + marker.length));
  assert.ok(m, `no json block after ${marker}`);
  return JSON.parse(m[1]);
}

const sampleFeed = () => ({
  retailers: [
    ...docFeed().retailers,
    { retailer: 'WWW.Kaimono.Example', currency: 'JPY', rules: { platform: 'shopify' },
      offers: [
        { id: 'yen500', kind: 'code', code: 'YEN500', discount: { type: 'amount', amount: '500' } },
        { id: 'giftly', kind: 'gift_card', source: 'Giftly', discount_percent: '4',
          denominations: [{ face: '5000' }, { face: '10000' }], requires_membership: 'Giftly Plus' },
      ] },
  ],
});

let h; // the home whose agent the import/list/wallet tests share
let dir; // feed files
const run = (args, input = '') => runDealstack(args, input, h.env);
const writeFeed = (name, feed) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof feed === 'string' ? feed : JSON.stringify(feed, null, 2));
  return file;
};

before(() => {
  h = makeHome('agent');
  dir = fs.mkdtempSync(path.join(h.home, 'feeds-'));
});

after(async () => {
  const pid = await stopAgent(h.lock);
  assert.ok(pid, 'an agent was started by the CLI');
  assert.equal(processAlive(pid), false, 'no agent is left running');
  fs.rmSync(h.home, { recursive: true, force: true });
});

test('--help and usage errors need no agent', async () => {
  const quiet = makeHome('usage');
  try {
    const go = (args) => runDealstack(args, '', quiet.env);
    const help = await go(['offers', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: dealstack offers import FILE/);
    assertFails(await go(['offers']), 2, /say import FILE or list/);
    assertFails(await go(['offers', 'export']), 2, /unknown subcommand 'export'/);
    assertFails(await go(['offers', 'import']), 2, /import takes one FILE/);
    assertFails(await go(['offers', 'import', 'a.json', 'b.json']), 2, /import takes one FILE/);
    assertFails(await go(['offers', 'list', '--colour']), 2, /unknown option '--colour'/);
    assertFails(await go(['offers', 'list', '--json=yes']), 2, /--json takes no value/);
    assertFails(await go(['offers', 'import', 'a.json', '--retailer', 'x.example']), 2, /--retailer goes with list/);
    assert.equal(fs.existsSync(quiet.socket), false, 'no agent was started');
  } finally {
    fs.rmSync(quiet.home, { recursive: true, force: true });
  }
});

test('a bad feed file is refused before anything is sent, naming the file and the field', async () => {
  const quiet = makeHome('bad');
  try {
    const go = (args, input = '') => runDealstack(args, input, quiet.env);
    const file = (name, text) => { const f = path.join(quiet.home, name); fs.writeFileSync(f, text); return f; };
    assertFails(await go(['offers', 'import', path.join(quiet.home, 'missing.json')]), 2, /can't open .*missing\.json/);
    assertFails(await go(['offers', 'import', file('trunc.json', '{"retailers": [')]), 1,
      /trunc\.json: the feed is not valid JSON \(invalid_feed\)\n$/);
    const bad = sampleFeed();
    bad.retailers[0].offers[1].discount.amount = 10;
    assertFails(await go(['offers', 'import', file('bad.json', JSON.stringify(bad))]), 1,
      /bad\.json: retailers\[0\]\.offers\[1\]\.discount\.amount: .* \(invalid_feed\)\n$/);
    const yen = sampleFeed();
    yen.retailers[1].offers[0].discount.amount = '5.50';
    assertFails(await go(['offers', 'import', file('yen.json', JSON.stringify(yen))]), 1,
      /retailers\[1\]\.offers\[0\]\.discount\.amount: "5\.50" has more decimals than JPY allows/);
    const twice = sampleFeed();
    twice.retailers[1].retailer = 'Outdoors.Example';
    assertFails(await go(['offers', 'import', file('twice.json', JSON.stringify(twice))]), 1,
      /retailers\[1\]\.retailer: "outdoors\.example" is the same shop as retailers\[0\]/);
    // From standard input too.
    assertFails(await go(['offers', 'import', '-'], '[]'), 1, /standard input: the feed must be a JSON object/);
    assert.equal(fs.existsSync(quiet.socket), false, 'no agent was started for a bad file');
  } finally {
    fs.rmSync(quiet.home, { recursive: true, force: true });
  }
});

test('a file over 16 MiB, or over one 8 MiB message once compact, is refused in bounded time', async () => {
  const quiet = makeHome('big');
  try {
    const go = (args) => runDealstack(args, '', quiet.env);
    // 17 MiB of spaces around a valid feed: refused by size, unread past the limit.
    const huge = path.join(quiet.home, 'huge.json');
    fs.writeFileSync(huge, '{"retailers": []}' + ' '.repeat(17 << 20));
    const r = await go(['offers', 'import', huge]);
    assertFails(r, 1, /huge\.json: the feed is over 16 MiB \(invalid_feed\)\n$/);
    assert.ok(r.ms < 10000, `took ${r.ms} ms`);
    // A valid feed of about 9.5 MB compact: 20 shops x 5000 offers.
    const offers = Array.from({ length: 5000 }, (_, i) => ({
      id: `code-${i}`, kind: 'code', code: `CODE${i}`, label: 'x'.repeat(20),
      discount: { type: 'percent', percent: String(1 + (i % 50)) } }));
    const retailers = Array.from({ length: 20 }, (_, k) => ({ retailer: `shop${k}.example`, offers }));
    const big = path.join(quiet.home, 'big.json');
    fs.writeFileSync(big, JSON.stringify({ retailers }));
    assert.ok(fs.statSync(big).size > (8 << 20) && fs.statSync(big).size < (16 << 20));
    const b = await go(['offers', 'import', big]);
    assertFails(b, 1, /big\.json: the feed is \d+ bytes as compact JSON; one message to the agent carries at most \d+ \(frame_too_large\)\n$/);
    assert.ok(b.ms < 30000, `took ${b.ms} ms`);
    assert.equal(fs.existsSync(quiet.socket), false, 'nothing was sent');
  } finally {
    fs.rmSync(quiet.home, { recursive: true, force: true });
  }
});

test('import, then list and get serve exactly what the file holds, for any spelling of the host', async () => {
  const before = await run(['offers', 'list']);
  assert.equal(before.code, 0, before.stderr);
  assert.equal(before.stdout, 'no offers imported (dealstack offers import FILE)\n');

  const feed = sampleFeed();
  const imported = await run(['offers', 'import', writeFeed('sample.json', feed), '--json']);
  assert.equal(imported.code, 0, imported.stderr);
  const result = oneJsonLine(imported.stdout);
  assert.equal(result.retailers, 2);
  assert.equal(result.offers, 4);
  assert.ok(Math.abs(result.imported_at - Date.now()) < 60000, `imported_at ${result.imported_at}`);

  const list = await run(['offers', 'list', '--json']);
  assert.equal(list.code, 0, list.stderr);
  assert.deepEqual(oneJsonLine(list.stdout), (await askAgent(h.socket, { method: 'offers.list', params: {} })).result);
  assert.deepEqual(oneJsonLine(list.stdout), { imported_at: result.imported_at, retailers: [
    { retailer: 'kaimono.example', offers: 2 }, { retailer: 'outdoors.example', offers: 2 }] });

  for (const name of ['outdoors.example', 'WWW.OUTDOORS.example', 'outdoors.example.']) {
    const got = await run(['offers', 'list', '--retailer', name, '--json']);
    assert.equal(got.code, 0, got.stderr);
    assert.deepEqual(oneJsonLine(got.stdout), { retailer: 'outdoors.example', rules: feed.retailers[0].rules,
      offers: feed.retailers[0].offers, imported_at: result.imported_at });
  }
  const yen = (await askAgent(h.socket, { method: 'offers.get', params: { retailer: 'kaimono.example' } })).result;
  assert.deepEqual(yen.offers, feed.retailers[1].offers); // requires_membership kept
  assert.deepEqual(yen.rules, { platform: 'shopify' });

  const plain = await run(['offers', 'list', '--retailer', 'outdoors.example']);
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stdout, /^outdoors\.example: 2 offers, imported \d{4}-\d\d-\d\d \d\d:\d\d\n/);
  assert.match(plain.stdout, /club10\s+promotion\s+Outdoors Club/);
  assert.match(plain.stdout, /spring20\s+code\s+-\s+SPRING20/);
  const none = await run(['offers', 'list', '--retailer', 'elsewhere.example']);
  assert.equal(none.stdout, 'elsewhere.example: no offers\n');
  assertFails(await run(['offers', 'list', '--retailer', 'https://outdoors.example/']), 1,
    /retailer: "https:\/\/outdoors\.example\/" is not a host name .*\(invalid_params\)\n$/);

  // A feed the agent refuses (sent around the CLI) changes nothing; the next good import
  // replaces everything.
  const bad = sampleFeed();
  bad.retailers[0].offers[0].discount.percent = '101';
  const refused = await askAgent(h.socket, { method: 'offers.import', params: { feed: bad } });
  assert.deepEqual(refused.error, { code: 'invalid_params',
    message: 'feed.retailers[0].offers[0].discount.percent: must be a percentage from 0 to 100 with at most 4 decimals ("12.5")' });
  assert.deepEqual((await askAgent(h.socket, { method: 'offers.get', params: { retailer: 'kaimono.example' } })).result.offers,
    feed.retailers[1].offers);
  const again = await run(['offers', 'import', writeFeed('one.json', docFeed())]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout, 'imported 2 offers for 1 retailer\n');
  assert.deepEqual((await askAgent(h.socket, { method: 'offers.get', params: { retailer: 'kaimono.example' } })).result.offers, []);
});

test('the wallet: defaults, a round trip through wallet.set and wallet.get, bad fields named', async () => {
  const defaults = { cards: [], memberships: [], gift_cards: 'use', cashback_value_percent: '100', payment_path: 'direct' };
  assert.deepEqual((await askAgent(h.socket, { method: 'wallet.get', params: {} })).result, defaults);
  const wallet = { cards: [{ id: 'blue', name: 'Blue Cash', earn_percent: '1.5' }, { id: 'points', reward_value_percent: 150 }],
    memberships: ['Outdoors Club', 'Giftly Plus'], gift_cards: 'avoid', cashback_value_percent: '75', payment_path: 'paypal' };
  const stored = (await askAgent(h.socket, { method: 'wallet.set', params: { wallet } })).result;
  const expected = structuredClone(wallet);
  expected.cards[1].reward_value_percent = '150';
  assert.deepEqual(stored, expected);
  assert.deepEqual((await askAgent(h.socket, { method: 'wallet.get', params: {} })).result, expected);

  const bad = [
    [{ cards: [{ id: 'a', earn_percent: '101' }] }, /^wallet\.cards\[0\]\.earn_percent: must be a percentage from 0 to 100/],
    [{ cards: [{ id: 'a' }, { id: 'a' }] }, /^wallet\.cards\[1\]\.id: "a" is used twice/],
    [{ cards: [{ name: 'no id' }] }, /^wallet\.cards\[0\]\.id: is required/],
    [{ cards: Array.from({ length: 51 }, (_, i) => ({ id: `c${i}` })) }, /^wallet\.cards: has 51 cards; at most 50/],
    [{ memberships: ['x', 'x'] }, /^wallet\.memberships\[1\]: "x" is listed twice/],
    [{ memberships: ['y'.repeat(201)] }, /^wallet\.memberships\[0\]: is longer than 200 bytes/],
    [{ gift_cards: 'never' }, /^wallet\.gift_cards: must be "use" or "avoid"/],
    [{ cashback_value_percent: 12.5 }, /^wallet\.cashback_value_percent: must be a percentage/],
    [{ payment_path: ['paypal'] }, /^wallet\.payment_path: must be a string/],
    [{ pin: '1234' }, /^wallet\.pin: unknown field/],
  ];
  for (const [w, pattern] of bad) {
    const r = await askAgent(h.socket, { method: 'wallet.set', params: { wallet: w } });
    assert.equal(r.error?.code, 'invalid_params', JSON.stringify(r));
    assert.match(r.error.message, pattern);
  }
  assert.deepEqual((await askAgent(h.socket, { method: 'wallet.get', params: {} })).result, expected, 'the stored wallet stays');
});

test('the offer feed schema accepts the documented feed, refuses bad ones, and mirrors the request schema', () => {
  const readSchema = (name) => JSON.parse(fs.readFileSync(path.join(repoRoot, 'docs', 'schemas', name), 'utf8'));
  const requestSchema = readSchema('stack-request.schema.json');
  const feedSchema = readSchema('offer-feed.schema.json');
  const ajv = new Ajv2020({ strict: true, strictTypes: false, strictRequired: false, allErrors: true });
  ajv.addSchema(requestSchema);
  const validate = ajv.compile(feedSchema);
  for (const feed of [docFeed(), sampleFeed()])
    assert.ok(validate(feed), ajv.errorsText(validate.errors));
  const broken = [
    (f) => { f.version = 2; },
    (f) => { delete f.retailers[0].retailer; },
    (f) => { f.retailers[0].retailer = 'https://outdoors.example/'; },
    (f) => { f.retailers[0].rule = {}; },
    (f) => { f.retailers[0].offers[0].requires_membership = ''; },
    (f) => { f.retailers[0].offers[0].discount.percent = '150'; },
    (f) => { f.retailers[0].offers[0].kind = 'coupon'; },
    (f) => { f.retailers[0].offers[0].cashback = { percent: '5' }; },
  ];
  for (const edit of broken) {
    const feed = docFeed();
    edit(feed);
    assert.equal(validate(feed), false, `accepted after ${edit}`);
  }
  // The feed's offer is the request's offer (its refs pointing into the request schema) plus
  // requires_membership: a change to one without the other fails here.
  const rebased = JSON.parse(JSON.stringify(requestSchema.$defs.offer).replaceAll('"$ref":"#/', `"$ref":"${requestSchema.$id}#/`));
  const { description, ...feedOffer } = structuredClone(feedSchema.$defs.offer);
  assert.ok(description);
  assert.ok(feedOffer.properties.requires_membership);
  delete feedOffer.properties.requires_membership;
  assert.deepEqual(feedOffer, rebased);
});
