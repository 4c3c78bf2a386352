// The shell: session check, hash routing to one module per screen, the nav and the live-connection indicator.
import { api, currentSession, setSession, whenSignedOut } from './api.js';
import { announce, h, clear } from './dom.js';
import * as sse from './sse.js';
import * as signin from './signin.js';
import * as dashboard from './dashboard.js';
import * as incident from './incident.js';
import * as oncall from './oncall.js';
import * as maintenance from './maintenance.js';
import * as alerts from './alerts.js';
import * as drills from './drills.js';

// [pattern, module, nav key]; the first match wins. Named groups become the screen's params.
const ROUTES = [
  [/^\/signin$/, signin, null],
  [/^\/(incidents)?$/, dashboard, 'incidents'],
  [/^\/incidents\/(?<id>[1-9]\d*)$/, incident, 'incidents'],
  [/^\/oncall(?:\/(?<schedule>[A-Za-z0-9._-]+))?$/, oncall, 'oncall'],
  [/^\/maintenance$/, maintenance, 'maintenance'],
  [/^\/alerts$/, alerts, 'alerts'],
  [/^\/drills$/, drills, 'drills'],
];

const main = document.getElementById('main');
let cleanup = null;
let afterSignIn = '#/incidents';

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, q] = raw.split('?');
  return { path, query: new URLSearchParams(q || '') };
}

async function route() {
  const { path, query } = parseHash();
  if (!path.startsWith('/')) return; // an in-page anchor, not a screen
  if (!currentSession() && path !== '/signin') {
    afterSignIn = location.hash || '#/incidents';
    location.replace('#/signin');
    return;
  }
  let match = null;
  for (const [re, mod, nav] of ROUTES) {
    const m = re.exec(path);
    if (m) {
      match = { mod, nav, params: { ...(m.groups || {}) } };
      break;
    }
  }
  if (cleanup) cleanup();
  cleanup = null;
  setNav(match && match.nav);
  closeMenu();
  if (!match) {
    clear(main, h('h1', {}, 'Not found'), h('p', {}, 'No such screen. ', h('a', { href: '#/incidents' }, 'Go to incidents')));
    return;
  }
  clear(main);
  try {
    cleanup = (await match.mod.render(main, match.params, { query, signedIn })) || null;
  } catch (err) {
    clear(main, h('h1', {}, 'This screen failed to load'), h('p', { class: 'form-error' }, err.message || String(err)));
  }
  // After moving to another screen, start keyboard and screen-reader users at its content.
  if (!main.contains(document.activeElement)) main.focus({ preventScroll: true });
  const heading = main.querySelector('h1');
  if (heading) document.title = `${heading.textContent} · incidentd`;
}

function setNav(key) {
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.nav === key) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function showChrome(on) {
  document.getElementById('nav').hidden = !on;
  document.getElementById('who').hidden = !on;
  document.getElementById('nav-toggle').hidden = !on;
  document.body.classList.toggle('signed-in', on);
  const s = currentSession();
  document.getElementById('user-name').textContent = s ? `${s.user} (${s.role})` : '';
}

function closeMenu() {
  document.body.classList.remove('menu-open');
  document.getElementById('nav-toggle').setAttribute('aria-expanded', 'false');
}

// Called by the sign-in screen with the session document.
function signedIn(session) {
  setSession(session);
  showChrome(true);
  sse.connect();
  const target = afterSignIn && !afterSignIn.startsWith('#/signin') ? afterSignIn : '#/incidents';
  afterSignIn = '#/incidents';
  if (location.hash === target) route();
  else location.hash = target;
}

whenSignedOut(() => {
  sse.disconnect();
  showChrome(false);
  if (!location.hash.startsWith('#/signin')) {
    afterSignIn = location.hash || '#/incidents';
    announce('Your session ended: sign in again.');
    location.hash = '#/signin';
  }
});

function wireChrome() {
  document.getElementById('skip-link').addEventListener('click', (ev) => {
    ev.preventDefault();
    main.focus();
  });
  const toggle = document.getElementById('nav-toggle');
  toggle.addEventListener('click', () => {
    const open = !document.body.classList.contains('menu-open');
    document.body.classList.toggle('menu-open', open);
    toggle.setAttribute('aria-expanded', String(open));
  });
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && document.body.classList.contains('menu-open')) {
      closeMenu();
      toggle.focus();
    }
  });
  document.getElementById('sign-out').addEventListener('click', async () => {
    try {
      await api('DELETE', '/api/v1/session');
    } catch {
      // signed out either way
    }
    setSession(null);
    sse.disconnect();
    showChrome(false);
    afterSignIn = '#/incidents';
    location.hash = '#/signin';
  });
  const conn = document.getElementById('conn');
  const labels = { live: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting…', offline: 'Offline' };
  sse.onState((s) => {
    conn.dataset.state = s;
    conn.querySelector('.conn-text').textContent = labels[s] || s;
    conn.title = s === 'live' ? 'Live updates are on' : 'Live updates are off; the page may be out of date';
  });
}

async function start() {
  wireChrome();
  try {
    const s = await api('GET', '/api/v1/session');
    setSession(s);
    showChrome(true);
    sse.connect();
  } catch {
    setSession(null);
    showChrome(false);
  }
  window.addEventListener('hashchange', route);
  if (currentSession() && (location.hash === '' || location.hash === '#/signin')) location.replace('#/incidents');
  route();
}

start();
