// Alerts: the active alerts from Events v2 and the Alertmanager API, with their state, what suppresses them and the
// incident they belong to (and why).
import { get, query } from './api.js';
import { badge, clear, field, h, table } from './dom.js';
import { age, time } from './format.js';
import { debounce, subscribe } from './sse.js';

const filters = { state: '', service: '' };

export async function render(main) {
  const stateSel = h('select', { name: 'state' }, [['', 'Firing and suppressed'], ['firing', 'Firing'], ['suppressed', 'Suppressed'], ['resolved', 'Resolved']]
    .map(([v, l]) => h('option', { value: v, selected: v === filters.state }, l)));
  const service = h('input', { name: 'service', value: filters.service, autocomplete: 'off' });
  const body = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter alerts' },
    field('State', stateSel), field('Service', service), h('button', { type: 'submit' }, 'Apply'));
  main.append(h('div', { class: 'page-head' }, h('h1', {}, 'Alerts')), form, body);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    filters.state = stateSel.value;
    filters.service = service.value.trim();
    load().catch(showError);
  });
  function showError(err) { clear(body, h('p', { class: 'form-error', role: 'alert' }, err.message)); }

  async function load() {
    const data = await get(`/api/v1/alerts${query({ state: filters.state, service: filters.service, limit: 500 })}`);
    clear(body, table([
      { label: 'Alert', cell: (a) => h('span', {}, a.summary, h('br'), h('small', {}, a.source ? `${a.source} ` : '', h('code', {}, a.fingerprint || a.dedup_key || ''))) },
      { label: 'Service', cell: (a) => a.service },
      { label: 'Severity', cell: (a) => badge(a.severity, a.severity) },
      { label: 'State', cell: (a) => badge(a.state, a.state) },
      { label: 'Suppressed by', cell: (a) => suppressor(a.suppressed_by) },
      { label: 'Incident', cell: (a) => (a.incident_id ? h('span', {}, h('a', { href: `#/incidents/${a.incident_id}` }, `#${a.incident_id}`), a.role ? ` (${a.role})` : '') : '—') },
      { label: 'Why', cell: (a) => h('span', { class: 'explanation' }, a.explanation || '') },
      { label: 'Since', cell: (a) => h('time', { datetime: a.starts_at, title: time(a.starts_at) }, age(a.starts_at)) },
    ], data.alerts, { empty: 'No alerts match.' }));
  }

  await load().catch(showError);
  const later = debounce(() => load().catch(showError), 500);
  return subscribe((rec) => { if (/^(alert|alerts|silence|window|incident)\./.test(rec.type)) later(); });
}

function suppressor(s) {
  if (!s) return '—';
  const what = s.kind === 'maintenance' ? 'maintenance window' : s.kind;
  return h('a', { href: '#/maintenance' }, `${what} ${s.name || s.id}`);
}
