// Design document 003's test plan (section 9) end to end, as issue 7 asks: a real botwerk process, the fake
// WhatsApp Cloud API (tests/fakes/whatsapp.mjs) as the provider, the lead-qualification flow of
// flows/lead_qualification.de.json. Every test looks at what a person would notice — what reached the
// provider (the fake's request log), what the API answers, the funnel counts — never at how long it took.
// Each test has its own bot (so funnel counts are its own) and its own phone numbers.
//
//   node --test tests/e2e/whatsapp_flow.test.mjs                       (SQLite)
//   BOTWERK_TEST_PG_URL=postgres://… node --test tests/e2e/whatsapp_flow.test.mjs
//   BOTWERK_BIN=build-asan/botwerk node --test tests/e2e/whatsapp_flow.test.mjs
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createHmac } from 'node:crypto';
import { startServer, BACKEND, ROOT, sleep } from '../lib/server.mjs';
import { startFakeSmtp } from '../fakes/smtp.mjs';
import { startFakeWhatsApp, newWamid } from '../fakes/whatsapp.mjs';

const APP_SECRET = 'app-secret-flow';
const TOKEN = 'EAAG-flow-test';
const HOOK_SECRET = 'handover-hook-secret';
const FLOW = JSON.parse(fs.readFileSync(path.join(ROOT, 'flows', 'lead_qualification.de.json'), 'utf8'));
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

// Server settings for the tests: quick retries, a short provider timeout, the first flow message right
// after the opt-in (design document 003: 5 minutes).
const ENV = {
  BOTWERK_JOBS_BACKOFF_MS: '200',
  BOTWERK_JOBS_MAX_ATTEMPTS: '3',
  BOTWERK_WA_SEND_TIMEOUT_MS: '1000',
  BOTWERK_WA_FIRST_MESSAGE_S: '0',
};

// The flow's templates name what fills {{1}} when they stand in for a flow text (params); API sends pass
// variables.
const TEMPLATES = [
  { name: 'lead_welcome_v1', language: 'de', category: 'marketing', approved: true, params: ['first_name|zusammen'],
    body: 'Hallo {{1}}, schön, dass Sie sich gemeldet haben! Hätten Sie kurz Zeit für zwei Fragen?' },
  { name: 'lead_nudge_v1', language: 'de', category: 'marketing', approved: true, params: ['first_name|zusammen'],
    body: 'Hallo {{1}}, haben Sie noch eine Minute für unsere zwei kurzen Fragen?' },
  { name: 'lead_followup_24h_v1', language: 'de', category: 'marketing', approved: true, params: ['first_name|zusammen'],
    body: 'Hallo {{1}}, wir melden uns wie versprochen noch einmal. Passt es jetzt?' },
  { name: 'lead_followup_48h_v1', language: 'de', category: 'marketing', approved: true, params: ['first_name|zusammen'],
    body: 'Hallo {{1}}, sollen wir Ihnen noch Termine vorschlagen?' },
  { name: 'termin_update_v1', language: 'de', category: 'utility', approved: true,
    body: 'Ihr Termin am {{1}} ist bestätigt.' },
  { name: 'angebot_herbst_v1', language: 'de', category: 'marketing', approved: true,
    body: 'Hallo {{1}}, unser Herbstangebot gilt noch diese Woche.' },
];

/** channels.whatsapp of a test bot: the fake as provider, no quiet hours, no pacing waits (unless `extra`). */
function waChannel(wa, extra = {}) {
  return {
    phone_number_id: '111', access_token: TOKEN, app_secret: APP_SECRET, api_base_url: wa.url,
    quiet_hours: null, reply_delay_seconds: 0, pacing: { recipient_interval_seconds: 0 }, templates: TEMPLATES,
    ...extra,
  };
}

const optIn = (botId, e164, more = {}) => ({
  bot_id: botId, whatsapp: e164, first_name: 'Jana', timezone: 'Europe/Berlin', language: 'de',
  consent: { granted: true, source: 'web_form', text_version: 'v1' }, ...more,
});

async function waitFor(fn, what, ms = 20000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) assert.fail(`gave up waiting: ${typeof what === 'function' ? what() : what}`);
    await sleep(50);
  }
}

/** The sends of the fake to one number (digits), read receipts left out. */
function sendsTo(wa, digits) {
  return wa.requests().filter((r) => /\/messages$/.test(r.path) && r.body && r.body.status !== 'read' &&
    String(r.body.to ?? '').replace(/^\+/, '') === digits);
}
const accepted = (list) => list.filter((r) => r.status === 200);
const parse = (raw) => { try { return JSON.parse(raw); } catch { return {}; } };

/** What the contact reads: a text's body, an interactive message's body, a template's name in brackets. */
function shown(r) {
  const b = r.body;
  if (b.type === 'interactive') return b.interactive.body.text;
  if (b.type === 'template') return `[template ${b.template.name}]`;
  return b.text ? b.text.body : '';
}
const describeSends = (list) => JSON.stringify(list.map((r) => ({ type: r.body.type, status: r.status, shown: shown(r) })), null, 1);

/** Waits until `digits` has received `n` accepted messages; returns them all. */
function waitSends(wa, digits, n, ms) {
  return waitFor(() => { const a = accepted(sendsTo(wa, digits)); return a.length >= n && a; },
    () => `${n} messages to ${digits}; got ${describeSends(sendsTo(wa, digits))}`, ms);
}

/** Waits until a message to `digits` shows text matching `re` (after the first `skip` messages); returns it. */
function waitShown(wa, digits, re, skip = 0) {
  return waitFor(() => accepted(sendsTo(wa, digits)).slice(skip).find((r) => re.test(shown(r))),
    () => `a message to ${digits} matching ${re}; got ${describeSends(sendsTo(wa, digits))}`);
}

function buttonIds(r) {
  assert.equal(r.body.type, 'interactive', `an interactive message: ${JSON.stringify(r.body)}`);
  assert.equal(r.body.interactive.type, 'button');
  return r.body.interactive.action.buttons.map((b) => b.reply.id);
}

/** A little HTTP server standing in for the business's handover webhook. */
async function startReceiver() {
  const got = [];
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    got.push({ method: req.method, url: req.url, headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('ok');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/botwerk/handover`, got, close: () => new Promise((r) => server.close(r)) };
}

describe(`WhatsApp: design document 003's test plan (${BACKEND})`, () => {
  let srv, key, wa, hookRx, smtp;
  before(async () => {
    wa = await startFakeWhatsApp({ token: TOKEN });
    hookRx = await startReceiver();
    smtp = await startFakeSmtp();
    srv = await startServer({ env: { ...ENV, BOTWERK_SMTP_URL: smtp.url, BOTWERK_SMTP_FROM: 'bot@botwerk.test' } });
    key = (await srv.tenant('Lead Studio')).api_key;
  });
  after(async () => {
    if (srv) await srv.stop();
    if (wa) await wa.close();
    if (hookRx) await hookRx.close();
    if (smtp) await smtp.close();
  });

  const hook = (bot) => `${srv.base}/hooks/whatsapp/${bot.id}`;
  const inbound = (bot, from, m) => wa.sendInbound(hook(bot), APP_SECRET, { id: newWamid(), from, ...(typeof m === 'string' ? { text: m } : m) });

  /** A bot on the fake; with `flow` the example flow is saved through PUT /api/v1/bots/{id}/flows. */
  async function newBot(name, { flow = false, provider = wa, channel = {} } = {}) {
    const bot = await srv.createBot(key, { name, channels: { whatsapp: waChannel(provider, channel) } });
    if (flow) {
      const r = await srv.json('PUT', `/api/v1/bots/${bot.id}/flows`, { key, body: FLOW });
      assert.equal(r.status, 200, `PUT flows: ${r.status} ${r.text}`);
    }
    return bot;
  }
  async function createContact(body, status = 201) {
    const r = await srv.post('/api/v1/contacts', body, key);
    assert.equal(r.status, status, `POST /api/v1/contacts: ${r.status} ${r.text}`);
    return r.json;
  }
  async function view(contactId) {
    const r = await srv.get(`/api/v1/contacts/${contactId}/whatsapp`, key);
    assert.equal(r.status, 200, `GET contact: ${r.status} ${r.text}`);
    return r.json;
  }
  async function funnel(bot) {
    const r = await srv.get(`/api/v1/bots/${bot.id}/funnel`, key);
    assert.equal(r.status, 200, `GET funnel: ${r.status} ${r.text}`);
    assert.equal(r.json.bot_id, bot.id);
    return r.json.events;
  }
  const send = (body) => srv.post('/api/v1/messages/send', body, key);
  function assertBlocked(r, reason) {
    assert.equal(r.status, 422, `expected 422 policy_blocked ${reason}; got ${r.status} ${r.text}`);
    assert.equal(r.json.error.code, 'policy_blocked', r.text);
    assert.equal(typeof r.json.error.message, 'string');
    assert.equal(r.json.reason, reason, r.text);
    assert.equal(typeof r.json.switch_to_template_possible, 'boolean', r.text);
  }

  it('qualified happy path', async () => {
    const bot = await newBot('Happy Path', { flow: true });
    const num = '4917610000101';
    const c = await createContact(optIn(bot.id, '+' + num));
    assert.match(c.id, /\S/);
    assert.equal(c.bot_id, bot.id);
    assert.equal(c.consent_status, 'granted');
    assert.match(c.first_message_at, ISO, 'the bot has a flow: the first message is scheduled');

    // The contact never wrote: the greeting goes out as its approved template.
    const [welcome] = await waitSends(wa, num, 1);
    assert.equal(welcome.body.type, 'template', describeSends([welcome]));
    assert.equal(welcome.body.template.name, 'lead_welcome_v1');
    assert.equal(welcome.body.template.language.code, 'de');
    const params = (welcome.body.template.components || []).flatMap((k) => k.parameters || []);
    assert.deepEqual(params.map((p) => p.text), ['Jana'], `{{1}} is the first name: ${JSON.stringify(welcome.body.template)}`);
    assert.equal(welcome.path, '/v21.0/111/messages');
    assert.equal(welcome.headers.authorization, `Bearer ${TOKEN}`);

    await inbound(bot, num, 'Ja');
    const ads = await waitShown(wa, num, /Werbeanzeigen/, 1);
    assert.deepEqual(buttonIds(ads), ['yes', 'no']);

    await inbound(bot, num, { buttonReply: { id: 'yes', title: 'Ja' } }); // the button tapped
    const leads = await waitShown(wa, num, /Wie viele Leads/, 2);
    assert.equal(leads.body.type, 'text');

    await inbound(bot, num, '150');
    await waitShown(wa, num, /Gespräch/, 3);
    const texts = accepted(sendsTo(wa, num)).map(shown);
    assert.equal(texts.length >= 4 && texts.length <= 5, true, describeSends(sendsTo(wa, num)));
    assert.match(texts.slice(3).join('\n'), /passt sehr gut[\s\S]*kurzen Gespräch/, 'qualified, then the booking');

    const v = await view(c.id);
    assert.equal(v.consent.status, 'granted');
    assert.equal(v.consent.source, 'web_form');
    assert.equal(v.consent.text_version, 'v1');
    assert.equal(v.conversation.owner, 'bot');
    assert.equal(v.conversation.qualification, 'qualified');
    assert.equal(v.conversation.fields.ads_running, 'yes');
    assert.equal(v.conversation.fields.monthly_leads, 150);
    assert.equal(v.conversation.flow.done, true);

    const f = await funnel(bot);
    assert.equal(f.first_contact_sent, 1, JSON.stringify(f));
    assert.equal(f.reply, 3, JSON.stringify(f));
    assert.equal(f.first_response, 1, JSON.stringify(f));
    assert.equal(f.qualified, 1, JSON.stringify(f));
    assert.equal(f.booking_started, 1, JSON.stringify(f));
    assert.equal(f.disqualified, 0, JSON.stringify(f));
    assert.equal(f.handover, 0, JSON.stringify(f));
    assert.equal(f.policy_blocked_send, 0, JSON.stringify(f));
  });

  it('disqualify on ads = no', async () => {
    const bot = await newBot('Ohne Anzeigen', { flow: true });
    const num = '4917610000201';
    await inbound(bot, num, 'Hallo'); // the first message of a new number starts the flow
    const greeting = await waitShown(wa, num, /zwei ganz kurze Fragen/);
    assert.deepEqual(buttonIds(greeting), ['yes', 'no']);
    assert.deepEqual(greeting.body.interactive.action.buttons.map((b) => b.reply.title), ['Ja, gern', 'Gerade nicht']);

    await inbound(bot, num, { buttonReply: { id: 'yes', title: 'Ja, gern' } });
    await waitShown(wa, num, /Werbeanzeigen/, 1);
    await inbound(bot, num, 'Nein, leider nicht');
    const bye = await waitShown(wa, num, /noch zu früh/, 2);
    assert.match(shown(bye), /https:\/\/example\.com\/ratgeber\/werbeanzeigen/, 'the resource link');
    assert.equal(accepted(sendsTo(wa, num)).length, 3, describeSends(sendsTo(wa, num)));

    const f = await funnel(bot);
    assert.equal(f.disqualified, 1, JSON.stringify(f));
    assert.equal(f.qualified, 0, JSON.stringify(f));
    assert.equal(f.booking_started, 0, JSON.stringify(f));
  });

  it('disqualify on < 100 leads', async () => {
    const bot = await newBot('Wenig Leads', { flow: true });
    const num = '4917610000301';
    const c = await createContact(optIn(bot.id, '+' + num, { first_name: 'Paul' }));
    await waitSends(wa, num, 1);
    await inbound(bot, num, 'Ja, passt');
    await waitShown(wa, num, /Werbeanzeigen/, 1);
    await inbound(bot, num, 'Ja');
    await waitShown(wa, num, /Wie viele Leads/, 2);
    await inbound(bot, num, 'So um die 50 im Monat');
    const later = await waitShown(wa, num, /später wieder/, 3);
    assert.doesNotMatch(shown(later), /Termin|Gespräch/);

    const v = await view(c.id);
    assert.equal(v.conversation.qualification, 'disqualified');
    assert.equal(v.conversation.fields.monthly_leads, 50);
    assert.equal(v.conversation.fields.monthly_leads_bucket, '<100');
    assert.equal(v.conversation.flow.done, true);
    const f = await funnel(bot);
    assert.equal(f.disqualified, 1, JSON.stringify(f));
    assert.equal(f.qualified, 0, JSON.stringify(f));
    assert.equal(f.booking_started, 0, JSON.stringify(f));
  });

  it('free question answered with a source and the flow resumed', async () => {
    const bot = await newBot('Mit Wissen', { flow: true });
    await srv.addText(key, bot.id, 'Preise', 'Das Starter-Paket kostet 490 Euro im Monat. Die Einrichtung ist im Preis enthalten.');
    const num = '4917610000401';
    await inbound(bot, num, 'Hallo');
    await waitShown(wa, num, /zwei ganz kurze Fragen/);
    await inbound(bot, num, 'Ja');
    await waitShown(wa, num, /Werbeanzeigen/, 1);

    await inbound(bot, num, 'Was kostet das?');
    const answer = await waitShown(wa, num, /490 Euro/, 2);
    const lines = shown(answer).trim().split('\n');
    assert.match(lines[lines.length - 1], /^Quelle: Preise\b/, `the source on the last line: ${shown(answer)}`);
    const all = accepted(sendsTo(wa, num));
    const reask = await waitShown(wa, num, /Werbeanzeigen/, all.indexOf(answer) + 1);
    assert.deepEqual(buttonIds(reask), ['yes', 'no'], 'the waiting question again');

    await inbound(bot, num, 'Ja, auf Google');
    await waitShown(wa, num, /Wie viele Leads/, 2);
    const f = await funnel(bot);
    assert.equal(f.handover, 0, `the price question was answered, not handed over: ${JSON.stringify(f)}`);
  });

  it('handover trigger', async () => {
    const bot = await newBot('Übergabe', { flow: true, channel: { handover_webhook_url: hookRx.url, handover_webhook_secret: HOOK_SECRET } });
    const num = '4917610000501';
    const c = await createContact(optIn(bot.id, '+' + num));
    await waitSends(wa, num, 1);

    await inbound(bot, num, 'Ich möchte bitte mit einem Mitarbeiter sprechen.');
    const told = await waitShown(wa, num, /an unser Team weiter/, 1);
    assert.equal(told.body.type, 'text');

    // The business is told: a signed POST to its webhook.
    const note = await waitFor(() => hookRx.got.find((g) => parse(g.raw).contact_id === c.id), 'the handover webhook');
    assert.equal(note.method, 'POST');
    const expected = 'sha256=' + createHmac('sha256', HOOK_SECRET).update(Buffer.from(note.raw, 'utf8')).digest('hex');
    assert.equal(note.headers['x-botwerk-signature'], expected, 'X-Botwerk-Signature: HMAC-SHA256 of the raw body');
    const body = JSON.parse(note.raw);
    const v1 = await view(c.id);
    assert.equal(body.event, 'handover');
    assert.equal(body.bot_id, bot.id);
    assert.equal(body.conversation_id, v1.conversation.id);
    assert.match(body.reason, /mitarbeiter/i);
    assert.match(body.at, ISO);
    assert.equal(v1.conversation.owner, 'human');
    assert.match(v1.conversation.handover_reason, /mitarbeiter/i);
    assert.match(v1.conversation.handover_at, ISO);

    // The bot stays silent while a person owns the conversation.
    await inbound(bot, num, 'Hallo? Ist da jemand?');
    await waitFor(async () => (await funnel(bot)).reply >= 2, 'the second message counted as a reply');
    await sleep(300);
    assert.equal(accepted(sendsTo(wa, num)).length, 2, `silent after the handover: ${describeSends(sendsTo(wa, num))}`);

    // A person answers through the same policy checks.
    const conv = v1.conversation.id;
    const human = await srv.post(`/api/v1/conversations/${conv}/messages`, { text: 'Hallo, hier ist Anna aus dem Team. Wann passt Ihnen ein Anruf?' }, key);
    assert.equal(human.status, 200, human.text);
    assert.equal(human.json.status, 'sent');
    await waitShown(wa, num, /hier ist Anna/, 2);
    assert.equal((await srv.post(`/api/v1/conversations/${conv}/handover`, { reason: 'noch einmal' }, key)).status, 409);

    // Handback: the bot owns it again and asks the waiting question again.
    const back = await srv.post(`/api/v1/conversations/${conv}/handback`, {}, key);
    assert.equal(back.status, 200, back.text);
    assert.equal(back.json.owner, 'bot');
    const reask = await waitShown(wa, num, /zwei ganz kurze Fragen|Passt das gerade/, 3);
    assert.deepEqual(buttonIds(reask), ['yes', 'no']);
    assert.equal((await srv.post(`/api/v1/conversations/${conv}/handback`, {}, key)).status, 409);
    assert.equal((await view(c.id)).conversation.owner, 'bot');

    // Other triggers, each from a new number: one handover message each, one notification each.
    const others = [
      ['4917610000502', 'Ich will einen Berater sprechen'],
      ['4917610000503', 'Bitte rufen Sie mich an'],
      ['4917610000504', 'Das ist eine absolute Frechheit!'],
    ];
    for (const [n, text] of others) await inbound(bot, n, text);
    for (const [n] of others) await waitShown(wa, n, /an unser Team weiter/);
    await waitFor(() => hookRx.got.filter((g) => parse(g.raw).bot_id === bot.id).length >= 4, 'four handover notifications');
    await sleep(300);
    for (const [n, text] of others) assert.equal(accepted(sendsTo(wa, n)).length, 1, `${text}: ${describeSends(sendsTo(wa, n))}`);

    const f = await funnel(bot);
    assert.equal(f.handover, 4, JSON.stringify(f));
    assert.equal(f.handback, 1, JSON.stringify(f));
  });

  it('outbound outside 24 h without template blocked', async () => {
    const bot = await newBot('Fenster zu');
    const num = '4917610000601';
    const c = await createContact(optIn(bot.id, '+' + num));
    assert.equal(c.first_message_at, null, 'no flow: no first message');
    const r = await send({ contact_id: c.id, type: 'session_text', text: 'Kurze Frage zu Ihrem Termin morgen.' });
    assertBlocked(r, 'outside_service_window');
    await sleep(200);
    assert.deepEqual(sendsTo(wa, num), [], 'nothing reached the provider');
    const f = await funnel(bot);
    assert.equal(f.policy_blocked_send, 1, JSON.stringify(f));
  });

  it('inside 24 h session message allowed', async () => {
    const bot = await newBot('Fenster offen');
    const num = '4917610000701';
    const c = await createContact(optIn(bot.id, '+' + num));
    await inbound(bot, num, 'Hallo, ich habe eine Frage zu meinem Termin.');
    await waitFor(async () => (await view(c.id)).last_inbound_at, 'the inbound message recorded');
    const text = 'Gern! Ihr Termin ist am Dienstag um 10 Uhr.';
    const r = await send({ contact_id: c.id, type: 'session_text', text });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status, 'sent');
    assert.match(r.json.message_id, /\S/);
    const got = await waitShown(wa, num, /Dienstag um 10 Uhr/);
    assert.equal(got.body.type, 'text');
    assert.equal(got.body.text.body, text);
    assert.equal((await funnel(bot)).policy_blocked_send, 0);
  });

  it('revoked consent blocks marketing', async () => {
    const bot = await newBot('Abgemeldet');
    const num = '4917610000901';
    const c = await createContact(optIn(bot.id, '+' + num));
    await inbound(bot, num, 'STOP');
    const confirm = await waitShown(wa, num, /keine Nachrichten mehr/);
    await waitFor(async () => (await view(c.id)).consent.status === 'revoked', 'consent revoked');

    const r = await send({ contact_id: c.id, type: 'template', template_name: 'angebot_herbst_v1', variables: ['Jana'] });
    assertBlocked(r, 'consent_revoked');
    const r2 = await send({ contact_id: c.id, type: 'session_text', text: 'Nur noch heute: 20 % Rabatt!', purpose: 'marketing' });
    assertBlocked(r2, 'consent_revoked');
    await sleep(200);
    assert.deepEqual(accepted(sendsTo(wa, num)).map(shown), [shown(confirm)], 'only the confirmation reached the contact');
    const f = await funnel(bot);
    assert.equal(f.opted_out, 1, JSON.stringify(f));
    assert.ok(f.policy_blocked_send >= 1, JSON.stringify(f));
  });

  it('duplicate inbound → exactly one reply', async () => {
    const bot = await newBot('Doppelt', { flow: true });
    const num = '4917610001001';
    const m = { id: newWamid(), from: num, text: 'Hallo' };
    const first = await Promise.all([wa.sendInbound(hook(bot), APP_SECRET, m), wa.sendInbound(hook(bot), APP_SECRET, m)]);
    const third = await wa.sendInbound(hook(bot), APP_SECRET, m);
    const intake = [...first, third].map((r) => JSON.parse(r.body));
    assert.deepEqual(intake.reduce((a, b) => ({ stored: a.stored + b.stored, duplicates: a.duplicates + b.duplicates })), { stored: 1, duplicates: 2 });
    await waitShown(wa, num, /zwei ganz kurze Fragen/);
    // The next message of the contact is answered: by then a second answer to "Hallo" would have been sent.
    await inbound(bot, num, 'Ja');
    await waitShown(wa, num, /Werbeanzeigen/, 1);
    await sleep(200);
    const texts = accepted(sendsTo(wa, num)).map(shown);
    assert.equal(texts.length, 2, describeSends(sendsTo(wa, num)));
    assert.equal(texts.filter((t) => /zwei ganz kurze Fragen/.test(t)).length, 1, 'the greeting once');
    assert.equal((await funnel(bot)).reply, 2);
  });

  it('provider timeout → retry succeeds', async () => {
    const slow = await startFakeWhatsApp({ token: TOKEN });
    try {
      const bot = await newBot('Zeitüberschreitung', { provider: slow });
      const num = '4917610001101';
      const c = await createContact(optIn(bot.id, '+' + num));
      slow.script({ hang: true }); // the first send never gets an answer
      const r = await send({ contact_id: c.id, type: 'template', template_name: 'termin_update_v1', variables: ['Dienstag, 10 Uhr'] });
      assert.equal(r.status, 202, r.text);
      assert.equal(r.json.status, 'scheduled');
      assert.equal(r.json.reason, 'retry');
      assert.match(r.json.job_id, /^job_/);
      await waitSends(slow, num, 1);
      const job = await waitFor(async () => {
        const j = await srv.get(`/api/v1/jobs/${r.json.job_id}`, key);
        return j.status === 200 && j.json.status === 'done' && j.json;
      }, 'the job done');
      assert.ok(job.attempts >= 1);
      await sleep(200);
      const all = sendsTo(slow, num);
      assert.equal(accepted(all).length, 1, `exactly one accepted send: ${describeSends(all)}`);
      assert.equal(all[0].clientClosed, true, 'the first call timed out');
      assert.ok(all.every((s) => s.body.type === 'template' && s.body.template.name === 'termin_update_v1'), describeSends(all));
      const f = await funnel(bot);
      assert.equal(f.send_failed, 0, JSON.stringify(f));
    } finally {
      await slow.close();
    }
  });

  it('repeated failure → dead letter', async () => {
    const broken = await startFakeWhatsApp({ token: TOKEN });
    try {
      const bot = await newBot('Dauerfehler', { provider: broken });
      const num = '4917610001201';
      const c = await createContact(optIn(bot.id, '+' + num));
      broken.script({ error: 500, times: 10 });
      const r = await send({ contact_id: c.id, type: 'template', template_name: 'termin_update_v1', variables: ['Freitag, 9 Uhr'] });
      assert.equal(r.status, 202, r.text);
      assert.equal(r.json.reason, 'retry');
      const jobId = r.json.job_id;
      assert.match(jobId, /^job_/);
      const dead = await waitFor(async () => {
        const d = await srv.get('/api/v1/jobs/dead?limit=100', key);
        assert.equal(d.status, 200, d.text);
        return d.json.jobs.find((j) => j.id === jobId);
      }, 'the job in the dead letter');
      assert.equal(dead.status, 'dead');
      assert.equal(dead.bot_id, bot.id);
      assert.equal(dead.attempts, dead.max_attempts);
      assert.match(dead.last_error, /provider|131000|500|went wrong/i, dead.last_error);
      assert.ok(!JSON.stringify(dead.payload ?? null).includes(num), 'no phone number in the payload');
      const one = await srv.get(`/api/v1/jobs/${jobId}`, key);
      assert.equal(one.json.status, 'dead');
      await sleep(300);
      const all = sendsTo(broken, num);
      assert.equal(accepted(all).length, 0, describeSends(all));
      assert.ok(all.length >= 3 && all.every((s) => s.status === 500), describeSends(all));
      assert.ok(broken.pending().length > 0, 'it gave up before the provider recovered');
    } finally {
      await broken.close();
    }
  });

  // Not in the test plan: the handover by email ("and/or email via a configured SMTP relay").
  it('a handover is emailed to the business through the SMTP relay, once, after a refused first try', async () => {
    const bot = await newBot('Übergabe per E-Mail', { channel: { handover_email: 'team@studio.example' } });
    const num = '4917610001401';
    const c = await createContact(optIn(bot.id, '+' + num));
    smtp.script({ failData: 1 }); // the relay refuses the first try for now (451): the job tries again
    await inbound(bot, num, 'Ich möchte bitte mit einem Berater sprechen, das ist mir zu kompliziert.');
    await waitShown(wa, num, /an unser Team weiter/);
    const mail = await waitFor(() => smtp.messages().find((m) => m.to.includes('team@studio.example')), 'the email', 30000);
    const v = await view(c.id);
    assert.equal(mail.from, 'bot@botwerk.test');
    assert.equal(mail.headers.from, '<bot@botwerk.test>');
    assert.equal(mail.subject, 'WhatsApp-Übergabe: Jana (+' + num + ') (Übergabe per E-Mail)');
    assert.match(mail.headers['content-type'], /text\/plain; charset=UTF-8/);
    assert.match(mail.headers.date, /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    assert.match(mail.body, /möchte mit einem Menschen sprechen/);
    assert.match(mail.body, /Grund: bat darum, mit einem Menschen zu sprechen \("berater"\)/i);
    assert.ok(mail.body.includes(`POST /api/v1/conversations/${v.conversation.id}/handback`), mail.body);
    assert.ok(mail.body.includes(`GET /api/v1/contacts/${c.id}/whatsapp`), mail.body);
    assert.ok(smtp.log().some((l) => l.failed === 'data'), 'the first try was refused');
    await sleep(500);
    assert.equal(smtp.messages().filter((m) => m.to.includes('team@studio.example')).length, 1, 'one email');
  });

  // Not in the test plan: per-recipient pacing, and a changed pacing taking effect with the next send.
  it('per-recipient pacing holds a second send; a changed pacing applies to the next send at once', async () => {
    const bot = await newBot('Taktung', { channel: { pacing: { recipient_interval_seconds: 3600 } } });
    const num = '4917610001301';
    const c = await createContact(optIn(bot.id, '+' + num));
    const msg = { contact_id: c.id, type: 'template', template_name: 'termin_update_v1', variables: ['Montag, 8 Uhr'] };
    const first = await send(msg);
    assert.equal(first.status, 200, first.text);
    const held = await send(msg);
    assert.equal(held.status, 202, held.text);
    assert.equal(held.json.reason, 'pacing', held.text);
    const p = await srv.json('PATCH', `/api/v1/bots/${bot.id}`, { key, body: { channels: { whatsapp: { pacing: { recipient_interval_seconds: 0 } } } } });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json.channels.whatsapp.pacing.recipient_interval_seconds, 0, p.text);
    assert.equal(p.json.channels.whatsapp.access_token_set, true, 'the secrets are kept');
    const now = await send(msg);
    assert.equal(now.status, 200, `sent at once under the new pacing: ${now.text}`);
    assert.ok(accepted(sendsTo(wa, num)).length >= 2);
  });
});

// Tests that move the server's clock (BOTWERK_CLOCK_OFFSET_S; the server is restarted for each instant).
describe(`WhatsApp: policy over time (${BACKEND})`, () => {
  let srv, key, wa;
  const offsetTo = (iso) => String(Math.round((Date.parse(iso) - Date.now()) / 1000));
  before(async () => {
    wa = await startFakeWhatsApp({ token: TOKEN });
    // Saturday 2026-10-24 23:30 in Berlin (CEST, UTC+2): quiet hours; the night has 25 hours (CEST → CET).
    srv = await startServer({ env: { ...ENV, BOTWERK_CLOCK_OFFSET_S: offsetTo('2026-10-24T21:30:00Z') } });
    key = (await srv.tenant('Uhrzeit')).api_key;
  });
  after(async () => {
    if (srv) await srv.stop();
    if (wa) await wa.close();
  });
  const hook = (bot) => `${srv.base}/hooks/whatsapp/${bot.id}`;
  const send = (body) => srv.post('/api/v1/messages/send', body, key);
  async function contact(bot, num) {
    const r = await srv.post('/api/v1/contacts', optIn(bot.id, '+' + num), key);
    assert.equal(r.status, 201, r.text);
    return r.json;
  }

  it('quiet hours shift the send across a DST change', async () => {
    // default quiet hours (23:00–07:00 in the contact's time zone)
    const { quiet_hours: _omit, ...channel } = waChannel(wa);
    const bot = await srv.createBot(key, { name: 'Nachtruhe', channels: { whatsapp: channel } });

    const autumn = await contact(bot, '4917610000801');
    const r = await send({ contact_id: autumn.id, type: 'template', template_name: 'angebot_herbst_v1', variables: ['Jana'] });
    assert.equal(r.status, 202, r.text);
    assert.equal(r.json.status, 'scheduled');
    assert.equal(r.json.reason, 'quiet_hours');
    assert.equal(new Date(r.json.send_at).toISOString(), '2026-10-25T06:00:00.000Z', `07:00 CET: ${r.text}`);
    const job = await srv.get(`/api/v1/jobs/${r.json.job_id}`, key);
    assert.equal(job.status, 200, job.text);
    assert.equal(job.json.status, 'pending');
    assert.equal(new Date(job.json.run_at).toISOString(), '2026-10-25T06:00:00.000Z');

    // Saturday 2026-03-28 23:30 in Berlin (CET, UTC+1): the night has 23 hours (CET → CEST).
    srv = await srv.restart({ BOTWERK_CLOCK_OFFSET_S: offsetTo('2026-03-28T22:30:00Z') });
    const spring = await contact(bot, '4917610000802');
    const s = await send({ contact_id: spring.id, type: 'template', template_name: 'angebot_herbst_v1', variables: ['Jana'] });
    assert.equal(s.status, 202, s.text);
    assert.equal(s.json.reason, 'quiet_hours');
    assert.equal(new Date(s.json.send_at).toISOString(), '2026-03-29T05:00:00.000Z', `07:00 CEST: ${s.text}`);

    await sleep(200);
    assert.deepEqual(sendsTo(wa, '4917610000801'), [], 'held, nothing sent during the night');
    assert.deepEqual(sendsTo(wa, '4917610000802'), [], 'held, nothing sent during the night');
  });

  it('outbound outside 24 h without template blocked (the contact wrote 25 h ago)', async () => {
    srv = await srv.restart({ BOTWERK_CLOCK_OFFSET_S: '0' });
    const bot = await srv.createBot(key, { name: 'Gestern', channels: { whatsapp: waChannel(wa) } });
    const num = '4917610000602';
    const c = await contact(bot, num);
    await wa.sendInbound(hook(bot), APP_SECRET, { id: newWamid(), from: num, text: 'Hallo, ich melde mich morgen noch mal.' });
    await waitFor(async () => (await srv.get(`/api/v1/contacts/${c.id}/whatsapp`, key)).json?.last_inbound_at, 'the inbound message recorded');
    await sleep(300); // the bot's own answer to it, if any, has gone out
    const before = sendsTo(wa, num).length;

    srv = await srv.restart({ BOTWERK_CLOCK_OFFSET_S: String(25 * 3600) });
    const r = await send({ contact_id: c.id, type: 'session_text', text: 'Wie sieht es aus, haben Sie Zeit gefunden?' });
    assert.equal(r.status, 422, r.text);
    assert.equal(r.json.error.code, 'policy_blocked');
    assert.equal(r.json.reason, 'outside_service_window');
    await sleep(200);
    assert.equal(sendsTo(wa, num).length, before, 'nothing reached the provider');
    const f = await srv.get(`/api/v1/bots/${bot.id}/funnel`, key);
    assert.equal(f.json.events.policy_blocked_send, 1, f.text);
  });
});
