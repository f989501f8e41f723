// Data-subject export of a WhatsApp contact end to end: a contact made by a signed inbound message through the
// fake Cloud API, answered by the bot; its export holds the number, first name, settings, consent state, its
// WhatsApp conversation (owner, handover) and both messages in clear text, oldest first; the conversation
// export reads the WhatsApp messages in both formats; after erasure nothing is left to export.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, BACKEND } from '../lib/server.mjs';
import { sendInbound, newWamid, startFakeWhatsApp } from '../fakes/whatsapp.mjs';

const APP_SECRET = 'app-secret-export';
const FROM = '4915112349876';
const NUMBER = `+${FROM}`;
const NAME = 'Jördis';
const QUESTION = 'Was kostet die Mitgliedschaft?\nUnd gibt es Rabatt?';

describe(`data-subject export of a WhatsApp contact (${BACKEND})`, () => {
  let srv, key, other, bot, wa, contactId, answer, convId;
  const waitFor = async (fn, ms = 20000) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await fn();
      if (v || Date.now() > deadline) return v;
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const exportOf = () => srv.get(`/api/v1/contacts/${contactId}/export`, key);

  before(async () => {
    wa = await startFakeWhatsApp({ token: 'EAAG-export' });
    srv = await startServer();
    key = (await srv.tenant('WhatsApp Export')).api_key;
    other = (await srv.tenant('Fremd')).api_key;
    bot = await srv.createBot(key, {
      name: 'Studio',
      channels: { whatsapp: { phone_number_id: '222', access_token: 'EAAG-export', app_secret: APP_SECRET, api_base_url: wa.url } },
    });
    await srv.addText(key, bot.id, 'Preise', 'Die Mitgliedschaft kostet 39 Euro im Monat. Studenten zahlen 29 Euro.');

    const r = await sendInbound(`${srv.base}/hooks/whatsapp/${bot.id}`, APP_SECRET, { id: newWamid(), from: FROM, name: NAME, text: QUESTION });
    assert.equal(r.status, 200, r.body);
    const sent = () => wa.requests().find((q) => /\/messages$/.test(q.path) && q.body && q.body.to === FROM);
    assert.ok(await waitFor(sent), 'the bot answered at the fake');
    answer = sent().body.text.body;
    assert.match(answer, /39 Euro/);

    // the same number again names the existing contact
    const c = await srv.post('/api/v1/contacts', { bot_id: bot.id, whatsapp: NUMBER }, key);
    assert.equal(c.status, 200, c.text);
    contactId = c.json.id;
    assert.match(contactId, /^ct_/);
    // the answer is stored once the provider accepted it: wait for both messages
    assert.ok(await waitFor(async () => ((await exportOf()).json?.whatsapp?.messages || []).length >= 2), 'both messages stored');
  });
  after(async () => {
    try {
      if (srv) await srv.stop(); // asserts a clean exit (sanitizer reports fail here)
    } finally {
      if (wa) await wa.close();
    }
  });

  it('exports the WhatsApp contact with its number, settings, conversation and messages in clear text', async () => {
    const e = await exportOf();
    assert.equal(e.status, 200, e.text);
    assert.equal(e.headers.get('content-disposition'), `attachment; filename="contact-${contactId}.json"`);
    assert.equal(e.json.contact.id, contactId);
    assert.equal(e.json.contact.channel, 'whatsapp');
    const w = e.json.whatsapp;
    assert.ok(w, e.text);
    assert.equal(w.number, NUMBER);
    assert.equal(w.first_name, NAME);
    assert.ok('timezone' in w && 'language' in w);
    assert.equal(w.consent.status, 'unknown');
    assert.equal(w.consent.at, null);
    assert.match(w.last_inbound_at, /^\d{4}-\d\d-\d\dT/);

    assert.equal(w.messages.length, 2, e.text);
    const [q, a] = w.messages;
    assert.equal(q.direction, 'in');
    assert.equal(q.text, QUESTION);
    assert.equal(q.status, 'received');
    assert.equal(q.kind, 'text');
    assert.equal(a.direction, 'out');
    assert.equal(a.text, answer);
    assert.equal(a.status, 'sent');
    assert.equal(a.error_code, null);
    assert.ok(q.at <= a.at, 'oldest first');
    for (const m of w.messages) assert.match(m.id, /^wam_/);

    assert.ok(w.conversation, 'the WhatsApp conversation');
    convId = w.conversation.id;
    assert.match(convId, /^conv_/);
    assert.equal(w.conversation.owner, 'bot');
    assert.equal(w.conversation.handover_reason, null);
    assert.equal(w.conversation.handover_at, null);
    // it is not listed again among the web conversations
    assert.ok(!e.json.conversations.some((c) => c.id === convId));
    assert.equal(e.json.truncated, false);
    assert.ok(!e.text.includes('v1.'), 'no sealed value in the export');
  });

  it('follows consent and a handover', async () => {
    const c = await srv.post('/api/v1/contacts', {
      bot_id: bot.id, whatsapp: NUMBER, consent: { granted: true, source: 'api_opt_in', text_version: 'wa-v3' },
    }, key);
    assert.equal(c.status, 200, c.text);
    const h = await srv.post(`/api/v1/conversations/${convId}/handover`, { reason: 'Preisfrage' }, key);
    assert.equal(h.status, 200, h.text);
    const w = (await exportOf()).json.whatsapp;
    assert.equal(w.consent.status, 'granted');
    assert.equal(w.consent.source, 'api_opt_in');
    assert.equal(w.consent.text_version, 'wa-v3');
    assert.match(w.consent.at, /^\d{4}-/);
    assert.equal(w.conversation.owner, 'human');
    assert.equal(w.conversation.handover_reason, 'Preisfrage');
    assert.match(w.conversation.handover_at, /^\d{4}-/);
  });

  it('exports the WhatsApp conversation as JSON and as a transcript', async () => {
    const j = await srv.get(`/api/v1/conversations/${convId}/export`, key);
    assert.equal(j.status, 200, j.text);
    assert.equal(j.headers.get('content-disposition'), `attachment; filename="conversation-${convId}.json"`);
    assert.equal(j.json.id, convId);
    assert.equal(j.json.channel, 'whatsapp');
    assert.equal(j.json.contact_id, contactId);
    assert.equal(j.json.truncated, false);
    assert.deepEqual(j.json.messages.map((m) => [m.role, m.direction, m.text]), [['contact', 'in', QUESTION], ['business', 'out', answer]]);
    assert.equal(j.json.whatsapp.owner, 'human');

    const t = await srv.get(`/api/v1/conversations/${convId}/export?format=txt`, key);
    assert.equal(t.status, 200, t.text);
    assert.equal(t.headers.get('content-type'), 'text/plain; charset=utf-8');
    const lines = t.text.split('\n');
    assert.equal(lines.pop(), '', 'ends with a line break');
    assert.equal(lines.length, 2, t.text);
    assert.match(lines[0], /^\d{4}-\d\d-\d\d \d\d:\d\d Kontakt: /);
    assert.equal(lines[0].slice(17), `Kontakt: ${QUESTION.replace('\n', ' ')}`);
    assert.equal(lines[1].slice(17), `Unternehmen: ${answer.replace(/\r?\n/g, ' ')}`);
  });

  it('another tenant gets nothing', async () => {
    assertError(await srv.get(`/api/v1/contacts/${contactId}/export`, other), 404, 'not_found');
    assertError(await srv.get(`/api/v1/conversations/${convId}/export`, other), 404, 'not_found');
  });

  it('after erasure there is nothing left to export', async () => {
    const del = await srv.json('DELETE', `/api/v1/contacts/${contactId}`, { key });
    assert.equal(del.status, 204, del.text);
    assertError(await exportOf(), 404, 'not_found');
    assertError(await srv.get(`/api/v1/conversations/${convId}/export`, key), 404, 'not_found');
    assertError(await srv.get(`/api/v1/conversations/${convId}/export?format=txt`, key), 404, 'not_found');
  });
});
