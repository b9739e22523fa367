// The service worker's native port against the real host and agent, in headless Chromium with
// the real built extension: a reply over the browser's 1 MiB limit arrives in chunks and is
// put back together; a hung agent makes a request time out; a killed agent rejects what is
// pending at once, and the port reconnects (the host starts a new agent); with the host not
// installed the popup gets the exact fix, pages are still read, and host.retry recovers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { launchBrowser, missingPrerequisite, servePages, waitFor, EXTENSION_ORIGIN } from '../support/browser.mjs';
import { agentPid } from '../support/agent_home.mjs';

const skip = missingPrerequisite('chromium') ?? false;

let pages;
let base;
let b;

before(async () => {
  if (skip) return;
  pages = await servePages(() => `<!doctype html><html><head><title>Teapot</title><script type="application/ld+json">
      {"@context":"https://schema.org","@type":"Product","name":"Teapot","offers":{"price":"24.50","priceCurrency":"USD"}}
      </script></head><body>Teapot</body></html>`);
  base = pages.base;
  b = await launchBrowser();
  await waitFor(async () => (await b.request({ type: 'host.status' })).value.state === 'connected',
    { timeout: 15_000, what: 'the host connected' });
});

after(async () => {
  await b?.close();
  pages?.close();
});

/** Sends requests straight to the agent's socket (big-endian frames) and resolves with the
 *  replies in order. */
function agentCall(socketPath, requests) {
  return new Promise((resolve, reject) => {
    const sock = net.createConnection(socketPath);
    const replies = [];
    let buf = Buffer.alloc(0);
    sock.on('error', reject);
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
        const msg = JSON.parse(buf.subarray(4, 4 + buf.readUInt32BE(0)).toString('utf8'));
        buf = buf.subarray(4 + buf.readUInt32BE(0));
        if (msg.id === undefined) continue;  // an event
        replies.push(msg);
        if (replies.length === requests.length) {
          sock.end();
          resolve(replies);
        }
      }
    });
    for (const r of requests) {
      const body = Buffer.from(JSON.stringify(r));
      const head = Buffer.alloc(4);
      head.writeUInt32BE(body.length);
      sock.write(Buffer.concat([head, body]));
    }
  });
}

const status = async () => (await b.request({ type: 'host.status' })).value;

test('a reply over 1 MiB comes from the host in chunks and is put back together', { skip, timeout: 60_000 }, async () => {
  // Requests go from an extension page of our own: the options page (the harness's helper)
  // reloads its watch list on every new watch, which would bury this test's request under
  // 520 reloads of 1.2 MB.
  for (const p of b.context.pages()) if (p.url().includes('harness=1')) await p.close();
  const own = await b.context.newPage();
  await own.goto(`${EXTENSION_ORIGIN}/icons/icon16.png`);
  const request = (m) => own.evaluate((msg) => chrome.runtime.sendMessage(msg), m);
  // 520 watches with 2000-byte urls: watch.list is about 1.2 MB of JSON. Port 9 on loopback
  // refuses at once, so their first checks fail fast.
  const count = 520;
  const url = (i) => `http://127.0.0.1:9/p/${String(i).padStart(4, '0')}?${'q'.repeat(1980)}`;
  const added = await agentCall(b.home.socket,
    Array.from({ length: count }, (_, i) => ({ id: i + 1, method: 'watch.add', params: { url: url(i), interval_seconds: 86400 } })));
  assert.ok(added.every((r) => r.result), JSON.stringify(added.find((r) => !r.result)));
  try {
    const listed = await request({ type: 'watch.list' });
    assert.equal(listed.ok, true, JSON.stringify(listed.error));
    assert.ok(JSON.stringify(listed.value).length > 1024 * 1024, 'the reply is over the browser limit');
    assert.equal(listed.value.watches.length, count);
    assert.deepEqual(listed.value.watches.map((w) => w.url).sort(), Array.from({ length: count }, (_, i) => url(i)).sort());
    // The port still works after the chunked reply.
    assert.equal((await request({ type: 'alerts.list' })).ok, true);
  } finally {
    await own.close();
    await agentCall(b.home.socket, added.map((r, i) => ({ id: i + 1, method: 'watch.remove', params: { id: r.result.id } })));
  }
});

test('a hung agent: the request times out; a killed agent: pending requests fail at once, then the port reconnects to a new agent', { skip, timeout: 90_000 }, async () => {
  await b.request({ type: 'host.status' });  // (re)opens the harness's helper page
  const helper = b.context.pages().find((p) => p.url().includes('harness=1'));
  await helper.evaluate(() => {
    globalThis.hostSeen = [];
    chrome.runtime.onMessage.addListener((m) => { if (m?.type === 'host.changed') globalThis.hostSeen.push(m.host); });
  });
  const before = await status();
  assert.equal(before.state, 'connected');
  const pid = before.agent_pid;
  assert.equal(pid, agentPid(b.home.lock));

  process.kill(pid, 'SIGSTOP');
  let killed = false;
  try {
    let started = Date.now();
    const hung = await b.request({ type: 'watch.list' });
    const waited = Date.now() - started;
    assert.equal(hung.ok, false);
    assert.equal(hung.error.code, 'timeout', JSON.stringify(hung));
    assert.ok(waited >= 14_000 && waited < 25_000, `timed out after ${waited} ms (15 s expected)`);

    // A request waiting on the stopped agent when it dies is rejected at once, not at its timeout.
    started = Date.now();
    const pending = b.request({ type: 'alerts.list' });
    await new Promise((r) => setTimeout(r, 300));
    process.kill(pid, 'SIGKILL');
    killed = true;
    const failed = await pending;
    assert.equal(failed.ok, false);
    assert.equal(failed.error.code, 'agent_unavailable', JSON.stringify(failed));
    assert.ok(Date.now() - started < 5000, `rejected after ${Date.now() - started} ms`);
  } finally {
    if (!killed) process.kill(pid, 'SIGCONT');
  }

  // The port reconnects; the host starts a new agent.
  const back = await waitFor(async () => {
    const s = await status();
    return s.state === 'connected' && s.agent_pid !== pid && s;
  }, { timeout: 20_000, what: 'a new agent' });
  assert.equal(back.agent_pid, agentPid(b.home.lock));
  assert.equal(back.fix, null);
  const seen = await helper.evaluate(() => globalThis.hostSeen);
  const down = seen.find((h) => h.state === 'agent_unavailable');
  assert.ok(down, `host.changed broadcasts: ${JSON.stringify(seen)}`);
  assert.equal(down.fix, 'dealstack doctor');
  assert.ok(down.message);
  assert.equal((await b.request({ type: 'watch.list' })).ok, true);
});

test('the host not installed: the exact fix, pages still read without offers, and host.retry recovers', { skip, timeout: 60_000 }, async () => {
  b.uninstallHost();
  await b.stopAgent();  // the port closes; reconnecting finds no host
  const missing = await waitFor(async () => {
    const s = await status();
    return s.state === 'host_missing' && s;
  }, { timeout: 15_000, what: 'host_missing' });
  assert.equal(missing.fix, 'dealstack install --browser chromium');
  assert.equal(missing.agent_pid, null);
  assert.ok(missing.message);

  // Agent-backed requests fail at once with the state's code instead of waiting.
  const started = Date.now();
  const list = await b.request({ type: 'watch.list' });
  assert.equal(list.ok, false);
  assert.equal(list.error.code, 'host_missing');
  assert.ok(Date.now() - started < 3000);

  // A product page is still read and stacked (with no offers).
  const page = await b.context.newPage();
  await page.goto(`${base}/p/teapot`);
  const tabId = await b.tabIdOf(page);
  const v = await b.waitForTabState(tabId, (s) => s.state?.product);
  assert.equal(v.state.product.name, 'Teapot');
  assert.equal(v.state.stack.net, '24.50');
  assert.equal(v.state.offer_count, 0);
  assert.equal(v.host.state, 'host_missing');
  assert.equal(v.host.fix, 'dealstack install --browser chromium');
  assert.deepEqual(v.alerts, []);
  await page.close();

  b.installHost();
  const retried = await b.request({ type: 'host.retry' });
  assert.equal(retried.ok, true);
  assert.equal(retried.value.state, 'connected', JSON.stringify(retried.value));
  assert.equal(retried.value.agent_pid, agentPid(b.home.lock));
  assert.equal(retried.value.fix, null);
});
