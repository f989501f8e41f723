// What the widget does for a visitor and for the host page's script: the conversation survives a reload,
// the modal traps focus and gives it back, the Botwerk.init API and its events, a failed request offers a
// retry, and lead capture (e-mail form with consent, end to end).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { seededBot, Q_PRICE, Q_HOURS, Q_STREET } from '../lib/fixtures.mjs';
import { startAll, newPage, hostPage, shot, waitInteractive, widget, ask, settle, sleep, createTenant } from './lib.mjs';

const CHAT_RE = /\/api\/v1\/public\/bot\/[^/]+\/chat(\?|$)/;

/** Where focus is: inside the widget's shadow root (and whether inside its panel), or on the page. */
function focusInfo(page) {
  return page.evaluate(() => {
    const d = document.activeElement;
    const host = d && d.closest ? d.closest('[data-botwerk-widget]') : null;
    const a = host && host.shadowRoot ? host.shadowRoot.activeElement : null;
    if (a) {
      return {
        widget: true,
        panel: !!a.closest('[role=dialog],[role=region]'),
        tag: a.tagName.toLowerCase(),
        name: a.getAttribute('aria-label') || (a.textContent || '').trim().slice(0, 40),
        launcher: a.getAttribute('aria-controls') !== null && a.hasAttribute('aria-expanded'),
      };
    }
    return { widget: false, tag: d ? d.tagName.toLowerCase() : null, id: d ? d.id : null };
  });
}

describe('widget behaviour (Chromium)', () => {
  let env, srv, host, browser, bot;
  before(async () => {
    env = await startAll();
    ({ srv, host, browser } = env);
    const { api_key: key } = await createTenant(srv, 'Verhalten');
    ({ bot } = await seededBot(srv, key, { name: 'FitWerk Altona' }));
  });
  after(async () => {
    await env?.close();
  });

  it('a reload keeps the conversation: messages re-rendered, the next question continues it', async () => {
    const url = host.page('/reload.html', hostPage({ botwerk: srv.base, attrs: { 'data-bot-id': bot.id } }));
    const { context, page, issues } = await newPage(browser);
    try {
      await page.goto(url);
      await waitInteractive(page);
      const w = widget(page);
      await w.launcher.click();
      // the answer arrives as SSE (a body the browser does not keep): its conversation id is read from
      // where the widget keeps it
      const storedConv = () => page.evaluate((k) => (JSON.parse(sessionStorage.getItem(k) || 'null') || {}).conversation_id, `botwerk:${bot.id}`);
      const firstResponse = page.waitForResponse((r) => CHAT_RE.test(r.url()));
      const a1 = await ask(page, Q_PRICE.q);
      assert.ok(a1.text.includes(Q_PRICE.expect), a1.text);
      assert.match((await firstResponse).headers()['content-type'], /^text\/event-stream/, 'the widget asks for a stream');
      const conv = await storedConv();
      assert.match(conv || '', /^conv_/, 'sessionStorage botwerk:<botId> holds the conversation');

      await page.reload();
      await waitInteractive(page);
      // The panel was open: it opens again, with the history.
      await w.panel.waitFor({ state: 'visible' });
      assert.ok((await w.userMessages.allTextContents()).some((t) => t.includes(Q_PRICE.q)), 'the question is re-rendered');
      const bots = await w.botMessages.allTextContents();
      assert.ok(bots.some((t) => t.includes(Q_PRICE.expect)), `the answer is re-rendered: ${JSON.stringify(bots)}`);
      assert.ok((await w.host.locator('[role=log] .src li').count()) >= 1, 'its sources too');

      const req = page.waitForRequest((r) => CHAT_RE.test(r.url()));
      const a2 = await ask(page, Q_HOURS.q);
      assert.ok(a2.text.includes(Q_HOURS.expect), a2.text);
      assert.equal((await req).postDataJSON().conversation_id, conv, 'the next question carries the same conversation_id');
      assert.equal(await storedConv(), conv, 'the server continues that conversation (a new one would replace the id)');
      assert.equal(await w.userMessages.count(), 2);
      await shot(page, 'reload-continued');
      issues.assertClean();
    } finally {
      await context.close();
    }
    // A new session (another tab / visitor) starts fresh.
    const { context: c2, page: p2 } = await newPage(browser);
    try {
      await p2.goto(url);
      await waitInteractive(p2);
      await widget(p2).launcher.click();
      assert.equal(await widget(p2).userMessages.count(), 0, 'no history in a new session');
    } finally {
      await c2.close();
    }
  });

  it('modal: role=dialog, Tab and Shift+Tab stay inside, Escape closes and focus returns to the launcher', async () => {
    const url = host.page('/modal.html', hostPage({ botwerk: srv.base, attrs: { 'data-bot-id': bot.id, 'data-mode': 'modal' } }));
    const { context, page, issues } = await newPage(browser);
    try {
      await page.goto(url);
      await waitInteractive(page);
      const w = widget(page);
      await w.launcher.focus();
      await page.keyboard.press('Enter');
      await w.panel.waitFor({ state: 'visible' });
      await settle(w.panel);
      assert.equal(await w.panel.getAttribute('role'), 'dialog');
      assert.equal(await w.panel.getAttribute('aria-modal'), 'true');
      const start = await focusInfo(page);
      assert.ok(start.widget && start.panel && start.tag === 'textarea', `focus moves into the dialog, to the input: ${JSON.stringify(start)}`);

      // Put an answer with sources and links in the log, so the dialog has more than a few stops.
      await ask(page, Q_STREET.q);
      await w.input.focus();
      const seen = [];
      for (let i = 0; i < 12; i++) {
        await page.keyboard.press('Tab');
        const f = await focusInfo(page);
        assert.ok(f.widget && f.panel, `Tab #${i + 1} left the dialog: ${JSON.stringify(f)} (after ${JSON.stringify(seen)})`);
        seen.push(`${f.tag}:${f.name}`);
      }
      if (process.env.BW_DEBUG) console.log(seen);
      assert.ok(new Set(seen).size < seen.length, `Tab cycles (wraps around) inside the dialog: ${JSON.stringify(seen)}`);
      for (let i = 0; i < 12; i++) {
        await page.keyboard.press('Shift+Tab');
        const f = await focusInfo(page);
        assert.ok(f.widget && f.panel, `Shift+Tab #${i + 1} left the dialog: ${JSON.stringify(f)}`);
      }
      await shot(page, 'modal-focus');

      await page.keyboard.press('Escape');
      await w.panel.waitFor({ state: 'hidden' });
      await issues.waitForEvent('closed');
      const back = await focusInfo(page);
      assert.ok(back.widget && back.launcher, `focus returns to the launcher: ${JSON.stringify(back)}`);
      assert.equal(await w.launcher.getAttribute('aria-expanded'), 'false');
      issues.assertClean();
    } finally {
      await context.close();
    }
  });

  it('modal opened by the page (Botwerk.widgets[0].open()): Escape gives focus back to the page button; backdrop click closes', async () => {
    const url = host.page('/modal-api.html', hostPage({
      botwerk: srv.base,
      attrs: { 'data-bot-id': bot.id, 'data-mode': 'modal' },
      body: '<button id="open-chat" type="button">Fragen Sie uns</button>',
      after: '<script>document.getElementById("open-chat").addEventListener("click", () => Botwerk.widgets[0].open());</script>',
    }));
    const { context, page, issues } = await newPage(browser);
    try {
      await page.goto(url);
      await waitInteractive(page);
      const w = widget(page);
      await page.locator('#open-chat').focus();
      await page.keyboard.press('Enter');
      await w.panel.waitFor({ state: 'visible' });
      assert.ok((await focusInfo(page)).panel, 'focus moved into the dialog');
      await page.keyboard.press('Escape');
      await w.panel.waitFor({ state: 'hidden' });
      assert.deepEqual(await focusInfo(page), { widget: false, tag: 'button', id: 'open-chat' }, 'focus is back on the page button');

      await page.locator('#open-chat').click();
      await w.panel.waitFor({ state: 'visible' });
      await settle(w.panel);
      await page.mouse.click(8, 8); // the backdrop covers the page
      await w.panel.waitFor({ state: 'hidden' });
      issues.assertClean();
    } finally {
      await context.close();
    }
  });

  it('Botwerk.init: returns a widget; open/close/toggle/send/destroy; events and callbacks; Botwerk.widgets; only the Botwerk global', async () => {
    const url = host.page('/api.html', hostPage({ botwerk: srv.base, attrs: null, script: false, body: '<div id="slot" style="height:520px"></div>' }));
    const { context, page, issues } = await newPage(browser);
    try {
      await page.goto(url);
      const before = await page.evaluate(() => ({ keys: Object.keys(window), names: Object.getOwnPropertyNames(window) }));
      await page.addScriptTag({ url: `${srv.base}/widget.js` });
      await page.waitForFunction(() => window.Botwerk && typeof window.Botwerk.init === 'function');
      const r = await page.evaluate((botId) => {
        window.__calls = [];
        const w = Botwerk.init({
          botId,
          mode: 'bubble',
          position: 'bottom-left',
          onOpened: () => __calls.push('opened'),
          onClosed: () => __calls.push('closed'),
          onMessage: (m) => __calls.push('message:' + (m && m.role)),
        });
        window.__w = w;
        return {
          methods: ['open', 'close', 'toggle', 'destroy', 'isOpen', 'send'].filter((k) => typeof w[k] === 'function'),
          same: Botwerk.widgets.length === 1 && Botwerk.widgets[0] === w,
          open0: w.isOpen(),
        };
      }, bot.id);
      assert.deepEqual(r.methods, ['open', 'close', 'toggle', 'destroy', 'isOpen', 'send']);
      assert.ok(r.same, 'Botwerk.widgets tracks the widget');
      assert.equal(r.open0, false);
      await issues.waitForEvent('initialized', (e) => e.detail.botId === bot.id);

      // Globals: compared before our own test helpers (__calls, __w) exist.
      const after = await page.evaluate(() => ({
        keys: Object.keys(window).filter((k) => !k.startsWith('__')),
        names: Object.getOwnPropertyNames(window).filter((k) => !k.startsWith('__')),
      }));
      assert.deepEqual(after.keys.filter((k) => !before.keys.includes(k)), ['Botwerk'], 'enumerable globals added');
      assert.deepEqual(after.names.filter((k) => !before.names.includes(k)), ['Botwerk'], 'own property names added');

      const w = widget(page);
      // bottom-left
      const lb = await w.launcher.boundingBox();
      assert.ok(lb.x < 100, `position bottom-left: ${JSON.stringify(lb)}`);
      await page.evaluate(() => __w.open());
      await w.panel.waitFor({ state: 'visible' });
      assert.equal(await page.evaluate(() => __w.isOpen()), true);
      await issues.waitForEvent('opened');
      await page.evaluate(() => __w.close());
      await w.panel.waitFor({ state: 'hidden' });
      await issues.waitForEvent('closed');
      await page.evaluate(() => __w.toggle());
      await w.panel.waitFor({ state: 'visible' });
      await page.evaluate(() => __w.toggle());
      await w.panel.waitFor({ state: 'hidden' });
      assert.equal(await page.evaluate(() => __w.isOpen()), false);

      // send() from the page: a user message and the answer, as events and callbacks.
      await page.evaluate(() => __w.open());
      assert.equal(await page.evaluate((q) => __w.send(q), Q_PRICE.q), true);
      const ev = await issues.waitForEvent('message', (e) => e.detail.message && e.detail.message.role === 'bot');
      assert.ok(ev.detail.message.text.includes(Q_PRICE.expect), JSON.stringify(ev.detail));
      assert.equal(ev.detail.botId, bot.id);
      assert.ok(issues.events.some((e) => e.type === 'message' && e.detail.message.role === 'user' && e.detail.message.text === Q_PRICE.q), 'the question as a message event');
      assert.equal(await page.evaluate(() => __w.send('   ')), false, 'an empty message is not sent');

      // A second widget, inline, on a selector.
      await page.evaluate((botId) => { window.__w2 = Botwerk.init({ botId, mode: 'inline', targetElement: '#slot', theme: 'dark' }); }, bot.id);
      assert.equal(await page.evaluate(() => Botwerk.widgets.length), 2);
      const inline = widget(page, '#slot [data-botwerk-widget]');
      await inline.panel.waitFor({ state: 'visible' });
      assert.equal(await inline.host.getAttribute('data-theme'), 'dark');
      await shot(page, 'api-two-widgets');

      await page.evaluate(() => { __w.destroy(); __w2.destroy(); });
      await issues.waitForEvent('destroyed');
      assert.equal(await page.locator('[data-botwerk-widget]').count(), 0, 'destroy removes the widgets from the page');
      assert.equal(await page.evaluate(() => Botwerk.widgets.length), 0, 'and from Botwerk.widgets');
      const calls = await page.evaluate(() => __calls);
      for (const c of ['opened', 'closed', 'message:user', 'message:bot']) assert.ok(calls.includes(c), `callback ${c}: ${JSON.stringify(calls)}`);
      assert.deepEqual([...new Set(issues.events.map((e) => e.type))].sort(), ['closed', 'destroyed', 'initialized', 'message', 'opened']);

      // Bad options: a clear error, thrown to the caller.
      const bad = await page.evaluate(() => { try { Botwerk.init({ mode: 'bubble' }); return null; } catch (e) { return String(e.message); } });
      assert.match(bad || '', /botId/, 'init without botId throws an error naming botId');
      const badMode = await page.evaluate((botId) => { try { Botwerk.init({ botId, mode: 'popup' }); return null; } catch (e) { return String(e.message); } }, bot.id);
      assert.match(badMode || '', /mode/);
      issues.assertClean();
    } finally {
      await context.close();
    }
  });

  it('window.Botwerk = {config} set before the script loads is honoured (autoOpen, texts)', async () => {
    const cfg = { botId: bot.id, mode: 'bubble', autoOpen: true, welcomeMessage: 'Moin aus Altona!', placeholderText: 'Fragen Sie los' };
    const url = host.page('/preconfig.html', hostPage({
      botwerk: srv.base,
      attrs: null,
      head: `<script>window.Botwerk = { config: ${JSON.stringify(cfg)} };</script>`,
    }));
    const { context, page, issues } = await newPage(browser);
    try {
      await page.goto(url);
      await waitInteractive(page);
      const w = widget(page);
      await w.panel.waitFor({ state: 'visible' });
      assert.equal(await w.botMessages.first().locator('.b').textContent(), 'Moin aus Altona!');
      assert.equal(await w.input.getAttribute('placeholder'), 'Fragen Sie los');
      assert.equal(await page.evaluate(() => Botwerk.widgets.length), 1);
      issues.assertClean();
    } finally {
      await context.close();
    }
  });

  it('a failed request shows "Erneut versuchen"; the retry answers; a slow answer shows the typing indicator', async () => {
    const url = host.page('/retry.html', hostPage({ botwerk: srv.base, attrs: { 'data-bot-id': bot.id, 'data-mode': 'inline' } }));
    const { context, page, issues } = await newPage(browser);
    let calls = 0;
    await page.route(CHAT_RE, async (route) => {
      calls++;
      if (calls === 1) {
        await route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'unavailable', message: 'shutting down' } }) });
      } else {
        await sleep(600); // slow enough to see the typing indicator
        await route.continue();
      }
    });
    try {
      await page.goto(url);
      await waitInteractive(page);
      const w = widget(page);
      await w.input.fill(Q_PRICE.q);
      await w.input.press('Enter');
      const retry = w.host.getByRole('button', { name: 'Erneut versuchen' });
      await retry.waitFor({ state: 'visible' });
      assert.equal(await w.botMessages.count(), 1, 'no answer bubble for a failed request (only the welcome)');
      await shot(page, 'retry-offered');
      await retry.click();
      await w.typing.waitFor({ state: 'visible', timeout: 2000 });
      await w.botMessages.nth(1).waitFor();
      assert.ok((await w.botMessages.nth(1).textContent()).includes(Q_PRICE.expect));
      assert.equal(await w.typing.count(), 0, 'the typing indicator is gone');
      assert.equal(await retry.count(), 0, 'the retry line is gone');
      assert.equal(calls, 2);
      issues.assertClean({ allow: [/status of 503/] });
    } finally {
      await context.close();
    }
  });

  it('a source with the URL of its page is a link that opens in a new tab; any other URL is not linked', async () => {
    const url = host.page('/sources.html', hostPage({ botwerk: srv.base, attrs: { 'data-bot-id': bot.id, 'data-mode': 'inline' } }));
    const { context, page, issues } = await newPage(browser);
    // The seeded bot's knowledge is text, so its sources have no URL: the real answer gets the URLs a
    // crawled website's pages would give it, and one that must never become a link.
    await page.route(CHAT_RE, async (route) => {
      const res = await route.fetch({ headers: { ...route.request().headers(), accept: 'application/json' } });
      const j = await res.json();
      assert.ok(j.sources.length >= 1, 'the real answer has sources');
      j.sources[0].url = 'https://fitwerk.example/preise#premium';
      j.sources.push({ title: 'Nicht verlinkt', snippet: 'x', score: 0.5, url: 'javascript:window.__xss=1' });
      await route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(j) });
    });
    try {
      await page.goto(url);
      await waitInteractive(page);
      const a = await ask(page, Q_PRICE.q);
      const link = a.sources.first().locator('a');
      assert.equal(await link.count(), 1, 'the first source is a link');
      assert.equal(await link.getAttribute('href'), 'https://fitwerk.example/preise#premium');
      assert.equal(await link.getAttribute('target'), '_blank');
      assert.match(await link.getAttribute('rel'), /noopener/);
      assert.match(await link.textContent(), /Preise/);
      const last = a.sources.last();
      assert.equal(await last.textContent(), 'Nicht verlinkt');
      assert.equal(await last.locator('a').count(), 0, 'a javascript: URL is shown as text only');
      await shot(page, 'source-links');
      issues.assertClean();
    } finally {
      await context.close();
    }
  });

  // End to end: the contact-person cards the server sends (features.contact_persons), and a callback request.
  it('contact persons: an "Ansprechpartner" question shows the cards; "Rückruf anfordern" reaches the business', async () => {
    const { api_key: key } = await createTenant(srv, 'Ansprechpartner im Browser');
    const { bot: cpBot } = await seededBot(srv, key, { name: 'FitWerk Team', features: { contact_persons: { enabled: true } } });
    const persons = [];
    for (const p of [{ name: 'Anna Schröder', position: 'Studioleitung', email: 'anna@fitwerk.example', phone: '+4940123456' },
      { name: 'Jörg <b>Kraft</b>', position: 'Trainer' }]) {
      const r = await srv.json('POST', `/api/v1/bots/${cpBot.id}/contact-persons`, { key, body: p });
      assert.equal(r.status, 201, r.text);
      persons.push(r.json);
    }
    const url = host.page('/persons.html', hostPage({ botwerk: srv.base, attrs: { 'data-bot-id': cpBot.id } }));
    const { context, page, issues } = await newPage(browser);
    try {
      await page.goto(url);
      await waitInteractive(page);
      const w = widget(page);
      await w.launcher.click();
      await ask(page, 'Wer ist mein Ansprechpartner für eine Beratung?');
      const call = w.host.getByRole('button', { name: 'Rückruf anfordern: Anna Schröder' });
      await call.waitFor();
      const log = w.host.locator('[role=log]');
      assert.match(await log.textContent(), /Studioleitung/);
      assert.equal(await log.locator('a[href="mailto:anna@fitwerk.example"]').count(), 1);
      assert.equal(await log.locator('a[href="tel:+4940123456"]').count(), 1);
      assert.match(await log.textContent(), /Jörg <b>Kraft<\/b>/, 'a name with markup is shown as text');
      assert.equal(await log.locator('b').count(), 0, 'no element from the name');
      await shot(page, 'contact-persons');
      await call.click();
      await w.host.getByText('Vielen Dank! Wir rufen Sie zurück.').waitFor();
      const list = await srv.get('/api/v1/leads', key);
      assert.equal(list.json.items.length, 1, 'the callback request is a lead');
      assert.equal(list.json.items[0].source, 'contact_request');
      issues.assertClean();
    } finally {
      await context.close();
    }
  });

  // End to end: a bot that asks for e-mails on price questions; the form, the consent rule and the lead are real.
  it('lead capture: a price question shows the e-mail form; consent required; the lead reaches the business', async () => {
    const { api_key: key } = await createTenant(srv, 'Leads im Browser');
    const { bot: leadBot } = await seededBot(srv, key, {
      name: 'FitWerk Leads',
      features: { email_capture: { enabled: true, topics: ['kostet', 'preise'], prompt: 'Sollen wir Ihnen ein Angebot schicken?', privacy_url: 'https://example.de/datenschutz' } },
    });
    const url = host.page('/lead.html', hostPage({ botwerk: srv.base, attrs: { 'data-bot-id': leadBot.id } }));
    const { context, page, issues } = await newPage(browser);
    const leads = [];
    page.on('request', (req) => {
      if (/\/api\/v1\/public\/bot\/[^/]+\/leads(\?|$)/.test(req.url()) && req.method() === 'POST') leads.push({ body: req.postDataJSON() });
    });
    try {
      await page.goto(url);
      await waitInteractive(page);
      const w = widget(page);
      await w.launcher.click();
      await ask(page, Q_PRICE.q);
      const conv = await page.evaluate((k) => JSON.parse(sessionStorage.getItem(k)).conversation_id, `botwerk:${leadBot.id}`);
      const form = w.host.locator('[role=log] form');
      await form.waitFor({ state: 'visible' });
      assert.ok((await form.textContent()).includes('Sollen wir Ihnen ein Angebot schicken?'), 'the prompt from the metadata');
      const email = form.locator('input[type=email]');
      const consent = form.locator('input[type=checkbox]');
      assert.equal(await consent.getAttribute('required'), '', 'the consent checkbox is required');
      assert.equal(await consent.isChecked(), false, 'consent is not pre-ticked');
      assert.equal(await form.locator('a[href="https://example.de/datenschutz"]').count(), 1, 'privacy policy link');
      const submit = form.locator('button[type=submit]');

      await email.fill('kundin@example.de');
      await submit.click();
      assert.equal(await consent.getAttribute('aria-invalid'), 'true', 'the checkbox is marked invalid');
      assert.match(await form.textContent(), /Einwilligung/, 'a consent error message');
      assert.equal(leads.length, 0, 'nothing sent without consent');
      await shot(page, 'lead-consent-missing');

      await email.fill('keine-adresse');
      await consent.check();
      await submit.click();
      assert.equal(await email.getAttribute('aria-invalid'), 'true', 'an invalid address is marked');
      assert.equal(leads.length, 0, 'nothing sent with an invalid address');

      await email.fill('kundin@example.de');
      await submit.click();
      await w.host.getByText('Vielen Dank! Wir melden uns bei Ihnen.').waitFor();
      assert.equal(leads.length, 1);
      assert.equal(leads[0].body.email, 'kundin@example.de');
      assert.equal(leads[0].body.consent, true);
      assert.equal(leads[0].body.conversation_id, conv);
      assert.equal(await form.count(), 0, 'the form is replaced by the thank-you');
      await shot(page, 'lead-thanks');
      const list = await srv.get('/api/v1/leads', key);
      assert.equal(list.json.items.length, 1, 'the business sees the lead');
      assert.equal(list.json.items[0].email, 'kundin@example.de');
      assert.equal(list.json.items[0].conversation_id, conv);
      issues.assertClean();
    } finally {
      await context.close();
    }
  });
});
