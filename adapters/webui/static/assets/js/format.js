// Formatting of sizes, dates, durations and intervals for people, in the
// browser's language.

const UNITS = ['bytes', 'kB', 'MB', 'GB', 'TB'];

/** bytes formats a byte count: 0 bytes, 12.3 kB, 4.5 MB. */
export function bytes(n) {
  n = Number(n) || 0;
  if (n < 1000) return `${n} ${n === 1 ? 'byte' : 'bytes'}`;
  let i = 0;
  while (n >= 1000 && i < UNITS.length - 1) {
    n /= 1000;
    i += 1;
  }
  return `${n.toLocaleString(undefined, {maximumFractionDigits: n < 10 ? 1 : 0})} ${UNITS[i]}`;
}

const dateFmt = new Intl.DateTimeFormat(undefined, {dateStyle: 'medium'});
const dateTimeFmt = new Intl.DateTimeFormat(undefined, {dateStyle: 'medium', timeStyle: 'short'});
const rtf = new Intl.RelativeTimeFormat(undefined, {numeric: 'auto'});

/** date formats an ISO time as a date, or '' for none. */
export function date(iso) {
  return iso ? dateFmt.format(new Date(iso)) : '';
}

/** dateTime formats an ISO time as date and time, or '' for none. */
export function dateTime(iso) {
  return iso ? dateTimeFmt.format(new Date(iso)) : '';
}

const STEPS = [[60, 'second'], [60, 'minute'], [24, 'hour'], [7, 'day'], [4.35, 'week'], [12, 'month'], [Infinity, 'year']];

/** ago formats an ISO time relative to now: "5 minutes ago". */
export function ago(iso, now = Date.now()) {
  if (!iso) return '';
  let v = (new Date(iso).getTime() - now) / 1000;
  for (const [size, unit] of STEPS) {
    if (Math.abs(v) < size) return rtf.format(Math.round(v), unit);
    v /= size;
  }
  return dateTime(iso);
}

/** duration formats the time between two ISO times: 3 s, 2 min 5 s. */
export function duration(fromIso, toIso) {
  if (!fromIso || !toIso) return '';
  const s = Math.max(0, Math.round((new Date(toIso) - new Date(fromIso)) / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** INTERVALS are the sync intervals offered, in seconds. */
export const INTERVALS = [
  [0, 'Never'],
  [3600, '1 hour'],
  [4 * 3600, '4 hours'],
  [12 * 3600, '12 hours'],
  [86400, 'Daily'],
  [2 * 86400, 'Every 2 days'],
  [7 * 86400, 'Weekly'],
];

/** interval names a sync interval in seconds, offered or not. */
export function interval(seconds) {
  const known = INTERVALS.find(([s]) => s === seconds);
  if (known) return known[1];
  if (seconds % 86400 === 0) return `Every ${seconds / 86400} days`;
  if (seconds % 3600 === 0) return `Every ${seconds / 3600} hours`;
  return `Every ${Math.round(seconds / 60)} minutes`;
}

/** SIZES are the upload sizes of the API with their names. */
export const SIZES = [
  ['original', 'Original'],
  ['fit_4096', 'Fit 4096 px'],
  ['fit_2560', 'Fit 2560 px'],
  ['fit_1920', 'Fit 1920 px'],
  ['fit_1280', 'Fit 1280 px'],
  ['fit_720', 'Fit 720 px'],
];

/** sizeName names an upload size. */
export function sizeName(size) {
  return (SIZES.find(([v]) => v === size) || [size, size])[1];
}

/** plural returns "1 photo" or "3 photos". */
export function plural(n, one, many = `${one}s`) {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

/** STATUS names an account's connection status. */
export const STATUS = {ok: 'Connected', error: 'Error', unauthorized: 'Password rejected', needs_review: 'Waiting for your confirmation'};
