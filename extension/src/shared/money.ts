// Money in the extension is a decimal string with an ISO 4217 code, never a float. These
// helpers compare and format such strings exactly: arithmetic goes through BigInt, and
// Intl.NumberFormat is given the decimal string itself (it formats strings exactly).

const DECIMAL = /^(-?)(\d{1,30})(?:\.(\d{1,30}))?$/;

/** The decimal string as an integer count of 10^-scale units, or null when it isn't a plain
 *  decimal ("12.5" at scale 4 -> 125000n). Digits beyond `scale` are cut (toward zero). */
export function toScaled(amount: string, scale: number): bigint | null {
  const m = DECIMAL.exec(amount.trim());
  if (!m) return null;
  const frac = (m[3] ?? '').padEnd(scale, '0').slice(0, scale);
  const v = BigInt(m[2]! + frac);
  return m[1] ? -v : v;
}

/** Compares two decimal strings by value: -1, 0 or 1; null when either isn't a decimal. */
export function compareDecimal(a: string, b: string): number | null {
  const x = toScaled(a, 30);
  const y = toScaled(b, 30);
  if (x === null || y === null) return null;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** `part` as a whole percentage of `whole`, rounded half up ("5", "40" -> 13); null when
 *  `whole` isn't positive or either isn't a decimal. */
export function percentOf(part: string, whole: string): number | null {
  const p = toScaled(part, 12);
  const w = toScaled(whole, 12);
  if (p === null || w === null || w <= 0n) return null;
  return Number((p * 200n + w) / (2n * w));
}

/** "€1,299.99" for ("1299.99", "EUR"), formatted for `locale`, exactly from the string. A
 *  missing or unknown currency gives the plain number, a non-decimal the text as is. */
export function formatMoney(amount: string, currency: string | null, locale?: string): string {
  if (toScaled(amount, 0) === null) return amount;
  try {
    const style: Intl.NumberFormatOptions = currency
      ? { style: 'currency', currency }
      : { maximumFractionDigits: 20 };
    // Intl formats a decimal string exactly (no float rounding) in ES2023 engines.
    return new Intl.NumberFormat(locale, style).format(amount as Intl.StringNumericLiteral);
  } catch {
    return currency ? `${amount} ${currency}` : amount;
  }
}

/** A short form for the toolbar badge (4 characters at most fit): "$5", "€12", "1.2k". */
export function compactMoney(amount: string, currency: string | null, locale?: string): string {
  try {
    const s = new Intl.NumberFormat(locale, {
      ...(currency ? { style: 'currency', currency, currencyDisplay: 'narrowSymbol' } : {}),
      notation: 'compact',
      maximumFractionDigits: 0,
    }).format(amount as Intl.StringNumericLiteral);
    return s;
  } catch {
    return amount;
  }
}
