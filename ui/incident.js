// The incident page: summary, classification with reasons, roles (assign, hand off command), channel, members and
// symptoms with why they are there, the live timeline and notifications, status-update and regulatory clocks, and
// the actions a role may take (acknowledge, resolve, note, escalate, request a pool, grant vendor access).
import { currentSession, get, may, post } from './api.js';
import { announce, badge, bindForm, clear, dl, field, h, table } from './dom.js';
import { actor, age, countdown, duration, secondsUntil, time } from './format.js';
import { debounce, subscribe } from './sse.js';

const ROLES = ['commander', 'communications', 'scribe', 'operations', 'liaison'];

export async function render(main, { id }) {
  const base = `/api/v1/incidents/${id}`;
  const areas = {
    head: h('div', { class: 'page-head' }),
    actions: h('div', { class: 'actions', role: 'group', 'aria-label': 'Incident actions' }),
    summary: h('div'), classification: h('div'), roles: h('div'), channel: h('div'), updates: h('div'),
    regulatory: h('div'), alerts: h('div'), escalation: h('div'), deliveries: h('div'), timeline: h('ol', { class: 'timeline' }),
    pools: h('div'), vendors: h('div'),
  };
  let data = {};
  let entries = [];
  let lastSeq = 0;

  const section = (title, key, ...extra) => h('section', { class: 'card', 'aria-labelledby': `sec-${key}` },
    h('h2', { id: `sec-${key}` }, title), areas[key], ...extra);

  // Forms are built once so typing survives the live refreshes of the data above them.
  const forms = buildForms(base, () => refresh(), areas);
  main.append(
    areas.head, areas.actions,
    h('div', { class: 'grid' },
      section('Summary', 'summary'),
      section('Classification', 'classification'),
      section('Roles', 'roles', forms.roles, forms.handoff),
      section('Channel', 'channel'),
      section('Status updates', 'updates', forms.update),
    ),
    section('Regulatory deadlines', 'regulatory'),
    section('Members and symptoms', 'alerts'),
    h('div', { class: 'grid' },
      section('Escalation', 'escalation'),
      section('Responder pools', 'pools', forms.pool),
      section('Vendor access', 'vendors', forms.vendor),
    ),
    section('Notifications', 'deliveries'),
    h('section', { class: 'card', 'aria-labelledby': 'sec-timeline' },
      h('h2', { id: 'sec-timeline' }, 'Timeline'), forms.note,
      h('div', { 'aria-live': 'polite', 'aria-relevant': 'additions' }, areas.timeline)),
  );

  // One refresh at a time: a click and a live record arriving together must not read the timeline twice.
  let running = null;
  let again = false;
  function refresh() {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await refreshOnce();
      } while (again);
    })().finally(() => { running = null; });
    return running;
  }

  async function refreshOnce() {
    const [inc, cls, reg, coord, paging, pools, grants] = await Promise.all([
      get(base),
      get(`${base}/classification`).catch(() => null),
      get(`${base}/regulatory`).catch(() => null),
      get(`${base}/coordination`).catch(() => null),
      get(`${base}/paging`).catch(() => null),
      get(`${base}/pools`).catch(() => null),
      get(`${base}/vendor-grants`).catch(() => null),
    ]);
    data = { inc, cls, reg, coord, paging, pools, grants };
    await loadTimeline();
    draw();
  }

  async function loadTimeline() {
    for (;;) {
      const page = await get(`${base}/timeline?after=${lastSeq}&limit=1000`);
      entries.push(...page.entries.filter((e) => e.seq > lastSeq));
      if (page.entries.length) lastSeq = page.entries[page.entries.length - 1].seq;
      if (page.entries.length < 1000) break;
    }
  }

  function draw() {
    const { inc } = data;
    clear(areas.head,
      h('h1', {}, `#${inc.id} ${inc.title}`),
      h('p', { class: 'meta' }, badge(inc.severity, inc.severity), ' ', badge(inc.state, inc.state), ' ',
        `${inc.service} · opened ${age(inc.opened_at)} ago`));
    drawActions(inc);
    drawSummary(areas.summary, inc);
    drawClassification(areas.classification, data.cls);
    drawRoles(areas.roles, data.coord, forms);
    drawChannel(areas.channel, data.coord);
    drawUpdates(areas.updates, data.coord);
    drawRegulatory(areas.regulatory, data.reg);
    drawAlerts(areas.alerts, inc.alerts || []);
    drawEscalation(areas.escalation, data.paging);
    drawDeliveries(areas.deliveries, data.paging);
    drawPools(areas.pools, data.pools);
    drawGrants(areas.vendors, data.grants);
    drawTimeline(areas.timeline, entries);
    const open = inc.state === 'triggered' || inc.state === 'acknowledged';
    for (const f of Object.values(forms)) if (f.dataset.needsOpen === '1') f.hidden = !open || f.dataset.denied === '1';
  }

  let actionsKey = '';
  function drawActions(inc) {
    // Redrawn only when the choice of actions changes, so a live refresh keeps the focus on a button.
    const esc0 = data.paging && data.paging.escalation;
    const key = `${inc.state}|${esc0 && esc0.active}`;
    if (key === actionsKey) return;
    actionsKey = key;
    const buttons = [];
    const act = (label, path, body, cls) => h('button', {
      type: 'button', class: cls,
      on: {
        click: async (ev) => {
          const button = ev.currentTarget;
          button.disabled = true;
          try {
            await post(`${base}/${path}`, body);
            announce(`${label}: done`);
            await refresh();
          } catch (err) {
            announce(`${label} failed: ${err.message}`);
            showActionError(err);
          } finally {
            button.disabled = false;
          }
        },
      },
    }, label);
    if (may('respond') && inc.state === 'triggered') buttons.push(act('Acknowledge', 'acknowledge', {}, 'primary'));
    if (may('respond') && (inc.state === 'triggered' || inc.state === 'acknowledged')) buttons.push(act('Resolve', 'resolve', {}, 'danger'));
    const esc = data.paging && data.paging.escalation;
    if (may('respond') && esc && esc.active) buttons.push(act('Escalate now', 'escalate', { reason: 'escalated from the web UI' }));
    clear(areas.actions, buttons, h('p', { class: 'form-error', id: 'action-error', role: 'alert', hidden: true }));
  }

  function showActionError(err) {
    const p = areas.actions.querySelector('#action-error');
    if (p) {
      p.textContent = err.message;
      p.hidden = false;
    }
  }

  try {
    await refresh();
  } catch (err) {
    clear(main, h('h1', {}, `Incident #${id}`), h('p', { class: 'form-error', role: 'alert' }, err.message));
    return null;
  }
  const later = debounce(() => refresh().catch((err) => announce(`Refresh failed: ${err.message}`)), 300);
  const unsubscribe = subscribe((rec) => {
    if (String(rec.incident_id) === String(id)) later();
  });
  const ticker = setInterval(() => tick(main), 1000);
  tick(main);
  return () => {
    unsubscribe();
    clearInterval(ticker);
  };
}

// Live countdowns: every element with data-due shows the time left (or overdue) and turns urgent under an hour.
function tick(root) {
  for (const el of root.querySelectorAll('[data-due]')) {
    const left = secondsUntil(el.dataset.due);
    el.textContent = countdown(el.dataset.due);
    el.classList.toggle('overdue', left < 0);
    el.classList.toggle('soon', left >= 0 && left < 3600);
  }
}

const due = (iso) => (iso ? h('time', { datetime: iso, 'data-due': iso, class: 'countdown', title: time(iso) }, countdown(iso)) : '—');

function drawSummary(area, inc) {
  clear(area, dl([
    ['Service', inc.service],
    ['Group key', h('code', {}, inc.group_key)],
    ['Opened', time(inc.opened_at)],
    ['Acknowledged', inc.acknowledged_at ? time(inc.acknowledged_at) : null],
    ['Resolved', inc.resolved_at ? time(inc.resolved_at) : null],
    ['Alerts', `${inc.open_alert_count} open of ${inc.alert_count}`],
    ['Notifications sent', String(inc.notifications)],
    ['Next notification', inc.next_notification_at ? due(inc.next_notification_at) : null],
    ['Merged into', inc.merged_into ? h('a', { href: `#/incidents/${inc.merged_into}` }, `#${inc.merged_into}`) : null],
    ['Last action by', actor(inc.last_actor)],
  ]));
}

function drawClassification(area, c) {
  if (!c) return clear(area, h('p', { class: 'empty' }, 'No classification.'));
  const reason = (text) => (text ? h('span', { class: 'reason' }, ` — ${text}`) : null);
  return clear(area, dl([
    ['Category', h('span', {}, c.category ? `${c.category}${c.subcategory ? ` / ${c.subcategory}` : ''}` : 'unclassified',
      reason(c.category_rule ? `rule ${c.category_rule}` : null))],
    ['Major incident', h('span', {}, c.major ? 'yes' : 'no', reason(c.major_reason))],
    ['Severity', c.severity ? h('span', {}, c.severity.level, reason(c.severity.reason)) : null],
    ['Priority', c.priority ? h('span', {}, c.priority.level, reason(c.priority.reason)) : null],
    ['Owner', c.owner ? h('span', {}, c.owner.team || 'none', reason(c.owner.reason)) : null],
    ['Business functions', c.service && c.service.business_functions.length ? c.service.business_functions.join(', ') : null],
  ]));
}

function drawRoles(area, coord, forms) {
  if (!coord) return clear(area, h('p', { class: 'empty' }, 'No coordination data.'));
  const commander = coord.roles.commander;
  const me = currentSession() && currentSession().user;
  const s = currentSession();
  forms.handoff.hidden = !(commander && may('command') && (commander === me || (s && s.role === 'admin')));
  return clear(area, dl(ROLES.map((r) => [r, h('span', { class: `role-${r}` }, coord.roles[r] || 'unassigned')])),
    commander ? null : h('p', { class: 'hint' }, 'No commander yet.'));
}

function drawChannel(area, coord) {
  const ch = coord && coord.channel;
  if (!ch) return clear(area, h('p', { class: 'empty' }, 'No channel opened.'));
  return clear(area, dl([
    ['Chat', ch.chat_url ? h('a', { href: ch.chat_url, rel: 'noopener noreferrer', target: '_blank' }, ch.chat_name) : ch.chat_name],
    ['Bridge', ch.bridge ? h('a', { href: ch.bridge, rel: 'noopener noreferrer', target: '_blank' }, ch.bridge) : null],
  ]));
}

function drawUpdates(area, coord) {
  const u = coord && coord.status_updates;
  if (!u) return clear(area, h('p', { class: 'empty' }, 'No status-update cadence.'));
  return clear(area, dl([
    ['Next update due', u.next_due ? due(u.next_due) : 'no cadence for this incident'],
    ['Cadence', u.every_seconds ? `every ${duration(u.every_seconds)} (${u.severity})` : null],
    ['Last update', u.last_update ? h('span', {}, `${time(u.last_update.time)}: `, h('q', {}, u.last_update.text)) : 'none yet'],
  ]));
}

function drawRegulatory(area, reg) {
  if (!reg || !reg.deadlines.length) return clear(area, h('p', { class: 'empty' }, 'No regulatory reports due.'));
  return clear(area, table([
    { label: 'Report', cell: (d) => `${d.regime_name}: ${d.stage_name}` },
    { label: 'Due', cell: (d) => (d.submitted ? `submitted ${time(d.submitted)}` : d.due ? h('span', {}, due(d.due), h('br'), h('small', {}, time(d.due))) : (d.waiting_for ? `waiting for ${d.waiting_for}` : 'without undue delay')) },
    { label: 'Basis', cell: (d) => h('small', {}, d.basis) },
  ], reg.deadlines));
}

function drawAlerts(area, alerts) {
  return clear(area, table([
    { label: 'Alert', cell: (a) => h('span', {}, a.summary, h('br'), h('small', {}, h('code', {}, a.dedup_key))) },
    { label: 'Service', cell: (a) => a.service },
    { label: 'Severity', cell: (a) => badge(a.severity, a.severity) },
    { label: 'Status', cell: (a) => badge(a.status, a.status) },
    { label: 'Why it is here', cell: (a) => h('span', { class: 'explanation' }, a.correlation || 'opened the incident') },
    { label: 'Updated', cell: (a) => time(a.updated_at) },
  ], alerts, { empty: 'No alerts.' }));
}

function drawEscalation(area, paging) {
  const e = paging && paging.escalation;
  if (!e) return clear(area, h('p', { class: 'empty' }, 'No escalation for this incident.'));
  return clear(area, dl([
    ['Policy', e.policy || '—'],
    ['Routing rule', e.rule],
    ['State', e.active ? `step ${e.step}, round ${e.round}` : `stopped${e.stopped ? `: ${e.stopped}` : ''}`],
    ['Next step', e.active && e.next_step_at ? due(e.next_step_at) : null],
    ['Paged', e.paged.length ? e.paged.join(', ') : 'nobody yet'],
    ['Problems', e.problems.length ? e.problems.join('; ') : null],
  ]));
}

function drawDeliveries(area, paging) {
  const list = (paging && paging.deliveries) || [];
  return clear(area, table([
    { label: 'To', cell: (d) => `${d.user} (${d.channel})` },
    { label: 'What', cell: (d) => d.subject || d.kind },
    { label: 'Delivery', cell: (d) => badge(d.state, d.state) },
    { label: 'Attempts', cell: (d) => String(d.attempts) },
    { label: 'Detail', cell: (d) => d.last_error || d.last_status || (d.next_attempt_at ? `next try ${time(d.next_attempt_at)}` : '') },
    { label: 'Queued', cell: (d) => time(d.queued_at) },
  ], list, { empty: 'No notifications sent for this incident.' }));
}

function drawPools(area, pools) {
  const list = (pools && pools.pools) || [];
  return clear(area, table([
    { label: 'Pool', cell: (p) => p.pool },
    { label: 'Standing', cell: (p) => (p.state === 'holding' ? 'assigned' : `waiting, position ${p.position}`) },
    { label: 'Priority', cell: (p) => `${p.priority} (${p.priority_reason})` },
  ], list, { empty: 'No pool requested.' }));
}

function drawGrants(area, grants) {
  const list = (grants && grants.grants) || [];
  return clear(area, table([
    { label: 'Vendor', cell: (g) => g.vendor },
    { label: 'Scopes', cell: (g) => g.scopes.join(', ') },
    { label: 'Until', cell: (g) => (g.ended ? `ended: ${g.ended}` : time(g.expires)) },
    { label: 'Uses', cell: (g) => String(g.uses) },
  ], list, { empty: 'No vendor has access.' }));
}

// Newest first; only entries not shown yet are added, so the live region announces just those.
function drawTimeline(area, entries) {
  let shown = Number(area.dataset.shown || 0);
  if (shown > entries.length) {
    clear(area);
    shown = 0;
  }
  const fresh = entries.slice(shown).reverse().map((e) => h('li', { class: `tl tl-${e.kind}` },
    h('time', { datetime: e.time }, time(e.time)), ' ',
    badge(e.kind.replace(/_/g, ' '), e.kind), ' ',
    h('span', { class: 'tl-actor' }, actor(e.actor)), ': ',
    h('span', { class: 'tl-text' }, e.text)));
  area.prepend(...fresh);
  area.dataset.shown = String(entries.length);
}

function buildForms(base, refresh, areas) {
  const forms = {};
  const opts = (values, selected) => values.map((v) => h('option', { value: v, selected: v === selected }, v));

  // Roles: assign a role (commander needs the command permission); hand off command (the commander or an admin).
  const roleSel = h('select', { name: 'role' }, opts(may('command') ? ROLES : ROLES.slice(1)));
  const roleUser = h('input', { name: 'user', autocomplete: 'off', required: true });
  forms.roles = bindForm(h('form', { class: 'inline-form', 'aria-label': 'Assign a role', dataset: { needsOpen: '1', denied: may('respond') ? '0' : '1' } },
    h('h3', {}, 'Assign a role'), field('Role', roleSel), field('User', roleUser),
    field('Reason', h('input', { name: 'reason', autocomplete: 'off' })),
    h('button', { type: 'submit' }, 'Assign')), async (v, form) => {
    await post(`${base}/roles`, { role: v.role, user: v.user, reason: v.reason });
    announce(`${v.user} is now ${v.role}`);
    form.reset();
    await refresh();
  });
  const handUser = h('input', { name: 'user', autocomplete: 'off', required: true });
  forms.handoff = bindForm(h('form', { class: 'inline-form', 'aria-label': 'Hand off command', hidden: true },
    h('h3', {}, 'Hand off command'), field('New commander', handUser),
    field('Reason', h('input', { name: 'reason', autocomplete: 'off' })),
    h('button', { type: 'submit' }, 'Hand off')), async (v, form) => {
    await post(`${base}/roles`, { role: 'commander', user: v.user, handoff: true, reason: v.reason });
    announce(`Command handed off to ${v.user}`);
    form.reset();
    await refresh();
  });

  forms.update = bindForm(h('form', { class: 'inline-form', 'aria-label': 'Post a status update', dataset: { needsOpen: '1', denied: may('communicate') ? '0' : '1' } },
    field('Status update', h('textarea', { name: 'text', rows: 2 })),
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'no_change' }), ' No change since the last update'),
    h('button', { type: 'submit' }, 'Post update')), async (v, form) => {
    await post(`${base}/status-updates`, { text: v.text, no_change: v.no_change });
    announce('Status update posted');
    form.reset();
    await refresh();
  });

  // A plain note goes to the incident's notes; a decision, action or observation to the typed incident log.
  forms.note = bindForm(h('form', { class: 'inline-form', 'aria-label': 'Add to the log', dataset: { needsOpen: '0', denied: may('respond') ? '0' : '1' }, hidden: !may('respond') },
    field('Kind', h('select', { name: 'kind' },
      h('option', { value: 'note' }, 'Note'),
      h('option', { value: 'decision' }, 'Decision'),
      h('option', { value: 'action' }, 'Action taken'),
      h('option', { value: 'observation' }, 'Observation'))),
    field('Note', h('textarea', { name: 'text', rows: 2, required: true })),
    h('button', { type: 'submit' }, 'Add note')), async (v, form) => {
    if (!v.kind || v.kind === 'note') {
      await post(`${base}/notes`, { text: v.text });
    } else {
      await post(`${base}/log`, { kind: v.kind, text: v.text });
    }
    form.reset();
    await refresh();
  });

  const poolSel = h('select', { name: 'pool' });
  get('/api/v1/pools').then((p) => clear(poolSel, p.pools.map((x) => h('option', { value: x.id }, `${x.name} (${x.holding}/${x.capacity} busy, ${x.waiting} waiting)`)))).catch(() => {});
  forms.pool = bindForm(h('form', { class: 'inline-form', 'aria-label': 'Request a responder pool', dataset: { needsOpen: '1', denied: may('respond') ? '0' : '1' } },
    h('h3', {}, 'Request a pool'), field('Pool', poolSel),
    field('Note', h('input', { name: 'note', autocomplete: 'off' })),
    h('button', { type: 'submit' }, 'Request')), async (v, form) => {
    await post(`${base}/pools`, { pool: v.pool, note: v.note });
    announce(`Pool ${v.pool} requested`);
    form.reset();
    await refresh();
  });

  const vendorSel = h('select', { name: 'vendor' });
  get('/api/v1/vendors').then((p) => clear(vendorSel, p.vendors.map((x) => h('option', { value: x.name }, `${x.name} (up to ${x.max_grant})`)))).catch(() => {});
  const tokenBox = h('div', { class: 'token-box', hidden: true, role: 'status' });
  forms.vendor = bindForm(h('form', { class: 'inline-form', 'aria-label': 'Grant vendor access', dataset: { needsOpen: '1', denied: may('command') ? '0' : '1' } },
    h('h3', {}, 'Grant vendor access'), field('Vendor', vendorSel),
    h('fieldset', {}, h('legend', {}, 'Scopes'),
      h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'scope-read', value: 'read', checked: true, dataset: { group: 'scopes' } }), ' read'),
      h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'scope-log', value: 'log', dataset: { group: 'scopes' } }), ' log')),
    field('Duration', h('input', { name: 'duration', value: '4h', autocomplete: 'off' }), 'e.g. 4h or 90m'),
    field('Reason', h('input', { name: 'reason', autocomplete: 'off' })),
    h('button', { type: 'submit' }, 'Grant access'), tokenBox), async (v) => {
    const g = await post(`${base}/vendor-grants`, { vendor: v.vendor, scopes: v.scopes, duration: v.duration, reason: v.reason });
    const code = h('code', { class: 'token' }, g.token);
    clear(tokenBox,
      h('p', {}, h('strong', {}, `Token for ${g.vendor}`), ' — shown once; give it to the vendor now:'), code,
      h('button', { type: 'button', on: { click: () => navigator.clipboard && navigator.clipboard.writeText(g.token).then(() => announce('Token copied')) } }, 'Copy'),
      g.protocol ? h('p', { class: 'hint' }, g.protocol) : null);
    tokenBox.hidden = false;
    await refresh();
  });
  void areas;
  return forms;
}
