// `dealstack vault` through the real binary and the real agent: the passphrase life cycle
// (init, set, list, lock, unlock, a wrong passphrase, passwd, a restart), a shop session's
// cookie reaching an HTTPS shop the test serves (and not while locked), the host refusing
// the CLI-only methods from a browser, the keyring path against a real gnome-keyring in a
// D-Bus session the test starts, and a scan of the database, the agent's output and every
// output of the CLI for the plaintext secrets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { makeAgentHome, stopAgent } from '../support/agent_home.mjs';
import { dealstackBin, oneJsonLine, runDealstack } from '../support/dealstack.mjs';

const ORIGIN = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop/';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A certificate for "localhost", trusted by the agent through agent.json's ca_file.
function makeCert(dir) {
  const key = path.join(dir, 'shop.key');
  const cert = path.join(dir, 'shop.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost'], { stdio: 'ignore' });
  return { key, cert };
}

const PAGE = '<!doctype html><html><head><script type="application/ld+json">{"@context":"https://schema.org",'
  + '"@type":"Product","name":"Member Kettle","offers":{"@type":"Offer","price":"29.99","priceCurrency":"EUR",'
  + '"availability":"https://schema.org/InStock"}}</script></head><body><h1>Member Kettle</h1></body></html>';

// An HTTPS shop on loopback that records each request's Cookie header.
function startShop({ key, cert }) {
  const seen = [];
  const server = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (req, res) => {
    seen.push({ url: req.url, cookie: req.headers.cookie ?? null, member: req.headers['x-member'] ?? null });
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(PAGE);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, seen, port: server.address().port })));
}

async function waitFor(what, predicate, ms = 15000) {
  for (let i = 0; i < ms / 20; i++) {
    if (predicate()) return;
    await sleep(20);
  }
  assert.fail(`timed out waiting for ${what}`);
}

// Runs the agent in the foreground so its stdout and stderr can be scanned.
async function startAgent(home) {
  const child = spawn(dealstackBin, ['agent'], { env: home.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = [];
  child.stdout.on('data', (d) => out.push(d));
  child.stderr.on('data', (d) => out.push(d));
  await waitFor('the agent socket', () => fs.existsSync(home.socket));
  return { child, output: () => Buffer.concat(out).toString('utf8') };
}

async function stopForeground(agent, home) {
  await stopAgent(home.lock);
  if (agent.child.exitCode === null) await new Promise((r) => agent.child.on('close', r));
}

function scan(what, text, secrets) {
  for (const s of secrets) {
    assert.equal(text.includes(s), false, `${what} holds a plaintext secret`);
    assert.equal(text.includes(Buffer.from(s).toString('base64')), false, `${what} holds a secret in base64`);
  }
}

test('passphrase vault: init, set, list, lock, unlock, wrong passphrase, passwd, restart; a shop cookie reaches the shop; nothing leaks', async () => {
  const S = {
    pass: 'pp-Correct-Horse-51d2', pass2: 'pp-Battery-Staple-9e0a', wrong: 'pp-Wrong-0000-ffff',
    token: 'tok-PLAINTEXT-3c6f1b', cookie: 'ck-MEMBER-aa71e0', header: 'hd-GOLD-71b3c2',
  };
  const home0 = makeAgentHome({ prefix: 'ds-vault-' });
  const tls = makeCert(home0.home);
  // No Secret Service: the bus address points nowhere, so the keyring is unavailable at once.
  const home = makeAgentHome({ prefix: 'ds-vault-', agentConfig: { monitor: { min_host_gap_ms: 0, ca_file: tls.cert } },
    env: { DBUS_SESSION_BUS_ADDRESS: `unix:path=${path.join(home0.home, 'no-bus')}` } });
  const shop = await startShop(tls);
  const outputs = [];
  const run = async (args, input = '') => {
    const r = await runDealstack(['vault', ...args], input, home.env);
    outputs.push(r.stdout, r.stderr);
    return r;
  };
  let agent = await startAgent(home);
  const agentOutputs = [];
  try {
    let r = await run(['status', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(oneJsonLine(r.stdout),
      { initialized: false, locked: true, protection: null, auto_lock_minutes: 15, entries: 0 });
    r = await run(['set', 'account/token', '--kind', 'account_token', '--stdin'], S.token);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\(vault_not_initialized\)/);

    // No flag: the keyring is tried first, then a passphrase.
    r = await run(['init', '--stdin'], `${S.pass}\n`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /no OS keyring answers/);
    assert.match(r.stdout, /^vault created: unlocked, protected by a passphrase, locks after 15 min idle, 0 entries\n$/);
    r = await run(['init', '--stdin'], `${S.pass}\n`);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\(vault_exists\)/);

    r = await run(['set', 'account/token', '--kind', 'account_token', '--label', 'Backend', '--stdin'], S.token);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'stored account/token (account_token) "Backend"\n');
    const session = JSON.stringify({ cookies: { member: S.cookie }, headers: { 'X-Member': S.header } });
    r = await run(['set', 'shop/localhost', '--kind', 'shop_session', '--stdin', '--json'], `${session}\n`);
    assert.equal(r.code, 0, r.stderr);
    const stored = oneJsonLine(r.stdout).entry;
    assert.deepEqual(Object.keys(stored).sort(), ['created_at', 'id', 'kind', 'label', 'updated_at']);
    assert.equal(stored.id, 'shop/localhost');
    // A session that is not the documented shape is refused without echoing it.
    r = await run(['set', 'shop/bad', '--kind', 'shop_session', '--stdin'], S.token);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /secret: a shop session must be a JSON object.*\(invalid_params\)/);

    r = await run(['list', '--json']);
    assert.equal(r.code, 0);
    const list = oneJsonLine(r.stdout).entries;
    assert.deepEqual(list.map((e) => [e.id, e.kind, e.label]),
      [['account/token', 'account_token', 'Backend'], ['shop/localhost', 'shop_session', '']]);
    r = await run(['list']);
    assert.match(r.stdout, /^ID +KIND +UPDATED +LABEL\naccount\/token +account_token +\d{4}-.* +Backend\nshop\/localhost +shop_session/);

    // The monitor sends the shop session to that host (over https only).
    const watch = await runDealstack(['watch', 'add', `https://localhost:${shop.port}/p/kettle`, '--json'], '', home.env);
    outputs.push(watch.stdout, watch.stderr);
    assert.equal(watch.code, 0, watch.stderr);
    const watchId = oneJsonLine(watch.stdout).id;
    await waitFor('the first check', () => shop.seen.length >= 1);
    assert.equal(shop.seen[0].cookie, `member=${S.cookie}`);
    assert.equal(shop.seen[0].member, S.header);

    // Lock: no secret is used; a wrong passphrase is refused; the right one unlocks.
    r = await run(['lock']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'vault locked\n');
    r = await run(['status', '--json']);
    assert.equal(oneJsonLine(r.stdout).locked, true);
    const check = await runDealstack(['watch', 'check', String(watchId)], '', home.env);
    outputs.push(check.stdout, check.stderr);
    assert.equal(check.code, 0, check.stderr);
    assert.equal(shop.seen.at(-1).cookie, null, 'no member cookie while locked');
    const t0 = Date.now();
    r = await run(['unlock', '--stdin'], `${S.wrong}\n`);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^dealstack vault: the passphrase is wrong \(wrong_passphrase\)\n$/);
    assert.ok(Date.now() - t0 >= 500, 'a wrong passphrase costs a delay');
    r = await run(['unlock', '--stdin'], `${S.pass}\n`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^unlocked, protected by a passphrase/);

    // passwd: the new passphrase opens it, the old one no longer does.
    r = await run(['passwd', '--stdin'], `${S.wrong}\n${S.pass2}\n`);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\(wrong_passphrase\)/);
    r = await run(['passwd', '--stdin'], `${S.pass}\n${S.pass2}\n`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'passphrase changed\n');
    await run(['lock']);
    r = await run(['unlock', '--stdin'], `${S.pass}\n`);
    assert.equal(r.code, 1);
    r = await run(['unlock', '--stdin'], `${S.pass2}\n`);
    assert.equal(r.code, 0, r.stderr);

    // A restarted agent starts locked, lists the entries, and unlocks with the passphrase.
    await stopForeground(agent, home);
    agentOutputs.push(agent.output());
    agent = await startAgent(home);
    r = await run(['status', '--json']);
    assert.deepEqual(oneJsonLine(r.stdout),
      { initialized: true, locked: true, protection: 'passphrase', auto_lock_minutes: 15, entries: 2 });
    r = await run(['unlock', '--stdin'], `${S.pass2}\n`);
    assert.equal(r.code, 0, r.stderr);
    const before = shop.seen.length;
    const again = await runDealstack(['watch', 'check', String(watchId)], '', home.env);
    outputs.push(again.stdout, again.stderr);
    assert.equal(again.code, 0, again.stderr);
    assert.ok(shop.seen.length > before);
    assert.equal(shop.seen.at(-1).cookie, `member=${S.cookie}`, 'the entry still decrypts after passwd and a restart');

    r = await run(['delete', 'account/token']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'deleted account/token\n');
    r = await run(['delete', 'account/token']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\(not_found\)/);

    // Usage: secrets never as arguments; nothing to read is a usage error.
    r = await run(['init', '--passphrase=hunter2']);
    assert.equal(r.code, 2);
    r = await run(['unlock', 'hunter2']);
    assert.equal(r.code, 2);
    r = await run(['set', 'notify/x', '--kind', 'notify_secret']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /not a terminal: pass --stdin/);
    r = await run(['set', 'notify/x', '--kind', 'notify_secret', '--stdin'], '');
    assert.equal(r.code, 2);
    r = await run(['set', 'notify/x', '--kind', 'password', '--stdin'], 'x');
    assert.equal(r.code, 2);
    r = await run(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^usage: dealstack vault/);
  } finally {
    await stopForeground(agent, home);
    agentOutputs.push(agent.output());
    shop.server.close();
  }
  // The scan: the database and its WAL, the agent's output, every output of the CLI.
  const secrets = [S.pass, S.pass2, S.wrong, S.token, S.cookie, S.header];
  for (const suffix of ['', '-wal']) {
    const file = home.db + suffix;
    if (!fs.existsSync(file)) continue;
    scan(file, fs.readFileSync(file).toString('latin1'), secrets);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600, `${file} is private`);
  }
  assert.equal(fs.statSync(path.dirname(home.db)).mode & 0o777, 0o700);
  assert.ok(fs.readFileSync(home.db).toString('latin1').includes('shop/localhost'), 'the scan reads the file');
  scan('the agent output', agentOutputs.join(''), secrets);
  scan('the CLI output', outputs.join(''), secrets);
});

test('the host refuses the CLI-only methods from a browser with not_allowed; the others pass', async () => {
  const home = makeAgentHome({ prefix: 'ds-vault-host-', allowed: [ORIGIN],
    env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' } });
  const child = spawn(dealstackBin, [ORIGIN], { env: home.env, stdio: ['pipe', 'pipe', 'inherit'] });
  let buf = Buffer.alloc(0);
  const replies = [];
  child.stdout.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32LE(0)) {
      const m = JSON.parse(buf.subarray(4, 4 + buf.readUInt32LE(0)).toString('utf8'));
      if (!m.event) replies.push(m);
      buf = buf.subarray(4 + buf.readUInt32LE(0));
    }
  });
  const send = async (text) => {
    const body = Buffer.from(text);
    const head = Buffer.alloc(4);
    head.writeUInt32LE(body.length);
    child.stdin.write(Buffer.concat([head, body]));
    await waitFor('a reply', () => replies.length > 0, 10000);
    return replies.shift();
  };
  try {
    let id = 1;
    for (const [method, params] of [['vault.init', { protection: 'passphrase', passphrase: 'x' }],
      ['vault.unlock', { passphrase: 'x' }], ['vault.passwd', { old: 'x', new: 'y' }],
      ['sync.login', { server: 'https://s', email: 'a@b', password: 'p', register: false }], ['sync.logout', {}]]) {
      const reply = await send(JSON.stringify({ id, method, params }));
      assert.equal(reply.id, id);
      assert.equal(reply.error?.code, 'not_allowed', method);
      id++;
    }
    // A method name spelled with escapes is the same method.
    let reply = await send(`{"id": 9, "method": "vault\\u002einit", "params": {"protection": "keyring"}}`);
    assert.equal(reply.error?.code, 'not_allowed');
    reply = await send(JSON.stringify({ id: 10, method: 'vault.status' }));
    assert.deepEqual(reply.result,
      { initialized: false, locked: true, protection: null, auto_lock_minutes: 15, entries: 0 });
    reply = await send(JSON.stringify({ id: 11, method: 'vault.set', params: { id: 'notify/x', kind: 'notify_secret', secret: 's' } }));
    assert.equal(reply.error?.code, 'vault_not_initialized');
  } finally {
    child.stdin.end();
    await new Promise((r) => child.on('close', r));
    await stopAgent(home.lock);
  }
});

function haveProgram(name) {
  try { execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }); return true; } catch { return false; }
}

test('keyring vault against a real gnome-keyring: init picks the keyring, entries survive an agent restart without a passphrase',
  { skip: !(haveProgram('dbus-run-session') && haveProgram('gnome-keyring-daemon')) && 'needs dbus-run-session and gnome-keyring' },
  async () => {
    const home0 = makeAgentHome({ prefix: 'ds-vault-kr-' });
    const tls = makeCert(home0.home);
    const home = makeAgentHome({ prefix: 'ds-vault-kr-', agentConfig: { monitor: { min_host_gap_ms: 0, ca_file: tls.cert } } });
    const shop = await startShop(tls);
    const cookie = 'ck-KEYRING-5b9e2d';
    const out = path.join(home.home, 'out');
    fs.mkdirSync(out);
    // Inside the session: unlock a fresh keyring, run the CLI (which starts the agent, on this
    // bus), restart the agent, add a watch, then wait for the test to say it is done.
    const script = path.join(home.home, 'session.sh');
    fs.writeFileSync(script, `
set -u
printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 90
"$BIN" vault init --json >"$OUT/init.out" 2>"$OUT/init.err"; echo $? >"$OUT/init.code"
printf '%s' '{"cookies":{"member":"${cookie}"}}' | "$BIN" vault set shop/localhost --kind shop_session --stdin >"$OUT/set.out" 2>"$OUT/set.err"
echo $? >"$OUT/set.code"
pid=$(cat "$LOCK"); kill "$pid"
i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 500 ]; do sleep 0.01; i=$((i+1)); done
"$BIN" vault status --json >"$OUT/status.out" 2>"$OUT/status.err"
"$BIN" watch add "https://localhost:$PORT/p/kettle" --json >"$OUT/watch.out" 2>"$OUT/watch.err"
touch "$OUT/ready"
i=0; while [ ! -e "$OUT/done" ] && [ $i -lt 3000 ]; do sleep 0.01; i=$((i+1)); done
kill "$(cat "$LOCK")" 2>/dev/null
exit 0
`);
    const env = { ...home.env, BIN: dealstackBin, OUT: out, LOCK: home.lock, PORT: String(shop.port) };
    delete env.DBUS_SESSION_BUS_ADDRESS;
    const session = spawn('dbus-run-session', ['--', 'sh', script], { env, stdio: ['ignore', 'ignore', 'ignore'] });
    const ended = new Promise((r) => session.on('close', r));
    try {
      await waitFor('the session script', () => fs.existsSync(path.join(out, 'ready')) || session.exitCode !== null, 60000);
      const read = (name) => fs.readFileSync(path.join(out, name), 'utf8');
      assert.equal(read('init.code').trim(), '0', read('init.err'));
      const init = JSON.parse(read('init.out'));
      assert.equal(init.protection, 'keyring');
      assert.equal(init.locked, false);
      assert.equal(read('set.code').trim(), '0', read('set.err'));
      // After the restart: unlocked from the keyring, no passphrase asked.
      const status = JSON.parse(read('status.out'));
      assert.deepEqual(status, { initialized: true, locked: false, protection: 'keyring', auto_lock_minutes: 15, entries: 1 });
      // The restarted agent decrypts the entry: the shop gets the member cookie.
      await waitFor('the check with the cookie', () => shop.seen.length >= 1);
      assert.equal(shop.seen[0].cookie, `member=${cookie}`);
      // gnome-keyring stored the item in its file in the temporary home (an empty login
      // keyring is ~100 bytes; one item with its attributes makes it larger).
      const keyringFile = path.join(home.env.XDG_DATA_HOME, 'keyrings', 'login.keyring');
      assert.ok(fs.existsSync(keyringFile), 'the keyring file exists');
      assert.ok(fs.statSync(keyringFile).size > 200, `keyring file size ${fs.statSync(keyringFile).size}`);
      const all = ['init.out', 'init.err', 'set.out', 'set.err', 'status.out', 'status.err', 'watch.out', 'watch.err']
        .map(read).join('') + fs.readFileSync(home.db).toString('latin1');
      assert.equal(all.includes(cookie), false, 'no plaintext cookie in outputs or the database');
    } finally {
      fs.writeFileSync(path.join(out, 'done'), '');
      await ended;
      await stopAgent(home.lock);
      shop.server.close();
    }
  });
