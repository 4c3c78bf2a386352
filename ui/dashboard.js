// Incidents dashboard: open incidents by severity and age, filtered by service, team and state, kept live by the
// event stream (a new incident appears without a reload).
import { get, query } from './api.js';
import { announce, badge, clear, field, h, table } from './dom.js';
import { actor, age, severityRank, time } from './format.js';
import { debounce, subscribe } from './sse.js';

const STATES = [
  ['open', 'Open (triggered or acknowledged)', 'triggered,acknowledged'],
  ['triggered', 'Triggered', 'triggered'],
  ['acknowledged', 'Acknowledged', 'acknowledged'],
  ['resolved', 'Resolved', 'resolved'],
  ['all', 'All', ''],
];

// Kept across visits so going back to the dashboard keeps the filters.
const filters = { state: 'open', service: '', team: '' };
const ownerTeams = new Map(); // incident id -> owner team (from its classification), fetched only to filter by team

export async function render(main, _params, { query: q }) {
  for (const k of Object.keys(filters)) if (q.has(k)) filters[k] = q.get(k);
  const stateSel = h('select', { name: 'state' }, STATES.map(([v, label]) => h('option', { value: v, selected: v === filters.state }, label)));
  const service = h('input', { name: 'service', value: filters.service, list: 'service-names', autocomplete: 'off' });
  const team = h('input', { name: 'team', value: filters.team, autocomplete: 'off' });
  const datalist = h('datalist', { id: 'service-names' });
  const summary = h('div', { class: 'sev-summary', 'aria-label': 'Open incidents by severity' });
  const body = h('div', { class: 'incident-list', 'aria-live': 'polite', 'aria-busy': 'true' });
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter incidents' },
    field('State', stateSel), field('Service', service), field('Team (owner)', team), datalist,
    h('button', { type: 'submit' }, 'Apply'));
  main.append(h('div', { class: 'page-head' }, h('h1', {}, 'Incidents')), form, summary, body);

  let seen = null; // ids shown so far: a new one is announced and highlighted
  let fresh = new Set();
  let incidents = [];

  async function load() {
    const state = (STATES.find(([v]) => v === filters.state) || STATES[0])[2];
    const data = await get(`/api/v1/incidents${query({ state, service: filters.service, limit: 500 })}`);
    let rows = data.incidents;
    if (filters.team) rows = await byTeam(rows, filters.team);
    rows.sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || a.opened_at.localeCompare(b.opened_at));
    if (seen) {
      for (const r of rows) {
        if (!seen.has(r.id)) {
          fresh.add(r.id);
          announce(`New incident #${r.id}: ${r.title} (${r.severity})`);
        }
      }
    }
    seen = new Set([...(seen || []), ...rows.map((r) => r.id)]);
    incidents = rows;
    draw();
  }

  function draw() {
    const counts = {};
    for (const r of incidents) counts[r.severity] = (counts[r.severity] || 0) + 1;
    clear(summary, ['critical', 'error', 'warning', 'info'].map((s) =>
      h('span', { class: `sev-count sev-${s}` }, h('strong', {}, String(counts[s] || 0)), ` ${s}`)));
    const services = [...new Set(incidents.map((r) => r.service))].sort();
    clear(datalist, services.map((s) => h('option', { value: s })));
    // A live redraw must not take the keyboard focus away from the link it was on.
    const focused = body.contains(document.activeElement) ? document.activeElement.getAttribute('href') : null;
    clear(body, table([
      { label: 'Incident', cell: (r) => h('a', { href: `#/incidents/${r.id}`, class: 'incident-link' }, `#${r.id} ${r.title}`) },
      { label: 'Severity', cell: (r) => badge(r.severity, r.severity) },
      { label: 'State', cell: (r) => badge(r.state, r.state) },
      { label: 'Service', cell: (r) => r.service },
      { label: 'Age', cell: (r) => h('time', { datetime: r.opened_at, title: time(r.opened_at), class: 'age' }, age(r.opened_at)) },
      { label: 'Alerts', cell: (r) => `${r.open_alert_count}/${r.alert_count}` },
      { label: 'Last action', cell: (r) => actor(r.last_actor) },
    ], incidents, {
      caption: 'Incidents, most severe first, then oldest first',
      empty: filters.state === 'open' ? 'No open incidents. All quiet.' : 'No incidents match these filters.',
      rowClass: (r) => (fresh.has(r.id) ? 'fresh' : null),
    }));
    body.setAttribute('aria-busy', 'false');
    if (focused) {
      const again = body.querySelector(`a[href="${CSS.escape(focused)}"]`);
      if (again) again.focus();
    }
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    filters.state = stateSel.value;
    filters.service = service.value.trim();
    filters.team = team.value.trim();
    fresh = new Set();
    load().catch(showError);
  });

  function showError(err) {
    clear(body, h('p', { class: 'form-error', role: 'alert' }, err.message));
  }

  await load().catch(showError);
  const refresh = debounce(() => load().catch(showError), 300);
  const unsubscribe = subscribe((rec) => {
    if (rec.incident_id || String(rec.type).startsWith('incident.')) refresh();
  });
  const ticker = setInterval(() => {
    for (const t of body.querySelectorAll('time.age')) t.textContent = age(t.getAttribute('datetime'));
  }, 15000);
  return () => {
    unsubscribe();
    clearInterval(ticker);
  };
}

// The incidents whose owner team (classification) is `team`; classifications are fetched once per incident.
async function byTeam(rows, team) {
  await Promise.all(rows.filter((r) => !ownerTeams.has(r.id)).slice(0, 200).map(async (r) => {
    try {
      const c = await get(`/api/v1/incidents/${r.id}/classification`);
      ownerTeams.set(r.id, (c.owner && c.owner.team) || '');
    } catch {
      ownerTeams.set(r.id, '');
    }
  }));
  return rows.filter((r) => ownerTeams.get(r.id) === team);
}
