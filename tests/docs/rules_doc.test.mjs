// docs/rules.md and docs/schemas/rule-pack.schema.json checked against the real
// `dealstack extract --rules` (DEALSTACK_BIN, or build/native/bin/dealstack):
//  - the schema compiles in strict mode;
//  - the documented pack is the fixture pack, and both the schema and the CLI accept it;
//  - example packs (valid ones, and ones breaking one rule each) get the same verdict from
//    the schema and from the reader, the reader's error code being the expected one;
//  - the fixture page read with its pack gives the buy box's price, marked "rules";
//  - the error codes the reader produces are the ones the document lists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { repoRoot, runDealstack } from '../support/dealstack.mjs';

const read = (...parts) => readFileSync(path.join(repoRoot, ...parts), 'utf8');
const doc = read('docs', 'rules.md');
const schema = JSON.parse(read('docs', 'schemas', 'rule-pack.schema.json'));
const fixturePack = JSON.parse(read('tests', 'fixtures', 'rules', 'financing-price.pack.json'));
const fixturePage = path.join(repoRoot, 'tests', 'fixtures', 'rules', 'financing-price.html');

const ajv = new Ajv2020({ strict: true, strictTypes: false, strictRequired: false, allErrors: true });
const validate = ajv.compile(schema);
const explain = () => ajv.errorsText(validate.errors, { separator: '\n' });

// The ```json block right after `<!-- example:NAME -->`.
function docBlock(name) {
  const marker = `<!-- example:${name} -->`;
  const at = doc.indexOf(marker);
  assert.notEqual(at, -1, `docs/rules.md has no ${marker}`);
  const m = /^\s*```json\n([\s\S]*?)\n```/.exec(doc.slice(at + marker.length));
  assert.ok(m, `no \`\`\`json block right after ${marker}`);
  return JSON.parse(m[1]);
}

// Runs `dealstack extract --rules PACK` on the fixture page; the pack is written as given
// (a string) or serialized (an object).
async function extractWith(pack) {
  const dir = mkdtempSync(path.join(tmpdir(), 'dealstack-rules-doc-'));
  try {
    const file = path.join(dir, 'pack.json');
    writeFileSync(file, typeof pack === 'string' ? pack : JSON.stringify(pack));
    return await runDealstack(['extract', '--rules', file, '--url', 'https://www.brewhaus.example/p/barista-pro',
      fixturePage]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const base = () => structuredClone(fixturePack);
const withFields = (fields, extra = {}) => ({ ...base(), ...extra, fields });

const VALID = {
  'the fixture pack': base(),
  'prefer rules, a locale, a constant brand': { ...base(), prefer: 'rules', locale: 'en-US',
    fields: { ...base().fields, brand: { value: 'Brewhaus' } } },
  'one field': withFields({ price: { selector: '.buybox__price', attribute: 'data-cents', decimal_separator: ',' } }),
  'currency read from the page': withFields({ price: { selector: '.value' }, currency: { selector: '.value' } }),
  'availability as a schema.org value': withFields({ availability: { selector: 'link[itemprop=availability]',
    attribute: 'href' } }),
  'every selector form': withFields({ name: { selector: 'main > div.pdp-head h1#t, *[data-x="a b"], [itemprop]' } }),
};

// name -> [pack, the reader's error code]
const INVALID = {
  'format 2': [{ ...base(), format: 2 }, 'unsupported_rule_pack_format'],
  'no hosts': [(() => { const p = base(); delete p.hosts; return p; })(), 'invalid_rule_pack'],
  'empty hosts': [{ ...base(), hosts: [] }, 'invalid_rule_pack'],
  'a host with a path': [{ ...base(), hosts: ['shop.example/p'] }, 'invalid_rule_pack'],
  'version 0': [{ ...base(), version: 0 }, 'invalid_rule_pack'],
  'an unknown top-level key': [{ ...base(), selectors: {} }, 'invalid_rule_pack'],
  'an unknown field': [withFields({ title: { selector: 'h1' } }), 'invalid_rule_pack'],
  'no fields': [withFields({}), 'invalid_rule_pack'],
  'prefer heuristics': [{ ...base(), prefer: 'heuristics' }, 'invalid_rule_pack'],
  'selector and value': [withFields({ brand: { selector: 'b', value: 'Acme' } }), 'invalid_rule_pack'],
  'a constant price': [withFields({ price: { value: '12.00' } }), 'invalid_rule_pack'],
  'a currency that is not a code': [withFields({ currency: { value: 'Euro' } }), 'invalid_rule_pack'],
  'a map on sku': [withFields({ sku: { selector: 'p', map: { a: 'InStock' } } }), 'invalid_rule_pack'],
  'a map to an unknown availability': [withFields({ availability: { selector: 'p', map: { yes: 'Maybe' } } }),
    'invalid_rule_pack'],
  'a bad decimal separator': [withFields({ price: { selector: 'p', decimal_separator: ';' } }), 'invalid_rule_pack'],
  'a 300-byte selector': [withFields({ name: { selector: `.${'x'.repeat(299)}` } }), 'invalid_selector'],
  '33 hosts': [{ ...base(), hosts: Array.from({ length: 33 }, (_, i) => `h${i}.example`) }, 'rule_pack_too_large'],
};

// Valid under the schema, refused by the reader (what only the reader can check).
const READER_ONLY = {
  'a pseudo-class': [withFields({ price: { selector: 'span.price:first-child' } }), 'invalid_selector'],
  'a sibling combinator': [withFields({ price: { selector: 'h1 + p' } }), 'invalid_selector'],
  'an attribute operator': [withFields({ image: { selector: 'img[src^=http]', attribute: 'src' } }), 'invalid_selector'],
  '17 compounds': [withFields({ name: { selector: Array(17).fill('div').join(' ') } }), 'invalid_selector'],
  '65 selectors': [withFields(Object.fromEntries(['name', 'brand', 'sku', 'gtin', 'mpn', 'image', 'price', 'list_price',
    'availability'].map((f) => [f, { selector: Array(8).fill('p').join(', ') }]))), 'rule_pack_too_large'],
  'a currency code that is not ISO 4217': [withFields({ currency: { value: 'XYZ' } }), 'invalid_rule_pack'],
};

test('the schema compiles in strict mode and the documented pack is the fixture pack', () => {
  const example = docBlock('pack');
  assert.deepStrictEqual(example, fixturePack);
  assert.ok(validate(example), explain());
});

test('valid example packs pass the schema and the reader', async () => {
  for (const [name, pack] of Object.entries(VALID)) {
    assert.ok(validate(pack), `${name}: ${explain()}`);
    const r = await extractWith(pack);
    assert.equal(r.code, 0, `${name}: exit ${r.code}: ${r.stderr}`);
  }
});

test('packs breaking one rule are refused by the schema and by the reader with the right code', async () => {
  for (const [name, [pack, code]] of Object.entries(INVALID)) {
    assert.equal(validate(pack), false, `${name}: the schema accepts it`);
    const r = await extractWith(pack);
    assert.equal(r.code, 2, `${name}: exit ${r.code}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`\\(${code}\\)\\n$`), name);
  }
});

test('what only the reader checks: selectors, limits across fields, ISO codes', async () => {
  for (const [name, [pack, code]] of Object.entries(READER_ONLY)) {
    assert.ok(validate(pack), `${name}: ${explain()}`);
    const r = await extractWith(pack);
    assert.equal(r.code, 2, `${name}: exit ${r.code}`);
    assert.match(r.stderr, new RegExp(`\\(${code}\\)\\n$`), name);
  }
  // The message names the field and the selector.
  const r = await extractWith(READER_ONLY['a pseudo-class'][0]);
  assert.match(r.stderr, /fields\.price\.selector "span\.price:first-child": at byte 10: pseudo-classes/);
});

test('a pack that is not JSON, too large, or missing is refused by the CLI', async () => {
  let r = await extractWith('{"format": 1,');
  assert.match(r.stderr, /not JSON.*\(invalid_rule_pack\)\n$/);
  r = await extractWith(JSON.stringify({ ...base(), description: 'x'.repeat(256 * 1024) }));
  assert.match(r.stderr, /\(rule_pack_too_large\)\n$/);
  r = await runDealstack(['extract', '--rules', path.join(tmpdir(), 'no-such-dealstack-pack.json'), fixturePage]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cannot read/);
});

test('the fixture page read with its pack gives the buy box price, marked as from the rules', async () => {
  const plain = await runDealstack(['extract', '--url', 'https://www.brewhaus.example/p/barista-pro', fixturePage]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.notEqual(JSON.parse(plain.stdout).price.amount, '649.00');
  const r = await extractWith(fixturePack);
  assert.equal(r.code, 0, r.stderr);
  const p = JSON.parse(r.stdout);
  assert.deepStrictEqual(p.price, { amount: '649.00', currency: 'USD', currency_text: '$' });
  assert.deepStrictEqual(p.list_price, { amount: '799.00', currency: 'USD', currency_text: '$' });
  assert.equal(p.availability, 'LimitedAvailability');
  for (const f of ['name', 'price', 'list_price', 'availability', 'sku', 'image']) assert.equal(p.sources[f], 'rules', f);
  assert.equal(p.confidence.price, 90);
});

test('the error codes the reader produces are the ones docs/rules.md lists', () => {
  const src = read('shared', 'extract', 'rules.cpp');
  // Codes are written as error_of("code", ...) (and "invalid_rule_pack" through pack_error,
  // "invalid_selector" through SelectorParser::fail).
  const produced = new Set([...src.matchAll(/(?:make_error|error_of|return) ?\(?"([a-z]+(?:_[a-z]+)+)"/g)].map((m) => m[1]));
  assert.ok(produced.has('invalid_rule_pack') && produced.has('invalid_selector'), [...produced].join(', '));
  const section = doc.slice(doc.indexOf('## Errors'));
  const listed = new Set([...section.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]));
  assert.deepStrictEqual([...produced].sort(), [...listed].sort());
});
