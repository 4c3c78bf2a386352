// Drills: each configured fire drill's schedule, its pass/fail history with the broken link, and running one now.
import { get, may, post, seg } from './api.js';
import { announce, badge, clear, h, table } from './dom.js';
import { duration, time } from './format.js';
import { debounce, subscribe } from './sse.js';

export async function render(main) {
  const area = h('div', { 'aria-live': 'polite' });
  main.append(h('div', { class: 'page-head' }, h('h1', {}, 'Drills')), area);
  const open = new Set();

  async function load() {
    const { drills } = await get('/api/v1/drills');
    const histories = await Promise.all(drills.map((d) => (open.has(d.name) ? get(`/api/v1/drills/${seg(d.name)}`) : null)));
    clear(area, drills.length ? drills.map((d, i) => drill(d, histories[i])) : h('p', { class: 'empty' }, 'No drills are configured.'));
  }

  function drill(d, history) {
    const last = d.last_run;
    const toggle = h('button', { type: 'button', 'aria-expanded': String(!!history), on: { click: () => {
      if (open.has(d.name)) open.delete(d.name); else open.add(d.name);
      load();
    } } }, history ? 'Hide history' : 'Show history');
    const run = may('respond') ? h('button', { type: 'button', class: 'primary', on: { click: async (ev) => {
      const b = ev.currentTarget;
      b.disabled = true;
      try {
        const r = await post(`/api/v1/drills/${seg(d.name)}/run`);
        announce(`Drill ${d.name} started (run ${r.run})`);
        open.add(d.name);
        await load();
      } catch (err) { announce(`Could not run ${d.name}: ${err.message}`); } finally { b.disabled = false; }
    } } }, 'Run now') : null;
    return h('section', { class: 'card', 'aria-labelledby': `drill-${d.name}` },
      h('h2', { id: `drill-${d.name}` }, d.name),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Service'), h('dd', {}, d.service === d.report_service ? d.service : `${d.service} (failures reported to ${d.report_service})`),
        h('dt', {}, 'Schedule'), h('dd', {}, `${d.rrule || 'manual only'} (${d.time_zone})`),
        h('dt', {}, 'Next run'), h('dd', {}, time(d.next_run)),
        h('dt', {}, 'Must be acknowledged within'), h('dd', {}, duration(d.sla_seconds)),
        h('dt', {}, 'Record'), h('dd', {}, `${d.passed} passed, ${d.failed} failed`),
        h('dt', {}, 'Last run'), h('dd', {}, last ? result(last) : 'never')),
      h('div', { class: 'actions' }, run, toggle),
      history ? table([
        { label: 'Run', cell: (r) => `#${r.run}${r.manual ? ' (manual)' : ''}` },
        { label: 'Started', cell: (r) => time(r.started_at) },
        { label: 'Result', cell: (r) => result(r) },
        { label: 'Acknowledged after', cell: (r) => (r.ack_seconds !== null ? duration(r.ack_seconds) : '—') },
        { label: 'Incident', cell: (r) => (r.incident_id ? h('a', { href: `#/incidents/${r.incident_id}` }, `#${r.incident_id}`) : '—') },
      ], history.runs, { empty: 'No runs yet.', caption: `History of ${d.name}` }) : null);
  }

  await load();
  const later = debounce(() => load().catch(() => {}), 500);
  return subscribe((rec) => { if (String(rec.type).startsWith('drill.')) later(); });
}

function result(r) {
  return h('span', {}, badge(r.result, r.result),
    r.broken_link ? h('span', { class: 'broken' }, ` broken link: ${r.broken_link}`) : null,
    r.detail ? h('small', { class: 'detail' }, ` ${r.detail}`) : null);
}
