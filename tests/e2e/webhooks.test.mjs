// WhatsApp webhook intake: the Cloud API's handshake and signed events, Twilio's signed form posts.
// Events are stored durably and exactly once (per bot and provider id) before the 200; a bad signature
// stores nothing. (Processing the stored events — replies, flows — is not part of the intake.)
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, BACKEND, assertError, pool } from '../lib/server.mjs';
import { sendInbound, sendStatus, sendRaw, verifyWebhook, inboundEnvelope, metaSerialize, metaSign, newWamid, startFakeWhatsApp } from '../fakes/whatsapp.mjs';
import * as twilio from '../fakes/twilio.mjs';

const APP_SECRET = 'app-secret-123';
const PRICES = 'Die Mitgliedschaft kostet 39 Euro im Monat. Studenten zahlen 29 Euro.';

// A bot "Studio" answering on WhatsApp through the fake at wa.url, with one price text to answer from.
async function whatsappBot(srv, key, wa, text = PRICES) {
  const bot = await srv.createBot(key, {
    name: 'Studio',
    channels: { whatsapp: { phone_number_id: '111', access_token: 'EAAG-test', app_secret: APP_SECRET, api_base_url: wa.url } },
  });
  await srv.addText(key, bot.id, 'Preise', text);
  return bot;
}
const AUTH_TOKEN = 'test_auth_token';

describe(`WhatsApp webhook intake (${BACKEND})`, () => {
  let srv, key, bot, publicUrl;
  before(async () => {
    srv = await startServer();
    publicUrl = srv.base; // BOTWERK_PUBLIC_URL unset: the Host the provider called is used
    key = (await srv.tenant('Kanal')).api_key;
    bot = await srv.createBot(key, {
      name: 'WhatsApp',
      channels: {
        whatsapp: { phone_number_id: '111', access_token: 'EAAG-test', app_secret: APP_SECRET, verify_token: 'verify-me' },
        twilio: { account_sid: 'AC00000000000000000000000000000000', auth_token: AUTH_TOKEN, from: '+4930123456' },
      },
    });
  });
  after(async () => {
    if (srv) await srv.kill();
  });
  const hook = () => `${srv.base}/hooks/whatsapp/${bot.id}`;

  it('keeps the channel secrets sealed and out of every view', async () => {
    const shown = await srv.get(`/api/v1/bots/${bot.id}`, key);
    assert.equal(shown.status, 200);
    for (const s of [APP_SECRET, 'EAAG-test', 'verify-me', AUTH_TOKEN]) assert.ok(!shown.text.includes(s), `leaks ${s}`);
    assert.equal(shown.json.channels.whatsapp.app_secret_set, true);
    assert.equal(shown.json.channels.twilio.auth_token_set, true);
    assert.equal(shown.json.channels.whatsapp.phone_number_id, '111');
  });

  it('answers the verification handshake only with the right token', async () => {
    const ok = await verifyWebhook(hook(), 'verify-me', '1158201444');
    assert.equal(ok.status, 200);
    assert.equal(ok.body, '1158201444');
    const bad = await verifyWebhook(hook(), 'falsch');
    assert.equal(bad.status, 403);
  });

  it('stores a signed message once, however often it is delivered; a bad signature stores nothing', async () => {
    const id = newWamid();
    const body = Buffer.from(metaSerialize(inboundEnvelope({ id, from: '4915112345678', text: 'Grüße aus Altona' })), 'utf8');
    const forged = await sendRaw(hook(), body, metaSign('wrong-secret', body));
    assert.equal(forged.status, 401, forged.body);
    const unsigned = await sendRaw(hook(), body, null);
    assert.equal(unsigned.status, 401);
    const first = await sendRaw(hook(), body, metaSign(APP_SECRET, body));
    assert.equal(first.status, 200, first.body);
    assert.deepEqual(JSON.parse(first.body), { stored: 1, duplicates: 0 }, 'the forged ones stored nothing');
    const again = await sendInbound(hook(), APP_SECRET, { id, from: '4915112345678', text: 'Grüße aus Altona' });
    assert.deepEqual(JSON.parse(again.body), { stored: 0, duplicates: 1 });
    // statuses: one per (message, status)
    const s1 = await sendStatus(hook(), APP_SECRET, { id, status: 'delivered' });
    const s2 = await sendStatus(hook(), APP_SECRET, { id, status: 'read' });
    const s3 = await sendStatus(hook(), APP_SECRET, { id, status: 'read' });
    assert.deepEqual([s1, s2, s3].map((r) => JSON.parse(r.body)), [
      { stored: 1, duplicates: 0 }, { stored: 1, duplicates: 0 }, { stored: 0, duplicates: 1 }]);
  });

  it('1,000 distinct messages, each delivered twice at the same time: exactly 1,000 stored', async () => {
    const ids = Array.from({ length: 1000 }, () => newWamid());
    const deliveries = ids.flatMap((id, i) => [{ id, i }, { id, i }]);
    const results = await pool(deliveries, 32, ({ id, i }) => sendInbound(hook(), APP_SECRET, { id, from: `49151${String(1000000 + i)}`, text: `Nachricht ${i}` }));
    assert.ok(results.every((r) => r.status === 200), 'every delivery acknowledged');
    const totals = results.map((r) => JSON.parse(r.body)).reduce((a, b) => ({ stored: a.stored + b.stored, duplicates: a.duplicates + b.duplicates }));
    assert.deepEqual(totals, { stored: 1000, duplicates: 1000 });
  });

  it('refuses malformed bodies and unknown bots, and other bots\' secrets', async () => {
    const raw = Buffer.from('{"object":"whatsapp_business_account","entry":[', 'utf8');
    const r = await sendRaw(hook(), raw, metaSign(APP_SECRET, raw));
    assert.equal(r.status, 422, r.body);
    const nobot = await sendInbound(`${srv.base}/hooks/whatsapp/bot_aaaaaaaaaaaaaaaaaaaaaaaa`, APP_SECRET, { text: 'x' });
    assert.equal(nobot.status, 404);
    const plain = await srv.createBot(key, { name: 'Ohne Kanal' });
    const nochannel = await sendInbound(`${srv.base}/hooks/whatsapp/${plain.id}`, APP_SECRET, { text: 'x' });
    assert.equal(nochannel.status, 404);
  });

  it('Twilio: checks X-Twilio-Signature over the public URL and stores each message once', async () => {
    const url = `${srv.base}/hooks/twilio/${bot.id}`;
    const params = twilio.inboundParams({ from: '+4915112345678', body: 'Hallo Welt', messageSid: twilio.newSid('SM') });
    const bad = await twilio.sendInbound(url, url, 'falsches-token', params);
    assert.equal(bad.status, 401, bad.body);
    const ok = await twilio.sendInbound(url, publicUrl + `/hooks/twilio/${bot.id}`, AUTH_TOKEN, params);
    assert.equal(ok.status, 200, ok.body);
    assert.match(ok.body, /<Response\/>/);
    const dup = await twilio.sendInbound(url, url, AUTH_TOKEN, params);
    assert.equal(dup.status, 200);
    const status = await twilio.sendStatus(url, url, AUTH_TOKEN, twilio.statusParams({ messageSid: 'SM00000000000000000000000000000009', status: 'delivered' }));
    assert.equal(status.status, 200, status.body);
    assertError(await srv.json('POST', `/hooks/twilio/${bot.id}`, { body: 'a=%zz', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': 'x' } }), 422, 'validation_failed');
  });
});

describe(`WhatsApp answers (${BACKEND})`, () => {
  let srv, key, bot, wa;
  const waitFor = async (fn, ms = 20000) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await fn();
      if (v || Date.now() > deadline) return v;
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const sends = () => wa.requests().filter((r) => /\/messages$/.test(r.path));
  before(async () => {
    wa = await startFakeWhatsApp({ token: 'EAAG-test' });
    srv = await startServer();
    key = (await srv.tenant('Antworten')).api_key;
    bot = await whatsappBot(srv, key, wa);
  });
  after(async () => {
    if (srv) await srv.kill();
    if (wa) await wa.close();
  });
  const hook = () => `${srv.base}/hooks/whatsapp/${bot.id}`;

  it('answers a question from the knowledge, once, however often the message is delivered', async () => {
    const id = newWamid();
    const m = { id, from: '4915112340001', text: 'Was kostet die Mitgliedschaft?' };
    await Promise.all([wa.sendInbound(hook(), APP_SECRET, m), wa.sendInbound(hook(), APP_SECRET, m)]);
    await wa.sendInbound(hook(), APP_SECRET, m);
    const mine = () => sends().filter((r) => r.body && r.body.to === '4915112340001');
    assert.ok(await waitFor(() => mine().length >= 1), 'an answer was sent');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(mine().length, 1, 'exactly one answer');
    const s = mine()[0];
    assert.equal(s.path, '/v21.0/111/messages');
    assert.equal(s.headers.authorization, 'Bearer EAAG-test');
    assert.equal(s.body.type, 'text');
    assert.match(s.body.text.body, /39 Euro/);
  });

  it('STOP revokes consent and is confirmed once', async () => {
    const from = '4915112340002';
    await wa.sendInbound(hook(), APP_SECRET, { id: newWamid(), from, text: 'STOP' });
    await wa.sendInbound(hook(), APP_SECRET, { id: newWamid(), from, text: 'Stopp' });
    const mine = () => sends().filter((r) => r.body && r.body.to === from);
    assert.ok(await waitFor(() => mine().length >= 1));
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(mine().length, 1, 'one confirmation');
    assert.match(mine()[0].body.text.body, /keine Nachrichten mehr/);
  });

  it('1,000 distinct messages, each delivered twice at the same time: exactly 1,000 answers', async () => {
    const before = sends().length;
    const msgs = Array.from({ length: 1000 }, (_, i) => ({ id: newWamid(), from: `49152${String(1000000 + i)}`, text: 'Was zahlen Studenten?' }));
    const deliveries = msgs.flatMap((m) => [m, m]);
    const results = await pool(deliveries, 32, (m) => wa.sendInbound(hook(), APP_SECRET, m));
    assert.ok(results.every((r) => r.status === 200));
    assert.ok(await waitFor(() => sends().length - before >= 1000, 60000), `answers: ${sends().length - before}`);
    await new Promise((r) => setTimeout(r, 1000));
    const answered = sends().slice(before);
    assert.equal(answered.length, 1000, 'exactly one answer per message');
    assert.equal(new Set(answered.map((r) => r.body.to)).size, 1000, 'every sender once');
    assert.ok(answered.every((r) => /29 Euro/.test(r.body.text.body)));
  });
});

describe(`WhatsApp answers through Twilio (${BACKEND})`, () => {
  const SID = 'AC00000000000000000000000000000000';
  let srv, key, bot, tw;
  before(async () => {
    tw = await twilio.startFakeTwilio({ accountSid: SID, authToken: AUTH_TOKEN });
    srv = await startServer();
    key = (await srv.tenant('Twilio')).api_key;
    bot = await srv.createBot(key, {
      name: 'Studio', channels: { twilio: { account_sid: SID, auth_token: AUTH_TOKEN, from: '+4930123456', api_base_url: tw.url } },
    });
    await srv.addText(key, bot.id, 'Preise', 'Die Mitgliedschaft kostet 39 Euro im Monat.');
  });
  after(async () => {
    if (srv) await srv.kill();
    if (tw) await tw.close();
  });

  it('answers a Twilio message once, as a form post with Basic auth, with its source', async () => {
    const url = `${srv.base}/hooks/twilio/${bot.id}`;
    const params = twilio.inboundParams({ from: '+4915112345679', body: 'Was kostet die Mitgliedschaft?', messageSid: twilio.newSid('SM') });
    for (let i = 0; i < 2; i++) assert.equal((await twilio.sendInbound(url, url, AUTH_TOKEN, params)).status, 200);
    const sends = () => tw.requests().filter((r) => r.path === `/2010-04-01/Accounts/${SID}/Messages.json`);
    const deadline = Date.now() + 20000;
    while (sends().length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(sends().length, 1, 'exactly one answer');
    const s = sends()[0];
    assert.equal(s.headers.authorization, `Basic ${Buffer.from(`${SID}:${AUTH_TOKEN}`).toString('base64')}`);
    const form = Object.fromEntries(s.form);
    assert.equal(form.To, 'whatsapp:+4915112345679');
    assert.equal(form.From, 'whatsapp:+4930123456');
    assert.match(form.Body, /39 Euro/);
    assert.match(form.Body, /Quelle: Preise/);
  });
});

// Issue 7: "Duplicates and provider retries never produce a second reply, across restarts and across several
// server processes." Two botwerk processes on one database (the SQLite file, or the PostgreSQL server), the
// provider delivering each message once to each process at the same moment, then again after a restart.
describe(`WhatsApp answers from two server processes on one database (${BACKEND})`, () => {
  let a, b, key, bot, wa;
  const sends = () => wa.requests().filter((r) => /\/messages$/.test(r.path));
  const settle = async (want, ms = 60000) => {
    const deadline = Date.now() + ms;
    while (sends().length < want && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 1000)); // a late second answer would arrive in this time
  };
  before(async () => {
    wa = await startFakeWhatsApp({ token: 'EAAG-test' });
    a = await startServer();
    b = await startServer({ db: a.db, masterKey: a.masterKey });
    key = (await a.tenant('Zwei Prozesse')).api_key;
    bot = await whatsappBot(a, key, wa);
  });
  after(async () => {
    // both processes end before the shared database is dropped (PostgreSQL refuses to drop a database in use)
    if (b) {
      b.stopped = b.stopped || !!a; // a's kill drops it
      await b.kill();
    }
    if (a) await a.kill();
    if (wa) await wa.close();
  });

  it('each of 200 messages delivered to both processes at once gets exactly one answer; a redelivery after a restart gets none', async () => {
    const msgs = Array.from({ length: 200 }, (_, i) => ({ id: newWamid(), from: `49153${String(1000000 + i)}`, text: 'Was zahlen Studenten?' }));
    const hookOf = (s) => `${s.base}/hooks/whatsapp/${bot.id}`;
    const deliveries = msgs.flatMap((m) => [[a, m], [b, m]]);
    const results = await pool(deliveries, 16, ([s, m]) => wa.sendInbound(hookOf(s), APP_SECRET, m));
    assert.ok(results.every((r) => r.status === 200), 'every delivery acknowledged');
    const totals = results.map((r) => JSON.parse(r.body)).reduce((x, y) => ({ stored: x.stored + y.stored, duplicates: x.duplicates + y.duplicates }));
    assert.deepEqual(totals, { stored: 200, duplicates: 200 }, 'stored once across both processes');
    await settle(200);
    assert.equal(sends().length, 200, 'exactly one answer per message');
    assert.equal(new Set(sends().map((r) => r.body.to)).size, 200, 'every sender answered once');
    assert.ok(sends().every((r) => /29 Euro/.test(r.body.text.body)));

    // The provider retries the first 50 after both processes restarted: nothing is sent again.
    a = await a.restart();
    b = await b.restart();
    const again = await pool(msgs.slice(0, 50), 16, (m) => wa.sendInbound(hookOf(a), APP_SECRET, m));
    assert.ok(again.every((r) => r.status === 200 && JSON.parse(r.body).duplicates === 1), 'recognised as duplicates');
    // and a new message after the restart is still answered, once
    const fresh = { id: newWamid(), from: '4915399999999', text: 'Was zahlen Studenten?' };
    await Promise.all([wa.sendInbound(hookOf(a), APP_SECRET, fresh), wa.sendInbound(hookOf(b), APP_SECRET, fresh)]);
    await settle(201);
    assert.equal(sends().length, 201, 'no second answer after the restart, one for the new message');
  });
});

// Housekeeping deletes processed webhook events and finished jobs once they are older than
// BOTWERK_EVENTS_KEEP_DAYS (default 14): the tables do not grow for ever.
describe(`WhatsApp housekeeping (${BACKEND})`, () => {
  let srv, wa;
  after(async () => {
    if (srv) await srv.kill();
    if (wa) await wa.close();
  });

  it('prunes processed events and done jobs after the keep period, keeps the fresh ones', async () => {
    wa = await startFakeWhatsApp({ token: 'EAAG-test' });
    srv = await startServer();
    const key = (await srv.tenant('Aufräumen')).api_key;
    const bot = await whatsappBot(srv, key, wa, 'Die Mitgliedschaft kostet 39 Euro im Monat.');
    const hook = () => `${srv.base}/hooks/whatsapp/${bot.id}`;
    const m = { id: newWamid(), from: '4915400000001', text: 'Was kostet die Mitgliedschaft?' };
    assert.equal((await wa.sendInbound(hook(), APP_SECRET, m)).status, 200);
    const deadline = Date.now() + 20000;
    while (!wa.requests().some((r) => /\/messages$/.test(r.path)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(wa.requests().some((r) => /\/messages$/.test(r.path)), 'answered');

    // 13 days later nothing is old enough; the same event is still a duplicate
    srv = await srv.restart({ BOTWERK_CLOCK_OFFSET_S: String(13 * 86400) });
    const early = await srv.waitForLog((l) => l.msg === 'housekeeping run', 10000);
    assert.ok(early, 'a housekeeping run');
    assert.equal(early.events_pruned, 0);
    assert.equal(JSON.parse((await wa.sendInbound(hook(), APP_SECRET, m)).body).duplicates, 1);

    // 15 days later the processed event is gone
    srv = await srv.restart({ BOTWERK_CLOCK_OFFSET_S: String(15 * 86400) });
    const run = await srv.waitForLog((l) => l.msg === 'housekeeping run', 10000);
    assert.ok(run, 'a housekeeping run');
    assert.ok(run.events_pruned >= 1, JSON.stringify(run));
    assert.equal(run.errors, 0);
    // a redelivery now (back at today's clock, so that answers are inside the 24-hour window) is stored again
    // by the intake, but the message it carries is known: no second answer
    srv = await srv.restart({ BOTWERK_CLOCK_OFFSET_S: '0' });
    const sends = () => wa.requests().filter((r) => /\/messages$/.test(r.path)).length;
    const before = sends();
    assert.equal(JSON.parse((await wa.sendInbound(hook(), APP_SECRET, m)).body).stored, 1);
    const fresh = { id: newWamid(), from: '4915400000002', text: 'Was kostet die Mitgliedschaft?' };
    await wa.sendInbound(hook(), APP_SECRET, fresh); // processed after the redelivery: a marker
    const until = Date.now() + 20000;
    while (sends() < before + 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(sends(), before + 1, 'only the new message is answered');
  });
});
