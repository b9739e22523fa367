// Offers and signed rule packs through the real dealstack-server and a real agent on
// loopback (docs/sync.md, "Offers and rule packs"): after a sync round the agent holds the
// server's offers feed and the packs signed by the key its agent.json trusts, and its
// monitor reads a shop page (tests/fixtures/rules/financing-price.html, whose price the
// heuristics misread) with the pack; a pack tampered with on the server is refused and the
// previous one stays in use; a pack signed by another key is never stored.
// DEALSTACK_BIN / DEALSTACK_SERVER_BIN choose the binaries (default build/native/bin/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { makeAgentHome, askAgent, stopAgent } from '../support/agent_home.mjs';
import { dealstackBin, runDealstack } from '../support/dealstack.mjs';
import { repoRoot, serverBin, startServer } from '../backend/server_harness.mjs';

// `dealstack-server admin ARGS --config FILE`, stdin closed (the harness's run() writes to
// stdin, which can fail with EPIPE when the command exits first).
function admin(configFile, ...args) {
  const r = spawnSync(serverBin, ['admin', ...args, '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const PASSWORD = 'rules-Password-4a9c21';
const VAULT_PASS = 'vault-Pass-7e2b90';
const fixtures = path.join(repoRoot, 'tests', 'fixtures', 'rules');
const PACK_PRICE = '649.00';  // the buy box's price, which only the pack reads

async function waitFor(what, predicate, ms = 20000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await predicate();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

// The shop: the fixture page on 127.0.0.1 (so the pack's host is "127.0.0.1").
function startShop() {
  const page = fs.readFileSync(path.join(fixtures, 'financing-price.html'));
  const server = http.createServer((req, res) => {
    if (req.url !== '/p/barista-pro') { res.writeHead(404); res.end('gone'); return; }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${server.address().port}/p/barista-pro`,
    close: () => new Promise((r) => server.close(r)),
  })));
}

// The fixture pack for `hosts` at `version`, as exact text.
function packText(version, hosts = ['127.0.0.1']) {
  const pack = JSON.parse(fs.readFileSync(path.join(fixtures, 'financing-price.pack.json'), 'utf8'));
  return JSON.stringify({ ...pack, version, hosts });
}

async function signAndImport(server, keyFile, text) {
  const packFile = path.join(server.dir, 'pack.json');
  fs.writeFileSync(packFile, text);
  const signed = admin(server.file, 'rules', 'sign', '--key', keyFile, packFile);
  assert.equal(signed.code, 0, signed.stderr);
  return importEnvelope(server, signed.stdout);
}

async function importEnvelope(server, envelopeText) {
  const envFile = path.join(server.dir, 'envelope.json');
  fs.writeFileSync(envFile, envelopeText);
  const imported = admin(server.file, 'rules', 'import', envFile);
  assert.equal(imported.code, 0, imported.stderr);
  return JSON.parse(envelopeText);
}

async function keygen(server, name) {
  const keyFile = path.join(server.dir, name);
  const r = admin(server.file, 'rules', 'keygen', '--out', keyFile);
  assert.equal(r.code, 0, r.stderr);
  return { keyFile, pub: r.stdout.trim() };
}

async function startAgent(server, ruleKeys) {
  const home = makeAgentHome({
    prefix: 'ds-rules-sync-',
    agentConfig: {
      notifications: { desktop: false },
      monitor: { min_host_gap_ms: 0 },
      sync: { ca_file: server.caPath, interval_ms: 600000, rule_keys: ruleKeys },
    },
  });
  const child = spawn(dealstackBin, ['agent'], { env: home.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  await waitFor('the agent socket', () => fs.existsSync(home.socket));
  home.stop = async () => {
    await stopAgent(home.lock);
    if (child.exitCode === null) await new Promise((r) => child.on('close', r));
  };
  home.stderr = () => stderr;
  home.ok = async (method, params = {}, timeoutMs = 60000) => {
    const r = await askAgent(home.socket, { method, params }, { timeoutMs });
    assert.equal(r.error, undefined, `${method}: ${JSON.stringify(r.error)}`);
    return r.result;
  };
  home.cli = (args, input = '') => runDealstack(args, input, home.env);
  home.sql = (q) => execFileSync('sqlite3', [home.db, q], { encoding: 'utf8' }).trim();
  const init = await home.cli(['vault', 'init', '--passphrase', '--stdin'], `${VAULT_PASS}\n`);
  assert.equal(init.code, 0, init.stderr);
  return home;
}

async function login(home, server, email, register) {
  const args = ['sync', 'login', '--server', `https://localhost:${server.port}`, '--email', email, '--stdin', '--json'];
  if (register) args.push('--register');
  const r = await home.cli(args, `${PASSWORD}\n`);
  assert.equal(r.code, 0, r.stderr);
}

test('a sync round brings the offers feed and the trusted signed packs; the monitor reads pages with them; tampered and foreign packs are refused', async (t) => {
  const server = await startServer();
  const shop = await startShop();
  const ops = await keygen(server, 'ops.key');
  const stranger = await keygen(server, 'stranger.key');
  const agent = await startAgent(server, [ops.pub]);
  t.after(async () => { await agent.stop(); await shop.close(); await server.stop(); });

  const feedFile = path.join(server.dir, 'feed.json');
  fs.writeFileSync(feedFile, JSON.stringify({ retailers: [
    { retailer: 'brewhaus.example', currency: 'USD',
      offers: [{ id: 'espresso10', kind: 'code', code: 'ESPRESSO10', discount: { type: 'percent', percent: '10' } }] },
  ] }));
  assert.equal((admin(server.file, 'offers', 'import', feedFile)).code, 0);
  await signAndImport(server, ops.keyFile, packText(3));
  // Another retailer's pack signed by a key the agent doesn't trust.
  await signAndImport(server, stranger.keyFile, JSON.stringify({ ...JSON.parse(packText(1, ['stranger.example'])), retailer: 'stranger.example' }));

  await login(agent, server, 'rules@example.org', true);
  const status = await agent.ok('sync.now');
  assert.equal(status.state, 'idle', JSON.stringify(status));
  assert.equal(status.rules, 1);  // the trusted one only
  assert.equal(typeof status.offers_synced_at, 'number');
  const offers = await agent.ok('offers.list');
  assert.deepEqual(offers.retailers, [{ retailer: 'brewhaus.example', offers: 1 }]);
  assert.equal(agent.sql('SELECT retailer || \' \' || version FROM sync_rule_packs'), 'brewhaus.example 3');
  assert.equal(agent.sql('SELECT count(*) FROM sync_outbox WHERE kind NOT IN (\'watch\', \'wallet\', \'settings\')'), '0');

  // The monitor reads the shop's page with the pack: the buy box's price, not the financing one.
  const watch = await agent.ok('watch.add', { url: shop.url });
  const checked = await agent.ok('watch.check', { id: watch.id });
  assert.equal(checked.observation.price, PACK_PRICE);
  assert.equal(checked.observation.currency, 'USD');

  // Version 4 tampered with after signing (its price selector changed): refused, version 3 stays.
  const signed4 = await (async () => {
    const packFile = path.join(server.dir, 'pack4.json');
    fs.writeFileSync(packFile, packText(4));
    const r = admin(server.file, 'rules', 'sign', '--key', ops.keyFile, packFile);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout);
  })();
  const bytes = Buffer.from(signed4.pack, 'base64').toString('utf8').replace('.buybox__price .value', '.pdp-financing');
  await importEnvelope(server, JSON.stringify({ ...signed4, pack: Buffer.from(bytes).toString('base64') }));
  const after = await agent.ok('sync.now');
  assert.equal(after.rules, 1);
  assert.equal(agent.sql('SELECT version FROM sync_rule_packs WHERE retailer = \'brewhaus.example\''), '3');
  assert.equal((await agent.ok('watch.check', { id: watch.id })).observation.price, PACK_PRICE);
  // The refusal is said on the agent's stderr (the journal), with the retailer and the code.
  assert.match(agent.stderr(), /rule pack for brewhaus\.example was refused, the previous one stays in use: .*\(bad_signature\)/);

  // The offers feed unchanged on the server: 304, the offers as they were.
  assert.deepEqual((await agent.ok('offers.list')).retailers, offers.retailers);
});

test('an agent that trusts no rule key stores no pack, and reads pages without one', async (t) => {
  const server = await startServer();
  const shop = await startShop();
  const ops = await keygen(server, 'ops.key');
  const agent = await startAgent(server, []);
  t.after(async () => { await agent.stop(); await shop.close(); await server.stop(); });
  await signAndImport(server, ops.keyFile, packText(3));
  await login(agent, server, 'nokeys@example.org', true);
  const status = await agent.ok('sync.now');
  assert.equal(status.rules, 0);
  assert.equal(agent.sql('SELECT count(*) FROM sync_rule_packs'), '0');
  const watch = await agent.ok('watch.add', { url: shop.url });
  const checked = await agent.ok('watch.check', { id: watch.id });
  assert.notEqual(checked.observation.price, PACK_PRICE);
});
