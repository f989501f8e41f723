// Data-subject export end to end: everything botwerk holds about a visitor (contact, conversation with its
// messages, leads, consents) as one JSON document with the sealed fields opened, one conversation as JSON
// or as a plain-text transcript, tenant isolation, and nothing left to export after erasure.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, BACKEND } from '../lib/server.mjs';
import { seededBot } from '../lib/fixtures.mjs';

const EMAIL = 'Gisela.Wöhrmann@Exportprobe.de';
const EMAIL_NORM = 'gisela.wöhrmann@exportprobe.de';
const NAME = 'Gisela Wöhrmann';
const PHONE = '+49 40 5556677';
const PHONE_NORM = '+49405556677';
const REQUEST = 'Bitte rufen Sie mich an,\nam liebsten vormittags.';
const QUESTIONS = ['Was kosten eure Preise für Familien?', 'Und gibt es ein Angebot für Studenten?', 'Wie lautet eure Adresse?'];

describe(`data-subject export (${BACKEND})`, () => {
  let srv, key, other, bot, conv, contactId, leadId, requestId;
  before(async () => {
    srv = await startServer();
    key = (await srv.tenant('Export')).api_key;
    other = (await srv.tenant('Fremd')).api_key;
    ({ bot } = await seededBot(srv, key, {
      opening_hours: { timezone: 'America/New_York' },
      features: { email_capture: { enabled: true, topics: ['preise'] } },
    }));
    for (const q of QUESTIONS) {
      const a = await srv.chat(bot.id, q, conv);
      assert.equal(a.status, 200, a.text);
      conv = a.json.conversation_id;
    }
    const lead = await srv.post(`/api/v1/public/bot/${bot.id}/leads`, { email: EMAIL, conversation_id: conv, consent: true, consent_text_version: 'v2' });
    assert.equal(lead.status, 201, lead.text);
    leadId = lead.json.lead_id;
    const req = await srv.post(`/api/v1/public/bot/${bot.id}/contact-requests`, { conversation_id: conv, name: NAME, phone: PHONE, message: REQUEST, consent: true });
    assert.equal(req.status, 201, req.text);
    requestId = req.json.lead_id;
    contactId = (await srv.get(`/api/v1/leads/${leadId}`, key)).json.contact_id;
    assert.match(contactId, /^ct_/);
  });
  after(async () => {
    if (srv) await srv.stop(); // asserts a clean exit (sanitizer reports fail here)
  });

  it('the contact export holds the opened contact, messages in order, leads and consents', async () => {
    const r = await srv.get(`/api/v1/contacts/${contactId}/export`, key);
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type'), /^application\/json/);
    assert.equal(r.headers.get('content-disposition'), `attachment; filename="contact-${contactId}.json"`);
    assert.ok(!/"v1\./.test(r.text), 'no sealed value in the export');
    const doc = JSON.parse(r.text);
    assert.equal(doc.format_version, 1);
    assert.match(doc.exported_at, /^\d{4}-\d\d-\d\dT/);
    assert.equal(doc.truncated, false);
    const c = doc.contact;
    assert.equal(c.id, contactId);
    assert.equal(c.bot_id, bot.id);
    assert.equal(c.channel, 'web');
    assert.equal(c.email, EMAIL_NORM);
    assert.equal(c.name, NAME);
    assert.equal(c.phone, PHONE_NORM);
    assert.equal(c.profile, null);
    assert.match(c.created_at, /^\d{4}-/);
    assert.match(c.updated_at, /^\d{4}-/);

    assert.equal(doc.conversations.length, 1);
    const cv = doc.conversations[0];
    assert.equal(cv.id, conv);
    assert.equal(cv.bot_id, bot.id);
    assert.equal(cv.channel, 'web');
    assert.equal(cv.truncated, false);
    assert.match(cv.started_at, /^\d{4}-/);
    assert.match(cv.last_message_at, /^\d{4}-/);
    assert.equal(cv.messages.length, 6);
    assert.deepEqual(cv.messages.map((m) => m.role), ['visitor', 'bot', 'visitor', 'bot', 'visitor', 'bot']);
    assert.deepEqual(cv.messages.filter((m) => m.role === 'visitor').map((m) => m.text), QUESTIONS);
    for (const m of cv.messages) {
      assert.equal(typeof m.text, 'string');
      assert.ok(m.text.length > 0);
      assert.match(m.id, /^msg_/);
    }

    assert.deepEqual(doc.leads.map((l) => l.id).sort(), [leadId, requestId].sort());
    const capture = doc.leads.find((l) => l.id === leadId);
    assert.equal(capture.source, 'email_capture');
    assert.equal(capture.message, null);
    assert.ok(capture.context.topics.includes('preise'), JSON.stringify(capture.context));
    assert.ok(capture.interest >= 1 && capture.interest <= 10);
    const request = doc.leads.find((l) => l.id === requestId);
    assert.equal(request.source, 'contact_request');
    assert.equal(request.message, REQUEST);

    assert.equal(doc.consents.length, 2);
    assert.ok(doc.consents.some((x) => x.text_version === 'v2' && x.lead_id === leadId && x.source === 'email_capture'));
    assert.ok(doc.consents.some((x) => x.source === 'contact_request'));
    for (const x of doc.consents) {
      assert.equal(typeof x.purpose, 'string');
      assert.equal(x.channel, 'web');
      assert.match(x.granted_at, /^\d{4}-/);
    }
  });

  it('one conversation as JSON and as a transcript in the bot\'s time zone', async () => {
    const j = await srv.get(`/api/v1/conversations/${conv}/export`, key);
    assert.equal(j.status, 200, j.text);
    assert.equal(j.headers.get('content-disposition'), `attachment; filename="conversation-${conv}.json"`);
    assert.equal(j.json.id, conv);
    assert.equal(j.json.contact_id, contactId);
    assert.equal(j.json.messages.length, 6);
    assert.equal(j.json.messages[0].text, QUESTIONS[0]);
    assert.deepEqual((await srv.get(`/api/v1/conversations/${conv}/export?format=json`, key)).json, j.json);

    const t = await srv.get(`/api/v1/conversations/${conv}/export?format=txt`, key);
    assert.equal(t.status, 200, t.text);
    assert.equal(t.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(t.headers.get('content-disposition'), `attachment; filename="conversation-${conv}.txt"`);
    const lines = t.text.split('\n');
    assert.equal(lines.pop(), '', 'ends with a line break');
    assert.equal(lines.length, 6, t.text);
    for (const [i, line] of lines.entries()) {
      assert.match(line, i % 2 === 0 ? /^\d{4}-\d\d-\d\d \d\d:\d\d Besucher: / : /^\d{4}-\d\d-\d\d \d\d:\d\d Bot: /);
    }
    assert.equal(lines[0].slice(17), `Besucher: ${QUESTIONS[0]}`);
    // the time is the bot's wall clock (America/New_York), not UTC
    const at = new Date(j.json.messages[0].created_at);
    const p = Object.fromEntries(new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York', year: 'numeric', month: '2-digit',
      day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at).map((x) => [x.type, x.value]));
    assert.equal(lines[0].slice(0, 16), `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`);
    assert.ok(!t.text.includes('v1.'), 'no sealed value in the transcript');
    assertError(await srv.get(`/api/v1/conversations/${conv}/export?format=pdf`, key), 400, 'invalid_request', 'format');
  });

  it('another tenant, unknown ids and no key get nothing', async () => {
    assertError(await srv.get(`/api/v1/contacts/${contactId}/export`, other), 404, 'not_found');
    assertError(await srv.get(`/api/v1/conversations/${conv}/export`, other), 404, 'not_found');
    assertError(await srv.get(`/api/v1/conversations/${conv}/export?format=txt`, other), 404, 'not_found');
    assertError(await srv.get('/api/v1/contacts/ct_unbekannt/export', key), 404, 'not_found');
    assertError(await srv.get('/api/v1/conversations/conv_unbekannt/export', key), 404, 'not_found');
    assert.equal((await srv.get(`/api/v1/contacts/${contactId}/export`)).status, 401);
  });

  it('after erasure there is nothing left to export', async () => {
    const del = await srv.json('DELETE', `/api/v1/contacts/${contactId}`, { key });
    assert.equal(del.status, 204, del.text);
    assertError(await srv.get(`/api/v1/contacts/${contactId}/export`, key), 404, 'not_found');
    assertError(await srv.get(`/api/v1/conversations/${conv}/export`, key), 404, 'not_found');
    assertError(await srv.get(`/api/v1/conversations/${conv}/export?format=txt`, key), 404, 'not_found');
  });
});
