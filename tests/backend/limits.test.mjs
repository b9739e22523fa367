// Protection: rate limits (429 with Retry-After), idle and slow (slowloris) connections cut at
// their deadlines, oversized headers, and a graceful SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { authKey, registerAndLogin, bearer, startServer } from './server_harness.mjs';

test('per-address and login rate limits answer 429 with Retry-After', async () => {
  const server = await startServer({ rate_limits: { per_address: { per_second: 5, burst: 20 }, auth_per_address: { per_minute: 3, burst: 3 } } });
  try {
    const statuses = [];
    let limited;
    for (let i = 0; i < 30; i++) {
      const r = await server.request('GET', '/v1/health');
      statuses.push(r.status);
      if (r.status === 429) limited ??= r;
    }
    assert.ok(statuses.slice(0, 20).every((s) => s === 200), statuses.join(','));
    assert.ok(limited, 'no 429 after the burst');
    assert.equal(limited.json.error.code, 'rate_limited');
    assert.ok(Number(limited.headers['retry-after']) >= 1);
    await new Promise((r) => setTimeout(r, 1000 * Number(limited.headers['retry-after'])));
    assert.equal((await server.request('GET', '/v1/health')).status, 200);
  } finally {
    await server.stop();
  }

  const s2 = await startServer({ rate_limits: { auth_per_address: { per_minute: 3, burst: 3 } } });
  try {
    const codes = [];
    let last;
    for (let i = 0; i < 4; i++) {
      last = await s2.request('POST', '/v1/sessions', { body: { email: 'x@example.org', auth_key: authKey('x') } });
      codes.push(last.status);
    }
    assert.deepEqual(codes, [401, 401, 401, 429]);
    assert.ok(Number(last.headers['retry-after']) >= 15, last.headers['retry-after']);  // 3 a minute: 20 s per token
  } finally {
    await s2.stop();
  }
});

test('per-account rate limit', async () => {
  const server = await startServer({ rate_limits: { per_account: { per_second: 1, burst: 5 } } });
  try {
    const { token } = await registerAndLogin(server);
    const statuses = [];
    for (let i = 0; i < 8; i++) statuses.push((await server.request('POST', '/v1/sync', { body: {}, headers: bearer(token) })).status);
    assert.deepEqual(statuses.slice(0, 5), [200, 200, 200, 200, 200]);
    assert.ok(statuses.slice(5).includes(429));
  } finally {
    await server.stop();
  }
});

// A TLS connection to the server that sends what the test says, and resolves when closed.
function rawConnection(server) {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port: server.port, servername: 'localhost', ca: server.ca }, () => resolve(socket));
    socket.on('error', reject);
  });
}
const closedWithin = (socket, ms) => new Promise((resolve) => {
  const started = Date.now();
  let data = '';
  socket.on('data', (d) => { data += d; });
  const timer = setTimeout(() => resolve({ closed: false, ms: Date.now() - started, data }), ms);
  socket.on('close', () => { clearTimeout(timer); resolve({ closed: true, ms: Date.now() - started, data }); });
  socket.on('error', () => {});
});

test('a slowloris client (headers trickled) and an idle keep-alive connection are closed at their deadlines', async () => {
  const server = await startServer({ limits: { header_timeout_ms: 800, idle_timeout_ms: 600, body_timeout_ms: 800 } });
  try {
    const slow = await rawConnection(server);
    slow.write('GET /v1/health HTTP/1.1\r\n');
    const trickle = setInterval(() => { if (!slow.destroyed) slow.write('X-Slow: a\r\n'); }, 100);
    // The client trickles on for 10 s (12 deadlines): only the deadline can end it in that
    // window. No tighter bound: how soon after 800 ms depends on the machine's load.
    const r = await closedWithin(slow, 10000);
    clearInterval(trickle);
    assert.ok(r.closed, `the slow client is still connected after ${r.ms} ms`);

    // Keep-alive: one request answered, then the connection idles and is closed.
    const idle = await rawConnection(server);
    idle.write('GET /v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const i = await closedWithin(idle, 10000);
    assert.ok(i.closed, 'the idle connection is still open after 10 s');
    assert.match(i.data, /^HTTP\/1\.1 200/);
    assert.ok(i.ms >= 500, `idle closed after ${i.ms} ms, before its 600 ms deadline`);

    // A body promised but never sent.
    const body = await rawConnection(server);
    body.write('POST /v1/sync HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n{');
    const b = await closedWithin(body, 10000);
    assert.ok(b.closed, 'the connection waiting for a body is still open after 10 s');

    // Headers over the limit: 413 and closed.
    const big = await rawConnection(server);
    big.write(`GET /v1/health HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`);
    const g = await closedWithin(big, 5000);
    assert.ok(g.closed);
    assert.match(g.data, /^HTTP\/1\.1 413/);
    assert.match(g.data, /"too_large"/);

    assert.equal((await server.request('GET', '/v1/health')).status, 200);
  } finally {
    await server.stop();
  }
});

test('SIGTERM: requests in flight are answered, then the server exits 0', async () => {
  const server = await startServer({ accounts: { scrypt_log2_n: 17 } });
  // A registration takes a while (N = 2^17): SIGTERM arrives while it is hashing.
  const pending = server.request('POST', '/v1/accounts', { body: { email: 'late@example.org', auth_key: authKey('pw') } });
  await new Promise((r) => setTimeout(r, 50));
  server.child.kill('SIGTERM');
  const r = await pending;
  assert.equal(r.status, 201, r.text);
  const exit = await server.exited;
  assert.equal(exit.code, 0);
  assert.match(server.logs(), /"event":"stopping"/);
});
