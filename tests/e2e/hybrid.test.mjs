// Hybrid retrieval: chunks embedded in the background by an OpenAI-compatible embeddings endpoint (the
// fake, with embeddings by meaning), questions answered by vector similarity where the full text finds
// nothing, re-embedding when the model changes, and the fused passages a model gets.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, BACKEND, sleep } from '../lib/server.mjs';
import { startFakeOpenAI } from '../fakes/openai.mjs';

const CONCEPTS = [
  ['kostet', 'preis', 'beitrag', 'gebühr', 'zahlen'],
  ['parken', 'parkpl', 'auto', 'stellpl'],
  ['sauna', 'wellness', 'schwitzen'],
];
const PRICES = 'Die Mitgliedschaft kostet 39 Euro im Monat. Studenten zahlen 29 Euro.';
const PARKING = 'Vor dem Studio gibt es 40 Parkplätze, die für Mitglieder frei sind.';
const SAUNA = 'Unsere Sauna ist täglich ab 14 Uhr geöffnet und im Tarif Premium enthalten.';
// no word in common with PRICES (the full text finds nothing), but the same concept
const Q_MEANING = 'Wie hoch ist der monatliche Beitrag?';

async function waitFor(fn, ms = 20000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) return v;
    await sleep(100);
  }
}

describe(`hybrid retrieval (${BACKEND})`, () => {
  let emb, srv, key;
  before(async () => {
    emb = await startFakeOpenAI({ concepts: CONCEPTS, dims: 32 });
    srv = await startServer({ env: { BOTWERK_EMBED_INTERVAL: '1' } });
    key = (await srv.tenant('Vektoren')).api_key;
  });
  after(async () => {
    if (srv) await srv.kill();
    if (emb) await emb.close();
  });

  const embedded = (model) =>
    emb.requests().filter((r) => r.path === '/v1/embeddings' && r.body.model === model && Array.isArray(r.body.input) && r.body.input.length > 0);

  it('without embeddings a question in other words gets the fallback; with them, the right passage', async () => {
    const plain = await srv.createBot(key, { name: 'Nur Volltext' });
    await srv.addText(key, plain.id, 'Preise', PRICES);
    const before = await srv.chat(plain.id, Q_MEANING);
    assert.equal(before.json.metadata.unanswered, true, before.text);

    const bot = await srv.createBot(key, { name: 'Hybrid', embeddings: { base_url: `${emb.url}/v1`, model: 'embed-a' } });
    await srv.addText(key, bot.id, 'Preise', PRICES);
    await srv.addText(key, bot.id, 'Anfahrt', PARKING);
    await srv.addText(key, bot.id, 'Wellness', SAUNA);
    // the embedder is poked by each new source and stores the vectors in the background, one source
    // after the other: the answer by meaning comes once the first is stored, the rest follow
    const got = await waitFor(async () => {
      const r = await srv.chat(bot.id, Q_MEANING);
      return r.json.metadata.unanswered === false ? r : null;
    });
    assert.ok(got, 'answered once the vectors are stored');
    assert.match(got.json.response, /39 Euro/);
    assert.equal(got.json.metadata.retrieval, 'hybrid');
    assert.equal(got.json.sources[0].title, 'Preise');
    const inputs = () => embedded('embed-a').flatMap((r) => r.body.input);
    const all = await waitFor(() => [PARKING, SAUNA].every((p) => inputs().some((t) => t.includes(p.slice(0, 30)))));
    assert.ok(all, 'every chunk was embedded');
    assert.ok(inputs().some((t) => t === Q_MEANING), 'and the question');
    // a question about something else is still answered from its own passage
    // (its vectors were sent for; storing them may still be under way)
    const park = await waitFor(async () => {
      const r = await srv.chat(bot.id, 'Wo kann ich mein Auto abstellen?');
      return /Parkplätze/.test(r.json.response) ? r : null;
    });
    assert.ok(park, 'the parking question is answered from the parking passage');
    // an unrelated question still gets the fallback: no vector is close enough
    const none = await srv.chat(bot.id, 'Habt ihr einen Kinderspielplatz?');
    assert.equal(none.json.metadata.unanswered, true, none.text);
  });

  it('re-embeds every chunk when the model changes, and answers by full text when the endpoint is down', async () => {
    const bot = await srv.createBot(key, { name: 'Modellwechsel', embeddings: { base_url: `${emb.url}/v1`, model: 'embed-a' } });
    await srv.addText(key, bot.id, 'Preise', PRICES);
    assert.ok(await waitFor(async () => (await srv.chat(bot.id, Q_MEANING)).json.metadata.unanswered === false));
    const r = await srv.json('PATCH', `/api/v1/bots/${bot.id}`, { key, body: { embeddings: { model: 'embed-b' } } });
    assert.equal(r.status, 200, r.text);
    const reembedded = await waitFor(() => embedded('embed-b').some((q) => q.body.input.some((t) => t.includes('39 Euro'))));
    assert.ok(reembedded, 'the chunk was embedded again with the new model');
    assert.ok(await waitFor(async () => (await srv.chat(bot.id, Q_MEANING)).json.metadata.retrieval === 'hybrid'));

    // the endpoint goes away: questions are answered by full text
    const down = await srv.json('PATCH', `/api/v1/bots/${bot.id}`, { key, body: { embeddings: { base_url: 'http://127.0.0.1:9/v1' } } });
    assert.equal(down.status, 200, down.text);
    const ft = await srv.chat(bot.id, 'Was kostet die Mitgliedschaft?');
    assert.match(ft.json.response, /39 Euro/);
    assert.equal(ft.json.metadata.retrieval, 'fulltext');
  });

  it('gives a model the passages of both rankings', async () => {
    const llm = await startFakeOpenAI({ concepts: CONCEPTS, dims: 32 });
    try {
      const bot = await srv.createBot(key, {
        name: 'Hybrid mit Modell',
        embeddings: { base_url: `${emb.url}/v1`, model: 'embed-a' },
        llm: { base_url: `${llm.url}/v1`, model: 'chat' },
      });
      await srv.addText(key, bot.id, 'Preise', PRICES);
      await srv.addText(key, bot.id, 'Wellness', SAUNA);
      await waitFor(async () => embedded('embed-a').some((q) => q.body.input.some((t) => t.includes('Sauna'))));
      llm.script({ reply: JSON.stringify({ reply: 'Sauna ab 14 Uhr [1], Beitrag 39 Euro [2].', profile: {}, intent: 'question' }) });
      // "Sauna" is found by full text; "Beitrag" only by meaning
      const r = await waitFor(async () => {
        llm.reset();
        llm.script({ reply: JSON.stringify({ reply: 'Sauna ab 14 Uhr [1], Beitrag 39 Euro [2].', profile: {}, intent: 'question' }) });
        const x = await srv.chat(bot.id, 'Ab wann ist die Sauna geöffnet und wie hoch ist der Beitrag?');
        const sys = llm.requests().find((q) => q.path === '/v1/chat/completions')?.body.messages[0].content || '';
        return sys.includes('39 Euro') && sys.includes('14 Uhr') ? x : null;
      });
      assert.ok(r, 'both passages reached the model');
      assert.equal(r.json.metadata.answer_type, 'llm');
    } finally {
      await llm.close();
    }
  });
});
