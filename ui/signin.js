// Sign-in: user name and password to POST /api/v1/session; the session (role, CSRF token) goes to the shell.
import { api } from './api.js';
import { bindForm, field, h } from './dom.js';

export function render(main, _params, { signedIn }) {
  const user = h('input', { name: 'user', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const form = h('form', { class: 'card signin', 'aria-labelledby': 'signin-title', novalidate: true },
    h('h1', { id: 'signin-title' }, 'Sign in to incidentd'),
    field('User name', user),
    field('Password', password),
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'));
  bindForm(form, async (v) => {
    try {
      const session = await api('POST', '/api/v1/session', { user: v.user, password: v.password });
      signedIn(session);
    } catch (err) {
      if (err.status === 429 && err.retryAfter) err.message = `Too many failed attempts: try again in ${err.retryAfter} s.`;
      password.value = '';
      throw err;
    }
  });
  main.append(h('div', { class: 'signin-wrap' }, form));
  user.focus();
}
