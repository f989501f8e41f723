// tests/browser/lib.mjs — real-browser tests of the web channel: Playwright (playwright-core from npm)
// driving Debian's Chromium against the real botwerk binary (tests/lib/server.mjs).
//
//   const { srv, host, browser, close } = await startAll();  // per test file: botwerk (fresh database),
//                                                      // a "third-party website" on its own loopback port, Chromium
//   const { api_key } = await createTenant(srv, 'Studio');
//   host.page('/shop.html', hostPage({ botwerk: srv.base, attrs: { 'data-bot-id': id }, css: HOSTILE.unset }));
//   const { page, issues } = await newPage(browser);   // fresh context per test; collects console errors,
//   await page.goto(host.url('/shop.html'));           // page errors, CSP violations and botwerk:* events
//   await shot(page, 'bubble-unset');                  // PNG under $BOTWERK_ARTIFACTS/screenshots/
//   issues.assertClean();
//   await close();
//
// Widget internals are reached through widget(page) (Playwright CSS pierces the open shadow root); the class
// names it uses are the widget's own, kept in that one place.
//
// Environment:
//   BOTWERK_CHROMIUM    browser executable (default /usr/lib/chromium/chromium, Debian's package `chromium`)
//   BOTWERK_ARTIFACTS   where screenshots go (default build/artifacts, relative to the repository root)

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { execFile } from 'node:child_process';
import { ROOT, BIN, sleep, startServer } from '../lib/server.mjs';

export { ROOT, sleep };

/**
 * A tenant and its API key ({id, api_key}) via `botwerk tenant create`, like srv.tenant() — but with stdin not
 * piped: tests/lib/server.mjs run() writes to the child's stdin without an error handler, so when the CLI exits
 * before that write is flushed (likely while Chromium starts and the CPUs are busy) an EPIPE escapes as an
 * uncaught exception and fails the file. Use srv.tenant() again once run() ignores stdin errors.
 */
export function createTenant(srv, name) {
  return new Promise((resolve, reject) => {
    const child = execFile(BIN, ['tenant', 'create', name], { env: srv.env, timeout: 30000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`botwerk tenant create failed: ${err.message}\n${stderr}`));
      try {
        const t = JSON.parse(stdout);
        assert.match(t.api_key, /^bwk_/);
        resolve(t);
      } catch (e) {
        reject(new Error(`botwerk tenant create printed no tenant: ${stdout}\n${stderr} (${e.message})`));
      }
    });
    child.stdin.on('error', () => {}); // nothing is written; closing it must not throw either
    child.stdin.end();
  });
}

export const CHROMIUM = process.env.BOTWERK_CHROMIUM || '/usr/lib/chromium/chromium';
export const ARTIFACTS = path.resolve(ROOT, process.env.BOTWERK_ARTIFACTS || 'build/artifacts');
export const SCREENSHOTS = path.join(ARTIFACTS, 'screenshots');

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let pw;
/** playwright-core, loaded from the repository's node_modules (a clear message when `npm ci` has not run). */
export function playwright() {
  if (pw) return pw;
  const require = createRequire(path.join(ROOT, 'package.json'));
  try {
    pw = require('playwright-core');
  } catch (e) {
    throw new Error(`playwright-core is not installed: run \`npm ci\` in ${ROOT} (scripts/install-deps does it) — ${e.message}`);
  }
  return pw;
}

/** Debian's Chromium, headless. */
export async function launchBrowser() {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (scripts/install-deps), or set BOTWERK_CHROMIUM`);
  }
  return playwright().chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30000 });
}

/**
 * What a test file needs, started side by side: {srv, host, browser, close()}. When one of them fails to start,
 * the others are stopped again (no botwerk process left behind) and the first error is thrown. close() closes
 * the browser and the host and stops botwerk (asserting a clean exit, like srv.stop()).
 */
export async function startAll(serverOpts) {
  const [srv, host, browser] = await Promise.allSettled([startServer(serverOpts), startHost(), launchBrowser()]);
  const failed = [srv, host, browser].find((r) => r.status === 'rejected');
  if (failed) {
    await (browser.value && browser.value.close().catch(() => {}));
    await (host.value && host.value.close());
    await (srv.value && srv.value.kill());
    throw failed.reason;
  }
  return {
    srv: srv.value,
    host: host.value,
    browser: browser.value,
    async close() {
      await browser.value.close().catch(() => {});
      await host.value.close();
      await srv.value.stop();
    },
  };
}

// ---- collecting what went wrong in a page --------------------------------------------------------------

// Runs in every frame before any page script (CDP, so a page's CSP does not stop it). It reports CSP
// violations and botwerk:* window events through bindings; event details are reduced to JSON-safe values
// (the widget object in them becomes the list of its keys).
function pageProbe() {
  const report = (name, v) => {
    try {
      const f = window[name];
      if (typeof f === 'function') f(v).catch(() => {});
    } catch {
      /* binding not there (about:blank before it is installed) */
    }
  };
  document.addEventListener(
    'securitypolicyviolation',
    (e) =>
      report('__bwTestCsp', {
        directive: e.violatedDirective,
        effective: e.effectiveDirective,
        blocked: e.blockedURI,
        source: e.sourceFile,
        line: e.lineNumber,
        sample: e.sample,
        disposition: e.disposition,
      }),
    true,
  );
  const plain = (v, depth = 0) => {
    if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) return v;
    if (typeof v === 'function') return '[function]';
    if (typeof v !== 'object' || depth > 4) return String(v);
    if (Array.isArray(v)) return v.map((x) => plain(x, depth + 1));
    if (v.open && v.close && v.destroy) return { widget: Object.keys(v).sort() };
    const o = {};
    for (const k of Object.keys(v)) o[k] = plain(v[k], depth + 1);
    return o;
  };
  for (const type of ['initialized', 'opened', 'closed', 'message', 'destroyed']) {
    window.addEventListener('botwerk:' + type, (e) => report('__bwTestEvent', { type, detail: plain(e.detail), t: performance.now() }));
  }
}

/**
 * A fresh browser context and page. Options are Playwright context options (viewport, isMobile, …) plus
 * `probe: false` to add no init script and no bindings (the benchmark measures pages untouched).
 * Returns {context, page, issues}: issues.console (error-level console messages, all frames), issues.pageErrors
 * (uncaught exceptions), issues.csp (securitypolicyviolation events, all frames), issues.events (botwerk:* window
 * events), issues.assertClean(allow) to assert there were none (allow: regexps of expected console errors).
 */
export async function newPage(browser, opts = {}) {
  const { probe = true, ...ctxOpts } = opts;
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'de-DE', ...ctxOpts });
  context.setDefaultTimeout(10000);
  const issues = new Issues();
  if (probe) {
    await context.exposeBinding('__bwTestCsp', ({ frame }, v) => {
      issues.csp.push({ ...v, frame: frame.url() });
    });
    await context.exposeBinding('__bwTestEvent', ({ frame }, v) => {
      issues.events.push({ ...v, frame: frame.url() });
    });
    await context.addInitScript(pageProbe);
  }
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') issues.console.push({ text: m.text(), url: m.location().url });
    else if (m.type() === 'warning') issues.warnings.push(m.text());
  });
  page.on('pageerror', (e) => issues.pageErrors.push(String(e && e.stack ? e.stack : e)));
  return { context, page, issues };
}

export class Issues {
  constructor() {
    this.console = [];
    this.warnings = [];
    this.pageErrors = [];
    this.csp = [];
    this.events = [];
  }

  /** The botwerk:* events seen so far, optionally of one type. */
  eventsOf(type) {
    return this.events.filter((e) => !type || e.type === type);
  }

  /** Waits until an event of this type (and matching pred) arrived; returns it. */
  async waitForEvent(type, pred = () => true, timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.events.find((e) => e.type === type && pred(e));
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`no botwerk:${type} event within ${timeoutMs} ms; got ${JSON.stringify(this.events.map((e) => e.type))}`);
      await sleep(20);
    }
  }

  /**
   * Asserts no console error (except ones whose "TEXT URL" matches a regexp in `allow`), no uncaught exception,
   * no CSP violation (unless allowCsp).
   */
  assertClean({ allow = [], allowCsp = false } = {}) {
    const console = this.console.filter((m) => !allow.some((re) => re.test(`${m.text} ${m.url || ''}`)));
    assert.deepEqual(this.pageErrors, [], `uncaught exceptions in the page:\n${this.pageErrors.join('\n')}`);
    if (!allowCsp) assert.deepEqual(this.csp, [], `CSP violations:\n${JSON.stringify(this.csp, null, 1)}`);
    assert.deepEqual(console, [], `console errors:\n${JSON.stringify(console, null, 1)}`);
  }
}


// ---- screenshots ---------------------------------------------------------------------------------------

/** Saves a PNG of the page (viewport) as screenshots/NAME.png; returns its path. */
export async function shot(page, name, opts = {}) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path: file, animations: 'disabled', ...opts });
  return file;
}

// ---- the third-party website ---------------------------------------------------------------------------

/**
 * A tiny static HTTP server on a free loopback port, standing in for a customer's website (its own origin:
 * same host, other port). host.page(path, html) registers a page; anything else is 404 (favicon: 204).
 * host.requests lists the paths asked for.
 */
export async function startHost() {
  const pages = new Map();
  const requests = [];
  const server = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    requests.push(u.pathname);
    const p = pages.get(u.pathname);
    if (p) {
      res.writeHead(200, { 'Content-Type': p.type, 'Cache-Control': 'no-store', ...p.headers });
      res.end(p.body);
    } else if (u.pathname === '/favicon.ico') {
      res.writeHead(204);
      res.end();
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
    }
  });
  server.keepAliveTimeout = 1000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  const base = `http://127.0.0.1:${port}`;
  return {
    port,
    base,
    origin: base,
    requests,
    page(p, body, { type = 'text/html; charset=utf-8', headers = {} } = {}) {
      pages.set(p, { body, type, headers });
      return base + p;
    },
    url: (p) => base + p,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

// Hostile host-page CSS: what real websites do to third-party widgets (on purpose or by accident).
export const HOSTILE = {
  unset: '* { all: unset !important; } html, body { display: block !important; }',
  hideDivs: 'div { display: none !important; visibility: hidden !important; }',
  hideButtons: 'button, [role=button] { display: none !important; } textarea, input { display: none !important; }',
  bigRem: 'html { font-size: 40px; } body { font-size: 3rem; line-height: 4; letter-spacing: 4px; }',
  scaledBody: 'body { transform: scale(.5); transform-origin: 0 0; }',
  inherited:
    '* { color: #f0f !important; font-family: "Comic Sans MS", cursive !important; text-transform: uppercase !important; ' +
    'box-sizing: content-box !important; pointer-events: none !important; opacity: .9; } ' +
    'body, div { visibility: hidden !important; } div { z-index: -1 !important; position: static !important; } ' +
    'p { visibility: visible !important; pointer-events: auto !important; }',
};

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

/**
 * A host page. Options:
 *   botwerk   botwerk's base URL (the script is BASE/widget.js)
 *   attrs     attributes of the embed element (data-bot-id, data-mode, …); null → no embed element
 *   tag       the embed element's tag (default div)
 *   css       extra CSS in a <style> in the head (the hostile part)
 *   head      extra HTML in the head (before the widget script)
 *   body      extra HTML in the body, before the embed element
 *   after     extra HTML after the widget script
 *   script    false → no widget script tag (a test adds it itself)
 */
export function hostPage({ botwerk, attrs = {}, tag = 'div', css = '', head = '', body = '', after = '', script = true, title = 'Kunden-Website' } = {}) {
  const a = attrs ? Object.entries(attrs).map(([k, v]) => ` ${k}="${esc(v)}"`).join('') : '';
  return `<!doctype html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body { font: 16px/1.5 Georgia, serif; margin: 0; padding: 24px; }
header, footer { padding: 12px; background: #eee; }
#content { min-height: 200px; }
${css}
</style>
${head}
</head>
<body>
<header><p>Bäckerei Muster – Startseite</p><button id="host-button" type="button">Host-Knopf</button></header>
<p id="host-text">Willkommen auf unserer Website. <a id="host-link" href="#top">Link</a></p>
${body}
${attrs ? `<${tag} id="chat-slot"${a}></${tag}>` : ''}
<footer><p>Impressum</p></footer>
${script ? `<script async src="${esc(botwerk)}/widget.js"></script>` : ''}
${after}
</body>
</html>
`;
}

// ---- widget helpers --------------------------------------------------------------------------------------

/** Waits until the widget marked itself interactive (performance mark botwerk:interactive). */
export async function waitInteractive(page, timeout = 10000) {
  await page.waitForFunction(() => performance.getEntriesByName('botwerk:interactive').length > 0, null, { timeout });
}

/** Locators inside the (open) shadow root of the first widget host; Playwright CSS pierces open shadow roots. */
export function widget(page, hostSel = '[data-botwerk-widget]') {
  const host = page.locator(hostSel).first();
  return {
    host,
    launcher: host.locator('button.l'),
    panel: host.locator('.p'),
    log: host.locator('[role=log]'),
    input: host.locator('textarea'),
    send: host.locator('button[type=submit].s'),
    title: host.locator('.h .t'),
    messages: host.locator('[role=log] .m'),
    userMessages: host.locator('[role=log] .m.u'),
    botMessages: host.locator('[role=log] .m:not(.u)'),
    typing: host.locator('.ty'),
    close: host.locator('button.x'),
  };
}

/** Types a question into the widget and sends it with Enter; waits for the answer bubble that follows. */
export async function ask(page, text, { hostSel, timeout = 10000 } = {}) {
  const w = widget(page, hostSel);
  const before = await w.botMessages.count();
  await w.input.click();
  await w.input.fill(text);
  await w.input.press('Enter');
  // The answer is a new bot message (the typing indicator is not a .m). A streamed answer is a provisional bubble
  // first; it is final once the typing indicator is gone and the log is no longer aria-busy.
  await w.botMessages.nth(before).waitFor({ state: 'attached', timeout });
  const deadline = Date.now() + timeout;
  while ((await w.log.getAttribute('aria-busy')) !== null || (await w.typing.count()) > 0) {
    if (Date.now() > deadline) throw new Error(`the answer to "${text}" did not finish within ${timeout} ms`);
    await sleep(25);
  }
  const answer = w.botMessages.nth(before);
  return { answer, text: (await answer.locator('.b').textContent()) || '', sources: answer.locator('.src li') };
}

/** Waits for the finite animations in the locator's tree (the shadow root) to finish: boxes are final then. */
export async function settle(locator) {
  await locator.evaluate((el) =>
    Promise.all(
      el
        .getRootNode()
        .getAnimations()
        .filter((a) => a.effect && a.effect.getComputedTiming().iterations !== Infinity)
        .map((a) => a.finished.catch(() => {})),
    ),
  );
}

/** Bounding box of a locator, asserting it is on screen inside the viewport (with a little slack). */
export async function assertOnScreen(page, locator, what, { minWidth = 1, minHeight = 1 } = {}) {
  const box = await locator.boundingBox();
  assert.ok(box, `${what}: not rendered (no bounding box)`);
  const vp = page.viewportSize();
  assert.ok(box.width >= minWidth && box.height >= minHeight, `${what}: too small ${JSON.stringify(box)} (want ≥ ${minWidth}×${minHeight})`);
  assert.ok(box.x >= -1 && box.y >= -1 && box.x + box.width <= vp.width + 1 && box.y + box.height <= vp.height + 1, `${what}: outside the ${vp.width}×${vp.height} viewport: ${JSON.stringify(box)}`);
  return box;
}

/** True when the element at the centre of the locator's box is the locator's element or inside it (hit test). */
export async function isHitTarget(locator) {
  return locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const x = r.left + r.width / 2;
    const y = r.top + r.height / 2;
    let root = el.getRootNode();
    const hit = (root.elementFromPoint ? root : document).elementFromPoint(x, y);
    return !!hit && (hit === el || el.contains(hit));
  });
}
