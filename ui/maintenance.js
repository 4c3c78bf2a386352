// Maintenance windows and silences: list, create (windows with recurrence and time zone), end early, and what
// each one suppressed.
import { ApiError, currentSession, del, get, may, post, seg } from './api.js';
import { announce, badge, bindForm, clear, field, h, list, table } from './dom.js';
import { localInputToIso, time } from './format.js';
import { debounce, subscribe } from './sse.js';

const RECURRENCE = [
  ['', 'Once'],
  ['FREQ=DAILY', 'Every day'],
  ['FREQ=WEEKLY', 'Every week (same weekday)'],
  ['FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', 'Every weekday'],
  ['FREQ=MONTHLY', 'Every month (same day)'],
  ['custom', 'Custom RRULE…'],
];

export async function render(main) {
  const windowsArea = h('div', { 'aria-live': 'polite' });
  const silencesArea = h('div', { 'aria-live': 'polite' });
  main.append(h('div', { class: 'page-head' }, h('h1', {}, 'Maintenance and silences')),
    h('section', { class: 'card', 'aria-labelledby': 'mw-title' }, h('h2', { id: 'mw-title' }, 'Maintenance windows'), windowsArea,
      may('respond') ? windowForm(() => load()) : null),
    h('section', { class: 'card', 'aria-labelledby': 'sil-title' }, h('h2', { id: 'sil-title' }, 'Silences'), silencesArea,
      may('respond') ? silenceForm(() => load()) : null));

  async function load() {
    const [w, s, alerts] = await Promise.all([
      get('/api/v1/maintenance'),
      get('/api/v2/silences'),
      get('/api/v2/alerts?active=true&silenced=true&inhibited=true').catch(() => []),
    ]);
    drawWindows(windowsArea, w.windows, load);
    drawSilences(silencesArea, s, alerts, load);
  }
  await load();
  const later = debounce(() => load().catch(() => {}), 400);
  return subscribe((rec) => { if (/^(window|silence|alerts?)\./.test(rec.type)) later(); });
}

const act = (label, fn, cls = 'small') => h('button', { type: 'button', class: cls, on: { click: async (ev) => {
  const b = ev.currentTarget;
  b.disabled = true;
  try { await fn(); } catch (err) { announce(`${label} failed: ${err.message}`); } finally { b.disabled = false; }
} } }, label);

function drawWindows(area, windows, reload) {
  clear(area, table([
    { label: 'Name', cell: (w) => h('span', {}, h('strong', {}, w.name), h('br'), h('small', {}, `owner ${w.owner}`)) },
    { label: 'State', cell: (w) => badge(w.state, w.state) },
    { label: 'When (UTC)', cell: (w) => (w.occurrence ? `${time(w.occurrence.start)} – ${time(w.occurrence.end)}` : '—') },
    { label: 'Schedule', cell: (w) => `${w.start} ${w.time_zone}, ${w.duration}${w.rrule ? `, ${w.rrule}` : ', once'}` },
    { label: 'Scope', cell: (w) => scopeText(w.scope) },
    { label: 'Suppressed', cell: (w) => suppressedButton(w) },
    { label: 'Actions', cell: (w) => (may('respond') ? h('span', { class: 'row-actions' },
      w.state === 'open' ? act('End now', async () => { await post(`/api/v1/maintenance/${seg(w.id)}/end`); announce(`${w.name} ended`); await reload(); }) : null,
      w.state !== 'ended' ? act('Cancel', async () => { await del(`/api/v1/maintenance/${seg(w.id)}`); announce(`${w.name} cancelled`); await reload(); }, 'small danger') : null) : '') },
  ], windows, { empty: 'No maintenance windows.', caption: 'Open first, then scheduled, then ended' }));
}

function scopeText(scope) {
  const parts = [];
  if (scope.services.length) parts.push(`services ${scope.services.join(', ')}`);
  if (scope.hosts.length) parts.push(`hosts ${scope.hosts.join(', ')}`);
  if (scope.matchers.length) parts.push(scope.matchers.join(', '));
  return parts.join('; ');
}

// "Show" loads GET /api/v1/maintenance/{id} and lists the alerts the window held.
function suppressedButton(w) {
  const out = h('div', { class: 'suppressed', hidden: true });
  const button = h('button', { type: 'button', class: 'small', 'aria-expanded': 'false', on: { click: async () => {
    const open = button.getAttribute('aria-expanded') !== 'true';
    button.setAttribute('aria-expanded', String(open));
    out.hidden = !open;
    if (!open) return;
    try {
      const full = await get(`/api/v1/maintenance/${seg(w.id)}`);
      clear(out, full.suppressed.length
        ? h('ul', {}, full.suppressed.map((a) => h('li', {}, `${a.summary} (${a.service}, ${a.status})`)))
        : h('p', { class: 'empty' }, 'Nothing suppressed.'));
    } catch (err) { clear(out, h('p', { class: 'form-error' }, err.message)); }
  } } }, 'Show');
  return h('div', {}, button, out);
}

function drawSilences(area, silences, alerts, reload) {
  const held = new Map();
  for (const a of alerts || []) for (const id of (a.status && a.status.silencedBy) || []) {
    if (!held.has(id)) held.set(id, []);
    held.get(id).push(a.labels.alertname || a.fingerprint);
  }
  const order = { active: 0, pending: 1, expired: 2 };
  silences.sort((a, b) => (order[a.status.state] - order[b.status.state]) || b.startsAt.localeCompare(a.startsAt));
  clear(area, table([
    { label: 'Matchers', cell: (s) => h('code', {}, s.matchers.map(matcherText).join(', ')) },
    { label: 'State', cell: (s) => badge(s.status.state, s.status.state) },
    { label: 'From', cell: (s) => time(s.startsAt) },
    { label: 'Until', cell: (s) => time(s.endsAt) },
    { label: 'By', cell: (s) => s.createdBy },
    { label: 'Comment', cell: (s) => s.comment },
    { label: 'Silencing now', cell: (s) => (held.get(s.id) || []).join(', ') || 'nothing' },
    { label: 'Actions', cell: (s) => (may('respond') && s.status.state !== 'expired'
      ? act('Expire', async () => { await del(`/api/v2/silence/${seg(s.id)}`); announce('Silence expired'); await reload(); }, 'small danger') : '') },
  ], silences, { empty: 'No silences.' }));
}

function matcherText(m) {
  const op = m.isRegex ? (m.isEqual === false ? '!~' : '=~') : (m.isEqual === false ? '!=' : '=');
  return `${m.name}${op}"${m.value}"`;
}

// 'team=~"db.*"' -> {name:'team', value:'db.*', isRegex:true, isEqual:true}
function parseMatcher(text) {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"?(.*?)"?\s*$/.exec(text);
  if (!m) return null;
  return { name: m[1], value: m[3], isRegex: m[2].includes('~'), isEqual: !m[2].startsWith('!') };
}

function zones() {
  const dl = h('datalist', { id: 'time-zones' });
  const all = Intl.supportedValuesOf ? Intl.supportedValuesOf('timeZone') : [];
  dl.append(...['UTC', ...all].map((z) => h('option', { value: z })));
  return dl;
}

function windowForm(reload) {
  const rec = h('select', { name: 'recurrence' }, RECURRENCE.map(([v, l]) => h('option', { value: v }, l)));
  const rrule = h('input', { name: 'rrule', autocomplete: 'off', placeholder: 'FREQ=WEEKLY;BYDAY=SU' });
  const rruleField = field('RRULE (RFC 5545, without "RRULE:")', rrule);
  rruleField.hidden = true;
  rec.addEventListener('change', () => { rruleField.hidden = rec.value !== 'custom'; });
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const form = h('form', { class: 'inline-form wide', 'aria-label': 'Create a maintenance window',
    dataset: { fieldMap: JSON.stringify({ 'scope.services': 'scope_services', 'scope.hosts': 'scope_hosts', 'scope.matchers': 'scope_matchers', scope: 'scope_services', 'expect.alertnames': 'expect_alertnames', 'expect.severities': 'expect_severities', 'expect.services': 'expect_alertnames', expect: 'expect_alertnames', rrule: 'recurrence' }) } },
    h('h3', {}, 'Create a maintenance window'),
    field('Name', h('input', { name: 'name', autocomplete: 'off', required: true })),
    field('Owner', h('input', { name: 'owner', autocomplete: 'off', value: (currentSession() || {}).user || '', required: true }), 'reminded before the end, summarised after'),
    field('Start (wall-clock time in the time zone below)', h('input', { name: 'start', type: 'datetime-local', required: true })),
    field('Duration', h('input', { name: 'duration', value: '2h', autocomplete: 'off', required: true }), 'e.g. 2h or 90m'),
    field('Time zone', h('input', { name: 'time_zone', value: tz, list: 'time-zones', autocomplete: 'off' })), zones(),
    field('Repeats', rec), rruleField,
    field('Services in scope', h('input', { name: 'scope_services', autocomplete: 'off' }), 'comma-separated'),
    field('Hosts in scope', h('input', { name: 'scope_hosts', autocomplete: 'off' }), 'comma-separated'),
    field('Label matchers in scope', h('input', { name: 'scope_matchers', autocomplete: 'off', placeholder: 'team="db"' }), 'comma-separated'),
    field('Expected alert names', h('input', { name: 'expect_alertnames', autocomplete: 'off' }), 'empty: everything in scope is expected'),
    field('Expected severities', h('input', { name: 'expect_severities', autocomplete: 'off', placeholder: 'warning' })),
    h('button', { type: 'submit', class: 'primary' }, 'Create window'));
  return bindForm(form, async (v, f) => {
    const body = {
      name: v.name, owner: v.owner, start: v.start, duration: v.duration, time_zone: v.time_zone || 'UTC',
      scope: { services: list(v.scope_services), hosts: list(v.scope_hosts), matchers: list(v.scope_matchers) },
    };
    const rule = v.recurrence === 'custom' ? v.rrule : v.recurrence;
    if (rule) body.rrule = rule;
    const expect = {};
    if (list(v.expect_alertnames).length) expect.alertnames = list(v.expect_alertnames);
    if (list(v.expect_severities).length) expect.severities = list(v.expect_severities);
    if (Object.keys(expect).length) body.expect = expect;
    const w = await post('/api/v1/maintenance', body);
    announce(`Maintenance window ${w.name} created (${w.state})`);
    f.reset();
    await reload();
  });
}

function silenceForm(reload) {
  const form = h('form', { class: 'inline-form', 'aria-label': 'Create a silence', dataset: { fieldMap: JSON.stringify({ matchers: 'matchers', endsAt: 'ends', startsAt: 'ends' }) } },
    h('h3', {}, 'Create a silence'),
    field('Matchers', h('input', { name: 'matchers', autocomplete: 'off', required: true, placeholder: 'alertname="DiskFull", instance=~"db-.*"' }), 'comma-separated; =, !=, =~ or !~'),
    field('Until (your local time)', h('input', { name: 'ends', type: 'datetime-local', required: true })),
    field('Comment', h('input', { name: 'comment', autocomplete: 'off', required: true })),
    h('button', { type: 'submit', class: 'primary' }, 'Create silence'));
  return bindForm(form, async (v, f) => {
    const matchers = list(v.matchers).map(parseMatcher);
    if (!matchers.length || matchers.includes(null)) {
      throw new ApiError(400, { detail: 'write matchers as name="value" (or !=, =~, !~), separated by commas', field: '/matchers' });
    }
    await post('/api/v2/silences', {
      matchers, startsAt: new Date().toISOString(), endsAt: localInputToIso(v.ends),
      createdBy: (currentSession() || {}).user || 'web', comment: v.comment,
    });
    announce('Silence created');
    f.reset();
    await reload();
  });
}
