// Crash safety of the agent's store: the real `dealstack agent` over its real Unix socket,
// checking real loopback shops and writing its real SQLite file, killed with SIGKILL at
// moments a seeded PRNG picks (while clients write, while idle, during start-up). After every
// kill a copy of the files left behind must pass PRAGMA integrity_check and hold everything
// the agent acknowledged; then the agent must start again on the very files it left (hot WAL
// included) and answer.
//
// The seed is printed (diagnostic "seed N"); CRASH_SEED=N replays the same kill moments
// (the interleaving of the clients' requests still depends on timing).
// CRASH_ROUNDS=N kills N times instead of 10 (a longer soak).
// Reads SQLite with the `sqlite3` command-line shell (Debian package sqlite3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { makeAgentHome } from '../support/agent_home.mjs';
import { dealstackBin } from '../support/dealstack.mjs';

const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 10); // more for a soak run
const CLIENTS = 4;            // connections to the agent
const WORKERS_PER_CLIENT = 2; // requests each connection keeps in flight
const CHECKED_WATCHES = 4;    // watches the clients check over and over
const STARTUP_KILLS = 8;

const SEED = process.env.CRASH_SEED !== undefined ? Number(process.env.CRASH_SEED) >>> 0
  : (Date.now() ^ (process.pid << 16)) >>> 0;

// mulberry32: small, seedable, good enough to spread kill moments.
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

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Every agent and server this file starts, so none outlives it (also when a test fails).
const children = new Set();
const servers = new Set();
const homes = [];
let failed = false;

function cleanup() {
  for (const c of children) { try { c.kill('SIGKILL'); } catch { /* already gone */ } }
  for (const s of servers) { s.closeAllConnections?.(); s.close(); }
  servers.clear();
  if (failed) {
    console.log(`agent_crash: kept the homes for inspection: ${homes.join(' ')}`);
  } else {
    for (const h of homes) fs.rmSync(h, { recursive: true, force: true });
  }
  homes.length = 0;
}

function makeHome() {
  // Check as fast as asked: no quiet time per shop, no rate limit to speak of.
  const h = makeAgentHome({ prefix: 'ds-crash-', agentConfig: {
    monitor: { min_host_gap_ms: 0, rate_per_minute: 10000, max_in_flight: 8 },
    notifications: { desktop: false },
  } });
  homes.push(h.home);
  return h;
}

// A shop on loopback whose product page shows a new price on every request (one counter per
// shop, so two fetches of one page never show the same price and every check writes a row).
function startShop(host) {
  let served = 0;
  const server = http.createServer((req, res) => {
    served += 1;
    const cents = 1000 + served;
    const price = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
    const page = '<!doctype html><html><head><title>Kettle</title>'
      + '<script type="application/ld+json">'
      + JSON.stringify({
        '@context': 'https://schema.org', '@type': 'Product', name: `Kettle ${req.url}`,
        offers: { '@type': 'Offer', price, priceCurrency: 'USD', availability: 'https://schema.org/InStock' },
      })
      + '</script></head><body><h1>Kettle</h1></body></html>';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(page);
  });
  servers.add(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve({ server, base: `http://${host}:${server.address().port}` }));
  });
}

// A connection to the agent: big-endian length + JSON frames. request() resolves with the
// reply, or null when the connection ended first (the request was never acknowledged).
function connect(socketPath) {
  return new Promise((resolve, reject) => {
    const s = net.connect(socketPath);
    s.once('error', reject);
    s.once('connect', () => {
      s.removeListener('error', reject);
      s.on('error', () => {});
      let buf = Buffer.alloc(0);
      const pending = new Map();
      let nextId = 1;
      let closed = false;
      s.on('data', (d) => {
        buf = buf.length ? Buffer.concat([buf, d]) : d;
        while (buf.length >= 4) {
          const n = buf.readUInt32BE(0);
          if (buf.length < 4 + n) break;
          const msg = JSON.parse(buf.subarray(4, 4 + n).toString('utf8'));
          buf = buf.subarray(4 + n);
          if (msg.id !== undefined && pending.has(msg.id)) {
            const done = pending.get(msg.id);
            pending.delete(msg.id);
            done(msg);
          }
        }
      });
      s.on('close', () => {
        closed = true;
        for (const done of pending.values()) done(null);
        pending.clear();
      });
      resolve({
        request(method, params) {
          if (closed) return Promise.resolve(null);
          const id = nextId++;
          const body = Buffer.from(JSON.stringify(params ? { id, method, params } : { id, method }), 'utf8');
          const head = Buffer.alloc(4);
          head.writeUInt32BE(body.length);
          return new Promise((done) => { pending.set(id, done); s.write(Buffer.concat([head, body])); });
        },
        pending: () => pending.size,
        get closed() { return closed; },
        close() { s.destroy(); },
      });
    });
  });
}

// Starts `dealstack agent` in the home; resolves once it answers hello (a socket file left by
// a killed agent refuses connections until the new one binds it).
async function startAgent(h) {
  const child = spawn(dealstackBin, ['agent'], { env: h.env, stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(child);
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => {
    children.delete(child);
    resolve({ code, signal });
  }));
  let gone = null;
  exited.then((e) => { gone = e; });
  const agent = { child, exited, stderr: () => stderr };
  const deadline = Date.now() + 10000;
  while (Date.now() < deadline) {
    if (gone) throw new Error(`the agent exited during start-up (${JSON.stringify(gone)}); stderr: ${stderr}`);
    try {
      const c = await connect(h.socket);
      const hello = await c.request('hello');
      c.close();
      if (hello?.result?.agent_pid === child.pid) return agent;
    } catch { /* not listening yet */ }
    await sleep(5);
  }
  child.kill('SIGKILL');
  throw new Error(`the agent did not answer hello within 10 s; stderr: ${stderr}`);
}

async function kill9(agent) {
  agent.child.kill('SIGKILL');
  const e = await agent.exited;
  assert.equal(e.signal, 'SIGKILL', 'the agent died of the kill, not of something else');
}

// --- reading the files the dead agent left -------------------------------------------------

// Copies the database and its WAL (what a kill leaves behind) and reads the copy, so the
// agent's own recovery of the hot WAL still gets exercised on the originals.
function snapshot(db, tag) {
  if (!fs.existsSync(db)) return null;
  const dir = fs.mkdtempSync(path.join(path.dirname(path.dirname(path.dirname(db))), `check-${tag.replace(/\W+/g, '-')}-`));
  const copy = path.join(dir, 'copy.sqlite3');
  fs.copyFileSync(db, copy);
  if (fs.existsSync(`${db}-wal`)) fs.copyFileSync(`${db}-wal`, `${copy}-wal`);
  return copy;
}

// The shell is a test dependency (scripts/setup.sh installs it); say so rather than ENOENT.
function requireSqliteShell() {
  try {
    execFileSync('sqlite3', ['-version'], { encoding: 'utf8', timeout: 10000 });
  } catch (e) {
    throw new Error(`this test reads the database with the sqlite3 shell (Debian package sqlite3, `
      + `installed by scripts/setup.sh): ${e.message}`);
  }
}

function sqliteText(db, sql) {
  return execFileSync('sqlite3', ['-bail', db, sql], { encoding: 'utf8', timeout: 10000 }).trim();
}

function sqliteRows(db, sql) {
  const out = execFileSync('sqlite3', ['-bail', '-json', db, sql], { encoding: 'utf8', timeout: 10000 }).trim();
  return out === '' ? [] : JSON.parse(out);
}

// "12.34" USD -> 1234 minor units, without floating point.
function minorUnits(amount) {
  const m = /^(\d+)\.(\d{2})$/.exec(amount);
  assert.ok(m, `a USD amount with two decimals: ${amount}`);
  return Number(m[1]) * 100 + Number(m[2]);
}

// Checks the files of a killed agent against everything it acknowledged so far; returns the
// number of observation rows for the report. Every problem is collected and shown at once.
function verifyAfterKill(h, acks, tag) {
  const copy = snapshot(h.db, tag);
  assert.ok(copy, `${tag}: the database file exists`);
  assert.equal(sqliteText(copy, 'PRAGMA integrity_check'), 'ok', `${tag}: integrity_check`);
  assert.equal(sqliteText(copy, 'PRAGMA foreign_key_check'), '', `${tag}: foreign_key_check`);
  const watches = new Map(sqliteRows(copy,
    'SELECT w.id AS id, p.url AS url, w.last_check_at AS last_check_at FROM watches w'
    + ' JOIN variants v ON v.id = w.variant_id JOIN products p ON p.id = v.product_id')
    .map((r) => [r.id, r]));
  const rows = new Map(sqliteRows(copy, 'SELECT watch_id, at, price, currency FROM observations')
    .map((r) => [`${r.watch_id}@${r.at}`, r]));
  const lost = [];
  for (const a of acks.adds) {
    const w = watches.get(a.id);
    if (!w) lost.push(`watch.add acknowledged as watch ${a.id} (${a.url}) in round ${a.round}: no watch row`);
    else if (w.url !== a.url) lost.push(`watch ${a.id} acknowledged with url ${a.url}, stored with ${w.url}`);
  }
  for (const c of acks.checks) {
    const what = `watch.check acknowledged in round ${c.round}: watch ${c.watch} at ${c.at} price ${c.price} ${c.currency}`;
    const w = watches.get(c.watch);
    if (!w) { lost.push(`${what}: no watch row`); continue; }
    if (w.last_check_at === null || w.last_check_at < c.at) {
      lost.push(`${what}: the watch's last_check_at is ${w.last_check_at}`);
    }
    if (!c.changed) continue; // compact history: an unchanged check writes no row
    const r = rows.get(`${c.watch}@${c.at}`);
    if (!r) lost.push(`${what}: no observations row (${c.watch}, ${c.at})`);
    else if (r.price !== minorUnits(c.price) || r.currency !== c.currency) {
      lost.push(`${what}: the row says ${r.price} ${r.currency}`);
    }
  }
  assert.deepEqual(lost, [], `${tag}: acknowledged writes missing after SIGKILL (copy kept at ${copy})`);
  fs.rmSync(path.dirname(copy), { recursive: true, force: true });
  return rows.size;
}

// --- the tests -----------------------------------------------------------------------------

test('SIGKILL while clients check and add watches loses no acknowledged write and leaves an intact database', async (t) => {
  t.after(cleanup);
  t.diagnostic(`seed ${SEED} (CRASH_SEED=${SEED} replays the kill moments)`);
  const killRand = prng(SEED);
  const workRand = prng(SEED ^ 0x9e3779b9);
  try {
    requireSqliteShell();
    // Checked watches live on one shop; added watches on another (another host for the
    // scheduler), so the monitor's own first checks of them don't queue behind watch.check.
    const shopA = await startShop('127.0.0.1');
    const shopB = await startShop('127.0.0.2');
    const h = makeHome();
    const acks = { checks: [], adds: [] };
    const stats = { killedWithPending: 0, errors: {} };

    let agent = await startAgent(h);
    const watchIds = [];
    {
      const c = await connect(h.socket);
      for (let i = 0; i < CHECKED_WATCHES; i++) {
        const url = `${shopA.base}/p/checked-${i}`;
        const r = await c.request('watch.add', { url });
        assert.ok(r?.result, `watch.add ${url}: ${JSON.stringify(r)}`);
        watchIds.push(r.result.id);
        acks.adds.push({ id: r.result.id, url, round: 0 });
      }
      c.close();
    }

    for (let round = 1; round <= ROUNDS; round++) {
      // Before the kill: the agent started (or restarted on the files the last kill left)
      // answers, and lists every watch ever acknowledged.
      {
        const c = await connect(h.socket);
        const list = await c.request('watch.list');
        assert.ok(list?.result, `round ${round}: watch.list after restart: ${JSON.stringify(list)}`);
        const listed = new Set(list.result.watches.map((w) => w.id));
        assert.deepEqual(acks.adds.filter((a) => !listed.has(a.id)), [], `round ${round}: acknowledged watches listed`);
        c.close();
      }
      const delay = 30 + Math.floor(killRand() * 470);
      const clients = await Promise.all(Array.from({ length: CLIENTS }, () => connect(h.socket)));
      const loops = [];
      const before = { checks: acks.checks.length, adds: acks.adds.length };
      clients.forEach((c, ci) => {
        for (let wi = 0; wi < WORKERS_PER_CLIENT; wi++) {
          loops.push((async () => {
            for (let k = 0; !c.closed; k++) {
              if (workRand() < 0.7) {
                const id = watchIds[Math.floor(workRand() * watchIds.length)];
                const r = await c.request('watch.check', { id });
                if (r?.result) {
                  const o = r.result.observation;
                  assert.equal(r.result.watch.id, id);
                  assert.ok(o && typeof o.at === 'number' && typeof o.price === 'string', JSON.stringify(r));
                  acks.checks.push({ watch: id, at: o.at, price: o.price, currency: o.currency,
                    changed: r.result.changed, round });
                } else if (r?.error) {
                  stats.errors[r.error.code] = (stats.errors[r.error.code] ?? 0) + 1;
                }
              } else {
                const url = `${shopB.base}/p/r${round}-c${ci}-w${wi}-${k}`;
                const r = await c.request('watch.add', { url });
                if (r?.result) {
                  assert.equal(r.result.url, url);
                  acks.adds.push({ id: r.result.id, url, round });
                } else if (r?.error) {
                  stats.errors[r.error.code] = (stats.errors[r.error.code] ?? 0) + 1;
                }
              }
            }
          })());
        }
      });
      await sleep(delay);
      const pending = clients.reduce((n, c) => n + c.pending(), 0);
      await kill9(agent);
      await Promise.all(loops);
      if (pending > 0) stats.killedWithPending += 1;
      const rows = verifyAfterKill(h, acks, `round ${round} (kill after ${delay} ms)`);
      t.diagnostic(`round ${round}: killed after ${delay} ms with ${pending} requests in flight; `
        + `acknowledged ${acks.checks.length - before.checks} checks, ${acks.adds.length - before.adds} adds; `
        + `${rows} observation rows`);
      agent = await startAgent(h);
    }

    // Idle: nothing asked of it (and its monitor quiet: no watch.updated for a while).
    {
      // Any frame (events go to every connection) counts as activity; wait for 300 ms without one.
      let lastFrame = Date.now();
      const idleFrom = Date.now();
      const listener = net.connect(h.socket);
      listener.on('data', () => { lastFrame = Date.now(); });
      listener.on('error', () => {});
      while (Date.now() - lastFrame < 300 && Date.now() - idleFrom < 5000) await sleep(50);
      listener.destroy();
      await kill9(agent);
      verifyAfterKill(h, acks, 'idle kill');
      agent = await startAgent(h);
      const again = await connect(h.socket);
      const r = await again.request('watch.check', { id: watchIds[0] });
      assert.ok(r?.result, `watch.check after the idle kill: ${JSON.stringify(r)}`);
      acks.checks.push({ watch: watchIds[0], at: r.result.observation.at, price: r.result.observation.price,
        currency: r.result.observation.currency, changed: r.result.changed, round: 'after idle' });
      again.close();
    }

    // A clean stop at the end keeps everything too.
    agent.child.kill('SIGTERM');
    assert.deepEqual(await agent.exited, { code: 0, signal: null });
    verifyAfterKill(h, acks, 'clean stop');

    const checksChanged = acks.checks.filter((c) => c.changed).length;
    t.diagnostic(`acknowledged in all: ${acks.checks.length} checks (${checksChanged} changed), `
      + `${acks.adds.length} adds; kills with requests in flight: ${stats.killedWithPending}/${ROUNDS}; `
      + `error replies: ${JSON.stringify(stats.errors)}`);
    // The test only means something if writes were acknowledged and kills hit work in flight.
    assert.ok(checksChanged >= ROUNDS, `at least ${ROUNDS} acknowledged checks wrote a row (got ${checksChanged})`);
    assert.ok(acks.adds.length > CHECKED_WATCHES + ROUNDS, `watch.add acknowledged in the rounds (${acks.adds.length})`);
    assert.ok(stats.killedWithPending >= ROUNDS / 2, `most kills hit requests in flight (${stats.killedWithPending})`);
    // Every price differs from the one before it, so every acknowledged check wrote a row.
    assert.equal(checksChanged, acks.checks.length, 'each check saw a new price, so each wrote a history row');
  } catch (e) {
    failed = true;
    throw e;
  }
});

test('SIGKILL during start-up (migrations on a fresh home) leaves files the next start opens', async (t) => {
  t.after(cleanup);
  const rand = prng(SEED ^ 0x5bd1e995);
  try {
    requireSqliteShell();
    // How long a fresh start takes here (directories, lock, database, migrations, socket).
    const reference = makeHome();
    const started = Date.now();
    const ref = await startAgent(reference);
    const startupMs = Date.now() - started;
    ref.child.kill('SIGTERM');
    await ref.exited;
    const schema = sqliteText(reference.db, 'SELECT max(version) FROM schema_version');
    assert.match(schema, /^\d+$/);
    const seen = { none: 0, noSchema: 0, migrated: 0 };
    for (let i = 0; i < STARTUP_KILLS; i++) {
      const h = makeHome();
      // Spread over the start-up, denser early on (where the database is made and migrated),
      // slightly past its end too.
      const delay = Math.floor(rand() ** 2 * startupMs * 1.2);
      const child = spawn(dealstackBin, ['agent'], { env: h.env, stdio: 'ignore' });
      children.add(child);
      const exited = new Promise((resolve) => child.on('exit', (code, signal) => {
        children.delete(child);
        resolve({ code, signal });
      }));
      await sleep(delay);
      child.kill('SIGKILL');
      const e = await exited;
      assert.equal(e.signal, 'SIGKILL', `start-up kill ${i}: the agent was still running at ${delay} ms`);
      const copy = snapshot(h.db, `startup-${i}`);
      let state = 'none';
      if (copy) {
        assert.equal(sqliteText(copy, 'PRAGMA integrity_check'), 'ok', `start-up kill ${i} at ${delay} ms: integrity_check`);
        const tables = sqliteText(copy, "SELECT count(*) FROM sqlite_schema WHERE name = 'schema_version'");
        if (tables === '0') state = 'noSchema';
        else {
          // Migrations commit as one transaction: all of them or none.
          const v = sqliteText(copy, 'SELECT coalesce(max(version), 0) FROM schema_version');
          assert.ok(v === '0' || v === schema, `start-up kill ${i}: schema version ${v}, expected 0 or ${schema}`);
          state = v === '0' ? 'noSchema' : 'migrated';
        }
      }
      seen[state] += 1;
      // The next start works on what was left: it answers and writes.
      const agent = await startAgent(h);
      const c = await connect(h.socket);
      const r = await c.request('watch.add', { url: `http://127.0.0.1:9/p/after-kill-${i}` });
      assert.ok(r?.result?.id, `watch.add after start-up kill ${i} at ${delay} ms: ${JSON.stringify(r)}`);
      c.close();
      agent.child.kill('SIGTERM');
      assert.deepEqual(await agent.exited, { code: 0, signal: null });
      assert.equal(sqliteText(h.db, 'PRAGMA integrity_check'), 'ok');
      assert.equal(sqliteText(h.db, 'SELECT max(version) FROM schema_version'), schema);
      assert.equal(sqliteText(h.db, `SELECT count(*) FROM watches WHERE id = ${r.result.id}`), '1');
    }
    t.diagnostic(`fresh start takes ${startupMs} ms; at the kill the database was: ${JSON.stringify(seen)}`);
  } catch (e) {
    failed = true;
    throw e;
  }
});
