// How numbers, sizes, rates and durations are written on the page.

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 });
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1234567 → "1,234,567"; anything not a number → "–". */
export function count(n) {
  return typeof n === 'number' && Number.isFinite(n) ? integer.format(n) : '–';
}

/** A rate per second: one decimal below 100, whole numbers above. */
export function rate(n) {
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    return '–';
  }
  return n < 100 ? decimal.format(n) : integer.format(n);
}

/** 1536 → "1.5 KiB" (binary units, as the rest of Ratatoskr writes sizes). */
export function bytes(n) {
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) {
    return '–';
  }
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${integer.format(value)} B` : `${decimal.format(value)} ${UNITS[unit]}`;
}

/** 3725 → "1h 02m 05s". */
export function duration(seconds) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
    return '–';
  }
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (v) => String(v).padStart(2, '0');
  if (d > 0) {
    return `${d}d ${pad(h)}h ${pad(m)}m`;
  }
  if (h > 0) {
    return `${h}h ${pad(m)}m ${pad(s % 60)}s`;
  }
  return m > 0 ? `${m}m ${pad(s % 60)}s` : `${s}s`;
}

/** An ISO-8601 instant as local time, e.g. "14:03:07" today or "2026-11-23 14:03" before. */
export function since(iso) {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) {
    return '–';
  }
  const now = new Date();
  const pad = (v) => String(v).padStart(2, '0');
  const time = `${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}`;
  if (t.toDateString() === now.toDateString()) {
    return time;
  }
  return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())} ${time.slice(0, 5)}`;
}
