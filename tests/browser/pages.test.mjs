// botwerk's own pages in a real browser: the full-page chat /bot/{id} under its strict CSP (no violations,
// no console errors, the theme applied), and the embed page /bot/{id}/embed in an iframe on a website,
// allowed or refused by frame-ancestors according to the bot's allowed origins.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { seededBot, Q_PRICE, Q_HOURS } from '../lib/fixtures.mjs';
import { startAll, launchBrowser, newPage, hostPage, shot, waitInteractive, widget, ask, sleep, createTenant } from './lib.mjs';

const rgb = (hex) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;

describe('botwerk pages (Chromium)', () => {
  let env, srv, host, browser, key, light, dark;
  before(async () => {
    env = await startAll();
    ({ srv, host, browser } = env);
    key = (await createTenant(srv, 'Seiten')).api_key;
    ({ bot: light } = await seededBot(srv, key, { name: 'FitWerk Winterhude', branding: { primary_color: '#7c2d12', theme: 'light' } }));
    ({ bot: dark } = await seededBot(srv, key, { name: 'FitWerk Night', language: 'en', branding: { theme: 'dark' } }));
  });
  after(async () => {
    await env?.close();
  });

  it('/bot/{id}: strict CSP, zero violations, no console errors, head from the bot, answers a question', async () => {
    const { context, page, issues } = await newPage(browser);
    try {
      const res = await page.goto(`${srv.base}/bot/${light.id}`);
      assert.equal(res.status(), 200);
      const h = res.headers();
      assert.match(h['content-security-policy'], /default-src 'none'; script-src 'self' 'nonce-[0-9a-f]+'/);
      assert.match(h['content-security-policy'], /frame-ancestors 'none'/);
      assert.ok(!/unsafe-(inline|eval)/.test(h['content-security-policy']));
      assert.equal(h['x-frame-options'], 'DENY');
      assert.equal(h['referrer-policy'], 'no-referrer');
      await waitInteractive(page);
      assert.equal(await page.title(), 'FitWerk Winterhude');
      assert.equal(await page.getAttribute('html', 'lang'), 'de');
      assert.equal(await page.getAttribute('html', 'data-theme'), 'light');
      assert.equal(await page.getAttribute('meta[name=theme-color]', 'content'), '#7c2d12');
      const w = widget(page, '#botwerk-chat [data-botwerk-widget]');
      await w.panel.waitFor({ state: 'visible' });
      // The widget's styles apply under the CSP (adopted stylesheet or nonce'd <style>).
      assert.equal(await w.panel.evaluate((e) => getComputedStyle(e).backgroundColor), 'rgb(255, 255, 255)');
      assert.equal(await w.title.textContent(), 'FitWerk Winterhude');
      assert.equal(await w.send.evaluate((e) => getComputedStyle(e).backgroundColor), rgb('#7c2d12'), 'the primary colour');
      const a = await ask(page, Q_PRICE.q, { hostSel: '#botwerk-chat [data-botwerk-widget]' });
      assert.ok(a.text.includes(Q_PRICE.expect), a.text);
      assert.ok((await a.sources.count()) >= 1);
      await shot(page, 'page-light');
      assert.deepEqual(issues.csp, [], 'no CSP violation');
      issues.assertClean();
    } finally {
      await context.close();
    }
  });

  it('/bot/{id} of a dark English bot: data-theme dark on page and widget, dark colours, English texts', async () => {
    const { context, page, issues } = await newPage(browser);
    try {
      await page.goto(`${srv.base}/bot/${dark.id}`);
      await waitInteractive(page);
      assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      assert.equal(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor), rgb('#0d1117'), 'page.css dark background');
      const w = widget(page);
      await w.input.waitFor();
      await page.waitForFunction(() => document.querySelector('[data-botwerk-widget]').getAttribute('data-theme') === 'dark');
      const bg = await w.panel.evaluate((e) => getComputedStyle(e).backgroundColor);
      const [r, g, b] = bg.match(/\d+/g).map(Number);
      assert.ok(r + g + b < 200, `the panel is dark: ${bg}`);
      assert.equal(await w.input.getAttribute('aria-label'), 'Your message');
      const a = await ask(page, 'What are the opening hours on the weekend? Oeffnungszeiten Wochenende');
      assert.ok(a.text.length > 0);
      await shot(page, 'page-dark');
      issues.assertClean();
    } finally {
      await context.close();
    }
  });

  // The page declares an icon (the logo, or an empty data: URL), so Chromium never asks for /favicon.ico.
  // Chromium asks for a site's favicon once per browser session (a 404 is remembered across contexts), so this
  // test uses a browser of its own to see the first visit.
  it('/bot/{id}: not even the favicon request logs an error', async () => {
    const fresh = await launchBrowser();
    try {
      const { page, issues } = await newPage(fresh);
      await page.goto(`${srv.base}/bot/${light.id}`);
      await waitInteractive(page);
      await sleep(300);
      issues.assertClean();
    } finally {
      await fresh.close();
    }
  });

  describe('logo', () => {
    // A 1×1 PNG served by the test website; the API accepts http:// and https:// logo URLs (docs/api.md).
    const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
    let logoBot;
    before(async () => {
      host.page('/logo.png', PNG, { type: 'image/png' });
      ({ bot: logoBot } = await seededBot(srv, key, { name: 'FitWerk Logo', branding: { logo_url: host.url('/logo.png') } }));
    });

    it('the widget on a website shows the logo in its header', async () => {
      const url = host.page('/logo.html', hostPage({ botwerk: srv.base, attrs: { 'data-bot-id': logoBot.id, 'data-mode': 'inline' } }));
      const { context, page, issues } = await newPage(browser);
      try {
        await page.goto(url);
        await waitInteractive(page);
        const img = widget(page).host.locator('.h img');
        await img.waitFor({ state: 'visible' });
        await page.waitForFunction(() => {
          const i = document.querySelector('[data-botwerk-widget]').shadowRoot.querySelector('.h img');
          return i && i.complete && i.naturalWidth > 0;
        });
        assert.equal(await img.getAttribute('src'), host.url('/logo.png'));
        issues.assertClean();
      } finally {
        await context.close();
      }
    });

    // The API accepts http:// logo URLs, so the page's img-src allows http: too.
    it('/bot/{id} with an http:// logo: shown without CSP violations', async () => {
      const { context, page, issues } = await newPage(browser);
      try {
        await page.goto(`${srv.base}/bot/${logoBot.id}`);
        await waitInteractive(page);
        await sleep(300);
        assert.deepEqual(issues.csp.map((v) => `${v.directive} ${v.blocked}`), []);
        issues.assertClean();
      } finally {
        await context.close();
      }
    });
  });

  describe('/bot/{id}/embed in an iframe on a website', () => {
    const iframePage = (name, src) =>
      host.page(`/${name}.html`, hostPage({ botwerk: srv.base, attrs: null, script: false, body: `<iframe id="chat" title="Chat" src="${src}" style="width:420px;height:620px;border:1px solid #ccc"></iframe>` }));

    async function expectChatInFrame(page, issues, name) {
      const frame = page.frames().find((f) => /\/embed(\?|$)/.test(f.url()));
      assert.ok(frame, `an embed frame: ${page.frames().map((f) => f.url())}`);
      await waitInteractive(frame);
      const w = widget(frame);
      await w.panel.waitFor({ state: 'visible' });
      const a = await ask(frame, Q_HOURS.q);
      assert.ok(a.text.includes(Q_HOURS.expect), a.text);
      await shot(page, name);
      issues.assertClean();
    }

    async function expectBlocked(page, issues, name) {
      await page.waitForLoadState('load');
      await sleep(200);
      const frame = page.frames().find((f) => f !== page.mainFrame());
      assert.ok(frame, 'the iframe exists');
      const html = await frame.content().catch(() => '');
      assert.ok(!html.includes('botwerk-chat'), `the frame did not render the chat (${frame.url()}): ${html.slice(0, 300)}`);
      assert.equal(await frame.locator('[data-botwerk-widget]').count().catch(() => 0), 0);
      const why = issues.console.map((m) => m.text).join('\n');
      assert.match(why, /frame-ancestors|X-Frame-Options|Refused to (display|frame)/, `the browser says why: ${why}`);
      await shot(page, name);
      assert.deepEqual(issues.pageErrors, []);
    }

    it('bot without allowed origins: the chat renders and answers in the iframe', async () => {
      const { context, page, issues } = await newPage(browser);
      try {
        await page.goto(iframePage('embed-any', `${srv.base}/bot/${light.id}/embed`));
        await expectChatInFrame(page, issues, 'embed-any-origin');
      } finally {
        await context.close();
      }
    });

    it('bot listing this website: allowed', async () => {
      const { bot } = await seededBot(srv, key, { name: 'FitWerk Eingebettet', access: { allowed_origins: [host.origin] } });
      const { context, page, issues } = await newPage(browser);
      try {
        await page.goto(iframePage('embed-listed', `${srv.base}/bot/${bot.id}/embed`));
        await expectChatInFrame(page, issues, 'embed-listed-origin');
      } finally {
        await context.close();
      }
    });

    it('bot listing another website: frame-ancestors blocks the iframe', async () => {
      const { bot } = await seededBot(srv, key, { name: 'FitWerk Fremd', access: { allowed_origins: ['https://shop.example.de'] } });
      const { context, page, issues } = await newPage(browser);
      try {
        await page.goto(iframePage('embed-other', `${srv.base}/bot/${bot.id}/embed`));
        await expectBlocked(page, issues, 'embed-other-origin-blocked');
      } finally {
        await context.close();
      }
    });

    it('the full page /bot/{id} may not be framed at all', async () => {
      const { context, page, issues } = await newPage(browser);
      try {
        await page.goto(iframePage('embed-full', `${srv.base}/bot/${light.id}`));
        await expectBlocked(page, issues, 'full-page-framed-blocked');
      } finally {
        await context.close();
      }
    });
  });
});
