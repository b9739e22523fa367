// npm run eval: scores the extractor and the price parser on the development data in
// ../shared/data (never copied into this repository) and prints precision/recall/F1 per
// field beside the targets.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateProductPages } from './eval/product_pages.mjs';
import { evaluatePriceStrings } from './eval/price_strings.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = process.env.DEALSTACK_BIN ?? path.join(root, 'build', 'native', 'bin', 'dealstack');
const dataDir = process.env.DEALSTACK_DATA ?? path.resolve(root, '..', 'shared', 'data');
const verbose = process.argv.includes('--verbose');

const pages = await evaluateProductPages({ bin, dataDir, verbose });
console.log('');
const prices = await evaluatePriceStrings({ bin, dataDir });

const targets = [];
if (pages) {
  targets.push(['price F1', pages.price.f1, 0.95], ['availability F1', pages.availability.f1, 0.97],
    ['sku F1', pages.sku.f1, 0.9]);
}
if (prices) targets.push(['price-string amounts', prices.amount_correct / prices.cases, 0.99]);
if (targets.length) {
  console.log('\ntarget                    score   target');
  for (const [name, score, target] of targets) {
    console.log(`${name.padEnd(24)} ${score.toFixed(3).padStart(6)}   >= ${target}  ${score >= target ? 'met' : 'NOT met'}`);
  }
}
