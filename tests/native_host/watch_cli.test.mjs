// `dealstack watch add|list|remove|check`, `history` and `alerts` run as real processes
// against the real agent (started on demand by the first command, as the CLI does for
// people) over its real Unix socket, in a temporary home. The binary is DEALSTACK_BIN, or
// build/native/bin/dealstack under the repository root (tests/support/dealstack.mjs).
//
// Contract checked here: plain output is aligned columns for people; --json prints exactly
// the agent's result as one JSON line (compared with what the agent answers on its own
// socket); errors are one line on stderr naming what is wrong; exit 0 ok, 1 the agent
// refused / not found / check failed, 2 usage error (named flag, nothing sent: no agent is
// started). No agent process is left running afterwards.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { askAgent, makeAgentHome, processAlive, stopAgent } from '../support/agent_home.mjs';
import { assertFails, oneJsonLine, runDealstack } from '../support/dealstack.mjs';

function makeHome(tag) {
  // No quiet time between checks of one shop (the default 10 s would make watch check wait
  // behind the schedule's own first check), and no desktop notifications.
  return makeAgentHome({ prefix: `ds-watch-cli-${tag}-`, env: { TZ: 'UTC' },
    agentConfig: { monitor: { min_host_gap_ms: 0 }, notifications: { desktop: false } } });
}

let h; // the home whose agent the tests share
const run = (args) => runDealstack(args, '', h.env);

before(() => { h = makeHome('agent'); });

after(async () => {
  const pid = await stopAgent(h.lock);
  assert.ok(pid, 'an agent was started by the CLI');
  assert.equal(processAlive(pid), false, 'no agent is left running');
  fs.rmSync(h.home, { recursive: true, force: true });
});

test('--help on watch, each watch subcommand, history and alerts prints its usage without an agent', async () => {
  const quiet = makeHome('help');
  try {
    for (const [args, usage] of [
      [['watch', '--help'], 'usage: dealstack watch <add|list|remove|check>'],
      [['watch', 'add', '--help'], 'usage: dealstack watch add URL'],
      [['watch', 'list', '--help'], 'usage: dealstack watch list'],
      [['watch', 'remove', '--help'], 'usage: dealstack watch remove ID'],
      [['watch', 'check', '--help'], 'usage: dealstack watch check ID'],
      [['history', '--help'], 'usage: dealstack history ID'],
      [['alerts', '--help'], 'usage: dealstack alerts'],
      [['--help'], 'watch add URL'],
    ]) {
      const r = await runDealstack(args, '', quiet.env);
      assert.equal(r.code, 0, args.join(' '));
      assert.ok(r.stdout.startsWith(usage) || r.stdout.includes(usage), `${args.join(' ')}: ${r.stdout}`);
      assert.equal(r.stderr, '');
    }
    const bare = await runDealstack(['watch'], '', quiet.env);
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, /usage: dealstack watch/);
    assert.equal(fs.existsSync(quiet.socket), false, 'help starts no agent');
  } finally {
    await stopAgent(quiet.lock);
    fs.rmSync(quiet.home, { recursive: true, force: true });
  }
});

test('usage errors exit 2 with one line naming the bad flag or argument, and start no agent', async () => {
  const quiet = makeHome('usage');
  const url = 'https://shop.example/p/usage';
  try {
    for (const [args, pattern] of [
      [['watch', 'add'], /watch add: the URL to watch is missing/],
      [['watch', 'add', url, url], /unexpected argument/],
      [['watch', 'add', url, '--colour', 'red'], /unknown option '--colour'/],
      [['watch', 'add', url, '--drop', '12.345'], /--drop: '12\.345'/],
      [['watch', 'add', url, '--drop', '0'], /--drop: '0'/],
      [['watch', 'add', url, '--drop', '101'], /--drop: '101'/],
      [['watch', 'add', url, '--drop'], /--drop needs a value/],
      [['watch', 'add', url, '--every', '5x'], /--every: '5x' is not a duration/],
      [['watch', 'add', url, '--every', '1m'], /--every: 1m is outside 2m to 30d/],
      [['watch', 'add', url, '--every', '31d'], /--every: 31d is outside/],
      [['watch', 'add', url, '--active', '25:00-06:00'], /--active: '25:00-06:00'/],
      [['watch', 'add', url, '--active', '08:00-08:00'], /--active: start and end/],
      [['watch', 'add', url, '--target', '9.99'], /--target needs --currency/],
      [['watch', 'add', url, '--currency', 'EUR'], /--currency is only used with --target/],
      [['watch', 'add', url, '--target', '9.999', '--currency', 'EUR'], /--target: '9\.999'/],
      [['watch', 'add', url, '--target', 'cheap', '--currency', 'EUR'], /--target: 'cheap'/],
      [['watch', 'add', url, '--target', '9', '--currency', 'XYZ'], /--currency: 'XYZ'/],
      [['watch', 'add', url, '--json=yes'], /--json takes no value/],
      [['watch', 'frob'], /unknown subcommand 'frob'/],
      [['watch', 'list', '--jsn'], /unknown option '--jsn'/],
      [['watch', 'list', 'extra'], /unexpected argument 'extra'/],
      [['watch', 'remove'], /the watch ID is missing/],
      [['watch', 'remove', 'abc'], /'abc' is not a watch ID/],
      [['watch', 'remove', '0'], /'0' is not a watch ID/],
      [['watch', 'check', '-5'], /unknown option '-5'/],
      [['history'], /history: the watch ID is missing/],
      [['history', '1', '--days', '0'], /--days: '0'/],
      [['history', '1', '--days', '3', '--from', '2024-01-01'], /--days can't be combined/],
      [['history', '1', '--from', '2024-02-30'], /--from: '2024-02-30' is not a date/],
      [['history', '1', '--to', '24-01-01'], /--to: '24-01-01'/],
      [['history', '1', '--from', '2024-03-02', '--to', '2024-03-01'], /--from is after --to/],
      [['alerts', '--bogus'], /alerts: unknown option '--bogus'/],
      [['alerts', '--ack'], /--ack needs an alert ID/],
      [['alerts', '--ack', 'x1'], /--ack: 'x1'/],
      [['alerts', '--ack', '3', '--all'], /--ack and --all can't be combined/],
    ]) {
      const r = await runDealstack(args, '', quiet.env);
      assertFails(r, 2, pattern);
      assert.match(r.stderr, /\(see dealstack [a-z ]+ --help\)/, 'points at the help');
    }
    assert.equal(fs.existsSync(quiet.socket), false, 'nothing was sent: no agent started');
  } finally {
    await stopAgent(quiet.lock);
    fs.rmSync(quiet.home, { recursive: true, force: true });
  }
});

test('watch add, list and remove round trip, in plain text and --json', async () => {
  const plainUrl = 'https://shop.example/p/kettle';
  const added = await run(['watch', 'add', plainUrl, '--target', '39.9', '--currency', 'eur', '--drop', '10']);
  assert.equal(added.code, 0, added.stderr);
  const m = added.stdout.match(/^added watch (\d+): https:\/\/shop\.example\/p\/kettle\n/);
  assert.ok(m, added.stdout);
  const plainId = Number(m[1]);
  assert.match(added.stdout, /every 3h; alerts on below 39\.90 EUR, drop 10%, restock\n$/);

  const jsonUrl = 'https://shop.example/p/toaster';
  const j = await run(['watch', 'add', jsonUrl, '--variant', 'red', '--target', '1299', '--currency', 'JPY',
    '--drop=12.5', '--no-restock', '--increase', '--every', '1h30m', '--active', '22:00-6:00', '--json']);
  assert.equal(j.code, 0, j.stderr);
  const w = oneJsonLine(j.stdout);
  assert.equal(w.url, jsonUrl);
  assert.equal(w.variant, 'red');
  assert.equal(w.target_price, '1299');
  assert.equal(w.currency, 'JPY');
  assert.equal(w.drop_bp, 1250);
  assert.equal(w.notify_restock, false);
  assert.equal(w.notify_increase, true);
  assert.equal(w.interval_seconds, 5400);
  assert.deepEqual(w.active_hours, { start_minute: 1320, end_minute: 360 });
  assert.notEqual(w.id, plainId);

  // The same url and variant again: the agent refuses, exit 1 with its message.
  assertFails(await run(['watch', 'add', jsonUrl, '--variant', 'red']), 1,
    /watch add: a watch for https:\/\/shop\.example\/p\/toaster \(variant 'red'\) already exists \(already_watched\)/);
  // A url the agent refuses.
  assertFails(await run(['watch', 'add', 'ftp://shop.example/x']), 1,
    /only http:\/\/ and https:\/\/ urls can be watched \(invalid_params\)/);

  // --json is exactly what the agent answers for watch.list.
  const listed = await run(['watch', 'list', '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const direct = await askAgent(h.socket, { id: 'direct', method: 'watch.list' });
  assert.deepEqual(oneJsonLine(listed.stdout), direct.result);
  assert.deepEqual(direct.result.watches.map((x) => x.id).sort(), [plainId, w.id].sort());

  // Plain: a header and one row per watch, every column starting where its header does.
  const plain = await run(['watch', 'list']);
  assert.equal(plain.code, 0, plain.stderr);
  const lines = plain.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 3, plain.stdout);
  const header = lines[0];
  assert.match(header, /^ID +STATE +EVERY +LAST CHECK +ALERTS ON +PAGE$/);
  const toaster = lines.find((l) => l.includes(jsonUrl));
  const kettle = lines.find((l) => l.includes(plainUrl));
  assert.equal(toaster.indexOf(`${jsonUrl} [red]`), header.indexOf('PAGE'));
  assert.equal(kettle.indexOf(plainUrl), header.indexOf('PAGE'));
  assert.equal(toaster.indexOf('1h30m 22:00-06:00'), header.indexOf('EVERY'));
  assert.equal(toaster.indexOf('never'), header.indexOf('LAST CHECK'));
  assert.equal(toaster.indexOf('below 1299 JPY, drop 12.5%, increase'), header.indexOf('ALERTS ON'));
  assert.equal(kettle.indexOf('active'), header.indexOf('STATE'));
  assert.ok(kettle.startsWith(`${plainId} `));

  // Remove one in plain text, the other with --json.
  const removed = await run(['watch', 'remove', String(plainId)]);
  assert.equal(removed.code, 0, removed.stderr);
  assert.equal(removed.stdout, `removed watch ${plainId}\n`);
  const removedJson = await run(['watch', 'remove', String(w.id), '--json']);
  assert.equal(removedJson.code, 0, removedJson.stderr);
  assert.deepEqual(oneJsonLine(removedJson.stdout), { removed: w.id });
  assertFails(await run(['watch', 'remove', String(plainId)]), 1,
    new RegExp(`watch remove: no watch with id ${plainId} \\(not_found\\)`));

  const empty = await run(['watch', 'list']);
  assert.equal(empty.code, 0);
  assert.match(empty.stdout, /^no watches/);
  assert.deepEqual(oneJsonLine((await run(['watch', 'list', '--json'])).stdout), { watches: [] });
});

test('history of a new watch has no days, in plain text and --json; an unknown watch exits 1', async () => {
  const added = oneJsonLine((await run(['watch', 'add', 'https://shop.example/p/history', '--target', '5',
    '--currency', 'USD', '--json'])).stdout);
  try {
    const plain = await run(['history', String(added.id)]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(plain.stdout,
      `watch ${added.id}, prices in USD, last checked never\nno prices recorded in this range\n`);
    for (const extra of [[], ['--days', '7'], ['--from', '2024-01-01', '--to', '2024-01-31'], ['--from', '2024-01-01']]) {
      const r = await run(['history', String(added.id), ...extra, '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(oneJsonLine(r.stdout),
        { watch_id: added.id, currency: 'USD', days: [], last_check_at: null }, extra.join(' '));
    }
    assertFails(await run(['history', '999999']), 1, /history: no watch with id 999999 \(not_found\)/);
  } finally {
    await run(['watch', 'remove', String(added.id)]);
  }
});

test('alerts: none yet in plain text and --json; acknowledging an unknown alert exits 1 naming it', async () => {
  const plain = await run(['alerts']);
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(plain.stdout, 'no new alerts\n');
  const all = await run(['alerts', '--all']);
  assert.equal(all.stdout, 'no alerts\n');
  const json = await run(['alerts', '--all', '--json']);
  assert.equal(json.code, 0);
  assert.deepEqual(oneJsonLine(json.stdout), (await askAgent(h.socket,
    { id: 'a', method: 'alerts.list', params: { unacknowledged_only: false } })).result);
  assertFails(await run(['alerts', '--ack', '99']), 1, /alerts: no alert with id 99 \(not_found\)/);
  assertFails(await run(['alerts', '--ack', '99', '--json']), 1, /no alert with id 99/);
});

// A product page on loopback, and a path answering 503.
function startShop() {
  const page = '<!doctype html><html><head><title>Kettle</title>'
    + '<script type="application/ld+json">{"@context":"https://schema.org","@type":"Product",'
    + '"name":"Kettle","offers":{"@type":"Offer","price":"19.99","priceCurrency":"EUR",'
    + '"availability":"https://schema.org/InStock"}}</script></head><body><h1>Kettle</h1></body></html>';
  const server = http.createServer((req, res) => {
    if (req.url === '/down') { res.writeHead(503, { 'content-type': 'text/plain' }); res.end('busy'); return; }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

test('watch check stores one check now and prints the price; a 503 is check_failed (exit 1)', async () => {
  const server = await startShop();
  const base = `http://127.0.0.1:${server.address().port}`;
  const ids = [];
  try {
    const w = oneJsonLine((await run(['watch', 'add', `${base}/p/kettle`, '--target', '25', '--currency', 'EUR',
      '--json'])).stdout);
    ids.push(w.id);
    const r = await run(['watch', 'check', String(w.id), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const c = oneJsonLine(r.stdout);
    assert.equal(c.watch.id, w.id);
    assert.equal(typeof c.watch.last_check_at, 'number', 'the check is stored before the reply');
    assert.equal(c.observation.price, '19.99');
    assert.equal(c.observation.currency, 'EUR');
    assert.equal(c.observation.can_tell, true);
    assert.equal(typeof c.changed, 'boolean');
    // A new watch is also checked at once by the schedule, so the below-target alert comes
    // from whichever check saw the price first: this one (then it is in the reply) or that.
    const listed = oneJsonLine((await run(['alerts', '--json'])).stdout).alerts.filter((a) => a.watch_id === w.id);
    assert.equal(listed.length, 1, 'one alert for the price under the target');
    const alert = listed[0];
    assert.equal(alert.kind, 'below_target');
    if (c.alert !== null) assert.deepEqual(c.alert, alert);

    const plain = await run(['watch', 'check', String(w.id)]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, new RegExp(`^checked watch ${w.id} at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d: `));
    assert.match(plain.stdout, /\n +price +19\.99 EUR\n/);
    assert.match(plain.stdout, /\n +since last check +unchanged\n/);

    const hist = oneJsonLine((await run(['history', String(w.id), '--days', '1', '--json'])).stdout);
    assert.equal(hist.days.length, 1);
    assert.equal(hist.days[0].last, '19.99');

    const alerts = await run(['alerts']);
    assert.match(alerts.stdout, /^ID +WATCH +KIND +PRICE +WHEN +MESSAGE\n/);
    assert.match(alerts.stdout, new RegExp(`\\n${alert.id} +${w.id} +below_target +19\\.99 EUR `));
    const acked = await run(['alerts', '--ack', String(alert.id)]);
    assert.equal(acked.stdout, `acknowledged alert ${alert.id}\n`);
    assert.equal((await run(['alerts'])).stdout, 'no new alerts\n');

    const down = oneJsonLine((await run(['watch', 'add', `${base}/down`, '--json'])).stdout);
    ids.push(down.id);
    assertFails(await run(['watch', 'check', String(down.id)]), 1, /watch check: .*503.*\(check_failed\)/);
    assertFails(await run(['watch', 'check', '999999']), 1, /\(not_found\)/);
  } finally {
    for (const id of ids) await run(['watch', 'remove', String(id)]);
    server.close();
  }
});

// A peer on the agent's socket path that misbehaves in one chosen way, to check the CLI's
// side of the socket: events before the reply are skipped, a hang-up or a reply that isn't
// JSON is an error line and exit 1, never a hang or a crash.
async function withPeer(onRequest, body) {
  const home = makeHome('peer');
  const dir = path.join(home.home, 'run', 'dealstack');
  fs.mkdirSync(dir, { mode: 0o700 });
  const server = net.createServer((c) => {
    let buf = Buffer.alloc(0);
    c.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
        onRequest(c, JSON.parse(buf.subarray(4, 4 + buf.readUInt32BE(0)).toString('utf8')));
      }
    });
    c.on('error', () => {});
  });
  await new Promise((resolve) => server.listen(home.socket, resolve));
  try {
    await body(home);
  } finally {
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(home.home, { recursive: true, force: true });
  }
}

function frameBE(text) {
  const body = Buffer.from(text, 'utf8');
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length);
  return Buffer.concat([head, body]);
}

test('the CLI skips events before its reply, and a peer that hangs up or answers garbage gives exit 1', async () => {
  let seen;
  await withPeer((c, req) => {
    seen = req;
    c.write(frameBE(JSON.stringify({ event: 'watch.updated', data: { removed: 7 } })));
    c.write(frameBE(JSON.stringify({ id: 'someone-else', result: { alerts: [{ id: 1 }] } })));
    c.write(frameBE(JSON.stringify({ id: req.id, result: { alerts: [] } })));
  }, async (home) => {
    const r = await runDealstack(['alerts', '--all', '--json'], '', home.env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '{"alerts":[]}\n');
    assert.equal(seen.method, 'alerts.list');
    assert.deepEqual(seen.params, { unacknowledged_only: false });
  });
  await withPeer((c) => { c.end(Buffer.from([0, 0, 0, 50, 0x7b])); }, async (home) => {
    assertFails(await runDealstack(['watch', 'list'], '', home.env), 1,
      /watch list: the dealstack agent: went away before replying .*\(agent_unavailable\)/);
  });
  await withPeer((c) => { c.write(frameBE('not json')); }, async (home) => {
    assertFails(await runDealstack(['watch', 'remove', '3'], '', home.env), 1,
      /watch remove: the dealstack agent answered something that is not a JSON object \(invalid_reply\)/);
  });
  await withPeer((c, req) => {
    c.write(frameBE(JSON.stringify({ id: req.id, error: { code: 'agent_stopping', message: 'the agent is stopping' } })));
  }, async (home) => {
    assertFails(await runDealstack(['history', '4'], '', home.env), 1, /history: the agent is stopping \(agent_stopping\)/);
  });
});
