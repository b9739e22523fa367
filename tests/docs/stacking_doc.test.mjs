// docs/stacking.md and docs/schemas/stack-{request,result}.schema.json checked against the
// real `dealstack stack` (DEALSTACK_BIN, or build/native/bin/dealstack under the repository
// root):
//  - the worked example's request, run through the CLI, prints exactly the documented result;
//  - every scenario in tests/fixtures/stacking/scenarios/ (read at run time) has a request
//    the request schema accepts and a CLI result the result schema accepts; a scenario with
//    "expect_error" is refused by the CLI (exit 1) with an error document;
//  - requests that break the schema in typical ways are refused by it (and what the CLI
//    does with each, since the reader is more lenient in a few documented ways);
//  - the error, warning and hint codes the code emits are in the schemas and the document.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, runDealstack } from '../support/dealstack.mjs';
import Ajv2020 from 'ajv/dist/2020.js';

const docPath = path.join(repoRoot, 'docs', 'stacking.md');
const scenarioDir = path.join(repoRoot, 'tests', 'fixtures', 'stacking', 'scenarios');

const readJson = (...parts) => JSON.parse(readFileSync(path.join(repoRoot, ...parts), 'utf8'));
const requestSchema = readJson('docs', 'schemas', 'stack-request.schema.json');
const resultSchema = readJson('docs', 'schemas', 'stack-result.schema.json');

// strict: unknown keywords and formats in the schemas are errors, not silence. (strictTypes
// and strictRequired are off: `"required"` inside oneOf/if branches is the standard idiom.)
const ajv = new Ajv2020({ strict: true, strictTypes: false, strictRequired: false, allErrors: true });
const validateRequest = ajv.compile(requestSchema);
const validateResult = ajv.compile(resultSchema);
const validateError = ajv.compile({ ...resultSchema.$defs.error_document, $defs: resultSchema.$defs });

function explain(validate) {
  return ajv.errorsText(validate.errors, { separator: '\n' });
}

// Runs `dealstack stack -` with `input` on stdin; resolves with {code, stdout, stderr}.
const stack = (input) => runDealstack(['stack', '-'], input);

// The ```json block right after the marker comment `<!-- example:NAME -->`.
function docBlock(doc, name) {
  const marker = `<!-- example:${name} -->`;
  const at = doc.indexOf(marker);
  assert.notEqual(at, -1, `docs/stacking.md has no ${marker}`);
  assert.equal(doc.indexOf(marker, at + 1), -1, `docs/stacking.md has ${marker} twice`);
  const m = /^\s*```json\n([\s\S]*?)\n```/.exec(doc.slice(at + marker.length));
  assert.ok(m, `no \`\`\`json block right after ${marker}`);
  return JSON.parse(m[1]);
}

const doc = readFileSync(docPath, 'utf8');
const exampleRequest = docBlock(doc, 'request');
const exampleResult = docBlock(doc, 'result');

test('the worked example in docs/stacking.md is what the CLI prints', async () => {
  const r = await stack(JSON.stringify(exampleRequest));
  assert.equal(r.stderr, '');
  assert.equal(r.code, 0, r.stdout);
  assert.deepStrictEqual(JSON.parse(r.stdout), exampleResult);
});

test('the worked example is valid under both schemas', () => {
  assert.ok(validateRequest(exampleRequest), explain(validateRequest));
  assert.ok(validateResult(exampleResult), explain(validateResult));
});

test('the worked example shows several layers at once', () => {
  // So that the example keeps teaching what it is there for, whatever edits it gets.
  const actions = new Set(exampleResult.steps.map((s) => s.action));
  for (const a of ['start_at_portal', 'buy_gift_cards', 'automatic_promotion', 'enter_code', 'pay', 'card_offer'])
    assert.ok(actions.has(a), `the example has no ${a} step`);
  assert.ok(exampleResult.not_applicable.length > 0 && exampleResult.hints.length > 0);
});

function scenarioFiles() {
  return readdirSync(scenarioDir).filter((f) => f.endsWith('.json')).sort();
}

test('every scenario request is valid and every scenario result matches the result schema', async () => {
  const files = scenarioFiles();
  assert.ok(files.length >= 1, 'no scenarios found');
  const failures = [];
  for (const file of files) {
    const fx = JSON.parse(readFileSync(path.join(scenarioDir, file), 'utf8'));
    assert.ok(fx.request !== undefined, `${file}: no "request"`);
    const r = await stack(JSON.stringify(fx.request));
    let out;
    try {
      out = JSON.parse(r.stdout);
    } catch {
      failures.push(`${file}: exit ${r.code}, not one JSON document on stdout: ${r.stdout.slice(0, 200)} ${r.stderr}`);
      continue;
    }
    if (fx.expect_error !== undefined) {
      // A refused request: its request may well break the schema too; the CLI must refuse it.
      if (r.code !== 1) failures.push(`${file}: expected exit 1 (refused), got ${r.code}`);
      if (!validateError(out)) failures.push(`${file}: error document: ${explain(validateError)}`);
      else if (fx.expect_error.code && out.error.code !== fx.expect_error.code)
        failures.push(`${file}: expected error ${fx.expect_error.code}, got ${out.error.code}`);
      continue;
    }
    if (!validateRequest(fx.request)) failures.push(`${file}: request: ${explain(validateRequest)}`);
    if (r.code !== 0) {
      failures.push(`${file}: exit ${r.code}: ${r.stdout}`);
      continue;
    }
    if (!validateResult(out)) failures.push(`${file}: result: ${explain(validateResult)}`);
  }
  assert.deepStrictEqual(failures, []);
});

// A copy of the worked example's request with `edit` applied to it.
function variant(edit) {
  const request = structuredClone(exampleRequest);
  edit(request);
  return request;
}
const offer = (request, id) => request.offers.find((o) => o.id === id);

// Requests the schema refuses. `cli`: the error code `dealstack stack` answers, or null when
// the reader (more lenient, on purpose) accepts the request.
const invalid = [
  ['money as a JSON number', (q) => { q.cart.lines[0].unit_price = 120; }, 'invalid_field'],
  ['a negative amount', (q) => { q.cart.shipping_options[0].price = '-7.95'; }, 'amount_out_of_range'],
  ['a percentage over 100', (q) => { offer(q, 'spring20').discount.percent = '150'; }, 'amount_out_of_range'],
  ['a percentage with 5 decimals', (q) => { q.cart.tax.percent = '7.25001'; }, 'invalid_field'],
  ['a fractional JSON percentage', (q) => { q.cart.tax.percent = 7.25; }, 'invalid_field'],
  ['no cart', (q) => { delete q.cart; }, 'missing_field'],
  ['no lines', (q) => { q.cart.lines = []; }, 'invalid_field'],
  ['quantity 0', (q) => { q.cart.lines[1].quantity = 0; }, 'amount_out_of_range'],
  ['a lower-case currency', (q) => { q.cart.currency = 'usd'; }, 'unknown_currency'],
  ['an unknown offer kind', (q) => { offer(q, 'tees15').kind = 'coupon'; }, 'unknown_offer_kind'],
  ['a code without its code', (q) => { delete offer(q, 'tees15').code; }, 'missing_field'],
  ['an unknown discount type', (q) => { offer(q, 'tees15').discount.type = 'bogo'; }, 'invalid_field'],
  ['a tier with both amount and percent',
    (q) => { offer(q, 'big50').discount = { type: 'tiered', tiers: [{ min_spend: '100.00', amount: '5.00', percent: '5' }] }; },
    'invalid_field'],
  ['class shipping on a percentage', (q) => { offer(q, 'spring20').class = 'shipping'; }, 'invalid_field'],
  ['a portal paying both a percentage and an amount',
    (q) => { offer(q, 'cashbackhub').cashback = { percent: '5', amount: '2.00' }; }, 'invalid_field'],
  ['a gift card without a price or discount_percent',
    (q) => { delete offer(q, 'giftly').denominations[0].price; }, 'missing_field'],
  ['a gift card of face 0', (q) => { offer(q, 'giftly').denominations[0].face = '0.00'; }, 'amount_out_of_range'],
  ['max_per_order 21', (q) => { offer(q, 'giftly').max_per_order = 21; }, 'amount_out_of_range'],
  ['max_codes 101', (q) => { q.retailer.max_codes = 101; }, 'amount_out_of_range'],
  ['an unknown rounding mode', (q) => { q.retailer.rounding = { mode: 'down' }; }, 'invalid_field'],
  // The reader ignores these; the schema catches them (a misspelt field does nothing).
  ['a misspelt retailer field', (q) => { q.retailer.max_code = 2; }, null],
  ['a field of another offer kind', (q) => { offer(q, 'tees15').cashback = { percent: '5' }; }, null],
  ['a null optional field', (q) => { q.cart.tax.basis = null; }, null],
];

for (const [name, edit, cli] of invalid) {
  test(`the request schema refuses ${name}${cli ? ` (CLI: ${cli})` : ' (the CLI ignores it)'}`, async () => {
    const request = variant(edit);
    assert.equal(validateRequest(request), false, 'the schema accepted it');
    const r = await stack(JSON.stringify(request));
    if (cli === null) {
      assert.equal(r.code, 0, r.stdout);
      assert.deepStrictEqual(JSON.parse(r.stdout), exampleResult);
    } else {
      assert.equal(r.code, 1, r.stdout);
      const out = JSON.parse(r.stdout);
      assert.ok(validateError(out), explain(validateError));
      assert.equal(out.error.code, cli, out.error.message);
    }
  });
}

test('the result schema refuses results that are not exactly the documented shape', () => {
  const broken = [
    (x) => { x.net = 153.46; },
    (x) => { x.totals.net = '153.460.0'; },
    (x) => { delete x.hints; },
    (x) => { x.extra = true; },
    (x) => { x.steps[0].action = 'visit_portal'; },
    (x) => { x.steps[3].saves = 'free'; },
    (x) => { delete x.steps[3].code; },
    (x) => { x.steps[4].saves = '5.00'; }, // choosing shipping never saves
    (x) => { x.warnings[0].code = 'something_new'; },
    (x) => { x.not_applicable[0].short_by = undefined; delete x.not_applicable[0].short_by; },
    (x) => { x.stack.gift_cards[0].count = 0; },
    (x) => { x.alternatives[0].without = 'everything'; },
    (x) => { x.steps.push(structuredClone(x.steps[6])); }, // one card offer per order
    (x) => { x.steps.splice(5, 1); }, // no pay step
  ];
  for (const edit of broken) {
    const result = structuredClone(exampleResult);
    edit(result);
    assert.equal(validateResult(result), false, `accepted after ${edit}`);
  }
});

// ---- the codes in the code, the schemas and the document agree ------------------------

const source = (file) => readFileSync(path.join(repoRoot, 'shared', 'stacking', file), 'utf8');

// The error code of every make_error(...) and fail(path, ...) call: the first string literal
// in the call that is a snake_case word (paths like ".currency" and messages are not).
function errorCodes(text) {
  const codes = new Set();
  for (const m of text.matchAll(/\b(?:make_error|fail)\(/g)) {
    const call = text.slice(m.index, text.indexOf(';', m.index));
    for (const lit of call.matchAll(/"((?:[^"\\]|\\.)*)"/g)) {
      if (/^[a-z]+(?:_[a-z]+)+$/.test(lit[1])) {
        codes.add(lit[1]);
        break;
      }
    }
  }
  return codes;
}

test('every error code the reader and the search return is in the schema and the document', () => {
  // evaluate.cpp's codes describe illegal stacks the search never builds; they surface only
  // as internal_error.
  const codes = new Set();
  for (const file of ['request_json.cpp', 'search.cpp', 'gift_plans.cpp', 'stacker.cpp'])
    for (const c of errorCodes(source(file))) codes.add(c);
  assert.ok(codes.size >= 10, `found only ${[...codes]}: the extraction broke`);
  const documented = resultSchema.$defs.error_document.properties.error.properties.code.enum;
  for (const c of codes) {
    assert.ok(documented.includes(c), `error code ${c} is missing from the result schema`);
  }
  for (const c of documented) assert.ok(doc.includes(`| \`${c}\` |`), `error code ${c} is not in docs/stacking.md`);
});

test('every warning and hint code in stacker.cpp is in the schema and the document', () => {
  const text = source('stacker.cpp');
  const warnings = [...text.matchAll(/out\.push_back\(\{"([a-z_]+)"/g)].map((m) => m[1]);
  const hints = [...text.matchAll(/candidates\.push_back\(\{"([a-z_]+)"/g)].map((m) => m[1]);
  assert.ok(warnings.length >= 5 && hints.length >= 3, 'the extraction broke');
  const warningEnum = resultSchema.$defs.warning.properties.code.enum;
  const hintEnum = resultSchema.$defs.hint.properties.code.enum;
  for (const c of warnings) assert.ok(warningEnum.includes(c), `warning ${c} is missing from the schema`);
  for (const c of hints) assert.ok(hintEnum.includes(c), `hint ${c} is missing from the schema`);
  for (const c of [...warningEnum, ...hintEnum])
    assert.ok(doc.includes(`| \`${c}\` |`), `${c} is not in docs/stacking.md's tables`);
});
