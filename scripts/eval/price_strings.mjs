// Scores `dealstack price --jsonl` on the labelled price strings in
// ../shared/data/price-strings/cases.jsonl (see that folder's README). One run of the
// binary over all cases; per case three fields are scored:
//   amount         compared as decimals ("49" = "49.00"); null must match null
//   currency text  the currency as written ("€", "US$"), exact; null must match null
//   amount text    the substring the amount was read from, exact after writing every
//                  Unicode space as a plain space (a no-break space looks the same)
// Run directly (`node scripts/eval/price_strings.mjs`) it prints the score and every
// failing case. DEALSTACK_BIN overrides the binary (default build/native/bin/dealstack).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// Canonical form of a decimal string: no leading integer zeros, no trailing fraction
// zeros ("049.50" -> "49.5"); null stays null; anything unparsable is kept as is.
function canonicalDecimal(s) {
  if (s == null) return null;
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(String(s).trim());
  if (!m) return String(s);
  const int = m[2].replace(/^0+(?=\d)/, '') || '0';
  const frac = (m[3] ?? '').replace(/0+$/, '');
  return `${m[1]}${int}${frac ? `.${frac}` : ''}`;
}

function sameAmountText(got, want) {
  const norm = (s) => (s == null ? null : String(s).replace(/[\s\u00a0\u2000-\u200b\u202f\u205f\u3000]/gu, ' '));
  return norm(got) === norm(want);
}

// Runs `bin price --jsonl` once with `input` on stdin; resolves with its stdout lines.
function runJsonl(bin, input) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['price', '--jsonl'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`${bin} price --jsonl exited ${code}: ${Buffer.concat(err).toString()}`));
        return;
      }
      const text = Buffer.concat(out).toString('utf8');
      resolve(text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n'));
    });
    child.stdin.end(input);
  });
}

export async function evaluatePriceStrings({
  bin = process.env.DEALSTACK_BIN || path.join(repoRoot, 'build', 'native', 'bin', 'dealstack'),
  dataDir = path.resolve(repoRoot, '..', 'shared', 'data'),
  verbose = false,
} = {}) {
  const file = path.join(dataDir, 'price-strings', 'cases.jsonl');
  if (!existsSync(file)) {
    console.log(`price strings: no data at ${file} (skipped)`);
    return null;
  }
  const cases = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
  const input = cases
    .map((c) =>
      JSON.stringify({
        text: c.input ?? null,
        currency_hint: c.currency_hint ?? null,
        decimal_separator: c.decimal_separator ?? null,
        locale: c.locale ?? null,
      }),
    )
    .join('\n');
  const lines = await runJsonl(bin, `${input}\n`);
  if (lines.length !== cases.length) throw new Error(`expected ${cases.length} result lines, got ${lines.length}`);

  let amountCorrect = 0;
  let currencyCorrect = 0;
  let amountTextCorrect = 0;
  const failures = [];
  cases.forEach((c, i) => {
    let got;
    try {
      got = JSON.parse(lines[i]);
    } catch {
      got = { error: { code: 'unreadable_output', message: lines[i] } };
    }
    const amountOk = !got.error && canonicalDecimal(got.amount) === canonicalDecimal(c.expected_amount);
    const currencyOk = !got.error && (got.currency_text ?? null) === (c.expected_currency ?? null);
    const amountTextOk = !got.error && sameAmountText(got.amount_text ?? null, c.expected_amount_text ?? null);
    amountCorrect += amountOk;
    currencyCorrect += currencyOk;
    amountTextCorrect += amountTextOk;
    if (!amountOk || !currencyOk || !amountTextOk) {
      failures.push({
        line: i + 1,
        input: c.input,
        currency_hint: c.currency_hint,
        decimal_separator: c.decimal_separator,
        wrong: [!amountOk && 'amount', !currencyOk && 'currency', !amountTextOk && 'amount_text'].filter(Boolean),
        want: { amount: c.expected_amount, currency_text: c.expected_currency, amount_text: c.expected_amount_text },
        got,
      });
    }
  });

  const n = cases.length;
  const pct = (k) => `${((100 * k) / n).toFixed(1)}%`;
  console.log('price strings');
  console.table({
    amount: { correct: amountCorrect, of: n, rate: pct(amountCorrect) },
    currency_text: { correct: currencyCorrect, of: n, rate: pct(currencyCorrect) },
    amount_text: { correct: amountTextCorrect, of: n, rate: pct(amountTextCorrect) },
  });
  if (verbose) {
    for (const f of failures) {
      console.log(
        `line ${f.line}: ${JSON.stringify(f.input)} hint=${JSON.stringify(f.currency_hint)}` +
          (f.decimal_separator ? ` sep=${JSON.stringify(f.decimal_separator)}` : '') +
          ` wrong: ${f.wrong.join(', ')}\n  want ${JSON.stringify(f.want)}\n  got  ${JSON.stringify(f.got)}`,
      );
    }
  }
  return {
    cases: n,
    amount_correct: amountCorrect,
    currency_correct: currencyCorrect,
    amount_text_correct: amountTextCorrect,
    failures,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  try {
    const result = await evaluatePriceStrings({ verbose: true });
    if (result) console.log(`${result.failures.length} of ${result.cases} cases have at least one wrong field`);
  } catch (e) {
    console.error(`price strings: ${e.message}`);
    process.exitCode = 1;
  }
}
