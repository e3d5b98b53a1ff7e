// Dates as Thai shops read them: the Buddhist era in Thai (`27 พ.ย. 2569`), the common era in
// English (`27 Nov 2026`). Written out here rather than left to Intl, whose Buddhist calendar
// support differs between the WebKitGTK the app runs in and the browsers the tests run in.
//
// Days are `YYYY-MM-DD` strings in Bangkok time (UTC+7 all year: Thailand has no daylight
// saving), the form the backend takes and returns.
import type { Language } from '../i18n';

const BANGKOK_OFFSET_MS = 7 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
/** The Buddhist era is the common era plus 543. */
const BUDDHIST_ERA_OFFSET = 543;

const MONTHS: Record<Language, readonly string[]> = {
  th: ['ม.ค.', 'ก.พ.', 'มี.ค.', 'เม.ย.', 'พ.ค.', 'มิ.ย.', 'ก.ค.', 'ส.ค.', 'ก.ย.', 'ต.ค.', 'พ.ย.', 'ธ.ค.'],
  en: ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'],
};

interface DayParts {
  year: number;
  month: number; // 1-12
  day: number;
}

/** The parts of `YYYY-MM-DD`, or `null` when it is not a real day. */
export function parseDay(day: string): DayParts | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return null;
  const [year, month, date] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const check = new Date(Date.UTC(year, month - 1, date));
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== date) {
    return null;
  }
  return { year, month, day: date };
}

function yearFor(language: Language, year: number): number {
  return language === 'th' ? year + BUDDHIST_ERA_OFFSET : year;
}

/** `27 พ.ย. 2569` / `27 Nov 2026`; the input unchanged if it is not a day. */
export function formatDay(day: string, language: Language): string {
  const parts = parseDay(day);
  if (!parts) return day;
  return `${parts.day} ${MONTHS[language][parts.month - 1]} ${yearFor(language, parts.year)}`;
}

/** `27 พ.ย.` / `27 Nov`: a chart label. */
export function formatDayShort(day: string, language: Language): string {
  const parts = parseDay(day);
  if (!parts) return day;
  return `${parts.day} ${MONTHS[language][parts.month - 1]}`;
}

/** `1 พ.ย. 2569 – 27 พ.ย. 2569`: both ends in full, or one day when they are the same. */
export function formatDayRange(from: string, to: string, language: Language): string {
  return from === to ? formatDay(from, language) : `${formatDay(from, language)} – ${formatDay(to, language)}`;
}

/** The Bangkok day of a Unix-ms instant. */
export function bangkokDay(unixMs: number): string {
  return new Date(unixMs + BANGKOK_OFFSET_MS).toISOString().slice(0, 10);
}

/** `27 พ.ย. 2569 14:05` / `27 Nov 2026 14:05`, Bangkok time. */
export function formatDateTime(unixMs: number, language: Language): string {
  const shifted = new Date(unixMs + BANGKOK_OFFSET_MS);
  const time = `${pad(shifted.getUTCHours())}:${pad(shifted.getUTCMinutes())}`;
  return `${formatDay(shifted.toISOString().slice(0, 10), language)} ${time}`;
}

/** `14:05`, Bangkok time. */
export function formatTime(unixMs: number): string {
  const shifted = new Date(unixMs + BANGKOK_OFFSET_MS);
  return `${pad(shifted.getUTCHours())}:${pad(shifted.getUTCMinutes())}`;
}

/** The day `count` days after (or before, when negative) `day`. */
export function addDays(day: string, count: number): string {
  const parts = parseDay(day);
  if (!parts) return day;
  const ms = Date.UTC(parts.year, parts.month - 1, parts.day) + count * DAY_MS;
  return new Date(ms).toISOString().slice(0, 10);
}

/** The first day of `day`'s month. */
export function monthStart(day: string): string {
  return `${day.slice(0, 7)}-01`;
}

function pad(value: number): string {
  return value.toString().padStart(2, '0');
}
