// Answers written by a model (OpenAI-compatible, here the fake in tests/fakes/openai.mjs): streamed as SSE
// and whole, the prompt the model gets, retries, and what the visitor gets when the model fails.
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, BACKEND, sleep, freePort } from '../lib/server.mjs';
import { seededBot, FALLBACK, Q_PRICE, Q_UNRELATED } from '../lib/fixtures.mjs';
import { startFakeOpenAI } from '../fakes/openai.mjs';

const REPLY = 'Die Premium-Mitgliedschaft kostet 49,90 Euro im Monat [1].';
const structured = (reply, extra = {}) => JSON.stringify({ reply, profile: {}, intent: 'question', ...extra });

/** Reads an SSE response into [{event, data}] (data parsed as JSON). */
function parseEvents(text) {
  const out = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    let event = 'message';
    const data = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length) out.push({ event, data: JSON.parse(data.join('\n')) });
  }
  return out;
}

async function streamChat(srv, botId, message, conversationId) {
  const t0 = Date.now();
  const body = { message };
  if (conversationId) body.conversation_id = conversationId;
  const r = await fetch(`${srv.base}/api/v1/public/bot/${botId}/chat`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(20000),
  });
  const text = await r.text();
  return { status: r.status, type: r.headers.get('content-type'), events: parseEvents(text), text, ms: Date.now() - t0 };
}

describe(`answers by a model (${BACKEND})`, () => {
  let llm, srv, key, bot;
  before(async () => {
    llm = await startFakeOpenAI({ dialect: 'llama' });
    srv = await startServer({ env: { BOTWERK_LLM_BASE_URL: `${llm.url}/v1`, BOTWERK_LLM_MODEL: 'qwen2.5-7b-instruct' } });
    key = (await srv.tenant('Modell')).api_key;
    ({ bot } = await seededBot(srv, key, { llm: { timeout_ms: 1000 } }));
  });
  after(async () => {
    if (srv) await srv.kill();
    if (llm) await llm.close();
  });
  beforeEach(() => llm.reset());

  it('streams delta events, then done with the whole reply; the JSON call has the same shape', async () => {
    llm.script({ reply: structured(REPLY), delayMs: 5 });
    const s = await streamChat(srv, bot.id, Q_PRICE.q);
    assert.equal(s.status, 200, s.text);
    assert.match(s.type, /^text\/event-stream/);
    const deltas = s.events.filter((e) => e.event === 'delta');
    assert.ok(deltas.length >= 3, `several deltas: ${s.text}`);
    assert.equal(s.events.at(-1).event, 'done');
    assert.equal(deltas.map((e) => e.data.text).join(''), REPLY, 'the deltas show the reply text, never the JSON around it');
    const done = s.events.at(-1).data;
    assert.equal(done.response, REPLY);
    assert.equal(done.metadata.answer_type, 'llm');
    assert.equal(done.metadata.degraded, false);
    assert.equal(done.metadata.intent, 'question');
    assert.ok(done.sources.length >= 1 && /Premium/.test(done.sources[0].snippet));

    llm.script({ reply: structured(REPLY) });
    const j = await srv.chat(bot.id, Q_PRICE.q);
    assert.equal(j.status, 200, j.text);
    assert.match(j.headers.get('content-type'), /^application\/json/);
    assert.deepEqual(Object.keys(j.json).sort(), Object.keys(done).sort());
    assert.deepEqual(Object.keys(j.json.metadata).sort(), Object.keys(done.metadata).sort());
    assert.equal(j.json.response, REPLY);
  });

  it('sends the model a German prompt with the date, numbered sources, the rules and the settings', async () => {
    llm.script({ reply: structured(REPLY) });
    await srv.chat(bot.id, Q_PRICE.q);
    const req = llm.requests().find((r) => r.path === '/v1/chat/completions');
    const b = req.body;
    assert.equal(b.model, 'qwen2.5-7b-instruct');
    assert.equal(b.stream, true);
    assert.equal(b.temperature, 0.8);
    assert.equal(b.top_p, 0.9);
    assert.equal(b.max_tokens, 300);
    assert.deepEqual(b.response_format, { type: 'json_object' });
    const system = b.messages[0];
    assert.equal(system.role, 'system');
    const weekday = new Intl.DateTimeFormat('de-DE', { weekday: 'long', timeZone: 'Europe/Berlin' }).format(new Date());
    assert.ok(system.content.includes(weekday), `weekday "${weekday}" in the prompt`);
    assert.match(system.content, /\[1\] Preise/);
    assert.match(system.content, /> Die Premium-Mitgliedschaft kostet 49,90 Euro/);
    assert.match(system.content, /Erfinde niemals Preise/);
    assert.deepEqual(b.messages.at(-1), { role: 'user', content: Q_PRICE.q });
  });

  it('puts the conversation so far into the prompt', async () => {
    llm.script({ reply: structured(REPLY) }, { reply: structured('Die Tageskarte kostet 12 Euro [1].') });
    const first = await srv.chat(bot.id, Q_PRICE.q);
    const second = await srv.chat(bot.id, 'Und was kostet eine Tageskarte?', first.json.conversation_id);
    assert.equal(second.status, 200, second.text);
    assert.equal(second.json.response, 'Die Tageskarte kostet 12 Euro [1].');
    const msgs = llm.requests().filter((r) => r.path === '/v1/chat/completions')[1].body.messages;
    assert.deepEqual(msgs.slice(1).map((m) => m.role), ['user', 'assistant', 'user']);
    assert.equal(msgs[1].content, Q_PRICE.q);
    assert.equal(msgs[2].content, REPLY);
  });

  it('does not ask the model when the knowledge does not cover the question', async () => {
    const r = await srv.chat(bot.id, Q_UNRELATED.q);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.response, FALLBACK);
    assert.equal(r.json.metadata.unanswered, true);
    assert.equal(llm.requests().length, 0, 'no model call for a guess');
  });

  it('shows only the reply of a fenced JSON answer, and plain text when the model ignores the format', async () => {
    llm.script({ reply: '```json\n' + structured(REPLY) + '\n```' });
    const a = await streamChat(srv, bot.id, Q_PRICE.q);
    assert.equal(a.events.filter((e) => e.event === 'delta').map((e) => e.data.text).join(''), REPLY);
    assert.equal(a.events.at(-1).data.response, REPLY);
    llm.script({ reply: 'Premium kostet 49,90 Euro im Monat.' });
    const b = await srv.chat(bot.id, Q_PRICE.q);
    assert.equal(b.json.response, 'Premium kostet 49,90 Euro im Monat.');
    assert.equal(b.json.metadata.degraded, false);
  });

  it('retries a 429 after Retry-After and a 503 while loading, then answers', async () => {
    llm.script({ status: 429, retryAfter: 0 }, { status: 503 }, { reply: structured(REPLY) });
    const r = await srv.chat(bot.id, Q_PRICE.q);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.response, REPLY);
    assert.equal(r.json.metadata.llm.attempts, 3);
    assert.equal(llm.requests().length, 3);
  });

  it('does not retry a 500 (llama-server on a malformed request): the extractive answer, degraded', async () => {
    llm.script({ status: 500 }, { reply: structured('should not be asked') });
    const r = await srv.chat(bot.id, Q_PRICE.q);
    assert.equal(r.status, 200, r.text);
    assert.match(r.json.response, /49,90 Euro/);
    assert.equal(r.json.metadata.degraded, true);
    assert.equal(r.json.metadata.degraded_reason, 'rejected');
    assert.equal(llm.requests().length, 1);
  });

  for (const [name, behaviour] of [
    ['an error event after the 200', { reply: structured(REPLY), errorEventAfter: 2 }],
    ["llama.cpp's error: line", { reply: structured(REPLY), errorLineAfter: 2 }],
    ['a stream cut mid-way', { reply: structured(REPLY), cutAfter: 3, delayMs: 30 }],
    ['a reply without any usable text', { reply: '{"profile":{},"intent":"other"}' }],
  ]) {
    it(`replaces the model's answer by the extractive one on ${name}`, async () => {
      llm.script(behaviour);
      const s = await streamChat(srv, bot.id, Q_PRICE.q);
      assert.equal(s.status, 200, s.text);
      const done = s.events.at(-1);
      assert.equal(done.event, 'done', s.text);
      assert.match(done.data.response, /49,90 Euro im Monat/);
      assert.equal(done.data.metadata.degraded, true);
      assert.equal(done.data.metadata.answer_type, 'extractive');
    });
  }

  it('skips a malformed chunk and still answers', async () => {
    llm.script({ reply: structured(REPLY), malformedAt: 3 });
    const s = await streamChat(srv, bot.id, Q_PRICE.q);
    assert.equal(s.events.at(-1).event, 'done', s.text);
    assert.equal(s.events.at(-1).data.metadata.degraded, false);
  });

  it('keeps what the visitor says about themselves on their contact: rules first, the model where they found nothing', async () => {
    llm.script({ reply: structured(REPLY, { profile: { city: 'Hamburg', first_name: 'Falsch', goal: 'muscle_gain', age: 300 } }) });
    const first = await srv.chat(bot.id, 'Was kostet die Premium-Mitgliedschaft? Ich bin Anna Berger.');
    assert.equal(first.status, 200, first.text);
    assert.equal(first.json.metadata.answer_type, 'llm', first.text);
    assert.deepEqual(first.json.metadata.profile_updated.sort(), ['city', 'first_name', 'goal', 'last_name']);
    const conv = first.json.conversation_id;
    // no model for this one (nothing in the knowledge), but the rules still read it
    const second = await srv.chat(bot.id, 'Meine Handynummer ist 0171 2345678.', conv);
    assert.equal(second.status, 200, second.text);
    assert.deepEqual(second.json.metadata.profile_updated, ['phone']);
    // the model is told who it is talking to
    llm.script({ reply: structured(REPLY) });
    await srv.chat(bot.id, Q_PRICE.q, conv);
    const system = llm.requests().filter((r) => r.path === '/v1/chat/completions').at(-1).body.messages[0].content;
    assert.match(system, /Anna Berger/);
    assert.match(system, /Hamburg/);
    assert.match(system, /\+491712345678/);
    const lead = await srv.post(`/api/v1/public/bot/${bot.id}/leads`, { email: 'anna@example.de', conversation_id: conv, consent: true });
    assert.equal(lead.status, 201, lead.text);
    const detail = await srv.get(`/api/v1/leads/${lead.json.lead_id}`, key);
    assert.equal(detail.status, 200, detail.text);
    const p = detail.json.profile;
    assert.equal(p.first_name, 'Anna', 'the rules win over the model');
    assert.equal(p.last_name, 'Berger');
    assert.equal(p.phone, '+491712345678');
    assert.equal(p.city, 'Hamburg', 'the model fills what the rules did not find');
    assert.equal(p.goal, 'muscle_gain');
    assert.equal(p.age, undefined, 'an impossible age from the model is dropped');
  });

  it('stops the model when the visitor leaves a streamed answer', async () => {
    llm.script({ reply: structured('Eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf.'), delayMs: 300 });
    const ctl = new AbortController();
    const res = await fetch(`${srv.base}/api/v1/public/bot/${bot.id}/chat`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
      body: JSON.stringify({ message: Q_PRICE.q }),
      signal: ctl.signal,
    });
    const reader = res.body.getReader();
    await reader.read(); // the first delta
    ctl.abort();
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && !llm.requests()[0]?.clientClosed) await sleep(50);
    assert.equal(llm.requests()[0].clientClosed, true, 'the upstream request was cancelled');
    // the server goes on serving
    llm.script({ reply: structured(REPLY) });
    const r = await srv.chat(bot.id, Q_PRICE.q);
    assert.equal(r.json.response, REPLY);
  });
});

describe(`a model that is down or slow (${BACKEND})`, () => {
  let llm, srv, key;
  before(async () => {
    llm = await startFakeOpenAI();
    srv = await startServer({ env: { BOTWERK_LLM_BASE_URL: `${llm.url}/v1` } });
    key = (await srv.tenant('Ausfall')).api_key;
  });
  after(async () => {
    if (srv) await srv.kill();
    if (llm) await llm.close();
  });

  it('answers extractively within 2 s when nothing listens at the model URL', async () => {
    const port = await freePort();
    const { bot } = await seededBot(srv, key, { llm: { base_url: `http://127.0.0.1:${port}/v1` } });
    for (const stream of [false, true]) {
      const t0 = Date.now();
      const r = stream ? await streamChat(srv, bot.id, Q_PRICE.q) : await srv.chat(bot.id, Q_PRICE.q);
      const ms = Date.now() - t0;
      const j = stream ? r.events.at(-1).data : r.json;
      assert.equal(r.status, 200);
      assert.match(j.response, /49,90 Euro im Monat/);
      assert.equal(j.metadata.degraded, true);
      assert.ok(ms < 2000, `answered in ${ms} ms`);
    }
  });

  it('answers extractively within 2 s when the first token is late, streamed or not', async () => {
    const { bot } = await seededBot(srv, key, { llm: { timeout_ms: 800 } });
    for (const stream of [false, true]) {
      llm.reset();
      llm.script({ reply: structured(REPLY), firstTokenMs: 5000 });
      const t0 = Date.now();
      const r = stream ? await streamChat(srv, bot.id, Q_PRICE.q) : await srv.chat(bot.id, Q_PRICE.q);
      const ms = Date.now() - t0;
      const j = stream ? r.events.at(-1).data : r.json;
      assert.match(j.response, /49,90 Euro im Monat/);
      assert.equal(j.metadata.degraded, true);
      assert.equal(j.metadata.degraded_reason, 'timeout');
      assert.ok(ms < 2000, `answered in ${ms} ms`);
    }
    const m = await srv.get('/metrics');
    assert.match(m.text, /botwerk_chat_llm_degraded_total \d+/);
  });

  it('opens the breaker after repeated failures: later chats do not wait for the dead model', async () => {
    const port = await freePort();
    const dead = http.createServer((req, res) => { req.socket.destroy(); });
    await new Promise((resolve) => dead.listen(port, '127.0.0.1', resolve));
    try {
      const { bot } = await seededBot(srv, key, { llm: { base_url: `http://127.0.0.1:${port}/v1` } });
      for (let i = 0; i < 6; i++) await srv.chat(bot.id, Q_PRICE.q);
      const r = await srv.chat(bot.id, Q_PRICE.q);
      assert.equal(r.json.metadata.degraded, true);
      assert.equal(r.json.metadata.degraded_reason, 'unavailable');
      assert.ok(r.ms < 200, `refused at once (${r.ms} ms)`);
    } finally {
      dead.close();
    }
  });
});

describe(`model settings and secrets (${BACKEND})`, () => {
  let llm, srv, key;
  before(async () => {
    llm = await startFakeOpenAI({ apiKey: 'sk-local-geheim-123' });
    srv = await startServer();
    key = (await srv.tenant('Schlüssel')).api_key;
  });
  after(async () => {
    if (srv) await srv.kill();
    if (llm) await llm.close();
  });

  it('sends the bot\'s API key and never shows it again', async () => {
    const { bot } = await seededBot(srv, key, {
      llm: { base_url: `${llm.url}/v1`, model: 'llama3', api_key: 'sk-local-geheim-123', temperature: 0.2 },
    });
    assert.equal(bot.llm.api_key_set, true);
    assert.ok(!JSON.stringify(bot).includes('sk-local-geheim-123'), 'the key is not echoed');
    const shown = await srv.get(`/api/v1/bots/${bot.id}`, key);
    assert.ok(!shown.text.includes('geheim'), shown.text);
    assert.ok(!shown.text.includes('_sealed'), shown.text);
    llm.script({ reply: structured(REPLY) });
    const r = await srv.chat(bot.id, Q_PRICE.q);
    assert.equal(r.json.metadata.degraded, false, r.text);
    const req = llm.requests()[0];
    assert.equal(req.headers.authorization, 'Bearer sk-local-geheim-123');
    assert.equal(req.body.temperature, 0.2);
    assert.equal(req.body.model, 'llama3');
    // a wrong key: refused (401), the visitor still gets an answer
    const p = await srv.json('PATCH', `/api/v1/bots/${bot.id}`, { key, body: { llm: { api_key: 'falsch' } } });
    assert.equal(p.status, 200, p.text);
    const w = await srv.chat(bot.id, Q_PRICE.q);
    assert.equal(w.json.metadata.degraded, true);
    assert.equal(w.json.metadata.degraded_reason, 'rejected');
    // null removes the key
    const d = await srv.json('PATCH', `/api/v1/bots/${bot.id}`, { key, body: { llm: { api_key: null } } });
    assert.equal(d.json.llm.api_key_set, false);
  });

  it('refuses invalid model settings with a clear error', async () => {
    const bot = await srv.createBot(key);
    for (const [body, field] of [
      [{ llm: { temperature: 3 } }, 'llm.temperature'],
      [{ llm: { base_url: 'ftp://x' } }, 'llm.base_url'],
      [{ llm: { max_tokens: 'viel' } }, 'llm.max_tokens'],
      [{ llm: { prompt_template: 'Hallo {{unbekannt}}' } }, 'llm.prompt_template'],
    ]) {
      const r = await srv.json('PATCH', `/api/v1/bots/${bot.id}`, { key, body });
      assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
      assert.equal(r.json.error.field, field, r.text);
    }
  });

  it('uses a bot\'s own prompt template', async () => {
    const { bot } = await seededBot(srv, key, {
      llm: { base_url: `${llm.url}/v1`, api_key: 'sk-local-geheim-123', prompt_template: 'Heute ist {{date}}. Quellen:\n{{sources}}\nSei knapp.' },
    });
    llm.reset();
    llm.script({ reply: structured(REPLY) });
    await srv.chat(bot.id, Q_PRICE.q);
    const system = llm.requests()[0].body.messages[0].content;
    assert.match(system, /^Heute ist \w+, \d+\. \w+ \d{4}\. Quellen:\n\[1\]/);
    assert.match(system, /Sei knapp\.$/);
  });
});
