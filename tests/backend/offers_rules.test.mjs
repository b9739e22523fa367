// Offers and signed rule packs through the real admin commands and over real HTTPS: ETags and
// 304s, keygen/sign/import/serve, and a tampered envelope refused by import.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { admin, run, startServer, tempDir, writeConfig } from './server_harness.mjs';

const feed = {
  retailers: [
    { retailer: 'WWW.Outdoors.example', currency: 'USD', rules: { max_codes: 1 },
      offers: [{ id: 'spring20', kind: 'code', code: 'SPRING20', discount: { type: 'percent', percent: '20' } }] },
    { retailer: 'books.example', offers: [{ id: 'b5', kind: 'promotion', discount: { type: 'amount', amount: '5.00' } }] },
  ],
};

test('offers: admin import checks the feed, GET serves it with strong ETags and 304 on If-None-Match', async () => {
  const server = await startServer();
  try {
    const empty = await server.request('GET', '/v1/offers');
    assert.equal(empty.status, 200);
    assert.deepEqual(empty.json, { retailers: [] });

    const file = path.join(server.dir, 'feed.json');
    fs.writeFileSync(file, JSON.stringify(feed));
    const imported = await admin(server.file, 'offers', 'import', file);
    assert.equal(imported.code, 0, imported.stderr);
    assert.deepEqual(JSON.parse(imported.stdout), { retailers: 2, offers: 2 });

    const all = await server.request('GET', '/v1/offers');
    assert.equal(all.status, 200);
    assert.deepEqual(all.json.retailers.map((r) => r.retailer), ['outdoors.example', 'books.example']);
    assert.equal(all.json.retailers[0].currency, 'USD');
    assert.match(all.headers.etag, /^"[0-9a-f]{32}"$/);
    const again = await server.request('GET', '/v1/offers', { headers: { 'if-none-match': all.headers.etag } });
    assert.equal(again.status, 304);
    assert.equal(again.text, '');
    assert.equal(again.headers.etag, all.headers.etag);

    const one = await server.request('GET', '/v1/offers/Outdoors.Example');
    assert.equal(one.status, 200);
    assert.deepEqual(one.json.retailers.map((r) => r.retailer), ['outdoors.example']);
    assert.deepEqual(one.json.retailers[0].offers, feed.retailers[0].offers);
    assert.notEqual(one.headers.etag, all.headers.etag);
    const cached = await server.request('GET', '/v1/offers/outdoors.example', { headers: { 'if-none-match': `"nope", ${one.headers.etag}` } });
    assert.equal(cached.status, 304);
    const stale = await server.request('GET', '/v1/offers/outdoors.example', { headers: { 'if-none-match': all.headers.etag } });
    assert.equal(stale.status, 200);

    const missing = await server.request('GET', '/v1/offers/unknown.example');
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error.code, 'not_found');

    // A new import changes the tag; a bad feed is refused naming the path, and changes nothing.
    feed.retailers[0].offers[0].code = 'SPRING25';
    fs.writeFileSync(file, JSON.stringify(feed));
    assert.equal((await admin(server.file, 'offers', 'import', file)).code, 0);
    const changed = await server.request('GET', '/v1/offers/outdoors.example', { headers: { 'if-none-match': one.headers.etag } });
    assert.equal(changed.status, 200);
    assert.equal(changed.json.retailers[0].offers[0].code, 'SPRING25');

    fs.writeFileSync(file, JSON.stringify({ retailers: [{ retailer: 'x.example', offers: [{ id: 'a', kind: 'code', discount: { type: 'percent', percent: '120' } }] }] }));
    const bad = await admin(server.file, 'offers', 'import', file);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /retailers\[0\]\.offers\[0\].*\(invalid_feed\)/);
    assert.equal((await server.request('GET', '/v1/offers/outdoors.example')).status, 200);
  } finally {
    await server.stop();
  }
});

test('rule packs: keygen, sign, import with the configured key, serve with ETag; a tampered envelope is refused', async () => {
  const dir = tempDir();
  const seed = path.join(dir, 'rules.seed');
  const keygen = await run(['admin', 'rules', 'keygen', '--out', seed]);
  assert.equal(keygen.code, 0, keygen.stderr);
  const pub = keygen.stdout.trim();
  assert.equal(Buffer.from(pub, 'base64').length, 32);
  assert.equal(fs.statSync(seed).mode & 0o777, 0o600);
  // The seed file is never replaced.
  assert.equal((await run(['admin', 'rules', 'keygen', '--out', seed])).code, 1);

  const packFile = path.join(dir, 'pack.json');
  const packText = '{"retailer": "shop.example", "version": 2, "product": {"price": ".price"}}\n';
  fs.writeFileSync(packFile, packText);
  const signed = await run(['admin', 'rules', 'sign', '--key', seed, packFile]);
  assert.equal(signed.code, 0, signed.stderr);
  const envelope = JSON.parse(signed.stdout);
  assert.equal(envelope.format, 1);
  assert.equal(envelope.retailer, 'shop.example');
  assert.equal(envelope.version, 2);
  assert.equal(envelope.key_id, crypto.createHash('sha256').update(Buffer.from(pub, 'base64')).digest('hex').slice(0, 16));
  assert.equal(Buffer.from(envelope.pack, 'base64').toString(), packText);
  // The signature verifies with node's own Ed25519 over the pack's exact bytes.
  const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(pub, 'base64')]);
  const key = crypto.createPublicKey({ key: spki, format: 'der', type: 'spki' });
  assert.ok(crypto.verify(null, Buffer.from(envelope.pack, 'base64'), key, Buffer.from(envelope.signature, 'base64')));

  const cfg = writeConfig({ rule_keys: [pub] }, dir);
  const server = await startServer({}, cfg);
  try {
    const envFile = path.join(dir, 'envelope.json');
    fs.writeFileSync(envFile, signed.stdout);

    const tampered = { ...envelope, pack: Buffer.from(packText.replace('.price', '.cheap')).toString('base64') };
    fs.writeFileSync(path.join(dir, 'tampered.json'), JSON.stringify(tampered));
    const refused = await admin(cfg.file, 'rules', 'import', path.join(dir, 'tampered.json'));
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /\(bad_signature\)/);
    const otherSeed = path.join(dir, 'other.seed');
    await run(['admin', 'rules', 'keygen', '--out', otherSeed]);
    const foreign = await run(['admin', 'rules', 'sign', '--key', otherSeed, packFile]);
    fs.writeFileSync(path.join(dir, 'foreign.json'), foreign.stdout);
    const unknown = await admin(cfg.file, 'rules', 'import', path.join(dir, 'foreign.json'));
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /\(unknown_key\)/);
    assert.equal((await server.request('GET', '/v1/rules/shop.example')).status, 404);

    const ok = await admin(cfg.file, 'rules', 'import', envFile);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).verified, true);

    const index = await server.request('GET', '/v1/rules');
    assert.equal(index.status, 200);
    assert.equal(index.json.packs.length, 1);
    assert.equal(index.json.packs[0].retailer, 'shop.example');
    assert.equal(index.json.packs[0].version, 2);
    const pack = await server.request('GET', '/v1/rules/shop.example');
    assert.equal(pack.status, 200);
    assert.deepEqual(pack.json, envelope);
    assert.equal(pack.headers.etag, index.json.packs[0].etag);
    const notModified = await server.request('GET', '/v1/rules/shop.example', { headers: { 'if-none-match': pack.headers.etag } });
    assert.equal(notModified.status, 304);
  } finally {
    await server.stop();
  }

  // A pack whose retailer/version is not JSON with both is refused by sign.
  fs.writeFileSync(packFile, '{"version": 1}');
  const bad = await run(['admin', 'rules', 'sign', '--key', seed, packFile]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /retailer.*\(invalid_pack\)/);
});
