// DOM building from nodes and text only (nothing the server sends is ever parsed as markup), plus form plumbing
// that shows a problem document's message next to the field it names.
import { ApiError } from './api.js';

// h('a', {href: '#/x', class: 'c'}, 'text', child, [more]) -> element. Attribute values false/null/undefined are
// skipped; `on` takes {click: fn}; children may be strings, numbers, nodes, arrays, or null (skipped).
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k === 'on') {
      for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    } else if (k === 'class') {
      el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : v;
    } else if (k === 'dataset') {
      Object.assign(el.dataset, v);
    } else if (k === 'value' && 'value' in el) {
      el.value = v;
    } else {
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let uid = 0;
export function nextId(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}

// A labelled control: field('Start', h('input', {name: 'start'}), 'hint'). The control gets an id, the label points
// at it, and an (empty) error line follows it for bindForm to fill.
export function field(label, control, hint) {
  if (!control.id) control.id = nextId(control.name || 'f');
  const hintEl = hint ? h('p', { class: 'hint', id: `${control.id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' },
    h('label', { for: control.id }, label), control, hintEl,
    h('p', { class: 'field-error', id: `${control.id}-error`, hidden: true }));
}

// A table with a header row; on narrow screens CSS stacks each row as a card, each cell labelled by data-label.
// columns: [{label, cell: (row) => node|string, class?}]
export function table(columns, rows, { caption, empty = 'Nothing here.', rowClass } = {}) {
  if (!rows.length) return h('p', { class: 'empty' }, empty);
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'stack' },
      caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c.label)))),
      h('tbody', {}, rows.map((r) => h('tr', { class: rowClass ? rowClass(r) : null },
        columns.map((c) => h('td', { 'data-label': c.label, class: c.class }, c.cell(r))))))));
}

export function badge(text, kind) {
  return h('span', { class: ['badge', kind ? `badge-${String(kind).replace(/[^a-z0-9_-]/gi, '')}` : null] }, text);
}

// Definition list from [[term, value], ...], skipping null values.
export function dl(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

// Wires a form: on submit, clears old errors, disables the submit button, awaits handler(values, form); an ApiError
// with a `field` (JSON pointer) is shown under the control named by the pointer's first segment (or the form's
// data-field-map), any other error at the top of the form. Returns the form.
export function bindForm(form, handler) {
  const status = h('p', { class: 'form-error', role: 'alert', hidden: true });
  form.prepend(status);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form, status);
    const submit = form.querySelector('button[type=submit]');
    if (submit) submit.disabled = true;
    try {
      await handler(formValues(form), form);
    } catch (err) {
      showError(form, status, err);
    } finally {
      if (submit) submit.disabled = false;
    }
  });
  return form;
}

function clearErrors(form, status) {
  status.hidden = true;
  status.textContent = '';
  for (const p of form.querySelectorAll('.field-error')) {
    p.hidden = true;
    p.textContent = '';
  }
  for (const c of form.querySelectorAll('[aria-invalid]')) {
    c.removeAttribute('aria-invalid');
    const described = (c.getAttribute('aria-describedby') || '').split(' ').filter((x) => !x.endsWith('-error'));
    if (described.length) c.setAttribute('aria-describedby', described.join(' '));
    else c.removeAttribute('aria-describedby');
  }
}

export function showError(form, status, err) {
  const message = err instanceof ApiError ? err.message : `Something went wrong: ${err.message || err}`;
  const control = err instanceof ApiError && err.field ? controlFor(form, err.field) : null;
  if (control) {
    const line = form.querySelector(`#${CSS.escape(control.id)}-error`);
    if (line) {
      line.textContent = message;
      line.hidden = false;
      control.setAttribute('aria-invalid', 'true');
      control.setAttribute('aria-describedby',
        [control.getAttribute('aria-describedby'), line.id].filter(Boolean).join(' '));
      control.focus();
      return;
    }
  }
  status.textContent = message;
  status.hidden = false;
}

// "/scope/services/0" -> the control named "scope.services", else "scope"; form data-field-map may alias names.
function controlFor(form, pointer) {
  const parts = String(pointer).replace(/^\//, '').split('/').filter((p) => !/^\d+$/.test(p));
  const map = form.dataset.fieldMap ? JSON.parse(form.dataset.fieldMap) : {};
  for (let n = parts.length; n > 0; n -= 1) {
    const name = parts.slice(0, n).join('.');
    const el = form.elements.namedItem(map[name] || name);
    if (el && el.id) return el;
  }
  return null;
}

function formValues(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name || el.disabled || el.tagName === 'FIELDSET' || el.tagName === 'BUTTON') continue;
    if (el.type === 'checkbox') {
      if (el.dataset.group) {
        out[el.dataset.group] = out[el.dataset.group] || [];
        if (el.checked) out[el.dataset.group].push(el.value);
      } else {
        out[el.name] = el.checked;
      }
    } else {
      out[el.name] = el.value.trim();
    }
  }
  return out;
}

// A polite screen-reader announcement (and a visible toast).
export function announce(text) {
  const region = document.getElementById('announce');
  if (!region) return;
  region.textContent = text;
  clearTimeout(announce.timer);
  announce.timer = setTimeout(() => { region.textContent = ''; }, 8000);
}

// Splits "a, b,c" into ["a","b","c"].
export function list(text) {
  return String(text || '').split(/[,\n]/).map((s) => s.trim()).filter(Boolean);
}
