// Leads for the business: the topics a visitor asked about (in the lead's context and the CSV export, and
// in the interest score), and the per-bot engagement report with its follow-up recommendation.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, BACKEND } from '../lib/server.mjs';
import { seededBot } from '../lib/fixtures.mjs';

describe(`lead topics and engagement (${BACKEND})`, () => {
  let srv, key, other, bot, quiet, english;
  before(async () => {
    srv = await startServer();
    key = (await srv.tenant('Engagement')).api_key;
    other = (await srv.tenant('Andere')).api_key;
    ({ bot } = await seededBot(srv, key, { features: { email_capture: { enabled: true } } }));
    quiet = await srv.createBot(key, { name: 'Ruhiges Studio' });
    english = await srv.createBot(key, { name: 'City Gym', language: 'en' });
  });
  after(async () => {
    if (srv) await srv.kill();
  });

  const engagement = (id, q = '', k = key) => srv.get(`/api/v1/bots/${id}/engagement${q}`, k);

  let hotLead, contactLead;
  it('a lead records the topics of its conversation (no visitor words) and scores them', async () => {
    // conversation A: prices, trial, classes, appointment → an email
    const a1 = await srv.chat(bot.id, 'Was kosten eure Preise für ein Probetraining?');
    assert.equal(a1.status, 200, a1.text);
    const convA = a1.json.conversation_id;
    assert.equal(a1.json.metadata.show_email_modal.trigger, 'topic:preis');
    await srv.chat(bot.id, 'Habt ihr Yoga-Kurse, Zauberwort Stachelbeere?', convA);
    await srv.chat(bot.id, 'Kann ich einen Termin buchen?', convA);
    const made = await srv.post(`/api/v1/public/bot/${bot.id}/leads`, { email: 'kundin@beispiel.de', conversation_id: convA, consent: true });
    assert.equal(made.status, 201, made.text);
    hotLead = made.json.lead_id;
    // conversation B: a greeting only
    assert.equal((await srv.chat(bot.id, 'Hallo')).status, 200);
    // conversation C: opening hours and cancelling → a contact request without personal data
    const c1 = await srv.chat(bot.id, 'Wann habt ihr geöffnet?');
    const convC = c1.json.conversation_id;
    await srv.chat(bot.id, 'Wie kann ich kündigen?', convC);
    const req = await srv.post(`/api/v1/public/bot/${bot.id}/contact-requests`, { conversation_id: convC });
    assert.equal(req.status, 201, req.text);
    contactLead = req.json.lead_id;

    const a = (await srv.get(`/api/v1/leads/${hotLead}`, key)).json;
    assert.deepEqual(a.context.topics, ['preise', 'probetraining', 'kurse', 'termin']);
    assert.equal(a.context.trigger, 'topic:preis', 'the trigger of the email prompt shown in the chat');
    assert.equal(a.interest, 7, '2 + 3 visitor messages + 2 (three buying topics, capped at two)');
    assert.ok(!JSON.stringify(a.context).includes('stachelbeere'), 'only topic names, never the visitor\'s words');
    const c = (await srv.get(`/api/v1/leads/${contactLead}`, key)).json;
    assert.deepEqual(c.context.topics, ['oeffnungszeiten', 'vertrag']);
    assert.equal(c.context.trigger, undefined, 'no contact modal was shown');
    assert.equal(c.interest, 6, '4 + 2 visitor messages, no buying topic');
  });

  it('the CSV export ends with the topics, |-joined', async () => {
    const r = await srv.json('GET', `/api/v1/leads/export.csv?bot_id=${bot.id}`, { key });
    assert.equal(r.status, 200, r.text);
    const lines = r.text.replace(/^\uFEFF/, '').split('\r\n').filter(Boolean);
    assert.match(lines[0], /,message,topics$/);
    const byId = Object.fromEntries(lines.slice(1).map((l) => [l.split(',')[0], l]));
    assert.match(byId[hotLead], /,preise\|probetraining\|kurse\|termin$/);
    assert.match(byId[contactLead], /,oeffnungszeiten\|vertrag$/);
  });

  it('engagement: counts, rates, score and the hot lead, with its recommendation', async () => {
    const r = await engagement(bot.id);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, {
      bot_id: bot.id,
      days: 30,
      conversations: 3,
      visitor_messages: 6,
      messages_per_conversation: 2,
      leads: 2,
      capture_rate: 0.667,
      average_interest: 6.5,
      // 40 × min(2 / 4, 1) + 35 × min(0.667 / 0.2, 1) + 25 × 6.5 / 10 = 20 + 35 + 16.25
      engagement_score: 71,
      top_leads: [hotLead],
      recommendation: 'Leads mit hohem Interesse innerhalb von 24 h anrufen: Die Kontakte unter top_leads haben Interesse 7 oder mehr.',
      recommendation_rule: 'call_hot_leads',
    });
    const day = await engagement(bot.id, '?days=1');
    assert.equal(day.json.days, 1);
    assert.equal(day.json.conversations, 3, 'everything happened today');
  });

  it('engagement recommendations follow the rules: no chats, few chats, few leads, short chats', async () => {
    const none = await engagement(english.id, '?days=7');
    assert.equal(none.status, 200, none.text);
    assert.equal(none.json.conversations, 0);
    assert.equal(none.json.capture_rate, 0);
    assert.equal(none.json.average_interest, 0);
    assert.equal(none.json.engagement_score, 0);
    assert.deepEqual(none.json.top_leads, []);
    assert.equal(none.json.recommendation_rule, 'no_conversations');
    assert.match(none.json.recommendation, /^No conversations in this period: place the widget more prominently/, 'English for en bots');

    const convs = [];
    for (let i = 0; i < 10; i++) {
      const c = await srv.chat(quiet.id, `Frage Nummer ${i}`);
      assert.equal(c.status, 200, c.text);
      convs.push(c.json.conversation_id);
    }
    // ten conversations in 30 days, no lead: ask for the email earlier
    let r = await engagement(quiet.id);
    assert.equal(r.json.conversations, 10);
    assert.equal(r.json.leads, 0);
    assert.equal(r.json.engagement_score, 10, '40 × 1 / 4');
    assert.equal(r.json.recommendation_rule, 'capture_earlier');
    assert.match(r.json.recommendation, /^Viele Gespräche, aber wenige Leads: E-Mail-Abfrage früher anbieten \(z\. B\. nach 2 Nachrichten\)/);
    // the same ten over 60 days are few: place the widget better
    r = await engagement(quiet.id, '?days=60');
    assert.equal(r.json.recommendation_rule, 'promote_widget');
    assert.match(r.json.recommendation, /^Wenige Gespräche: Widget prominenter platzieren/);
    // one lead (a capture rate of 10 %) in one-message conversations: make them longer
    const l = await srv.post(`/api/v1/public/bot/${quiet.id}/leads`, { email: 'a@b.de', conversation_id: convs[0], consent: true });
    assert.equal(l.status, 201, l.text);
    r = await engagement(quiet.id);
    assert.equal(r.json.leads, 1);
    assert.equal(r.json.capture_rate, 0.1);
    assert.equal(r.json.average_interest, 3);
    assert.deepEqual(r.json.top_leads, []);
    assert.equal(r.json.recommendation_rule, 'deepen_conversations');
    assert.match(r.json.recommendation, /^Gespräche bleiben kurz/);
  });

  it('engagement: days is checked, other tenants and unknown bots get 404, a key is required', async () => {
    for (const q of ['?days=0', '?days=366', '?days=abc', '?days=', '?days=3.5']) {
      assertError(await engagement(bot.id, q), 400, 'invalid_request', 'days');
    }
    assert.equal((await engagement(bot.id, '?days=365')).status, 200);
    assertError(await engagement(bot.id, '', other), 404, 'bot_not_found');
    assertError(await engagement('bot_aaaaaaaaaaaaaaaaaaaaaaaa'), 404, 'bot_not_found');
    assert.equal((await srv.get(`/api/v1/bots/${bot.id}/engagement`)).status, 401);
  });
});
