// Scores `dealstack extract` on the labelled development pages in ../shared/data/product-pages
// with the benchmark's rules (see that folder's README): one prediction per field per page;
// a prediction in the label list is a true positive; a wrong one is a false positive and,
// where a label exists, also a false negative; no prediction where a label exists is a
// false negative. Availability is scored on every page, "can't tell" counting as InStock.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

const FIELDS = ['price', 'availability', 'sku', 'brand', 'mpn', 'gtin'];

function sameDecimal(a, b) {
  const norm = (s) => {
    let [i, f = ""] = String(s).trim().split('.');
    i = i.replace(/^0+(?=\d)/, '');
    f = f.replace(/0+$/, '');
    return f ? `${i}.${f}` : i;
  };
  return norm(a) === norm(b);
}

function predicted(field, product) {
  if (!product) return field === 'availability' ? 'InStock' : null;
  switch (field) {
    case 'price': return product.price ? product.price.amount : null;
    case 'availability': {
      const a = product.availability;
      return a === 'OutOfStock' || a === 'SoldOut' || a === 'Discontinued' ? 'OutOfStock' : 'InStock';
    }
    default: return product[field] ?? null;
  }
}

export async function evaluateProductPages({ bin, dataDir, verbose = false }) {
  const dir = path.join(dataDir, 'product-pages');
  if (!existsSync(path.join(dir, 'labels.json'))) {
    console.log(`product pages: no data at ${dir} (skipped)`);
    return null;
  }
  const labels = JSON.parse(readFileSync(path.join(dir, 'labels.json'), 'utf8'));
  const counts = Object.fromEntries(FIELDS.map((f) => [f, { tp: 0, fp: 0, fn: 0 }]));
  const failures = [];
  for (const [id, label] of Object.entries(labels)) {
    const html = gunzipSync(readFileSync(path.join(dir, 'html', `${id}.html.gz`)));
    const run = spawnSync(bin, ['extract', '--url', label.url, '-'], { input: html, maxBuffer: 64 << 20 });
    let product = null;
    if (run.status === 0) product = JSON.parse(run.stdout.toString());
    else if (run.status !== 3) failures.push({ id, field: '(run)', got: run.stderr.toString().trim(), want: '' });
    for (const field of FIELDS) {
      const want = field === 'availability' ? (label.availability ?? ['InStock']) : label[field];
      const got = predicted(field, product);
      const c = counts[field];
      const match = got != null && want && want.some((w) => (field === 'price' ? sameDecimal(got, w) : got === w));
      if (got == null) {
        if (want) { c.fn++; failures.push({ id, field, got, want }); }
      } else if (match) {
        c.tp++;
      } else {
        c.fp++;
        if (want) c.fn++;
        failures.push({ id, field, got, want: want ?? '(none)' });
      }
    }
  }
  console.log(`product pages: ${Object.keys(labels).length} pages`);
  console.log('field          precision  recall     F1');
  const scores = {};
  for (const field of FIELDS) {
    const { tp, fp, fn } = counts[field];
    const p = tp + fp ? tp / (tp + fp) : 0;
    const r = tp + fn ? tp / (tp + fn) : 0;
    const f1 = p + r ? (2 * p * r) / (p + r) : 0;
    scores[field] = { precision: p, recall: r, f1 };
    console.log(`${field.padEnd(14)} ${p.toFixed(3).padStart(9)}  ${r.toFixed(3).padStart(6)}  ${f1.toFixed(3).padStart(6)}`);
  }
  if (verbose) {
    for (const f of failures) console.log(`  ${f.id.slice(0, 12)} ${f.field}: got ${JSON.stringify(f.got)} want ${JSON.stringify(f.want)}`);
  }
  return scores;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
  await evaluateProductPages({
    bin: process.env.DEALSTACK_BIN ?? path.join(root, 'build', 'native', 'bin', 'dealstack'),
    dataDir: process.env.DEALSTACK_DATA ?? path.resolve(root, '..', 'shared', 'data'),
    verbose: true,
  });
}
