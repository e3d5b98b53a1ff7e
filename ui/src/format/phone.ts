// A Thai mobile number as the cashier or the kiosk customer types it. The screen formats it as
// it is typed (`081-234-5678`) and checks it before sending; the backend checks it again and is
// the authority (it answers `invalid_phone`).

/** The digits typed, at most 10 (a Thai mobile number has 10). */
export function phoneDigits(typed: string): string {
  return typed.replace(/\D/g, '').slice(0, 10);
}

/** `0812345678` → `081-234-5678`, formatting a partial number as far as it goes (`0812` →
 *  `081-2`). */
export function formatPhone(typed: string): string {
  const digits = phoneDigits(typed);
  if (digits.length <= 3) return digits;
  if (digits.length <= 6) return `${digits.slice(0, 3)}-${digits.slice(3)}`;
  return `${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6)}`;
}

/** 10 digits starting with 06, 08 or 09: the Thai mobile ranges. */
export function isMobileNumber(typed: string): boolean {
  return /^0[689]\d{8}$/.test(phoneDigits(typed)) && typed.replace(/[\s-]/g, '').length === 10;
}
