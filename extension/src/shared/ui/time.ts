// Times for people: "5 minutes ago", and an exact date-time for a tooltip.

import { uiLocale } from './money';

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600e3],
  ['month', 30 * 24 * 3600e3],
  ['week', 7 * 24 * 3600e3],
  ['day', 24 * 3600e3],
  ['hour', 3600e3],
  ['minute', 60e3],
];

/** `at` and `now` in unix ms -> "5 minutes ago", "in 2 hours", "now" (under a minute). */
export function relativeTime(at: number, now = Date.now(), locale = uiLocale()): string {
  const diff = at - now;
  const f = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  for (const [unit, ms] of UNITS) {
    if (Math.abs(diff) >= ms) return f.format(Math.round(diff / ms), unit);
  }
  return f.format(0, 'second');
}

/** unix ms -> "21 Nov 2025, 14:05" in the UI locale. */
export function dateTime(at: number, locale = uiLocale()): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(at);
}

/** unix ms of a UTC midnight -> "21 Nov" (the day it names, in UTC). */
export function shortDay(day: number, locale = uiLocale()): string {
  return new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(day);
}
