// The live stream: one EventSource on /api/v1/events for the whole page (the session cookie goes with it), its
// connection state for the indicator, and subscribers that each screen adds and removes.

// Every record type the journal publishes (src/domain/*/records.cpp TypeName). EventSource only dispatches named
// events to listeners of that name, so each is listened to; unnamed ones arrive as "message".
const TYPES = [
  'message', 'incident.opened', 'incident.acknowledged', 'incident.unacknowledged', 'incident.resolved',
  'incident.closed', 'incident.note', 'incident.severity_raised', 'incident.merged', 'incident.major',
  'incident.owner_assigned', 'incident.reclassified', 'incident.role_assigned', 'incident.channel_opened',
  'incident.log_entry', 'incident.status_updated', 'incident.cadence_notified', 'incident.commander_escalated',
  'alert.triggered', 'alert.retriggered', 'alert.acknowledged', 'alert.resolved', 'alert.linked', 'alert.flapping',
  'alerts.changed', 'event.dropped', 'notification.requested', 'notification.cancelled',
  'regulatory.fact', 'regulatory.submitted', 'regulatory.reminded', 'vendor.granted', 'vendor.revoked', 'vendor.used',
  'silence.saved', 'silence.dropped', 'window.saved', 'window.opened', 'window.closed', 'window.reminded',
  'escalation.started', 'escalation.stepped', 'escalation.stopped', 'delivery.queued', 'delivery.attempted',
  'delivery.cancelled', 'drill.started', 'drill.linked', 'drill.finished', 'pool.requested', 'pool.assigned',
  'pool.queued', 'pool.released', 'pool.yielded', 'pool.conflict', 'pool.breached', 'override.created',
  'override.removed', 'config.changed',
];

let source = null;
let state = 'offline';
let retry = null;
let backoff = 1000;
const listeners = new Set();
const stateListeners = new Set();

function setState(s) {
  if (s === state) return;
  state = s;
  for (const fn of stateListeners) fn(s);
}

function dispatch(ev) {
  let data;
  try {
    data = JSON.parse(ev.data);
  } catch {
    return;
  }
  for (const fn of listeners) fn(data);
}

export function connect() {
  if (source) return;
  clearTimeout(retry);
  setState('connecting');
  source = new EventSource('/api/v1/events', { withCredentials: true });
  source.onopen = () => {
    backoff = 1000;
    setState('live');
  };
  source.onerror = () => {
    if (source && source.readyState === EventSource.CLOSED) {
      // The browser gave up (a 401 or a non-stream answer): try again ourselves, more slowly each time.
      source = null;
      setState('offline');
      retry = setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 30000);
    } else {
      setState('reconnecting');
    }
  };
  for (const t of TYPES) source.addEventListener(t, dispatch);
}

export function disconnect() {
  clearTimeout(retry);
  if (source) source.close();
  source = null;
  setState('offline');
}

// fn(record) for each record ({seq, time, actor, type, incident_id, summary}); returns the unsubscribe function.
export function subscribe(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function onState(fn) {
  stateListeners.add(fn);
  fn(state);
  return () => stateListeners.delete(fn);
}

// Calls fn at most once per `ms` for a burst of calls (a storm of records refreshes a screen once).
export function debounce(fn, ms = 250) {
  let t = null;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}
