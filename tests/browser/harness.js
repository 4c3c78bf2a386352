// Test harness for the browser tests: starts the real incidentd (INCIDENTD_BIN) on a free port with a temporary
// data directory and a configuration made from examples/incidentd.yaml with test users (Argon2id hashes from
// `incidentd hash-password`), and launches Debian's chromium through playwright-core.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

// playwright-core comes from BROWSER_TEST_MODULES/node_modules (tools/browser_test.sh installs it under the build
// directory) or, when that is unset, from tests/browser/node_modules.
const modules = process.env.BROWSER_TEST_MODULES;
const requireFrom = createRequire(modules ? path.join(path.resolve(modules), 'package.json') : import.meta.url);
const { chromium } = requireFrom('playwright-core');

export const SOURCE_DIR = path.resolve(process.env.INCIDENTD_SOURCE_DIR || path.join(import.meta.dirname, '..', '..'));
export const ADMIN_TOKEN = 'browser-test-admin-token-0123456789';
export const USERS = {
  alice: { role: 'commander', password: 'alice-browser-password' },
  bob: { role: 'commander', password: 'bob-browser-password' },
  carol: { role: 'responder', password: 'carol-browser-password', teams: ['dba'] },
};

function binary() {
  const bin = process.env.INCIDENTD_BIN || path.join(SOURCE_DIR, 'build', 'incidentd');
  if (!fs.existsSync(bin)) throw new Error(`incidentd binary not found at ${bin} (set INCIDENTD_BIN)`);
  return bin;
}

function hashPassword(bin, password) {
  const r = spawnSync(bin, ['hash-password'], { input: `${password}\n`, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`incidentd hash-password failed: ${r.stderr}`);
  return r.stdout.trim();
}

// The example configuration with our users instead of the demo ones, its relative rules path made absolute, and
// the webhook channel pointed at a closed port (deliveries fail and are retried, which the UI shows).
function writeConfig(bin, dir) {
  let yaml = fs.readFileSync(path.join(SOURCE_DIR, 'examples', 'incidentd.yaml'), 'utf8');
  const users = Object.entries(USERS).map(([name, u]) => [
    `  - name: ${name}`,
    `    role: ${u.role}`,
    u.teams ? `    teams: [${u.teams.join(', ')}]` : null,
    `    password_argon2id: "${hashPassword(bin, u.password)}"`,
  ].filter(Boolean).join('\n')).join('\n');
  const start = yaml.indexOf('\nusers:\n');
  const end = yaml.indexOf('\nhttp:\n');
  if (start < 0 || end < start) throw new Error('examples/incidentd.yaml: no users: section before http:');
  yaml = `${yaml.slice(0, start)}\nusers:\n${users}\n${yaml.slice(end)}`;
  yaml = yaml.replace('rules: ../rules/regulatory.yaml', `rules: ${path.join(SOURCE_DIR, 'rules', 'regulatory.yaml')}`);
  yaml = yaml.replace('url: http://127.0.0.1:9090/incidentd', 'url: http://127.0.0.1:9/incidentd');
  // grace is nobody's on-call yet: the override test puts her on the calendar.
  yaml = yaml.replace('\npeople:\n', '\npeople:\n  - {name: grace, contacts: [{channel: ops-webhook}]}\n');
  if (!yaml.includes('name: grace')) throw new Error('examples/incidentd.yaml: no people: section');
  const file = path.join(dir, 'incidentd.yaml');
  fs.writeFileSync(file, yaml);
  return file;
}

export async function startServer() {
  const bin = binary();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incidentd-browser-'));
  const config = writeConfig(bin, dir);
  const ready = path.join(dir, 'ready');
  const log = fs.openSync(path.join(dir, 'server.log'), 'w');
  const child = spawn(bin, ['serve', '--config', config, '--data-dir', path.join(dir, 'data'),
    '--listen', '127.0.0.1:0', '--ready-file', ready], {
    env: { ...process.env, INCIDENTD_TOKEN: ADMIN_TOKEN }, stdio: ['ignore', log, log],
  });
  let exited = null;
  child.on('exit', (code) => { exited = code; });
  for (let i = 0; i < 600 && !fs.existsSync(ready); i += 1) {
    if (exited !== null) break;
    await sleep(50);
  }
  if (!fs.existsSync(ready)) {
    child.kill('SIGKILL');
    throw new Error(`incidentd did not start:\n${fs.readFileSync(path.join(dir, 'server.log'), 'utf8')}`);
  }
  const address = fs.readFileSync(ready, 'utf8').trim();
  const url = `http://${address}`;
  return {
    url,
    dir,
    // An HTTP call with the admin token (what a monitoring tool or a script would do).
    async call(method, p, body) {
      const res = await fetch(url + p, {
        method,
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
      return text ? JSON.parse(text) : null;
    },
    // Posts an Events v2 trigger for service checkout; resolves to the incident that holds it.
    async trigger(dedupKey, summary, severity = 'critical') {
      await this.call('POST', '/v2/enqueue', {
        routing_key: 'checkout-key', event_action: 'trigger', dedup_key: dedupKey,
        payload: { summary, source: 'web-1', severity },
      });
      const { incidents } = await this.call('GET', '/api/v1/incidents?limit=500');
      const inc = incidents.find((i) => i.title === summary);
      if (!inc) throw new Error(`no incident titled ${summary}`);
      return inc;
    },
    async stop() {
      if (exited === null) {
        child.kill('SIGTERM');
        for (let i = 0; i < 100 && exited === null; i += 1) await sleep(50);
        if (exited === null) child.kill('SIGKILL');
      }
      fs.closeSync(log);
      if (!process.env.KEEP_BROWSER_TEST_DIR) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

// A fresh browser context (own cookies) with one page; page errors and CSP violations fail the test that reads
// `problems` at its end.
export async function newPage(browser, { width = 1280, height = 900 } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, timezoneId: 'UTC', locale: 'en-GB' });
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) page.problems.push(m.text());
  });
  page.setDefaultTimeout(15000);
  return page;
}

export async function signIn(page, url, user, password = USERS[user].password) {
  await page.goto(`${url}/`);
  await page.getByLabel('User name', { exact: true }).fill(user);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

// docs/screenshots/<name>.png with UPDATE_SCREENSHOTS=1, else under the test work directory.
export async function screenshot(page, name) {
  const dir = process.env.UPDATE_SCREENSHOTS === '1'
    ? path.join(SOURCE_DIR, 'docs', 'screenshots')
    : path.join(process.env.BROWSER_TEST_WORK || os.tmpdir(), 'screenshots');
  fs.mkdirSync(dir, { recursive: true });
  await page.waitForTimeout(300); // let the toast and fonts settle: this is a picture, not an assertion
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}
