// Tests of the built ES module (build/wasm/wasm/dealstack_core.mjs + .wasm, or
// $DEALSTACK_WASM_DIR): the artifact the extension ships, run under node.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { importBuiltModule, sameDecimal, wasmDir } from './paths.mjs';

const { load, DealstackError } = await importBuiltModule();

// A product page as shops write them: schema.org JSON-LD plus ordinary markup.
const PRODUCT_PAGE = `<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8"><title>Wasserkocher WK-200 | Beispielshop</title>
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "Product", "name": "Wasserkocher WK-200",
 "sku": "WK-200-SW", "brand": {"@type": "Brand", "name": "Kochwerk"},
 "image": "/img/wk200.jpg",
 "offers": {"@type": "Offer", "price": "39.90", "priceCurrency": "EUR",
            "availability": "https://schema.org/InStock"}}
</script></head>
<body><h1>Wasserkocher WK-200</h1><p class="price">39,90 €</p></body></html>`;

const PAGE_URL = 'https://shop.example/haushalt/wk-200';

// Every thrown error must be one of ours, with a stable snake_case code.
function assertDealstackError(fn, code) {
  assert.throws(fn, (error) => {
    assert.ok(error instanceof DealstackError, `expected a DealstackError, got ${error}`);
    assert.ok(error instanceof Error);
    assert.match(error.code, /^[a-z][a-z0-9_]*$/);
    if (code) assert.equal(error.code, code, error.message);
    return true;
  });
}

// Runs fn and accepts either a value or a DealstackError; anything else (a trap reported as
// internal_error, a TypeError, a RangeError) fails the test.
function valueOrCleanError(fn) {
  try {
    return { value: fn() };
  } catch (error) {
    assert.ok(error instanceof DealstackError, `not a DealstackError: ${error}`);
    assert.notEqual(error.code, 'internal_error', error.message);
    return { error };
  }
}

describe('dealstack_core module', () => {
  let core;
  before(async () => {
    core = await load();
  });

  describe('parsePrice', () => {
    test('reads amount, currency text and ISO code of a dollar price', () => {
      const p = core.parsePrice('$1,299.99');
      assert.ok(sameDecimal(p.amount, '1299.99'), p.amount);
      assert.equal(p.currency_text, '$');
      assert.equal(p.amount_text, '1,299.99');
    });

    test('reads a euro price written with a decimal comma', () => {
      const p = core.parsePrice('12,50 €');
      assert.ok(sameDecimal(p.amount, '12.5'), p.amount);
      assert.equal(p.currency, 'EUR');
      assert.equal(p.currency_text, '€');
    });

    test('forced decimal separator changes how "1.234" is read', () => {
      assert.ok(sameDecimal(core.parsePrice('1.234', { decimalSeparator: ',' }).amount, '1234'));
      assert.ok(sameDecimal(core.parsePrice('1.234', { decimalSeparator: '.' }).amount, '1.234'));
    });

    test('currency hint supplies the currency the text lacks', () => {
      const p = core.parsePrice('49,00', { currencyHint: 'Preis in EUR' });
      assert.ok(sameDecimal(p.amount, '49'), p.amount);
      assert.equal(p.currency, 'EUR');
    });

    test('text without a price gives a null amount, not an error', () => {
      assert.equal(core.parsePrice('Preis auf Anfrage').amount, null);
      assert.equal(core.parsePrice('').amount, null);
    });

    test('parsePriceJson is the JSON text parsePrice parses', () => {
      const text = core.parsePriceJson('€ 7,99', { locale: 'de-DE' });
      assert.equal(typeof text, 'string');
      assert.deepEqual(JSON.parse(text), core.parsePrice('€ 7,99', { locale: 'de-DE' }));
    });

    test('a Uint8Array is read as UTF-8 bytes, like the equivalent string', () => {
      const bytes = new TextEncoder().encode('12,50 €');
      assert.deepEqual(core.parsePrice(bytes), core.parsePrice('12,50 €'));
    });

    test('invalid UTF-8 bytes give a result with valid strings, not a crash', () => {
      const bytes = new Uint8Array([0xff, 0xfe, 0x31, 0x32, 0x2c, 0x35, 0x30, 0x20, 0xe2, 0x82, 0xc0, 0x80]);
      const { value } = valueOrCleanError(() => core.parsePrice(bytes));
      if (value) {
        for (const field of ['amount_text', 'currency_text', 'currency']) {
          assert.ok(value[field] === null || typeof value[field] === 'string', field);
          assert.ok(!String(value[field]).includes('\ud800'), field);
        }
      }
    });

    test('bad options are errors with code invalid_options', () => {
      assertDealstackError(() => core.parsePrice('1', { decimalSeparator: ';' }), 'invalid_options');
      assertDealstackError(() => core.parsePrice('1', { currencyHint: 42 }), 'invalid_options');
      assertDealstackError(() => core.parsePrice('1', { currency_hint: 'EUR' }), 'invalid_options');
      assertDealstackError(() => core.parsePrice('1', 'EUR'), 'invalid_options');
    });

    test('a non-string text is an invalid_argument error', () => {
      assertDealstackError(() => core.parsePrice(12.5), 'invalid_argument');
      assertDealstackError(() => core.parsePrice(null), 'invalid_argument');
    });

    test('a 10 MB price text is bounded work with a clean result', () => {
      const huge = `${'9'.repeat(10 << 20)} €`;
      const { value } = valueOrCleanError(() => core.parsePrice(huge));
      if (value) assert.ok(value.amount === null || typeof value.amount === 'string');
    });
  });

  describe('extractProduct', () => {
    test('reads name, sku, brand, price and availability from JSON-LD', () => {
      const p = core.extractProduct(PRODUCT_PAGE, PAGE_URL);
      assert.equal(p.name, 'Wasserkocher WK-200');
      assert.equal(p.sku, 'WK-200-SW');
      assert.equal(p.brand, 'Kochwerk');
      assert.ok(sameDecimal(p.price.amount, '39.90'), JSON.stringify(p.price));
      assert.equal(p.price.currency, 'EUR');
      assert.equal(p.availability, 'InStock');
    });

    test('resolves the relative image URL against the page URL', () => {
      assert.equal(core.extractProduct(PRODUCT_PAGE, PAGE_URL).image, 'https://shop.example/img/wk200.jpg');
    });

    test('extractProductJson is the JSON text extractProduct parses', () => {
      const text = core.extractProductJson(PRODUCT_PAGE, PAGE_URL);
      assert.deepEqual(JSON.parse(text), core.extractProduct(PRODUCT_PAGE, PAGE_URL));
    });

    test('the same page as bytes gives the same JSON as the string', () => {
      const bytes = new TextEncoder().encode(PRODUCT_PAGE);
      assert.equal(core.extractProductJson(bytes, PAGE_URL), core.extractProductJson(PRODUCT_PAGE, PAGE_URL));
    });

    test('an empty page is the error empty_input', () => {
      assertDealstackError(() => core.extractProduct('', PAGE_URL), 'empty_input');
      assertDealstackError(() => core.extractProduct(new Uint8Array(0)), 'empty_input');
    });

    test('a page without a product is the error no_product', () => {
      assertDealstackError(
        () => core.extractProduct('<html><body><p>Impressum</p></body></html>', PAGE_URL), 'no_product');
    });

    test('a non-string page or url is an invalid_argument error', () => {
      assertDealstackError(() => core.extractProduct(42), 'invalid_argument');
      assertDealstackError(() => core.extractProduct(PRODUCT_PAGE, new URL(PAGE_URL)), 'invalid_argument');
    });

    test('a 10 MB page gives a result or a clean error', () => {
      const filler = '<div class="row"><span>Zubehör</span> <a href="/x">mehr</a></div>\n';
      const huge = PRODUCT_PAGE.replace('<body>', `<body>${filler.repeat(Math.ceil((10 << 20) / filler.length))}`);
      assert.ok(huge.length >= 10 << 20);
      const { value } = valueOrCleanError(() => core.extractProduct(huge, PAGE_URL));
      if (value) assert.equal(value.name, 'Wasserkocher WK-200');
    });

    test('binary garbage gives a result or a clean error', () => {
      // A fixed pseudo-random sequence (xorshift), so failures reproduce.
      const bytes = new Uint8Array(256 << 10);
      let x = 2463534242;
      for (let i = 0; i < bytes.length; i++) {
        x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
        bytes[i] = x & 0xff;
      }
      valueOrCleanError(() => core.extractProduct(bytes, PAGE_URL));
    });

    test('invalid UTF-8 inside the product name gives valid JSON', () => {
      const head = new TextEncoder().encode(PRODUCT_PAGE.replace('Wasserkocher WK-200",', 'Wasserkocher \u0001X",'));
      const at = head.indexOf(0x01);
      assert.ok(at > 0);
      head[at] = 0xc3; // a lead byte followed by 'X': invalid UTF-8
      const { value } = valueOrCleanError(() => core.extractProductJson(head, PAGE_URL));
      if (value) assert.doesNotThrow(() => JSON.parse(value));
    });

    test('deeply nested markup gives a result or a clean error', () => {
      const deep = `<html><body>${'<div>'.repeat(100000)}x</body></html>`;
      valueOrCleanError(() => core.extractProduct(deep, PAGE_URL));
    });

    test('the module keeps working after all the bad input', () => {
      for (let i = 0; i < 50; i++) core.extractProductJson(PRODUCT_PAGE, PAGE_URL);
      assert.equal(core.extractProduct(PRODUCT_PAGE, PAGE_URL).name, 'Wasserkocher WK-200');
    });
  });

  describe('loading', () => {
    const wasmFile = join(wasmDir, 'dealstack_core.wasm');

    test('loads from bytes and from a compiled WebAssembly.Module', async () => {
      const bytes = readFileSync(wasmFile);
      const fromBytes = await load({ wasm: bytes });
      const fromModule = await load({ wasm: await WebAssembly.compile(bytes) });
      assert.equal(fromBytes.extractProduct(PRODUCT_PAGE, PAGE_URL).sku, 'WK-200-SW');
      assert.equal(fromModule.parsePriceJson('$5'), core.parsePriceJson('$5'));
    });

    // The real core never traps on purpose, so a stand-in with the same ABI does
    // (tests/wasm/trap_module.c, built beside the module in testing/).
    test('a trap or an abort becomes internal_error and the next call gets a fresh instance', async (t) => {
      const trapFile = join(wasmDir, 'testing/trap_module.wasm');
      if (!existsSync(trapFile)) {
        t.skip(`${trapFile} not built (only the wasm preset builds it)`);
        return;
      }
      const m = await load({ wasm: readFileSync(trapFile) });
      assert.deepEqual(m.parsePrice('1'), { calls: 1 });
      assert.deepEqual(m.parsePrice('1'), { calls: 2 });
      assertDealstackError(() => m.extractProduct('trap'), 'internal_error');
      assert.deepEqual(m.parsePrice('1'), { calls: 1 }, 'a new instance counts from 1');
      assert.throws(() => m.extractProduct('abort'), (error) => {
        assert.equal(error.code, 'internal_error');
        assert.match(error.message, /aborted/);
        return true;
      });
      assert.deepEqual(m.parsePrice('1'), { calls: 1 });
    });

    test('instances are independent', async () => {
      const other = await load({ wasm: pathToFileURL(wasmFile) });
      assert.notEqual(other, core);
      assert.equal(other.extractProductJson(PRODUCT_PAGE, PAGE_URL), core.extractProductJson(PRODUCT_PAGE, PAGE_URL));
    });

    // What the extension sees when the .wasm is missing or damaged: a rejected promise with
    // a clear, coded error, quickly (never a hang).
    describe('failure', () => {
      let dir;
      before(() => {
        dir = mkdtempSync(join(tmpdir(), 'dealstack-wasm-'));
      });
      after(() => rmSync(dir, { recursive: true, force: true }));

      async function rejectsQuickly(promise, pattern) {
        let timer;
        const timeout = new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('load() neither resolved nor rejected within 5 s')), 5000);
        });
        try {
          await assert.rejects(Promise.race([promise, timeout]), (error) => {
            // By name: a copy of the module imported from elsewhere has its own class.
            assert.ok(error instanceof Error && error.name === 'DealstackError', String(error));
            assert.equal(error.code, 'wasm_load_failed');
            assert.match(error.message, pattern);
            return true;
          });
        } finally {
          clearTimeout(timer);
        }
      }

      test('the default URL with no .wasm beside the module rejects with wasm_load_failed', async () => {
        // A copy of the built module alone in a folder: its default URL points at nothing.
        copyFileSync(join(wasmDir, 'dealstack_core.mjs'), join(dir, 'dealstack_core.mjs'));
        const copy = await import(pathToFileURL(join(dir, 'dealstack_core.mjs')).href);
        await rejectsQuickly(copy.load(), /dealstack_core\.wasm/);
      });

      test('a missing file rejects with wasm_load_failed naming it', async () => {
        await rejectsQuickly(load({ wasm: pathToFileURL(join(dir, 'nope.wasm')) }), /nope\.wasm/);
      });

      test('a corrupt file rejects with wasm_load_failed', async () => {
        const corrupt = join(dir, 'corrupt.wasm');
        const bytes = readFileSync(wasmFile);
        writeFileSync(corrupt, bytes.subarray(0, Math.floor(bytes.length / 2)));
        await rejectsQuickly(load({ wasm: pathToFileURL(corrupt) }), /corrupt\.wasm/);
        writeFileSync(corrupt, 'not wasm at all');
        await rejectsQuickly(load({ wasm: pathToFileURL(corrupt) }), /corrupt\.wasm/);
      });

      test('a valid wasm module that is not dealstack_core rejects with wasm_load_failed', async () => {
        // The smallest valid module: magic + version, no sections.
        const empty = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
        await rejectsQuickly(load({ wasm: empty }), /lacks exports/);
      });

      test('a wrong kind of source rejects with wasm_load_failed', async () => {
        await rejectsQuickly(load({ wasm: 42 }), /options\.wasm/);
      });
    });
  });
});
