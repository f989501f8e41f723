// The widget and untrusted text, access tokens and allowed origins: markup in bot settings, knowledge and
// visitor input is shown as text and never runs; a private bot works only with its token; a website not on
// the bot's list of allowed origins gets a calm "not available" state instead of a broken widget.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { seededBot, Q_PRICE } from '../lib/fixtures.mjs';
import { startAll, newPage, hostPage, shot, waitInteractive, widget, ask, createTenant } from './lib.mjs';

const TOKEN = 'Geheim_Zugang-2026xyz';
const NA = 'Dieser Chat ist derzeit nicht verfügbar.';
const PUBLIC_API_RE = /\/api\/v1\/public\/bot\//;

// Each payload sets window.__xss (to a number saying which) if it ever runs.
const X = {
  name: 'Studio <img src=x onerror="window.__xss=1"> Nord',
  welcome: 'Willkommen <script>window.__xss=2</script><b>fett</b> <a href="javascript:window.__xss=3">Link</a> javascript:window.__xss=4',
  placeholder: '"><img src=x onerror=window.__xss=5>',
  title: 'Preise <img src=x onerror=window.__xss=6>',
  text: '# Zaubertrank\n\nDer Zaubertrank kostet 7 Taler <img src=x onerror=window.__xss=7> und <script>window.__xss=8</script> wirkt sofort. Mehr unter https://example.de/trank"onmouseover="window.__xss=9 und <a href="javascript:window.__xss=10">hier</a>.',
  question: 'Was kostet der Zaubertrank? <img src=x onerror=window.__xss=11><b>fett</b><script>window.__xss=12</script>',
};

/** Elements inside the widget's shadow root that markup injection would create, and every link's href. */
function shadowAudit(page) {
  return page.evaluate(() => {
    const out = { scripts: 0, bolds: 0, imgs: [], iframes: 0, handlers: [], hrefs: [] };
    for (const h of document.querySelectorAll('[data-botwerk-widget]')) {
      const r = h.shadowRoot;
      out.scripts += r.querySelectorAll('script').length;
      out.bolds += r.querySelectorAll('b').length;
      out.iframes += r.querySelectorAll('iframe,object,embed').length;
      for (const i of r.querySelectorAll('img')) out.imgs.push(i.getAttribute('src'));
      for (const a of r.querySelectorAll('a')) out.hrefs.push(a.getAttribute('href'));
      for (const e of r.querySelectorAll('*')) {
        for (const at of e.getAttributeNames()) if (/^on/i.test(at)) out.handlers.push(`${e.tagName}[${at}]`);
      }
    }
    return out;
  });
}

describe('widget security: escaping, token, allowed origins (Chromium)', () => {
  let env, srv, host, browser, key, xbot, bot;
  before(async () => {
    env = await startAll();
    ({ srv, host, browser } = env);
    key = (await createTenant(srv, 'Sicherheit')).api_key;
    xbot = await srv.createBot(key, { name: X.name, branding: { welcome_message: X.welcome, placeholder_text: X.placeholder } });
    await srv.addText(key, xbot.id, X.title, X.text);
    ({ bot } = await seededBot(srv, key, { name: 'FitWerk Offen' }));
  });
  after(async () => {
    await env?.close();
  });

  it('markup in name, welcome, placeholder, knowledge and visitor input is text; nothing runs, nothing is injected', async () => {
    const url = host.page('/xss.html', hostPage({ botwerk: srv.base, attrs: { 'data-bot-id': xbot.id } }));
    const { context, page, issues } = await newPage(browser);
    const hostRequests = [];
    page.on('request', (r) => hostRequests.push(r.url()));
    try {
      await page.goto(url);
      await waitInteractive(page);
      const w = widget(page);
      await w.launcher.click();
      await w.title.filter({ hasText: 'Studio' }).waitFor(); // config arrived
      assert.equal(await w.title.textContent(), X.name, 'the name is shown verbatim');
      assert.equal(await w.botMessages.first().locator('.b').textContent(), X.welcome, 'the welcome message is shown verbatim');
      assert.equal(await w.input.getAttribute('placeholder'), X.placeholder, 'the placeholder is an attribute value, verbatim');

      const a = await ask(page, X.question);
      assert.equal(await w.userMessages.last().locator('.b').textContent(), X.question, 'the visitor input is shown verbatim');
      assert.ok(a.text.includes('7 Taler'), `the knowledge passage is the answer: ${a.text}`);
      // Whatever of the markup the answer keeps, it is text.
      const srcTitles = await a.sources.allTextContents();
      assert.ok(srcTitles.some((t) => t.includes('Preise')), `source listed: ${JSON.stringify(srcTitles)}`);
      await page.waitForTimeout(200); // let a broken image fire its onerror, if there were one

      assert.equal(await page.evaluate(() => window.__xss), undefined, 'no payload ran');
      const audit = await shadowAudit(page);
      assert.equal(audit.scripts, 0, 'no <script> in the widget');
      assert.equal(audit.bolds, 0, 'no <b> from markup');
      assert.equal(audit.iframes, 0);
      assert.deepEqual(audit.handlers, [], 'no on* attributes');
      assert.ok(audit.imgs.every((s) => s === null || /^https?:/.test(s)), `only http(s) images (the logo): ${JSON.stringify(audit.imgs)}`);
      for (const h of audit.hrefs) assert.match(h, /^(https?:|mailto:)/, `link href ${h}`);
      assert.ok(!hostRequests.some((u) => /\/x$/.test(u)), 'no request for the injected <img src=x>');
      assert.equal(await page.locator('body > img, body > script:not([src])').count(), 0, 'nothing injected into the host page');
      await shot(page, 'xss-as-text');
      issues.assertClean();
    } finally {
      await context.close();
    }
  });

  it('the same bot on its own page /bot/{id} (strict CSP): text, no violations, no payload', async () => {
    const { context, page, issues } = await newPage(browser);
    try {
      await page.goto(`${srv.base}/bot/${xbot.id}`);
      await waitInteractive(page);
      assert.equal(await page.title(), X.name);
      const w = widget(page);
      await ask(page, X.question);
      assert.equal(await w.userMessages.last().locator('.b').textContent(), X.question);
      await page.waitForTimeout(200);
      assert.equal(await page.evaluate(() => window.__xss), undefined);
      const audit = await shadowAudit(page);
      assert.equal(audit.scripts + audit.bolds + audit.iframes + audit.handlers.length, 0, JSON.stringify(audit));
      issues.assertClean();
    } finally {
      await context.close();
    }
  });

  describe('access token', () => {
    let priv;
    before(async () => {
      ({ bot: priv } = await seededBot(srv, key, { name: 'FitWerk Intern', access: { token: TOKEN } }));
    });

    it('/bot/{id} without the token: 401 error page "Kein Zugriff", no chat; a wrong token: 401 too', async () => {
      const { context, page, issues } = await newPage(browser);
      try {
        let res = await page.goto(`${srv.base}/bot/${priv.id}`);
        assert.equal(res.status(), 401);
        assert.equal(await page.locator('h1').textContent(), 'Kein Zugriff');
        assert.equal(await page.locator('#botwerk-chat, [data-botwerk-widget]').count(), 0, 'no chat on the error page');
        assert.ok(!(await page.content()).includes(priv.id + '"'), 'the error page does not carry the bot');
        await shot(page, 'token-missing');
        res = await page.goto(`${srv.base}/bot/${priv.id}?token=${TOKEN.slice(0, -1)}X`);
        assert.equal(res.status(), 401);
        assert.equal(await page.locator('h1').textContent(), 'Kein Zugriff');
        // The browser logs the 401 document load; the error page itself must not cause anything else.
        issues.assertClean({ allow: [/status of 401/] });
      } finally {
        await context.close();
      }
    });

    it('/bot/{id}?token=…: the chat works, every API call carries the token', async () => {
      const { context, page, issues } = await newPage(browser);
      const api = [];
      page.on('request', (r) => { if (PUBLIC_API_RE.test(r.url())) api.push(r.url()); });
      try {
        const res = await page.goto(`${srv.base}/bot/${priv.id}?token=${TOKEN}`);
        assert.equal(res.status(), 200);
        await waitInteractive(page);
        const a = await ask(page, Q_PRICE.q);
        assert.ok(a.text.includes(Q_PRICE.expect), a.text);
        assert.ok(api.some((u) => /\/config\?/.test(u)) && api.some((u) => /\/chat\?/.test(u)), JSON.stringify(api));
        for (const u of api) assert.equal(new URL(u).searchParams.get('token'), TOKEN, `token on ${u}`);
        issues.assertClean();
      } finally {
        await context.close();
      }
    });

    it('on a website: data-token makes it work; without it the widget says it is unavailable', async () => {
      const ok = host.page('/token-ok.html', hostPage({ botwerk: srv.base, attrs: { 'data-bot-id': priv.id, 'data-token': TOKEN, 'data-mode': 'inline' } }));
      const missing = host.page('/token-missing.html', hostPage({ botwerk: srv.base, attrs: { 'data-bot-id': priv.id, 'data-mode': 'inline' } }));
      let { context, page, issues } = await newPage(browser);
      try {
        await page.goto(ok);
        await waitInteractive(page);
        const a = await ask(page, Q_PRICE.q);
        assert.ok(a.text.includes(Q_PRICE.expect), a.text);
        issues.assertClean();
      } finally {
        await context.close();
      }
      ({ context, page, issues } = await newPage(browser));
      try {
        await page.goto(missing);
        await waitInteractive(page);
        const w = widget(page);
        await w.host.getByText(NA).waitFor();
        assert.equal(await w.input.isVisible(), false, 'no input in the unavailable state');
        await shot(page, 'token-missing-widget');
        issues.assertClean({ allow: [/status of 401/] });
      } finally {
        await context.close();
      }
    });
  });

  describe('allowed origins', () => {
    it('a website on the list: the widget works (its origin is echoed)', async () => {
      const { bot: listed } = await seededBot(srv, key, { name: 'FitWerk Gelistet', access: { allowed_origins: ['https://shop.example.de', host.origin] } });
      const url = host.page('/origin-ok.html', hostPage({ botwerk: srv.base, attrs: { 'data-bot-id': listed.id } }));
      const { context, page, issues } = await newPage(browser);
      try {
        const cfgRes = page.waitForResponse((r) => /\/config(\?|$)/.test(r.url()));
        await page.goto(url);
        await waitInteractive(page);
        assert.equal((await cfgRes).headers()['access-control-allow-origin'], host.origin);
        await widget(page).launcher.click();
        const a = await ask(page, Q_PRICE.q);
        assert.ok(a.text.includes(Q_PRICE.expect), a.text);
        issues.assertClean();
      } finally {
        await context.close();
      }
    });

    it('a website not on the list: the widget shows it is unavailable, no crash, no exception', async () => {
      const { bot: other } = await seededBot(srv, key, { name: 'FitWerk Anderswo', access: { allowed_origins: ['https://shop.example.de'] } });
      const url = host.page('/origin-denied.html', hostPage({ botwerk: srv.base, attrs: { 'data-bot-id': other.id } }));
      const { context, page, issues } = await newPage(browser);
      try {
        const cfgRes = page.waitForResponse((r) => /\/config(\?|$)/.test(r.url()));
        await page.goto(url);
        await waitInteractive(page);
        assert.equal((await cfgRes).status(), 403);
        const w = widget(page);
        await w.launcher.click();
        await w.host.getByText(NA).waitFor();
        assert.equal(await w.input.isVisible(), false, 'no input in the unavailable state');
        assert.ok(await w.close.isVisible(), 'the panel can still be closed');
        await shot(page, 'origin-denied');
        await w.close.click();
        await w.panel.waitFor({ state: 'hidden' });
        // Only the browser's own line about the 403; no exception, no other error.
        issues.assertClean({ allow: [/status of 403/] });
      } finally {
        await context.close();
      }
    });
  });
});
