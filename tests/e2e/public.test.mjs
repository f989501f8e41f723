// The public chat API (no key): config, status, chat answers, conversations, errors, analytics.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, BACKEND } from '../lib/server.mjs';
import { seededBot, FALLBACK, Q_PRICE, Q_HOURS, Q_STREET, Q_UNRELATED } from '../lib/fixtures.mjs';

function assertChatShape(r) {
  assert.equal(r.status, 200, r.text);
  const j = r.json;
  assert.equal(typeof j.response, 'string');
  assert.ok(j.response.trim().length > 0, 'a non-empty response');
  assert.match(j.conversation_id, /^conv_[0-9a-zA-Z]{16,}$/);
  assert.ok(Array.isArray(j.sources), 'sources is an array');
  for (const s of j.sources) {
    assert.equal(typeof s.title, 'string');
    assert.equal(typeof s.snippet, 'string');
    assert.equal(typeof s.score, 'number');
  }
  assert.ok(['extractive', 'greeting', 'thanks', 'fallback'].includes(j.metadata.answer_type), `answer_type ${j.metadata.answer_type}`);
  assert.equal(typeof j.metadata.unanswered, 'boolean');
  assert.equal(typeof j.metadata.latency_ms, 'number');
  assert.ok(j.metadata.latency_ms >= 0);
  return j;
}

describe(`public chat API (${BACKEND})`, () => {
  let srv;
  let tenant;
  let key;
  let bot;
  before(async () => {
    srv = await startServer();
    tenant = await srv.tenant('Öffentlich');
    key = tenant.api_key;
    ({ bot } = await seededBot(srv, key, {
      name: 'FitWerk Eppendorf',
      description: 'Ihr Studio im Norden',
      system_prompt_additions: 'Interner Hinweis: Rabattcode GEHEIM42',
      branding: { primary_color: '#225588', welcome_message: 'Willkommen bei FitWerk!', theme: 'minimal' },
    }));
  });
  after(async () => {
    if (srv) await srv.kill();
  });

  it('config shows only public fields', async () => {
    const r = await srv.get(`/api/v1/public/bot/${bot.id}/config`);
    assert.equal(r.status, 200, r.text);
    const allowed = new Set(['id', 'name', 'description', 'language', 'branding', 'company', 'open_now', 'next_open',
      'closes_at', 'hours_text', 'opening_hours']);
    for (const k of Object.keys(r.json)) assert.ok(allowed.has(k), `config exposes "${k}": ${r.text}`);
    assert.equal(r.json.id, bot.id);
    assert.equal(r.json.name, 'FitWerk Eppendorf');
    assert.equal(r.json.description, 'Ihr Studio im Norden');
    assert.equal(r.json.language, 'de');
    assert.equal(r.json.branding.primary_color, '#225588');
    assert.equal(r.json.branding.welcome_message, 'Willkommen bei FitWerk!');
    assert.equal(r.json.branding.theme, 'minimal');
    for (const secret of [tenant.id, 'GEHEIM42', FALLBACK, 'fallback_message', 'system_prompt_additions', 'tenant']) {
      assert.ok(!r.text.includes(secret), `config leaks "${secret}": ${r.text}`);
    }
  });

  it('status → {id, active: true, status: "online"}', async () => {
    const r = await srv.get(`/api/v1/public/bot/${bot.id}/status`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.id, bot.id);
    assert.equal(r.json.active, true);
    assert.equal(r.json.status, 'online');
  });

  it('answers a price question with the right passage and a cited source', async () => {
    const j = assertChatShape(await srv.chat(bot.id, Q_PRICE.q));
    assert.ok(j.response.includes(Q_PRICE.expect), `answer lacks ${Q_PRICE.expect}: ${j.response}`);
    assert.ok(!j.response.includes('Mühlenkamper'), `answer mixes in the address: ${j.response}`);
    assert.equal(j.metadata.answer_type, 'extractive');
    assert.equal(j.metadata.unanswered, false);
    assert.ok(j.sources.length >= 1, 'at least one source');
    const top = j.sources[0];
    assert.match(top.title, /^Preise/, `top source: ${JSON.stringify(top)}`);
    assert.ok(top.snippet.trim().length > 0);
    assert.ok(top.snippet.length <= 300, `snippet is a snippet: ${top.snippet.length} chars`);
    assert.ok(/Premium|49,90/.test(top.snippet), `snippet from the premium passage: ${top.snippet}`);
    assert.ok(top.score > 0 && top.score <= 1, `score ${top.score}`);
    for (let i = 1; i < j.sources.length; i++) assert.ok(j.sources[i].score <= j.sources[i - 1].score, 'sources best first');
    // The answer is text from the knowledge, not made up.
    assert.ok(j.response.length < 1500);
  });

  it('scores read as written: 0.67, not 0.67000000000000004', async () => {
    const raw = [];
    for (const q of [Q_PRICE.q, Q_HOURS.q, Q_STREET.q, 'Was kostet die Premium-Mitgliedschaft im Studio am Wochenende?']) {
      const r = await srv.chat(bot.id, q);
      assert.equal(r.status, 200, r.text);
      raw.push(...[...r.text.matchAll(/"score":([-0-9.eE]+)/g)].map((m) => m[1]));
    }
    assert.ok(raw.length > 0, 'some sources');
    for (const v of raw) assert.match(v, /^(0|1)(\.\d{1,2})?$/, `score as sent: ${v}`);
    assert.ok(raw.some((v) => !['0', '1', '0.5', '0.25', '0.75'].includes(v)), `one score that binary floats cannot hold exactly: ${raw}`);
  });

  it('umlaut robustness: "Oeffnungszeiten" finds "Öffnungszeiten", "Strasse" finds "Straße"', async () => {
    let j = assertChatShape(await srv.chat(bot.id, Q_HOURS.q));
    assert.ok(j.response.includes(Q_HOURS.expect), `hours answer: ${j.response}`);
    assert.equal(j.metadata.unanswered, false);
    assert.match(j.sources[0].title, /^Studio/);

    j = assertChatShape(await srv.chat(bot.id, Q_STREET.q));
    assert.ok(j.response.includes(Q_STREET.expect), `street answer: ${j.response}`);
    assert.equal(j.metadata.unanswered, false);

    // And the other way round: umlauts and capitals in the question.
    j = assertChatShape(await srv.chat(bot.id, 'ÖFFNUNGSZEITEN WOCHENENDE'));
    assert.ok(j.response.includes(Q_HOURS.expect), `upper-case question: ${j.response}`);
  });

  it('a greeting gets a greeting (answer_type greeting), thanks get thanks', async () => {
    let j = assertChatShape(await srv.chat(bot.id, 'Hallo!'));
    assert.equal(j.metadata.answer_type, 'greeting');
    assert.equal(j.metadata.unanswered, false);
    assert.notEqual(j.response, FALLBACK);
    assert.ok(!j.response.includes('49,90'));

    j = assertChatShape(await srv.chat(bot.id, 'Vielen Dank!'));
    assert.equal(j.metadata.answer_type, 'thanks');
    assert.equal(j.metadata.unanswered, false);
    assert.notEqual(j.response, FALLBACK);
  });

  it('an unrelated question gets the fallback message with unanswered true', async () => {
    const j = assertChatShape(await srv.chat(bot.id, Q_UNRELATED.q));
    assert.equal(j.response, FALLBACK);
    assert.equal(j.metadata.answer_type, 'fallback');
    assert.equal(j.metadata.unanswered, true);
  });

  it('conversation_id is returned and reusing it keeps the conversation', async () => {
    const first = assertChatShape(await srv.chat(bot.id, Q_PRICE.q));
    const second = assertChatShape(await srv.chat(bot.id, Q_HOURS.q, first.conversation_id));
    assert.equal(second.conversation_id, first.conversation_id);
    assert.ok(second.response.includes(Q_HOURS.expect));
    const third = assertChatShape(await srv.chat(bot.id, 'Danke!', first.conversation_id));
    assert.equal(third.conversation_id, first.conversation_id);

    // Without an id: a new conversation every time.
    const other = assertChatShape(await srv.chat(bot.id, Q_PRICE.q));
    assert.notEqual(other.conversation_id, first.conversation_id);

    // An unknown id starts a new conversation.
    const unknown = 'conv_' + 'z'.repeat(24);
    const fresh = assertChatShape(await srv.chat(bot.id, Q_PRICE.q, unknown));
    assert.notEqual(fresh.conversation_id, unknown);
    assert.notEqual(fresh.conversation_id, first.conversation_id);
  });

  it("another bot's conversation id is not continued", async () => {
    const other = await srv.createBot(key, { name: 'Zweitbot' });
    const a = assertChatShape(await srv.chat(bot.id, Q_PRICE.q));
    const b = assertChatShape(await srv.chat(other.id, 'Hallo!', a.conversation_id));
    assert.notEqual(b.conversation_id, a.conversation_id);
  });

  it('empty or blank message → 400 message_empty', async () => {
    assertError(await srv.chat(bot.id, ''), 400, 'message_empty');
    assertError(await srv.chat(bot.id, '   \n\t  '), 400, 'message_empty');
  });

  it('2,001 characters → 400 message_too_long; 2,000 umlauts are fine', async () => {
    assertError(await srv.chat(bot.id, 'a'.repeat(2001)), 400, 'message_too_long');
    assertError(await srv.chat(bot.id, 'ü'.repeat(2001)), 400, 'message_too_long');
    const j = assertChatShape(await srv.chat(bot.id, 'ü'.repeat(2000)));
    assert.equal(j.metadata.unanswered, true);
  });

  it('a chat body over 16 KiB → 413 body_too_large', async () => {
    const r = await srv.json('POST', `/api/v1/public/bot/${bot.id}/chat`, { body: { message: 'x', pad: 'p'.repeat(17 * 1024) } });
    assertError(r, 413, 'body_too_large');
  });

  it('malformed chat bodies are 400 / 415', async () => {
    assertError(await srv.json('POST', `/api/v1/public/bot/${bot.id}/chat`, { body: '{"message":' }), 400, 'invalid_json');
    assertError(await srv.json('POST', `/api/v1/public/bot/${bot.id}/chat`, { body: 'message=Hallo', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported_media_type');
  });

  it('unknown bot → 404 bot_not_found on every public route', async () => {
    const id = 'bot_' + 'q'.repeat(24);
    assertError(await srv.get(`/api/v1/public/bot/${id}/config`), 404, 'bot_not_found');
    assertError(await srv.get(`/api/v1/public/bot/${id}/status`), 404, 'bot_not_found');
    assertError(await srv.chat(id, 'Hallo'), 404, 'bot_not_found');
    assertError(await srv.post(`/api/v1/public/bot/${id}/analytics`, { event: 'widget_opened' }), 404, 'bot_not_found');
  });

  it('inactive bot → 404 bot_inactive on chat, config and status; active again → 200', async () => {
    const b = await srv.createBot(key, { name: 'Pausiert' });
    assert.equal((await srv.json('PUT', `/api/v1/bots/${b.id}/status`, { key, body: { active: false } })).status, 200);
    assertError(await srv.chat(b.id, 'Hallo'), 404, 'bot_inactive');
    assertError(await srv.get(`/api/v1/public/bot/${b.id}/config`), 404, 'bot_inactive');
    assertError(await srv.get(`/api/v1/public/bot/${b.id}/status`), 404, 'bot_inactive');
    assertError(await srv.post(`/api/v1/public/bot/${b.id}/analytics`, { event: 'widget_opened' }), 404, 'bot_inactive');
    assert.equal((await srv.json('PUT', `/api/v1/bots/${b.id}/status`, { key, body: { active: true } })).status, 200);
    assertChatShape(await srv.chat(b.id, 'Hallo'));
    assert.equal((await srv.get(`/api/v1/public/bot/${b.id}/config`)).status, 200);
  });

  it('analytics → 202; bad event name or props → 422', async () => {
    let r = await srv.post(`/api/v1/public/bot/${bot.id}/analytics`, { event: 'widget_opened', props: { page: '/preise', ts: 1 } });
    assert.equal(r.status, 202, r.text);
    r = await srv.post(`/api/v1/public/bot/${bot.id}/analytics`, { event: 'chat.message:sent-1' });
    assert.equal(r.status, 202, r.text);
    assertError(await srv.post(`/api/v1/public/bot/${bot.id}/analytics`, { event: 'Widget Opened!' }), 422, 'validation_failed', 'event');
    assertError(await srv.post(`/api/v1/public/bot/${bot.id}/analytics`, { event: '' }), 422, 'validation_failed', 'event');
    assertError(await srv.post(`/api/v1/public/bot/${bot.id}/analytics`, { event: 'e'.repeat(65) }), 422, 'validation_failed', 'event');
    assertError(await srv.post(`/api/v1/public/bot/${bot.id}/analytics`, { event: 'ok', props: [1, 2] }), 422, 'validation_failed', 'props');
    assertError(await srv.post(`/api/v1/public/bot/${bot.id}/analytics`, { event: 'ok', props: { big: 'x'.repeat(5000) } }), 422, 'validation_failed', 'props');
  });

  it('the public API needs no key and ignores a wrong one', async () => {
    const r = await srv.json('GET', `/api/v1/public/bot/${bot.id}/config`, { key: 'bwk_wrong' });
    assert.equal(r.status, 200, r.text);
  });

  it('shuts down cleanly on SIGTERM (exit code 0)', async () => {
    await srv.stop();
  });
});
