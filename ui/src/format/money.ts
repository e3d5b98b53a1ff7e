// Money on screen. The backend sends satang (integers) and, where a screen shows a single
// amount, a display string beside it; report tables and shift counts come as satang only, so
// this module turns integer satang into `1,234.50` with integer arithmetic, never floats.
// It also reads an amount the owner types (the low-balance alert) into satang the same way.
import type { Satang } from '../platform';

/** `1,234.50` (with a leading `-` for a negative amount). */
export function formatSatang(satang: Satang): string {
  const negative = satang < 0;
  const whole = Math.abs(Math.trunc(satang));
  const fraction = whole % 100;
  const baht = (whole - fraction) / 100; // exact: both are integers below 2^53
  const grouped = baht.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}.${fraction.toString().padStart(2, '0')}`;
}

/** `฿1,234.50`. */
export function formatBaht(satang: Satang): string {
  const text = formatSatang(satang);
  return text.startsWith('-') ? `-฿${text.slice(1)}` : `฿${text}`;
}

/** `+฿12.00` / `-฿12.00` / `฿0.00`: a variance, with its sign always shown. */
export function formatSignedBaht(satang: Satang): string {
  return satang > 0 ? `+${formatBaht(satang)}` : formatBaht(satang);
}

/** Satang from baht as typed (`1,000`, `50.5`, `50.25`); `null` when it is not an amount of at
 *  most two decimals. Parsed from the digits, so `0.1 + 0.2` style errors cannot happen. */
export function parseBahtToSatang(typed: string): Satang | null {
  const text = typed.trim().replaceAll(',', '');
  const match = /^(\d{1,12})(?:\.(\d{0,2}))?$/.exec(text);
  if (!match) return null;
  const baht = Number.parseInt(match[1], 10);
  const fraction = Number.parseInt((match[2] ?? '').padEnd(2, '0'), 10);
  return baht * 100 + fraction;
}

/** Baht for an input field from satang (`50000` → `500`, `12345` → `123.45`): no grouping. */
export function satangToTyped(satang: Satang): string {
  return formatSatang(satang).replaceAll(',', '').replace(/\.00$/, '');
}
