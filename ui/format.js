// Time and number formatting shared by the screens. Times are shown in the viewer's time zone unless one is given.

const SEVERITY_RANK = { critical: 0, error: 1, warning: 2, info: 3 };
export const severityRank = (s) => (s in SEVERITY_RANK ? SEVERITY_RANK[s] : 9);

export function time(iso, timeZone) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return new Intl.DateTimeFormat('en-GB', {
    weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit',
    timeZone, timeZoneName: 'short',
  }).format(d);
}

export function clock(iso, timeZone) {
  return new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone }).format(new Date(iso));
}

// 42 -> "42s", 3700 -> "1h 1m", 200000 -> "2d 7h".
export function duration(seconds) {
  let s = Math.max(0, Math.round(seconds));
  const d = Math.floor(s / 86400); s -= d * 86400;
  const hr = Math.floor(s / 3600); s -= hr * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  if (d) return `${d}d ${hr}h`;
  if (hr) return `${hr}h ${m}m`;
  if (m) return s ? `${m}m ${s}s` : `${m}m`;
  return `${s}s`;
}

export function age(iso, now = Date.now()) {
  if (!iso) return '—';
  return duration((now - new Date(iso).getTime()) / 1000);
}

// Seconds until iso (negative when past).
export function secondsUntil(iso, now = Date.now()) {
  return (new Date(iso).getTime() - now) / 1000;
}

export function countdown(iso, now = Date.now()) {
  const left = secondsUntil(iso, now);
  return left >= 0 ? `in ${duration(left)}` : `${duration(-left)} overdue`;
}

export function actor(a) {
  return a ? String(a).replace(/^user:/, '') : '—';
}

// The value of a <input type=datetime-local> (viewer's local time) as RFC 3339 UTC.
export function localInputToIso(value) {
  return value ? new Date(value).toISOString().replace(/\.\d{3}Z$/, 'Z') : '';
}

// A Date as the value of a <input type=datetime-local> in the viewer's time zone.
export function isoToLocalInput(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

// Calendar date (YYYY-MM-DD) of an instant in a time zone.
export function dayIn(date, timeZone) {
  return new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone }).format(date);
}
