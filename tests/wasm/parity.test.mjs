// Parity: the wasm module and the native CLI are the same core, so for the same input they
// must print the same bytes. Compared as raw JSON text (extractProductJson / parsePriceJson
// against the CLI's stdout), never as re-serialized objects.
//   native: $DEALSTACK_BIN, default build/native/bin/dealstack
//   wasm:   $DEALSTACK_WASM_DIR, default build/wasm/wasm
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';

import { dealstackBin, fixturesDir, importBuiltModule } from './paths.mjs';

const { load } = await importBuiltModule();

function findHtml(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...findHtml(path));
    else if (entry.endsWith('.html') || entry.endsWith('.htm')) out.push(path);
  }
  return out;
}

// The page URL: a sidecar FILE.url (one line) when the fixture has one, else a fixed
// https://shop.example/<name>.
function urlFor(file) {
  const sidecar = `${file}.url`;
  if (existsSync(sidecar)) return readFileSync(sidecar, 'utf8').trim();
  return `https://shop.example/${basename(file).replace(/\.html?$/, '')}`;
}

function cli(args, input) {
  const r = spawnSync(dealstackBin, args, { input, maxBuffer: 256 << 20 });
  if (r.error) throw new Error(`cannot run ${dealstackBin}: ${r.error.message} (build the native preset or set DEALSTACK_BIN)`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

// Runs both sides on one page and asserts they agree byte for byte: on the product JSON, or
// on the error (the CLI prints no_product as {"error": {...}} with exit 3, and reports other
// errors on stderr as "... (code)" with exit 2).
function assertSameExtraction(core, file, url) {
  const native = cli(['extract', '--url', url, file]);
  const bytes = readFileSync(file);
  let wasmJson;
  let wasmError;
  try {
    wasmJson = core.extractProductJson(bytes, url);
  } catch (error) {
    wasmError = error;
  }
  const where = relative(process.cwd(), file);
  if (native.status === 0) {
    assert.equal(wasmError, undefined, `${where}: native found a product, wasm threw ${wasmError}`);
    assert.ok(Buffer.from(`${wasmJson}\n`, 'utf8').equals(native.stdout),
      `${where}: JSON differs\nnative: ${native.stdout.toString('utf8').slice(0, 2000)}\nwasm:   ${wasmJson.slice(0, 2000)}`);
  } else if (native.status === 3) {
    assert.ok(wasmError, `${where}: native says no_product, wasm returned ${wasmJson?.slice(0, 500)}`);
    const expected = JSON.parse(native.stdout.toString('utf8')).error;
    assert.deepEqual({ code: wasmError.code, message: wasmError.message }, expected, where);
  } else {
    assert.equal(native.status, 2, `${where}: unexpected CLI exit ${native.status}: ${native.stderr}`);
    assert.ok(wasmError, `${where}: native failed (${native.stderr.trim()}), wasm returned a product`);
    assert.ok(native.stderr.trim().endsWith(`(${wasmError.code})`),
      `${where}: native error "${native.stderr.trim()}" vs wasm code ${wasmError.code}`);
  }
  return native.status;
}

describe('native CLI and wasm module agree', () => {
  let core;
  let scratch;
  before(async () => {
    assert.ok(existsSync(dealstackBin), `${dealstackBin} is missing: build the native preset or set DEALSTACK_BIN`);
    core = await load();
    scratch = mkdtempSync(join(tmpdir(), 'dealstack-parity-'));
  });
  after(() => scratch && rmSync(scratch, { recursive: true, force: true }));

  test('on every fixture page', () => {
    const pages = findHtml(join(fixturesDir, 'pages'));
    const others = findHtml(fixturesDir).filter((f) => !pages.includes(f));
    assert.ok(pages.length > 0, `no pages under ${join(fixturesDir, 'pages')}`);
    const statuses = [...pages, ...others].map((file) => assertSameExtraction(core, file, urlFor(file)));
    // Guard against a vacuous pass: the fixtures are product pages, so most must extract.
    assert.ok(statuses.filter((s) => s === 0).length >= Math.ceil(pages.length / 2),
      `only ${statuses.filter((s) => s === 0).length} of ${statuses.length} fixture pages gave a product`);
  });

  test('on synthetic pages covering markup kinds, charsets and errors', () => {
    const pages = {
      'json-ld.html': `<html><head><script type="application/ld+json">{"@context":"https://schema.org","@type":"Product","name":"Kettle \\u00e9","sku":"K-1","image":"k.jpg","offers":{"@type":"Offer","price":"19.99","priceCurrency":"EUR","availability":"https://schema.org/OutOfStock"}}</script></head><body></body></html>`,
      'microdata.html': `<div itemscope itemtype="https://schema.org/Product"><h1 itemprop="name">Lamp “Nova”</h1><span itemprop="brand">Lumi</span><div itemprop="offers" itemscope itemtype="https://schema.org/Offer"><meta itemprop="priceCurrency" content="GBP"><span itemprop="price" content="45.00">£45.00</span><link itemprop="availability" href="https://schema.org/InStock"></div></div>`,
      'meta-og.html': `<html><head><meta property="og:type" content="product"><meta property="og:title" content="Chaise Bois"><meta property="product:price:amount" content="129,00"><meta property="product:price:currency" content="EUR"><meta property="og:image" content="/c.png"></head><body><h1>Chaise Bois</h1></body></html>`,
      'latin1.html': Buffer.concat([Buffer.from('<html><head><meta charset="iso-8859-1"><script type="application/ld+json">{"@type":"Product","name":"Pr'), Buffer.from([0xe4]), Buffer.from('sentkorb","offers":{"price":"9.50","priceCurrency":"EUR"}}</script></head></html>')]),
      'no-product.html': '<html><body><p>Über uns</p></body></html>',
      'empty.html': '',
      'garbage.html': Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) & 0xff)),
    };
    const statuses = {};
    for (const [name, content] of Object.entries(pages)) {
      const file = join(scratch, name);
      writeFileSync(file, content);
      statuses[name] = assertSameExtraction(core, file, `https://shop.example/p/${name}`);
    }
    assert.equal(statuses['json-ld.html'], 0);
    assert.equal(statuses['empty.html'], 2);
  });

  // Price strings as shops write them (made up here; the real development set stays in
  // ../shared/data). Each: [text, currency_hint, decimal_separator].
  const PRICES = [
    ['$1,299.99', null, null], ['1.299,99 €', null, null], ['€ 12,50', null, null],
    ['12,50', 'EUR', null], ['1 234,56 zł', null, null], ['1\u202f234,56 €', null, null],
    ['CHF 1\'299.–', null, null], ['£0.99', null, null], ['¥12,800', null, null],
    ['R$ 1.999,90', null, null], ['Rs. 2,499', null, null], ['1.234', null, ','],
    ['1.234', null, '.'], ['ab 9,95 €*', null, null], ['US$ 49', null, null],
    ['Preis auf Anfrage', null, null], ['', 'USD', null], ['free', null, null],
    ['99,-', 'EUR', null], ['kr 1 495', null, null], ['12.345.678,90 €', null, null],
    ['99999999999999999999999', null, null], ['-5.00 €', null, null], ['٣٤٫٥٠ ر.س', null, null],
  ];

  test('on a list of price strings', () => {
    const lines = PRICES.map(([text, hint, sep]) => JSON.stringify({ text, currency_hint: hint, decimal_separator: sep }));
    const native = cli(['price', '--jsonl'], `${lines.join('\n')}\n`);
    assert.equal(native.status, 0, native.stderr);
    const out = native.stdout.toString('utf8').split('\n');
    assert.equal(out.at(-1), '', 'output ends with a newline');
    assert.equal(out.length - 1, PRICES.length, 'one output line per input line');
    PRICES.forEach(([text, hint, sep], i) => {
      const wasm = core.parsePriceJson(text, { currencyHint: hint, decimalSeparator: sep });
      assert.equal(wasm, out[i], `price ${JSON.stringify(text)} (hint ${hint}, separator ${sep})`);
    });
  });
});
