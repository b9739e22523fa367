// dealstack-server accounts over real HTTPS: register, log in, wrong password, expired and
// revoked tokens, bad requests named, and logs that never hold a secret.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, authKey, bearer, logLines, registerAndLogin, startServer } from './server_harness.mjs';

test('register, log in, use the token; wrong password and unknown email are invalid_credentials', async () => {
  // The real hash cost (N = 2^17) here; the other tests use a small N to stay fast.
  const server = await startServer({ accounts: { scrypt_log2_n: 17 } });
  try {
    const health = await server.request('GET', '/v1/health');
    assert.equal(health.status, 200);
    assert.equal(health.json.status, 'ok');
    assert.equal(health.json.version, '0.1.0');
    assert.ok(Math.abs(health.json.time - Date.now()) < 60000);

    const before = Date.now();
    const { accountId, token, expiresAt } = await registerAndLogin(server, 'Alice@Example.org', 'pw1');
    assert.ok(Number.isInteger(accountId));
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    const days30 = 30 * 24 * 3600 * 1000;
    assert.ok(expiresAt >= before + days30 - 60000 && expiresAt <= Date.now() + days30 + 60000);

    const sync = await server.request('POST', '/v1/sync', { body: { cursor: 0 }, headers: bearer(token) });
    assert.equal(sync.status, 200, sync.text);

    // The email is compared in lower case: registering it again in another case is taken.
    const again = await server.request('POST', '/v1/accounts', { body: { email: 'alice@EXAMPLE.org', auth_key: authKey('x') } });
    assert.equal(again.status, 409);
    assert.equal(again.json.error.code, 'email_taken');

    const wrong = await server.request('POST', '/v1/sessions', { body: { email: 'alice@example.org', auth_key: authKey('pw2') } });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json.error.code, 'invalid_credentials');
    const unknown = await server.request('POST', '/v1/sessions', { body: { email: 'bob@example.org', auth_key: authKey('pw1') } });
    assert.equal(unknown.status, 401);
    assert.equal(unknown.json.error.code, 'invalid_credentials');

    const none = await server.request('POST', '/v1/sync', { body: {} });
    assert.equal(none.status, 401);
    assert.equal(none.json.error.code, 'unauthorized');
    const made_up = await server.request('POST', '/v1/sync', { body: {}, headers: bearer('A'.repeat(43)) });
    assert.equal(made_up.json.error.code, 'unauthorized');
  } finally {
    await server.stop();
  }
});

test('bad registration bodies get 400 invalid_request naming the field', async () => {
  const server = await startServer();
  try {
    const cases = [
      [undefined, /empty/],
      ['{"email": "a@b.org",', /not valid JSON \(at byte \d+\)/],
      ['[1,2]', /JSON object/],
      [{ auth_key: authKey('x') }, /email: is missing/],
      [{ email: 'no-at-sign', auth_key: authKey('x') }, /email: must contain an '@'/],
      [{ email: 'a@b.org', auth_key: 'short' }, /auth_key: must be 43 characters/],
      [{ email: 'a@b.org', auth_key: authKey('x'), password: 'hunter2' }, /password: unknown field/],
      [{ email: 7, auth_key: authKey('x') }, /email: must be a string/],
    ];
    for (const [body, pattern] of cases) {
      const r = await server.request('POST', '/v1/accounts', { body });
      assert.equal(r.status, 400, `${JSON.stringify(body)} -> ${r.text}`);
      assert.equal(r.json.error.code, 'invalid_request');
      assert.match(r.json.error.message, pattern);
    }
    const get = await server.request('GET', '/v1/accounts');
    assert.equal(get.status, 405);
    assert.equal(get.json.error.code, 'method_not_allowed');
  } finally {
    await server.stop();
  }
});

test('an expired token is token_expired, a revoked one token_revoked; logging in again works', async () => {
  const server = await startServer({ accounts: { scrypt_log2_n: 12, token_lifetime_seconds: 1 } });
  try {
    const { token } = await registerAndLogin(server, 'exp@example.org', 'pw');
    assert.equal((await server.request('POST', '/v1/sync', { body: {}, headers: bearer(token) })).status, 200);
    await new Promise((r) => setTimeout(r, 1100));
    const late = await server.request('POST', '/v1/sync', { body: {}, headers: bearer(token) });
    assert.equal(late.status, 401);
    assert.equal(late.json.error.code, 'token_expired');
  } finally {
    await server.stop();
  }

  const s2 = await startServer();
  try {
    const { token } = await registerAndLogin(s2, 'rev@example.org', 'pw');
    const del = await s2.request('DELETE', '/v1/sessions/current', { headers: bearer(token) });
    assert.equal(del.status, 204);
    const after = await s2.request('POST', '/v1/sync', { body: {}, headers: bearer(token) });
    assert.equal(after.status, 401);
    assert.equal(after.json.error.code, 'token_revoked');

    // admin tokens revoke: every token of the account, while the server runs.
    const a = await s2.request('POST', '/v1/sessions', { body: { email: 'rev@example.org', auth_key: authKey('pw') } });
    const b = await s2.request('POST', '/v1/sessions', { body: { email: 'rev@example.org', auth_key: authKey('pw') } });
    assert.equal(a.status, 201);
    const r = await admin(s2.file, 'tokens', 'revoke', '--email', 'REV@example.org');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { revoked: 2 });
    for (const t of [a.json.token, b.json.token]) {
      const x = await s2.request('POST', '/v1/sync', { body: {}, headers: bearer(t) });
      assert.equal(x.json.error.code, 'token_revoked');
    }
    // admin tokens expire, for a fresh token.
    const c = await s2.request('POST', '/v1/sessions', { body: { email: 'rev@example.org', auth_key: authKey('pw') } });
    assert.equal((await admin(s2.file, 'tokens', 'expire', '--email', 'rev@example.org')).code, 0);
    assert.equal((await s2.request('POST', '/v1/sync', { body: {}, headers: bearer(c.json.token) })).json.error.code, 'token_expired');

    const missing = await admin(s2.file, 'tokens', 'revoke', '--email', 'nobody@example.org');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no account has the email nobody@example.org \(not_found\)/);

    const list = await admin(s2.file, 'accounts', 'list');
    assert.equal(list.code, 0);
    const accounts = JSON.parse(list.stdout).accounts;
    assert.equal(accounts.length, 1);
    assert.equal(accounts[0].email, 'rev@example.org');
    assert.equal(accounts[0].sessions, 0);
  } finally {
    await s2.stop();
  }
});

test('the logs hold one JSON line per request and never a token, auth_key, password or blob', async () => {
  const server = await startServer();
  const password = 'pa55-word-in-the-clear';
  const blob = Buffer.from('plaintext that must not be logged').toString('base64');
  try {
    const { token } = await registerAndLogin(server, 'log@example.org', password);
    await server.request('POST', '/v1/sync?token=query-secret', {
      body: { push: [{ id: 'w/1', base_version: 0, blob, deleted: false }] }, headers: bearer(token),
    });
    await server.request('POST', '/v1/sessions', { body: { email: 'log@example.org', auth_key: authKey('wrong'), device: 'x' } });
    await server.request('POST', '/v1/accounts', { body: { email: 'bad', auth_key: authKey(password) } });
  } finally {
    await server.stop();
  }
  const text = server.logs();
  for (const secret of [password, authKey(password), authKey('wrong'), blob, 'query-secret']) {
    assert.equal(text.includes(secret), false, `the log holds ${secret}`);
  }
  const requests = logLines(server).filter((l) => l.event === 'request');
  assert.equal(requests.length, 5);
  for (const l of requests) {
    assert.deepEqual(Object.keys(l).sort().filter((k) => k !== 'error'),
      ['account', 'addr', 'bytes', 'event', 'level', 'method', 'ms', 'path', 'status', 'ts']);
    assert.equal(l.addr, '127.0.0.1');
  }
  // The token itself: none of the 43-character base64url strings the server handed out.
  assert.equal(/[A-Za-z0-9_-]{43}/.test(text), false);
  const sync = requests.find((l) => l.path === '/v1/sync');
  assert.equal(sync.status, 200);
  assert.equal(typeof sync.account, 'number');
});
