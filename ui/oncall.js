// On-call: who is on call now in each schedule; a week or month calendar of one schedule's shifts with its
// overrides and coverage gaps (shown in the viewer's time zone); creating and removing overrides.
import { del, get, may, post, query, seg } from './api.js';
import { announce, badge, bindForm, clear, field, h, table } from './dom.js';
import { clock, isoToLocalInput, localInputToIso, time } from './format.js';
import { debounce, subscribe } from './sse.js';

const DAY = 86400000;
const view = { mode: 'week', anchor: new Date() };

export async function render(main, params) {
  const list = await get('/api/v1/schedules');
  const schedules = list.schedules;
  main.append(h('div', { class: 'page-head' }, h('h1', {}, 'On-call')));
  if (!schedules.length) {
    main.append(h('p', { class: 'empty' }, 'No schedules are configured.'));
    return null;
  }
  const name = params.schedule || schedules[0].name;
  main.append(h('section', { class: 'card', 'aria-labelledby': 'now-title' },
    h('h2', { id: 'now-title' }, 'On call now'),
    table([
      { label: 'Schedule', cell: (s) => h('a', { href: `#/oncall/${s.name}`, 'aria-current': s.name === name ? 'true' : null }, s.name) },
      { label: 'On call now', cell: (s) => (s.on_call_now.length ? h('strong', {}, s.on_call_now.join(', ')) : h('span', { class: 'gap-text' }, 'nobody: a gap')) },
      { label: 'Next hand-off', cell: (s) => time(s.next_handoff) },
      { label: 'Gaps in the next 14 days', cell: (s) => (s.gaps_next_14_days ? h('span', { class: 'gap-text' }, String(s.gaps_next_14_days)) : '0') },
      { label: 'Time zone', cell: (s) => s.time_zone },
    ], schedules)));

  const calTitle = h('h2', { id: 'cal-title' });
  const cal = h('div', { class: 'calendar-wrap' });
  const overrides = h('div');
  const modeSel = h('select', { name: 'mode' }, [['week', 'Week'], ['month', 'Month']].map(([v, l]) => h('option', { value: v, selected: v === view.mode }, l)));
  const nav = h('div', { class: 'cal-nav', role: 'group', 'aria-label': 'Calendar period' },
    h('button', { type: 'button', on: { click: () => move(-1) } }, '‹ Previous'),
    h('button', { type: 'button', on: { click: () => { view.anchor = new Date(); load(); } } }, 'Today'),
    h('button', { type: 'button', on: { click: () => move(1) } }, 'Next ›'),
    field('View', modeSel));
  modeSel.addEventListener('change', () => { view.mode = modeSel.value; load(); });
  main.append(h('section', { class: 'card', 'aria-labelledby': 'cal-title' }, calTitle, nav,
    h('p', { class: 'hint' }, `Times in your time zone (${Intl.DateTimeFormat().resolvedOptions().timeZone}). `,
      h('span', { class: 'legend gap' }, 'gap'), ' no one on call; ', h('span', { class: 'legend override' }, 'override'), ' changed by an override.'),
    cal));
  main.append(h('section', { class: 'card', 'aria-labelledby': 'ovr-title' }, h('h2', { id: 'ovr-title' }, 'Overrides'), overrides,
    may('respond') ? overrideForm(name, () => load()) : null));

  function move(dir) {
    const a = new Date(view.anchor);
    if (view.mode === 'week') a.setDate(a.getDate() + 7 * dir);
    else a.setMonth(a.getMonth() + dir, 1);
    view.anchor = a;
    load();
  }

  async function load() {
    const [from, to] = period();
    const s = await get(`/api/v1/schedules/${seg(name)}${query({ from: from.toISOString(), to: to.toISOString() })}`);
    const fmt = new Intl.DateTimeFormat('en-GB', view.mode === 'week' ? { day: 'numeric', month: 'short', year: 'numeric' } : { month: 'long', year: 'numeric' });
    calTitle.textContent = view.mode === 'week'
      ? `${name}: week of ${fmt.format(from)}`
      : `${name}: ${fmt.format(view.anchor)}`;
    clear(cal, calendar(s, from, to));
    drawOverrides(overrides, name, s.overrides || [], load);
  }

  await load();
  const later = debounce(() => load().catch(() => {}), 500);
  const unsubscribe = subscribe((rec) => { if (/override|config/.test(rec.type)) later(); });
  return unsubscribe;
}

// [from, to) of the period shown: Monday 00:00 local of the anchor's week, or the whole weeks around its month.
function period() {
  const a = new Date(view.anchor);
  a.setHours(0, 0, 0, 0);
  if (view.mode === 'week') {
    const from = new Date(a);
    from.setDate(a.getDate() - ((a.getDay() + 6) % 7));
    const to = new Date(from);
    to.setDate(from.getDate() + 7);
    return [from, to];
  }
  const first = new Date(a.getFullYear(), a.getMonth(), 1);
  const from = new Date(first);
  from.setDate(first.getDate() - ((first.getDay() + 6) % 7));
  const next = new Date(a.getFullYear(), a.getMonth() + 1, 1);
  const to = new Date(next);
  to.setDate(next.getDate() + ((8 - next.getDay()) % 7));
  return [from, to];
}

function overlaps(item, start, end) {
  return new Date(item.start).getTime() < end.getTime() && new Date(item.end).getTime() > start.getTime();
}

function span(item, start, end) {
  const s = new Date(Math.max(new Date(item.start).getTime(), start.getTime()));
  const e = new Date(Math.min(new Date(item.end).getTime(), end.getTime()));
  const endText = e.getTime() === end.getTime() ? '24:00' : clock(e.toISOString());
  return `${clock(s.toISOString())}–${endText}`;
}

function calendar(s, from, to) {
  const days = [];
  for (let d = new Date(from); d < to; d = new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1)) days.push(d);
  const month = view.anchor.getMonth();
  const today = new Date();
  today.setHours(0, 0, 0, 0);
  const overrides = s.overrides || [];
  const dayFmt = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short' });
  return h('ol', { class: ['calendar', `calendar-${view.mode}`], 'aria-label': 'Shifts by day' }, days.map((day) => {
    const end = new Date(day.getFullYear(), day.getMonth(), day.getDate() + 1);
    const items = [];
    for (const sh of s.shifts) {
      if (!overlaps(sh, day, end)) continue;
      const changed = overrides.some((o) => overlaps(o, new Date(sh.start), new Date(sh.end)) && overlaps(o, day, end));
      items.push({ at: new Date(sh.start).getTime(), el: h('li', { class: ['shift', changed ? 'override' : null] },
        h('span', { class: 'when' }, span(sh, day, end)), ' ', h('span', { class: 'who' }, sh.users.length ? sh.users.join(', ') : 'nobody'),
        changed ? h('span', { class: 'visually-hidden' }, ' (override)') : null) });
    }
    for (const g of s.gaps) {
      if (!overlaps(g, day, end)) continue;
      items.push({ at: new Date(g.start).getTime(), el: h('li', { class: 'shift gap' }, h('span', { class: 'when' }, span(g, day, end)), ' ', h('strong', {}, 'gap: no one on call')) });
    }
    items.sort((a, b) => a.at - b.at);
    const outside = view.mode === 'month' && day.getMonth() !== month;
    return h('li', { class: ['day', outside ? 'outside' : null, day.getTime() === today.getTime() ? 'today' : null] },
      h('h3', { class: 'day-name' }, dayFmt.format(day), day.getTime() === today.getTime() ? ' (today)' : ''),
      items.length ? h('ul', { class: 'shifts' }, items.map((i) => i.el)) : h('p', { class: 'empty' }, '—'));
  }));
}

function drawOverrides(area, name, overrides, reload) {
  clear(area, table([
    { label: 'From', cell: (o) => time(o.start) },
    { label: 'To', cell: (o) => time(o.end) },
    { label: 'Kind', cell: (o) => badge(o.kind, 'override') },
    { label: 'Who', cell: (o) => (o.kind === 'replace' && (o.replaced_user || o.replaces) ? `${o.user} for ${o.replaced_user || o.replaces}` : o.user) },
    { label: 'Reason', cell: (o) => o.reason || '' },
    { label: 'Source', cell: (o) => (o.source === 'config' ? 'configuration' : `${(o.created_by || '').replace(/^user:/, '')}`) },
    { label: 'Actions', cell: (o) => (o.source === 'api' && o.id !== null && may('respond')
      ? h('button', { type: 'button', class: 'danger small', on: { click: async () => {
        try {
          await del(`/api/v1/schedules/${seg(name)}/overrides/${o.id}`);
          announce('Override removed');
          reload();
        } catch (err) { announce(`Could not remove the override: ${err.message}`); }
      } } }, 'Remove')
      : '') },
  ], overrides, { empty: 'No overrides.' }));
}

function overrideForm(name, reload) {
  const start = new Date(Date.now() + 3600000);
  start.setMinutes(0, 0, 0);
  const end = new Date(start.getTime() + 4 * 3600000);
  const kind = h('select', { name: 'kind' }, [['replace', 'Replace someone'], ['add', 'Add someone'], ['remove', 'Remove someone']].map(([v, l]) => h('option', { value: v }, l)));
  const replaced = h('input', { name: 'replaced_user', autocomplete: 'off' });
  const replacedField = field('Replaces (optional: everyone on call)', replaced);
  kind.addEventListener('change', () => { replacedField.hidden = kind.value !== 'replace'; });
  return bindForm(h('form', { class: 'inline-form wide', 'aria-label': 'Create an override' },
    h('h3', {}, 'Create an override'),
    field('Start (your local time)', h('input', { name: 'start', type: 'datetime-local', value: isoToLocalInput(start), required: true })),
    field('End (your local time)', h('input', { name: 'end', type: 'datetime-local', value: isoToLocalInput(end), required: true })),
    field('Kind', kind),
    field('User', h('input', { name: 'user', autocomplete: 'off', required: true })),
    replacedField,
    field('Reason', h('input', { name: 'reason', autocomplete: 'off' })),
    h('button', { type: 'submit', class: 'primary' }, 'Create override')), async (v, form) => {
    const body = { start: localInputToIso(v.start), end: localInputToIso(v.end), kind: v.kind, user: v.user };
    if (v.kind === 'replace' && v.replaced_user) body.replaced_user = v.replaced_user;
    if (v.reason) body.reason = v.reason;
    await post(`/api/v1/schedules/${seg(name)}/overrides`, body);
    announce(`Override for ${v.user} created`);
    view.anchor = new Date(body.start);
    form.elements.namedItem('user').value = '';
    await reload();
  });
}
