// Browser tests of the web UI (issue 8): the real incidentd, Debian's chromium, node's own test runner.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SOURCE_DIR, launchBrowser, newPage, screenshot, signIn, startServer } from './harness.js';

let server;
let browser;


// 'YYYY-MM-DDTHH:MM' for a datetime-local input, `days` from today at `hour`:00 (the pages run in UTC).
function localInput(days, hour) {
  const d = new Date(Date.now() + days * 86400000);
  return `${d.toISOString().slice(0, 10)}T${String(hour).padStart(2, '0')}:00`;
}

test('ui/ keeps to the Content-Security-Policy: no inline scripts, styles or markup from strings', () => {
  const dir = path.join(SOURCE_DIR, 'ui');
  for (const name of fs.readdirSync(dir)) {
    const text = fs.readFileSync(path.join(dir, name), 'utf8');
    if (name.endsWith('.html')) {
      assert.doesNotMatch(text, /<style|\sstyle=|\son[a-z]+=/i, name);
      for (const tag of text.match(/<script[^>]*>/g) || []) assert.match(tag, /\ssrc=/, `${name}: ${tag}`);
    }
    if (name.endsWith('.js')) {
      assert.doesNotMatch(text, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/, name);
      assert.doesNotMatch(text, /https?:\/\//, `${name} must not load anything from the network`);
    }
  }
});

describe('web UI', () => {
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  test('sign-in: a wrong password shows the error, the right one lands on the dashboard', async () => {
    const page = await newPage(browser);
    await signIn(page, server.url, 'alice', 'not-the-password');
    await page.getByRole('alert').filter({ hasText: /wrong user name or password/i }).waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Incidents' }).count(), 0, 'not signed in');
    await screenshot(page, 'signin');
    await page.getByLabel('User name', { exact: true }).fill('alice');
    await page.getByLabel('Password', { exact: true }).fill('alice-browser-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Incidents', level: 1 }).waitFor();
    assert.match(page.url(), /#\/incidents$/);
    assert.match(await page.locator('#user-name').textContent(), /alice \(commander\)/);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test('a new incident appears on the open dashboard without a reload', async () => {
    const page = await newPage(browser);
    await signIn(page, server.url, 'alice');
    await page.getByRole('heading', { name: 'Incidents', level: 1 }).waitFor();
    await page.locator('#conn[data-state="live"]').waitFor();
    await page.evaluate(() => { window.notReloaded = true; });
    const inc = await server.trigger('live-dashboard', 'payments API returns 502');
    const row = page.getByRole('link', { name: `#${inc.id} payments API returns 502` });
    await row.waitFor();
    assert.equal(await page.evaluate(() => window.notReloaded), true, 'the page was not reloaded');
    assert.match(await page.locator('#conn').textContent(), /Live/);
    await server.trigger('live-dashboard-2', 'disk 91% full on db-1', 'warning');
    await page.getByRole('link', { name: /disk 91% full on db-1/ }).waitFor();
    await screenshot(page, 'dashboard');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test('acknowledge and resolve from the incident page', async () => {
    const inc = await server.trigger('ack-resolve', 'checkout error rate above 5%');
    const page = await newPage(browser);
    await signIn(page, server.url, 'alice');
    await page.getByRole('heading', { name: 'Incidents', level: 1 }).waitFor();
    await page.goto(`${server.url}/#/incidents/${inc.id}`);
    await page.getByRole('heading', { name: `#${inc.id} checkout error rate above 5%` }).waitFor();
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await page.locator('.page-head .badge-acknowledged').waitFor();
    assert.equal((await server.call('GET', `/api/v1/incidents/${inc.id}`)).state, 'acknowledged');
    await page.locator('.timeline').getByText('acknowledged', { exact: false }).first().waitFor();
    await screenshot(page, 'incident');
    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.locator('.page-head .badge-resolved').waitFor();
    assert.equal((await server.call('GET', `/api/v1/incidents/${inc.id}`)).state, 'resolved');
    assert.equal(await page.getByRole('button', { name: 'Acknowledge' }).count(), 0);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test('a decision written on the incident page goes to the typed incident log', async () => {
    const inc = await server.trigger('decision-log', 'payments latency p99 above 2 s');
    const page = await newPage(browser);
    await signIn(page, server.url, 'alice');
    await page.getByRole('heading', { name: 'Incidents', level: 1 }).waitFor();
    await page.goto(`${server.url}/#/incidents/${inc.id}`);
    const form = page.getByRole('form', { name: 'Add to the log' });
    await form.getByLabel('Kind').selectOption('decision');
    await form.getByLabel('Note').fill('roll back release 2026.11.30-2');
    await form.getByRole('button', { name: 'Add note' }).click();
    await page.locator('.timeline').getByText('roll back release 2026.11.30-2', { exact: false }).first().waitFor();
    const timeline = JSON.stringify(await server.call('GET', `/api/v1/incidents/${inc.id}/timeline`));
    assert.match(timeline, /decision/i);
    assert.match(timeline, /roll back release 2026\.11\.30-2/);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test('controls follow the role: a responder may acknowledge but not grant vendor access or take command', async () => {
    const inc = await server.trigger('roles-visible', 'queue consumer stalled');
    const page = await newPage(browser);
    await signIn(page, server.url, 'carol');
    await page.getByRole('heading', { name: 'Incidents', level: 1 }).waitFor();
    await page.goto(`${server.url}/#/incidents/${inc.id}`);
    await page.getByRole('button', { name: 'Acknowledge' }).waitFor();
    assert.equal(await page.getByRole('form', { name: 'Grant vendor access' }).isVisible(), false);
    const roles = await page.getByRole('form', { name: 'Assign a role' }).getByLabel('Role', { exact: true })
      .locator('option').allTextContents();
    assert.ok(!roles.includes('commander'), roles.join(','));
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test('commander hand-off: assign a commander, hand off to another user, the page shows the new one', async () => {
    const inc = await server.trigger('handoff', 'search index lagging 20 minutes');
    const page = await newPage(browser);
    await signIn(page, server.url, 'alice');
    await page.getByRole('heading', { name: 'Incidents', level: 1 }).waitFor();
    await page.goto(`${server.url}/#/incidents/${inc.id}`);
    const assign = page.getByRole('form', { name: 'Assign a role' });
    await assign.getByLabel('Role', { exact: true }).selectOption('commander');
    await assign.getByLabel('User', { exact: true }).fill('alice');
    await assign.getByRole('button', { name: 'Assign' }).click();
    await page.locator('.role-commander', { hasText: 'alice' }).waitFor();
    const handoff = page.getByRole('form', { name: 'Hand off command' });
    await handoff.getByLabel('New commander', { exact: true }).fill('bob');
    await handoff.getByLabel('Reason', { exact: true }).fill('end of shift');
    await handoff.getByRole('button', { name: 'Hand off' }).click();
    await page.locator('.role-commander', { hasText: 'bob' }).waitFor();
    const coord = await server.call('GET', `/api/v1/incidents/${inc.id}/coordination`);
    assert.equal(coord.roles.commander, 'bob');
    // alice is no longer the commander, so the hand-off form is gone for her.
    await handoff.waitFor({ state: 'hidden' });
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test('create an on-call override and see it on the calendar', async () => {
    const page = await newPage(browser);
    await signIn(page, server.url, 'alice');
    await page.getByRole('heading', { name: 'Incidents', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'On-call' }).click();
    await page.getByRole('heading', { name: 'On-call', level: 1 }).waitFor();
    const form = page.getByRole('form', { name: 'Create an override' });
    await form.getByLabel('Start (your local time)', { exact: true }).fill(localInput(2, 10));
    await form.getByLabel('End (your local time)', { exact: true }).fill(localInput(2, 14));
    await form.getByLabel('Kind', { exact: true }).selectOption('add');
    await form.getByLabel('User', { exact: true }).fill('grace');
    await form.getByLabel('Reason', { exact: true }).fill('covering the release');
    await form.getByRole('button', { name: 'Create override' }).click();
    await page.locator('.calendar .shift', { hasText: 'grace' }).first().waitFor();
    await page.getByRole('cell', { name: 'covering the release' }).waitFor();
    const schedule = await server.call('GET', '/api/v1/schedules/primary');
    assert.ok(schedule.overrides.some((o) => o.user === 'grace' && o.source === 'api'), JSON.stringify(schedule.overrides));
    await screenshot(page, 'oncall');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test('create a maintenance window and see it listed', async () => {
    const page = await newPage(browser);
    await signIn(page, server.url, 'carol');
    await page.getByRole('heading', { name: 'Incidents', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Maintenance' }).click();
    const form = page.getByRole('form', { name: 'Create a maintenance window' });
    await form.getByLabel('Name', { exact: true }).fill('db-1 kernel upgrade');
    await form.getByLabel('Start (wall-clock time in the time zone below)', { exact: true }).fill(localInput(3, 2));
    await form.getByLabel('Duration', { exact: true }).fill('90m');
    await form.getByLabel('Time zone', { exact: true }).fill('Europe/Berlin');
    await form.getByLabel('Repeats', { exact: true }).selectOption('FREQ=WEEKLY');
    await form.getByLabel('Services in scope', { exact: true }).fill('payments-db');
    // A bad time zone first: the server's problem names the field and the page shows it there.
    await form.getByLabel('Time zone', { exact: true }).fill('Mars/Olympus');
    await form.getByRole('button', { name: 'Create window' }).click();
    await page.locator('[id$="-error"]:not([hidden])').first().waitFor();
    assert.equal(await form.getByLabel('Time zone', { exact: true }).getAttribute('aria-invalid'), 'true');
    await form.getByLabel('Time zone', { exact: true }).fill('Europe/Berlin');
    await form.getByRole('button', { name: 'Create window' }).click();
    const row = page.getByRole('row', { name: /db-1 kernel upgrade/ });
    await row.waitFor();
    assert.match(await row.textContent(), /scheduled/);
    assert.match(await row.textContent(), /FREQ=WEEKLY/);
    const { windows } = await server.call('GET', '/api/v1/maintenance');
    const w = windows.find((x) => x.name === 'db-1 kernel upgrade');
    assert.ok(w, 'the window exists');
    assert.equal(w.time_zone, 'Europe/Berlin');
    assert.equal(w.rrule, 'FREQ=WEEKLY');
    assert.equal(w.owner, 'carol');
    await screenshot(page, 'maintenance');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test('the alerts screen lists an alert with its state and incident', async () => {
    const inc = await server.trigger('alerts-screen', 'TLS certificate expires in 3 days', 'warning');
    const page = await newPage(browser);
    await signIn(page, server.url, 'alice');
    await page.getByRole('heading', { name: 'Incidents', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Alerts' }).click();
    const row = page.getByRole('row', { name: /TLS certificate expires in 3 days/ });
    await row.waitFor();
    assert.match(await row.textContent(), /firing/);
    await row.getByRole('link', { name: `#${inc.id}` }).waitFor();
    await screenshot(page, 'alerts');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test('the drills screen runs a drill and shows it in the history', async () => {
    const page = await newPage(browser);
    await signIn(page, server.url, 'alice');
    await page.getByRole('heading', { name: 'Incidents', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Drills' }).click();
    await page.getByRole('heading', { name: 'checkout-weekly' }).waitFor();
    await page.getByRole('button', { name: 'Run now' }).click();
    await page.getByRole('table', { name: 'History of checkout-weekly' }).getByRole('cell', { name: /manual/ }).waitFor();
    await screenshot(page, 'drills');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test('phone width (375 px): no horizontal overflow on the dashboard, the nav folds behind Menu', async () => {
    const page = await newPage(browser, { width: 375, height: 800 });
    await signIn(page, server.url, 'alice');
    await page.getByRole('heading', { name: 'Incidents', level: 1 }).waitFor();
    await page.locator('.incident-list table, .incident-list .empty').first().waitFor();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 375, `the page is ${width} px wide`);
    const nav = page.getByRole('navigation', { name: 'Main' });
    assert.equal(await nav.isVisible(), false, 'the nav is folded');
    await page.getByRole('button', { name: 'Menu' }).click();
    await nav.getByRole('link', { name: 'On-call' }).waitFor();
    await page.getByRole('button', { name: 'Menu' }).click();
    await screenshot(page, 'phone-dashboard');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
});
