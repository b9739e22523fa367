// Money helpers the pages add to ../money.ts (exact compare, percentage and formatting live
// there): reading amounts and percentages as the shopper types them, basis points, a
// currency's decimals, and numbers for the chart. No float ever touches an amount that is
// shown or sent: only the chart's plotting uses numbers.

import { compareDecimal, formatMoney as formatExact } from '../money';
import { uiLanguage } from '../browser';

export { compareDecimal, percentOf } from '../money';

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** The locale the pages format for: the browser UI's language. */
export function uiLocale(): string {
  return uiLanguage();
}

/** "1299.99" + "EUR" -> "€1,299.99" in the UI locale, exactly (../money.ts formatMoney). */
export function formatMoney(amount: string, currency: string | null, locale = uiLocale()): string {
  return formatExact(amount, currency, locale);
}

/** How many decimals the currency's amounts have (EUR 2, JPY 0); 2 when unknown. */
export function currencyDigits(currency: string | null): number {
  if (!currency) return 2;
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** A percentage as typed ("10", "12.5", at most 2 decimals, 0..100) -> basis points (1250);
 *  null when it isn't one. */
export function percentToBasisPoints(text: string): number | null {
  const m = /^\s*(\d{1,3})(?:[.,](\d{1,2}))?\s*$/.exec(text);
  if (!m) return null;
  const bp = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return bp > 10000 ? null : bp;
}

/** 1250 -> "12.5". */
export function basisPointsToPercent(bp: number): string {
  const whole = Math.trunc(bp / 100);
  const frac = String(bp % 100).padStart(2, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : String(whole);
}

/** A money amount as typed: digits with '.' or ',' as the decimal separator and at most
 *  `digits` decimals -> the canonical decimal string ("39,9" -> "39.9"); null otherwise.
 *  No grouping separators: "1,299" is ambiguous, so it is refused rather than guessed. */
export function parseMoneyInput(text: string, digits: number): string | null {
  const m = /^\s*(\d{1,12})(?:[.,](\d+))?\s*$/.exec(text);
  if (!m) return null;
  const frac = m[2] ?? '';
  if (frac.length > digits) return null;
  return frac ? `${m[1]}.${frac}` : m[1];
}

/** A percentage as typed for the wallet ("1.5", at most 4 decimals, 0..max) -> the canonical
 *  string; null otherwise. */
export function parsePercentInput(text: string, max: number): string | null {
  const m = /^\s*(\d{1,4})(?:[.,](\d{1,4}))?\s*$/.exec(text);
  if (!m) return null;
  const value = m[2] ? `${m[1]}.${m[2]}` : m[1];
  const cmp = compareDecimal(value, String(max));
  return cmp === null || cmp > 0 ? null : value;
}

/** For plotting only (a chart needs numbers); never for arithmetic on money. */
export function toChartNumber(amount: string | null): number | null {
  if (amount === null || !DECIMAL.test(amount)) return null;
  return Number(amount);
}
