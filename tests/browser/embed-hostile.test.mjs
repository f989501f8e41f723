// The widget on a third-party website that fights it: each mode (bubble, inline, modal) on host pages with
// hostile CSS must still show a usable launcher and panel, answer a question with the right passage and
// list its sources. Plus the opened panel on a phone-sized viewport. Screenshots of every case go to
// $BOTWERK_ARTIFACTS/screenshots/.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { seededBot, Q_PRICE, Q_HOURS } from '../lib/fixtures.mjs';
import { startAll, newPage, hostPage, HOSTILE, shot, waitInteractive, widget, ask, assertOnScreen, isHitTarget, settle, createTenant } from './lib.mjs';

const VARIANTS = ['none', ...Object.keys(HOSTILE)];
const MODES = ['bubble', 'inline', 'modal'];


describe('widget on hostile host pages (Chromium)', () => {
  let env, srv, host, browser, bot;
  before(async () => {
    env = await startAll();
    ({ srv, host, browser } = env);
    const { api_key: key } = await createTenant(srv, 'Hostile');
    ({ bot } = await seededBot(srv, key, { name: 'FitWerk Hamburg' }));
  });
  after(async () => {
    await env?.close();
  });

  for (const mode of MODES) {
    for (const variant of VARIANTS) {
      it(`${mode} mode, host CSS "${variant}": visible, usable, answers with sources`, async () => {
        const css = HOSTILE[variant] || '';
        // Inline mode renders into the element the page reserves for it; a page that hides its own container
        // is out of scope, so that element is a <section> (hideDivs targets divs only). Bubble and modal attach
        // to <body> whatever the embed element is.
        const url = host.page(`/${mode}-${variant}.html`, hostPage({
          botwerk: srv.base,
          tag: mode === 'inline' ? 'section' : 'div',
          attrs: { 'data-bot-id': bot.id, 'data-mode': mode, ...(mode === 'inline' ? { style: 'display:block;height:560px;max-width:640px' } : {}) },
          css,
        }));
        // Reduced motion: no open animation to wait for (the widget honours prefers-reduced-motion); the mobile
        // test below runs with animations.
        const { context, page, issues } = await newPage(browser, { reducedMotion: 'reduce' });
        try {
          await page.goto(url);
          await waitInteractive(page);
          const w = widget(page);
          if (mode !== 'inline') {
            assert.equal(await w.launcher.getAttribute('aria-label'), 'Chat öffnen');
            await assertOnScreen(page, w.launcher, 'launcher', { minWidth: 40, minHeight: 40 });
            assert.ok(await isHitTarget(w.launcher), 'the launcher is not covered by the page');
            assert.equal(await w.panel.isVisible(), false, 'the panel starts closed');
            await w.launcher.click();
            await issues.waitForEvent('opened');
          }
          await w.panel.waitFor({ state: 'visible' });
          await settle(w.panel);
          // Inline: the chat is part of the page; it scrolls (and scales) with the page's own content.
          if (mode === 'inline') await w.panel.scrollIntoViewIfNeeded();
          const k = mode === 'inline' && variant === 'scaledBody' ? 0.5 : 1;
          const box = await assertOnScreen(page, w.panel, 'panel', { minWidth: 300 * k, minHeight: 340 * k });
          if (mode === 'modal') {
            assert.equal(await w.panel.getAttribute('role'), 'dialog');
            assert.equal(await w.panel.getAttribute('aria-modal'), 'true');
          }
          // The page's font size, letter spacing or text-transform must not leak into the chat.
          const style = await w.input.evaluate((el) => {
            const s = getComputedStyle(el);
            return { fontSize: parseFloat(s.fontSize), transform: s.textTransform, display: s.display };
          });
          assert.ok(style.fontSize >= 12 && style.fontSize <= 20, `input font size ${style.fontSize}px (panel ${JSON.stringify(box)})`);
          assert.equal(style.transform, 'none', 'text-transform leaked into the widget');
          assert.ok(await isHitTarget(w.input), 'the input is not covered');
          assert.equal(await w.input.getAttribute('maxlength'), '500');
          // Welcome message first.
          assert.ok((await w.botMessages.first().textContent()).includes('Hallo'), 'welcome message in the log');

          const a = await ask(page, Q_PRICE.q);
          assert.ok(a.text.includes(Q_PRICE.expect), `answer lacks ${Q_PRICE.expect}: ${a.text}`);
          assert.ok((await a.sources.count()) >= 1, 'sources listed under the answer');
          assert.match(await a.sources.first().textContent(), /Preise/);
          assert.ok(await a.sources.first().isVisible(), 'the source is visible');
          assert.equal(await w.userMessages.last().locator('.b').textContent(), Q_PRICE.q);
          await shot(page, `hostile-${mode}-${variant}`);
          issues.assertClean();
        } finally {
          await context.close();
        }
      });
    }
  }

  it('mobile viewport (375×667): the opened bubble panel fills the screen and works', async () => {
    const filler = '<p>Lorem ipsum dolor sit amet, consetetur sadipscing elitr.</p>'.repeat(40);
    const url = host.page('/mobile.html', hostPage({ botwerk: srv.base, attrs: { 'data-bot-id': bot.id }, body: filler }));
    const { context, page, issues } = await newPage(browser, {
      viewport: { width: 375, height: 667 },
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 2,
    });
    try {
      await page.goto(url);
      await waitInteractive(page);
      const w = widget(page);
      await shot(page, 'mobile-closed');
      await w.launcher.tap();
      await w.panel.waitFor({ state: 'visible' });
      await settle(w.panel);
      const box = await w.panel.boundingBox();
      assert.ok(box.x <= 1 && box.y <= 1 && box.width >= 374 && box.height >= 666, `panel is full-screen: ${JSON.stringify(box)}`);
      await assertOnScreen(page, w.input, 'input', { minWidth: 200, minHeight: 30 });
      await assertOnScreen(page, w.send, 'send button', { minWidth: 30, minHeight: 30 });
      await assertOnScreen(page, w.close, 'close button', { minWidth: 24, minHeight: 24 });
      const a = await ask(page, Q_HOURS.q);
      assert.ok(a.text.includes(Q_HOURS.expect), a.text);
      await shot(page, 'mobile-open');
      await w.close.tap();
      await w.panel.waitFor({ state: 'hidden' });
      assert.ok(await w.launcher.isVisible(), 'launcher back after closing');
      issues.assertClean();
    } finally {
      await context.close();
    }
  });
});
