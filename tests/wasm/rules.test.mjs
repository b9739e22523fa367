// extractProduct(html, url, rules): the wasm module reads rule packs exactly like the native
// CLI (`dealstack extract --rules PACK --url URL FILE`): same bytes out for the same page and
// pack, same error codes and messages for broken packs.
//   native: $DEALSTACK_BIN, default build/native/bin/dealstack
//   wasm:   $DEALSTACK_WASM_DIR, default build/wasm/wasm
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { dealstackBin, fixturesDir, importBuiltModule } from './paths.mjs';

const { load, DealstackError } = await importBuiltModule();

const PAGE = join(fixturesDir, 'rules', 'financing-price.html');
const PACK_TEXT = readFileSync(join(fixturesDir, 'rules', 'financing-price.pack.json'), 'utf8');
const URL_ = 'https://www.brewhaus.example/p/barista-pro';

function cli(args) {
  const r = spawnSync(dealstackBin, args, { maxBuffer: 64 << 20 });
  if (r.error) throw new Error(`cannot run ${dealstackBin}: ${r.error.message}`);
  return { status: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}

describe('rule packs in the wasm module', () => {
  let core;
  let scratch;
  before(async () => {
    assert.ok(existsSync(dealstackBin), `${dealstackBin} is missing: build the native preset or set DEALSTACK_BIN`);
    core = await load();
    scratch = mkdtempSync(join(tmpdir(), 'dealstack-rules-wasm-'));
  });
  after(() => scratch && rmSync(scratch, { recursive: true, force: true }));

  // Runs both sides on one page and pack; returns the wasm result (JSON text or the error).
  function both(page, packText, name) {
    const pageFile = join(scratch, `${name}.html`);
    const packFile = join(scratch, `${name}.pack.json`);
    writeFileSync(pageFile, page);
    writeFileSync(packFile, packText);
    const native = cli(['extract', '--rules', packFile, '--url', URL_, pageFile]);
    let json;
    let error;
    try {
      json = core.extractProductJson(page, URL_, packText);
    } catch (e) {
      error = e;
    }
    return { native, json, error };
  }

  test('the same page and pack give the same bytes natively and in wasm, and the pack is used', () => {
    const page = readFileSync(PAGE);
    const { native, json, error } = both(page, PACK_TEXT, 'fixture');
    assert.equal(error, undefined, String(error));
    assert.equal(native.status, 0, native.stderr);
    assert.equal(`${json}\n`, native.stdout);
    const p = JSON.parse(json);
    assert.equal(p.price.amount, '649.00');
    assert.equal(p.sources.price, 'rules');
    // Without the pack the price differs: the pack is what made it right, on both sides.
    const plain = JSON.parse(core.extractProductJson(page, URL_));
    assert.notEqual(plain.price.amount, '649.00');
    assert.equal(`${core.extractProductJson(page, URL_)}\n`, cli(['extract', '--url', URL_, PAGE]).stdout);
  });

  test('parity on pages and packs covering precedence, selectors and field kinds', () => {
    const ld = '<script type="application/ld+json">{"@type":"Product","name":"Kettle","offers":{"price":"19.99",'
      + '"priceCurrency":"EUR","availability":"InStock"}}</script>';
    const body = '<h1 class="t">Kettle</h1><div id="buy"><span class="p" data-v="21,50">21,50 €</span>'
      + '<s class="was">29,00 €</s><p class="st">Nur noch 2 auf Lager</p><span class="ean">4006381333931</span>'
      + '<img class="main" src="/k.jpg"></div>';
    const fields = {
      name: { selector: 'h1.t' },
      price: { selector: '#buy > span.p', attribute: 'data-v', decimal_separator: ',' },
      list_price: { selector: '#buy s.was' },
      currency: { value: 'EUR' },
      gtin: { selector: '.ean' },
      image: { selector: 'div img.main, img', attribute: 'src' },
      availability: { selector: '.st', map: { 'nur noch': 'LimitedAvailability', 'auf lager': 'InStock' } },
      brand: { value: 'Acme' },
    };
    const pack = (extra) => JSON.stringify({ format: 1, retailer: 'brewhaus.example', version: 1,
      hosts: ['brewhaus.example'], ...extra, fields });
    const cases = {
      structured: [`<html lang="de"><head>${ld}</head><body>${body}</body></html>`, pack({})],
      'prefer-rules': [`<html lang="de"><head>${ld}</head><body>${body}</body></html>`, pack({ prefer: 'rules' })],
      'no-structured-data': [`<html lang="de"><body>${body}</body></html>`, pack({ locale: 'de-DE' })],
      'nothing-matches': [`<html><body>${ld}<p>x</p></body></html>`, pack({})],
    };
    const seen = {};
    for (const [name, [page, packText]] of Object.entries(cases)) {
      const { native, json, error } = both(page, packText, name);
      assert.equal(error, undefined, `${name}: ${error}`);
      assert.equal(native.status, 0, `${name}: ${native.stderr}`);
      assert.equal(`${json}\n`, native.stdout, name);
      seen[name] = JSON.parse(json);
    }
    assert.equal(seen.structured.price.amount, '19.99');
    assert.equal(seen.structured.sources.price, 'json-ld');
    assert.equal(seen.structured.gtin, '4006381333931');
    assert.equal(seen['prefer-rules'].price.amount, '21.50');
    assert.equal(seen['prefer-rules'].sources.availability, 'rules');
    assert.equal(seen['no-structured-data'].list_price.amount, '29.00');
  });

  test('a broken pack is refused with the CLI\'s code and message', () => {
    const page = readFileSync(PAGE);
    const broken = {
      'not-json': '{"format": 1,',
      'format-2': PACK_TEXT.replace('"format": 1', '"format": 2'),
      'pseudo-class': PACK_TEXT.replace('aside.buybox', 'aside:first-child'),
      'unknown-field': PACK_TEXT.replace('"sku":', '"title":'),
      'too-large': JSON.stringify({ ...JSON.parse(PACK_TEXT), description: 'x'.repeat(256 * 1024) }),
    };
    for (const [name, text] of Object.entries(broken)) {
      const { native, error } = both(page, text, name);
      assert.equal(native.status, 2, `${name}: exit ${native.status}`);
      assert.ok(error instanceof DealstackError, `${name}: wasm accepted the pack`);
      // The CLI writes "dealstack extract: 'FILE': MESSAGE (CODE)".
      assert.ok(native.stderr.endsWith(`: ${error.message} (${error.code})\n`), `${name}: ${native.stderr} vs ${error.code} ${error.message}`);
    }
  });

  test('the pack may be text, UTF-8 bytes or an object; anything else is invalid_argument', () => {
    const page = readFileSync(PAGE);
    const fromText = core.extractProductJson(page, URL_, PACK_TEXT);
    assert.equal(core.extractProductJson(page, URL_, new TextEncoder().encode(PACK_TEXT)), fromText);
    assert.equal(core.extractProductJson(page, URL_, JSON.parse(PACK_TEXT)), fromText);
    assert.deepStrictEqual(core.extractProduct(page, URL_, JSON.parse(PACK_TEXT)), JSON.parse(fromText));
    assert.equal(core.extractProductJson(page, URL_, null), core.extractProductJson(page, URL_));
    for (const bad of [42, true, '', new Uint8Array(0)]) {
      assert.throws(() => core.extractProduct(page, URL_, bad), (e) => e.code === 'invalid_argument', String(bad));
    }
    const cyclic = {};
    cyclic.self = cyclic;
    assert.throws(() => core.extractProduct(page, URL_, cyclic), (e) => e.code === 'invalid_argument');
    // The module still works after the refusals.
    assert.equal(core.extractProductJson(page, URL_, PACK_TEXT), fromText);
  });
});
