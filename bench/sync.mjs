// Benchmark part "sync" (issue 6): a real dealstack-server and two real agents on loopback.
//
//   first sync   A holds 10,000 watches (written into its database before it starts) and logs
//                in: the time until A has pushed them all, then the time until B (same account,
//                fresh) has pulled them all. Target: <= 3 s each. Baseline, same run and server:
//                the same number of records of the same blob size pushed and pulled by a bare
//                HTTPS client (node) in the same batch sizes: the server and TLS floor, without
//                the agents' store, encryption and conflict checks.
//   incremental  one watch added on A after that: POST /v1/sync requests (from the server's
//                log) and bytes on the wire both ways (through a counting TCP proxy; the agent
//                opens one TLS connection per round, so its handshake is included). Target: 1
//                round trip.
//
// Prints one table; run alone with DEALSTACK_BENCH_ONLY=sync.
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { askAgent, makeAgentHome, stopAgent } from '../tests/support/agent_home.mjs';
import { dealstackBin, runDealstack } from '../tests/support/dealstack.mjs';
import { startServer } from '../tests/backend/server_harness.mjs';

const RECORDS = Number(process.env.DEALSTACK_BENCH_SYNC_RECORDS ?? 10000);
const TARGET_FIRST_SYNC_MS = 3000;
const PASSWORD = 'bench-password-not-secret';
const VAULT_PASS = 'bench-vault-pass';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, predicate, ms = 120000, every = 10) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await predicate();
    if (v) return v;
    if (Date.now() > end) throw new Error(`sync bench: timed out waiting for ${what}`);
    await sleep(every);
  }
}

// Counts bytes both ways between the agent and the server.
function countingProxy(targetPort) {
  const proxy = { up: 0, down: 0 };
  proxy.server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    client.on('data', (d) => { proxy.up += d.length; upstream.write(d); });
    upstream.on('data', (d) => { proxy.down += d.length; client.write(d); });
    const cut = () => { client.destroy(); upstream.destroy(); };
    client.on('error', cut); upstream.on('error', cut);
    client.on('close', cut); upstream.on('close', cut);
  });
  return new Promise((resolve) => proxy.server.listen(0, '127.0.0.1', () => {
    proxy.port = proxy.server.address().port;
    resolve(proxy);
  }));
}

async function agentHome(caPath, prefix) {
  const home = makeAgentHome({ prefix, agentConfig: { notifications: { desktop: false }, sync: { ca_file: caPath, interval_ms: 600000 } } });
  home.start = async () => {
    home.child = spawn(dealstackBin, ['agent'], { env: home.env, stdio: ['ignore', 'ignore', 'ignore'] });
    await until('the agent socket', () => fs.existsSync(home.socket), 20000);
  };
  home.stop = () => stopAgent(home.lock);
  home.ask = async (method, params = {}) => {
    const r = await askAgent(home.socket, { method, params }, { timeoutMs: 60000 });
    if (r.error) throw new Error(`${method}: ${r.error.code}: ${r.error.message}`);
    return r.result;
  };
  await home.start();
  const init = await runDealstack(['vault', 'init', '--passphrase', '--stdin'], `${VAULT_PASS}\n`, home.env);
  if (init.code !== 0) throw new Error(`vault init: ${init.stderr}`);
  return home;
}

function login(home, url, email, register) {
  return home.ask('sync.login', { server: url, email, password: PASSWORD, register });
}

// A bare client: POST /v1/sync with opaque blobs of `blobBytes`, `batch` per request; then
// pulls everything back by cursor. Returns {pushMs, pullMs}.
async function bareSync(server, token, count, blobBytes, batch) {
  const agent = new https.Agent({ keepAlive: true, ca: server.ca, maxSockets: 1 });
  const post = (body) => new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = https.request({ host: '127.0.0.1', servername: 'localhost', port: server.port, method: 'POST', path: '/v1/sync', agent,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => res.statusCode === 200 ? resolve(JSON.parse(Buffer.concat(chunks))) : reject(new Error(`bare sync: ${res.statusCode}`)));
    });
    req.on('error', reject);
    req.end(data);
  });
  const blob = randomBytes(blobBytes).toString('base64');
  let t0 = performance.now();
  let cursor = 0;
  for (let i = 0; i < count; i += batch) {
    const push = [];
    for (let j = i; j < Math.min(count, i + batch); j++) push.push({ id: `bare-${j}`, base_version: 0, blob, deleted: false });
    cursor = (await post({ cursor, push, limit: 1000 })).cursor;
  }
  const pushMs = performance.now() - t0;
  t0 = performance.now();
  let pulled = 0;
  for (let c = 0, more = true; more;) {
    const r = await post({ cursor: c, push: [], limit: 1000 });
    pulled += r.records.length;
    c = r.cursor;
    more = r.more;
  }
  const pullMs = performance.now() - t0;
  agent.destroy();
  if (pulled !== count) throw new Error(`bare sync pulled ${pulled} of ${count}`);
  return { pushMs, pullMs };
}

const syncPosts = (server) => server.logs().split('\n').filter((l) => l.includes('"/v1/sync"') && l.includes('"POST"')).length;

export async function benchSync({ fmt = (x) => x.toFixed(2) } = {}) {
  console.log(`\nsync: ${RECORDS.toLocaleString('en-US')} records, a real dealstack-server and two agents on loopback`);
  // Fast password hashes: logins are not what is measured here.
  const server = await startServer({ accounts: { scrypt_log2_n: 12 } });
  const proxy = await countingProxy(server.port);
  const url = `https://localhost:${proxy.port}`;
  const a = await agentHome(server.caPath, 'ds-bench-sync-a-');
  const b = await agentHome(server.caPath, 'ds-bench-sync-b-');
  try {
    await a.stop();
    execFileSync('sqlite3', [a.db, `BEGIN;
      WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${RECORDS - 1})
        INSERT INTO products (url, created_at) SELECT 'https://shop.invalid/bench/' || i, 1700000000000 FROM n;
      INSERT INTO variants (product_id, name) SELECT id, '' FROM products WHERE url LIKE 'https://shop.invalid/bench/%';
      INSERT INTO watches (variant_id, notify_restock, notify_increase, interval_seconds, created_at, state)
        SELECT v.id, 1, 0, 10800, 1700000000000, 'active' FROM variants v;
      COMMIT;`]);
    await a.start();
    await a.ask('vault.unlock', { passphrase: VAULT_PASS });

    // Login queues every watch; the push runs right after the reply.
    await login(a, url, 'bench@example.org', true);
    let t0 = performance.now();
    await until('A to push every record', async () => {
      const s = await a.ask('sync.status');
      return s.state === 'idle' && s.pending === 0 && s.records === RECORDS;
    });
    const pushMs = performance.now() - t0;
    const pushBytes = proxy.up + proxy.down;
    await login(b, url, 'bench@example.org', false);
    t0 = performance.now();
    await until('B to pull every record', async () => {
      const s = await b.ask('sync.status');
      return s.state === 'idle' && s.records === RECORDS && s.pending === 0;
    });
    const pullMs = performance.now() - t0;

    // One incremental change.
    await sleep(1500);
    const posts0 = syncPosts(server);
    const up0 = proxy.up;
    const down0 = proxy.down;
    await a.ask('watch.add', { url: 'https://shop.invalid/bench/one-more' });
    await until('A to push the change', async () => {
      const s = await a.ask('sync.status');
      return s.state === 'idle' && s.pending === 0 && s.records === RECORDS + 1;
    }, 30000);
    await sleep(1200);
    const posts = syncPosts(server) - posts0;
    const upBytes = proxy.up - up0;
    const downBytes = proxy.down - down0;

    // The baseline: the same counts through a bare client, on another account.
    const authKey = randomBytes(32).toString('base64url');
    await server.request('POST', '/v1/accounts', { body: { email: 'bare2@example.org', auth_key: authKey } });
    const session = await server.request('POST', '/v1/sessions', { body: { email: 'bare2@example.org', auth_key: authKey, device: 'bench' } });
    if (session.status !== 201) throw new Error(`bare login: ${session.status} ${session.text}`);
    // The agents' mean blob size, as the server stores it (base64 text).
    const meanBase64 = Number(execFileSync('sqlite3', [`${server.dataDir}/server.sqlite3`, 'SELECT cast(avg(length(blob)) AS int) FROM records']).toString());
    const blobBytes = Math.max(1, Math.round((meanBase64 * 3) / 4));
    const bare = await bareSync(server, session.json.token, RECORDS, blobBytes, 500);

    const row = (label, value, base, extra = '') => console.log(`  ${label.padEnd(44)} ${value.padStart(10)}   baseline ${base.padStart(10)}   ${extra}`);
    row(`first sync, A pushes ${RECORDS}`, `${pushMs.toFixed(0)} ms`, `${bare.pushMs.toFixed(0)} ms`,
      `${fmt(pushMs / bare.pushMs)}x bare client (target <= ${TARGET_FIRST_SYNC_MS} ms: ${pushMs <= TARGET_FIRST_SYNC_MS ? 'met' : 'MISSED'}), ${(pushBytes / 1e6).toFixed(1)} MB on the wire`);
    row(`first sync, B pulls ${RECORDS}`, `${pullMs.toFixed(0)} ms`, `${bare.pullMs.toFixed(0)} ms`,
      `${fmt(pullMs / bare.pullMs)}x bare client (target <= ${TARGET_FIRST_SYNC_MS} ms: ${pullMs <= TARGET_FIRST_SYNC_MS ? 'met' : 'MISSED'})`);
    row('one incremental change: POST /v1/sync', `${posts}`, '1', `(target 1 round trip: ${posts === 1 ? 'met' : 'MISSED'})`);
    row('one incremental change: bytes up / down', `${upBytes} / ${downBytes}`, '-', 'on the wire, including the TLS handshake of the round\'s own connection');
  } finally {
    await a.stop();
    await b.stop();
    proxy.server.close();
    await server.stop();
    fs.rmSync(a.home, { recursive: true, force: true });
    fs.rmSync(b.home, { recursive: true, force: true });
  }
}
