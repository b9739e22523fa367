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

// Many requests down one connection without waiting (fast bulk watch.add); resolves with the
// replies, failing on the first error.
function askMany(socket, requests, { timeoutMs = 120000 } = {}) {
  return new Promise((resolve, reject) => {
    const c = net.connect(socket);
    const replies = new Map();
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => { c.destroy(); reject(new Error(`only ${replies.size} of ${requests.length} replies`)); }, timeoutMs);
    c.on('error', (e) => { clearTimeout(timer); reject(e); });
    c.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
        const msg = JSON.parse(buf.subarray(4, 4 + buf.readUInt32BE(0)).toString('utf8'));
        buf = buf.subarray(4 + buf.readUInt32BE(0));
        if (msg.id === undefined || msg.id === null || msg.method) continue;  // events
        if (msg.error) { clearTimeout(timer); c.destroy(); reject(new Error(JSON.stringify(msg.error))); return; }
        replies.set(msg.id, msg.result);
        if (replies.size === requests.length) { clearTimeout(timer); c.end(); resolve(replies); return; }
      }
    });
    const frames = requests.map((r, i) => {
      const body = Buffer.from(JSON.stringify({ id: 1e6 + i, ...r }), 'utf8');
      const head = Buffer.alloc(4);
      head.writeUInt32BE(body.length);
      return Buffer.concat([head, body]);
    });
    c.write(Buffer.concat(frames));
  });
}

async function addWatches(home, n, prefix) {
  const reqs = [];
  for (let i = 0; i < n; i++) reqs.push({ method: 'watch.add', params: { url: `https://shop.invalid/${prefix}/${i}` } });
  for (let i = 0; i < reqs.length; i += 2000) await askMany(home.socket, reqs.slice(i, i + 2000));
}

const syncPosts = (server) => server.logs().split('\n').filter((l) => l.includes('"/v1/sync"') && l.includes('"POST"')).length;

test('dropped connections: backing_off, then recovery; the server SIGKILLed mid-sync and restarted: nothing lost', async (t) => {
  const server0 = await startServer();
  let server = server0;
  const proxy = await startProxy(server.port);
  const a = await startAgentHome(server, { prefix: 'ds-sync-drop-a-' });
  const b = await startAgentHome(server, { prefix: 'ds-sync-drop-b-' });
  t.after(async () => { await a.stop(); await b.stop(); await proxy.close(); await server.stop(); });
  const url = `https://localhost:${proxy.port}`;
  await login(a, url, 'drop@example.org', { register: true });
  await login(b, url, 'drop@example.org');
  await syncNow(a);

  // Every connection cut after 200 bytes: mid-handshake. A's change waits, backing off.
  proxy.cutAfter = 200;
  await a.ok('watch.add', { url: 'https://shop.invalid/p/cut-1' });
  const backing = await waitFor('A to back off', async () => {
    const s = await a.ok('sync.status');
    return s.state === 'backing_off' ? s : null;
  });
  assert.ok(backing.last_error && backing.last_error.code, JSON.stringify(backing));
  assert.ok(backing.next_attempt_at > Date.now() - 1000);
  assert.equal(backing.pending, 1, 'the change is still in the outbox');
  // The connection comes back: A recovers by itself (the backoff timer), nothing lost.
  proxy.cutAfter = null;
  await waitFor('A to recover', async () => {
    const s = await a.ok('sync.status');
    return s.state === 'idle' && s.pending === 0;
  }, 30000);
  assert.equal((await a.ok('sync.status')).last_error, null);

  // 1,500 changes (three pushes of 500); the server SIGKILLed while A pushes them.
  await addWatches(a, 1500, 'kill');
  const before = syncPosts(server);
  const pending = a.ask('sync.now', {}, 60000);
  await waitFor('A\'s first push to reach the server', async () => syncPosts(server) > before, 20000);
  await server.kill();
  await pending;
  const afterKill = await a.ok('sync.status');
  assert.notEqual(afterKill.pending, 0, 'not everything was pushed before the kill');
  server = await startServer({}, server0);
  proxy.retarget(server.port);
  const done = await syncNow(a);
  assert.equal(done.state, 'idle', JSON.stringify(done));
  assert.equal(done.pending, 0);
  const fromB = await syncNow(b);
  assert.equal(fromB.state, 'idle', JSON.stringify(fromB));
  const urls = async (h) => (await h.ok('watch.list')).watches.map((w) => w.url).sort();
  const ua = await urls(a);
  assert.equal(ua.length, 1501);
  assert.deepEqual(await urls(b), ua);
  t.after(() => server.stop());
});

test('an expired token and a revoked one: state error with the server\'s code, until the next login', async (t) => {
  const server = await startServer({ accounts: { scrypt_log2_n: 12, token_lifetime_seconds: 2 } });
  const a = await startAgentHome(server, { prefix: 'ds-sync-tok-' });
  t.after(async () => { await a.stop(); await server.stop(); });
  const url = `https://localhost:${server.port}`;
  await login(a, url, 'tokens@example.org', { register: true });
  assert.equal((await syncNow(a)).state, 'idle');
  await sleep(2500);
  const expired = await syncNow(a);
  assert.equal(expired.state, 'error');
  assert.equal(expired.last_error.code, 'token_expired');
  // Stopped: a local change doesn't start a round.
  const posts = syncPosts(server);
  await a.ok('watch.add', { url: 'https://shop.invalid/p/after-expiry' });
  await sleep(1500);
  assert.equal(syncPosts(server), posts);
  assert.equal((await a.ok('sync.status')).state, 'error');
  // The state survives a restart.
  await a.stop();
  await a.start();
  await a.ok('vault.unlock', { passphrase: VAULT_PASS });
  assert.equal((await a.ok('sync.status')).state, 'error');
  // A new login clears it; then a revoked token.
  await login(a, url, 'tokens@example.org');
  const ok = await syncNow(a);
  assert.equal(ok.state, 'idle');
  assert.equal(ok.pending, 0);
  const rv = await admin(server.file, 'tokens', 'revoke', '--email', 'tokens@example.org');
  assert.equal(rv.code, 0, rv.stderr);
  const revoked = await syncNow(a);
  assert.equal(revoked.state, 'error');
  assert.equal(revoked.last_error.code, 'token_revoked');
  const cli = await a.cli(['sync', 'status']);
  assert.match(cli.stdout, /state: error/);
  assert.match(cli.stdout, /token_revoked/);
});

test('a first sync of 10,000 records; one incremental change is exactly one POST', async (t) => {
  const server = await startServer();
  const a = await startAgentHome(server, { prefix: 'ds-sync-10k-a-' });
  const b = await startAgentHome(server, { prefix: 'ds-sync-10k-b-' });
  t.after(async () => { await a.stop(); await b.stop(); await server.stop(); });
  const url = `https://localhost:${server.port}`;
  // 10,000 watches written straight into A's database while it is stopped (watch.add one by
  // one takes a while); login queues every local thing, so all of them are pushed.
  await a.stop();
  let t0 = Date.now();
  a.sql(`BEGIN;
    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 9999)
      INSERT INTO products (url, created_at) SELECT 'https://shop.invalid/bulk/' || i, 1700000000000 FROM n;
    INSERT INTO variants (product_id, name) SELECT id, '' FROM products WHERE url LIKE 'https://shop.invalid/bulk/%';
    INSERT INTO watches (variant_id, notify_restock, notify_increase, interval_seconds, created_at, state)
      SELECT v.id, 1, 0, 10800, 1700000000000, 'active' FROM variants v;
    COMMIT;`);
  const insertMs = Date.now() - t0;
  await a.start();
  await a.ok('vault.unlock', { passphrase: VAULT_PASS });
  await login(a, url, 'bulk@example.org', { register: true });
  t0 = Date.now();
  await waitFor('A to push 10,000 records', async () => {
    const s = await a.ok('sync.status');
    return s.state === 'idle' && s.pending === 0 && s.records === 10000;
  }, 120000);
  const pushMs = Date.now() - t0;
  await login(b, url, 'bulk@example.org');
  t0 = Date.now();
  await waitFor('B to pull 10,000 records', async () => {
    const s = await b.ok('sync.status');
    return s.state === 'idle' && s.records === 10000 && s.pending === 0;
  }, 120000);
  const pullMs = Date.now() - t0;
  const count = (h) => Number(h.sql('SELECT count(*) FROM watches'));
  assert.equal(count(a), 10000);
  assert.equal(count(b), 10000);
  assert.equal(b.sql("SELECT count(*) FROM products WHERE url LIKE 'https://shop.invalid/bulk/%'"), '10000');
  console.log(`# 10,000 watches inserted: ${insertMs} ms; A's first push: ${pushMs} ms; B's first pull: ${pullMs} ms (target <= 3000 each)`);

  // One change: one POST /v1/sync (push and pull in the same request), nothing more.
  await sleep(1500);
  const before = syncPosts(server);
  await a.ok('watch.add', { url: 'https://shop.invalid/one-more' });
  await waitFor('A to push the change', async () => {
    const s = await a.ok('sync.status');
    return s.state === 'idle' && s.pending === 0 && s.records === 10001;
  });
  await sleep(1500);
  assert.equal(syncPosts(server) - before, 1, 'one incremental change costs one POST /v1/sync');
  assert.equal((await syncNow(b)).records, 10001);
  assert.equal(count(b), 10001);
});
