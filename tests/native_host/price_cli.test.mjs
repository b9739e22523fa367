// `dealstack price` run as a real process over real pipes. The binary is DEALSTACK_BIN, or
// build/native/bin/dealstack under the repository root.
//
// --jsonl contract checked here: one output line per input line, in order; an empty (or
// all-blank) line answers {"error": {"code": "empty_line", ...}}; a line that is not a JSON
// object answers {"error": {"code": "invalid_json", ...}}; a field of the wrong type
// answers "invalid_field"; the batch always goes on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runDealstack as run } from '../support/dealstack.mjs';


function lines(stdout) {
  assert.ok(stdout.endsWith('\n'), 'output ends with a newline');
  return stdout.slice(0, -1).split('\n').map((l) => JSON.parse(l));
}

test('price prints one JSON object line with string amount and ISO code', async () => {
  const r = await run(['price', 'US$ 1,299.99']);
  assert.equal(r.code, 0);
  const out = lines(r.stdout);
  assert.equal(out.length, 1);
  assert.deepEqual(out[0], { amount: '1299.99', amount_text: '1,299.99', currency: 'USD', currency_text: 'US$' });
});

test('price uses JSON null for what it cannot tell', async () => {
  const none = lines((await run(['price', 'Sold out'])).stdout)[0];
  assert.deepEqual(none, { amount: null, amount_text: null, currency: null, currency_text: null });
  const kr = lines((await run(['price', '199 kr'])).stdout)[0];
  assert.equal(kr.amount, '199');
  assert.equal(kr.currency_text, 'kr');
  assert.equal(kr.currency, null);
});

test('price options: hint, locale and forced decimal separator', async () => {
  const hint = lines((await run(['price', '--currency-hint', 'Preis in EUR', '12,50'])).stdout)[0];
  assert.equal(hint.amount, '12.50');
  assert.equal(hint.currency, 'EUR');
  const locale = lines((await run(['price', '--locale', 'sv-SE', '1 299 kr'])).stdout)[0];
  assert.equal(locale.amount, '1299');
  assert.equal(locale.currency, 'SEK');
  const forced = lines((await run(['price', '--decimal-separator', ',', '1,234'])).stdout)[0];
  assert.equal(forced.amount, '1.234');
  const inline = lines((await run(['price', '--decimal-separator=.', '--locale=en-CA', '$1.234'])).stdout)[0];
  assert.equal(inline.amount, '1.234');
  assert.equal(inline.currency, 'CAD');
});

test('price keeps unicode text intact over the pipe', async () => {
  const r = lines((await run(['price', 'от 1\u00a0299,50 руб.'])).stdout)[0];
  assert.equal(r.amount, '1299.50');
  assert.equal(r.amount_text, '1\u00a0299,50');
  assert.equal(r.currency_text, 'руб.');
  assert.equal(r.currency, 'RUB');
  const yen = lines((await run(['price', '--locale', 'ja', '価格：2,980円（税込）'])).stdout)[0];
  assert.deepEqual(yen, { amount: '2980', amount_text: '2,980', currency: 'JPY', currency_text: '円' });
});

test('price joins several TEXT words and takes TEXT starting with a dash', async () => {
  const words = lines((await run(['price', '12,99', '€'])).stdout)[0];
  assert.equal(words.amount, '12.99');
  assert.equal(words.currency, 'EUR');
  const dashed = lines((await run(['price', '--', '--5 €'])).stdout)[0];
  assert.equal(dashed.amount, '5');
});

test('price usage errors exit 2 with a message on stderr and nothing on stdout', async () => {
  for (const args of [
    ['price'],
    ['price', '--bogus', '12'],
    ['price', '--decimal-separator', ';', '12'],
    ['price', '--decimal-separator', '..', '12'],
    ['price', '--currency-hint'],
    ['price', '--jsonl', 'extra text'],
  ]) {
    const r = await run(args);
    assert.equal(r.code, 2, `exit code for ${JSON.stringify(args)}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /usage: dealstack price/);
  }
});

test('price --help prints usage and exits 0', async () => {
  const r = await run(['price', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /--jsonl/);
  assert.match(r.stdout, /--decimal-separator/);
});

test('price --jsonl answers every line in order, errors in place', async () => {
  const input = [
    JSON.stringify({ text: '1.899,-', currency_hint: null, decimal_separator: null, locale: null }),
    '',
    '{"text": "12,50 €"',
    JSON.stringify({ text: 'kr 199', locale: 'da-DK' }),
    '   ',
    '[1, 2]',
    JSON.stringify({ text: 12 }),
    JSON.stringify({}),
    JSON.stringify({ text: null, currency_hint: 'Kč' }),
    JSON.stringify({ text: '1.234', decimal_separator: '.' }),
    JSON.stringify({ text: '1250€ 60', decimal_separator: '€' }),
    JSON.stringify({ text: '₹1,23,456', locale: 'en-IN' }),
  ].join('\n');
  const r = await run(['price', '--jsonl'], `${input}\n`);
  assert.equal(r.code, 0);
  const out = lines(r.stdout);
  assert.equal(out.length, 12);
  assert.deepEqual(out[0], { amount: '1899', amount_text: '1.899', currency: null, currency_text: null });
  assert.equal(out[1].error.code, 'empty_line');
  assert.match(out[1].error.message, /^line 2: /);
  assert.equal(out[2].error.code, 'invalid_json');
  assert.match(out[2].error.message, /^line 3: /);
  assert.equal(out[3].currency, 'DKK');
  assert.equal(out[4].error.code, 'empty_line');
  assert.equal(out[5].error.code, 'invalid_json');
  assert.equal(out[6].error.code, 'invalid_field');
  assert.equal(out[7].amount, null);
  assert.equal(out[8].amount, null);
  assert.equal(out[8].currency_text, 'Kč');
  assert.equal(out[8].currency, 'CZK');
  assert.equal(out[9].amount, '1.234');
  assert.equal(out[10].amount, '1250.60'); // '€' can't be forced: inferred instead
  assert.equal(out[11].amount, '123456');
});

test('price --jsonl accepts CRLF line ends and a last line without newline', async () => {
  const r = await run(['price', '--jsonl'], '{"text":"$5"}\r\n{"text":"£7"}');
  assert.equal(r.code, 0);
  const out = lines(r.stdout);
  assert.deepEqual(
    out.map((o) => o.amount),
    ['5', '7'],
  );
  assert.equal(out[1].currency, 'GBP');
});

test('price --jsonl with no input writes nothing and exits 0', async () => {
  const r = await run(['price', '--jsonl'], '');
  assert.equal(r.code, 0);
  assert.equal(r.stdout, '');
});

test('price handles a megabyte of arguments and a 1 MB line quickly', async () => {
  // Linux caps one argument at 128 KiB, so the megabyte comes as ten TEXT words (joined).
  const words = Array.from({ length: 10 }, () => '9'.repeat(100 * 1024));
  const started = Date.now();
  const arg = await run(['price', ...words]);
  assert.equal(arg.code, 0);
  assert.equal(lines(arg.stdout)[0].amount, null); // far more than 18 digits
  const single = await run(['price', `4,50 € ${'y'.repeat(128 * 1024 - 16)}`]);
  assert.equal(lines(single.stdout)[0].amount, '4.50');
  const text = `12,99 € ${'x'.repeat(1 << 20)}`;
  const line = await run(['price', '--jsonl'], `${JSON.stringify({ text, currency_hint: text })}\n{"text":"3 €"}\n`);
  assert.equal(line.code, 0);
  const out = lines(line.stdout);
  assert.equal(out.length, 2);
  assert.equal(out[0].amount, '12.99');
  assert.equal(out[1].amount, '3');
  assert.ok(Date.now() - started < 10000, 'took under 10 s');
});

test('price --jsonl survives invalid UTF-8 bytes', async () => {
  const input = Buffer.concat([
    Buffer.from('{"text":"12 \u20ac"}\n'),
    Buffer.from([0xff, 0xfe, 0x0a]),
    Buffer.from('{"text":"'),
    Buffer.from([0xc3, 0x28]),
    Buffer.from(' 5 $"}\n'),
  ]);
  const r = await run(['price', '--jsonl'], input);
  assert.equal(r.code, 0);
  const out = lines(r.stdout);
  assert.equal(out.length, 3);
  assert.equal(out[0].amount, '12');
  assert.equal(out[1].error.code, 'invalid_json');
  assert.equal(out[2].error.code, 'invalid_json'); // nlohmann rejects invalid UTF-8 in strings
});
