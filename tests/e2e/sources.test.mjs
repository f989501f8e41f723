// Knowledge text sources: create (chunked and indexed before 201), list, get, delete, validation.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, BACKEND } from '../lib/server.mjs';
import { FALLBACK, PRICES_TEXT, STUDIO_TEXT, Q_PRICE, Q_STREET } from '../lib/fixtures.mjs';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function longText(sections) {
  const parts = [];
  for (let i = 1; i <= sections; i++) {
    parts.push(`## Kurs ${i}: Zirkeltraining Stufe ${i}\n\nDer Kurs Nummer ${i} findet im Raum ${(i % 4) + 1} statt. ` +
      `Er dauert ${30 + (i % 3) * 15} Minuten und ist für ${i % 2 ? 'Einsteiger' : 'Fortgeschrittene'} gedacht. ` +
      `Bitte bringen Sie ein Handtuch und ausreichend Wasser mit. Die Trainerin zeigt jede Übung zuerst langsam vor.`);
  }
  return '# Kursplan\n\n' + parts.join('\n\n') + '\n';
}

describe(`knowledge sources (${BACKEND})`, () => {
  let srv;
  let key;
  let bot;
  before(async () => {
    srv = await startServer();
    key = (await srv.tenant('Wissen')).api_key;
    bot = await srv.createBot(key, { fallback_message: FALLBACK });
  });
  after(async () => {
    if (srv) await srv.kill();
  });

  let prices;
  it('POST a text source → 201 with status done, chunks > 0 and chars', async () => {
    const r = await srv.json('POST', `/api/v1/bots/${bot.id}/sources`, { key, body: { kind: 'text', title: 'Preise', text: PRICES_TEXT } });
    assert.equal(r.status, 201, r.text);
    prices = r.json;
    assert.match(prices.id, /^[a-z]+_[0-9a-zA-Z]{16,}$/);
    assert.equal(prices.kind, 'text');
    assert.equal(prices.title, 'Preise');
    assert.equal(prices.status, 'done');
    assert.ok(Number.isInteger(prices.chunks) && prices.chunks > 0, `chunks: ${prices.chunks}`);
    assert.equal(prices.chars, [...PRICES_TEXT].length, 'chars counts characters of the text');
    assert.match(prices.created_at, ISO_UTC);
  });

  it('the text is searchable as soon as the create call returned', async () => {
    const c = await srv.chat(bot.id, Q_PRICE.q);
    assert.equal(c.status, 200, c.text);
    assert.ok(c.json.response.includes(Q_PRICE.expect), `answer: ${c.json.response}`);
  });

  let studio;
  let big;
  it('more sources: a long text gives more chunks than a short one', async () => {
    studio = (await srv.json('POST', `/api/v1/bots/${bot.id}/sources`, { key, body: { kind: 'text', title: 'Studio', text: STUDIO_TEXT } })).json;
    assert.ok(studio && studio.chunks > 0);
    const text = longText(40);
    const r = await srv.json('POST', `/api/v1/bots/${bot.id}/sources`, { key, body: { kind: 'text', title: 'Kursplan', text } });
    assert.equal(r.status, 201, r.text);
    big = r.json;
    assert.ok(big.chunks > 3, `a 40-section text (${text.length} chars) gave only ${big.chunks} chunks`);
    assert.ok(big.chunks > prices.chunks);
    assert.equal(big.chars, text.length);
  });

  it('GET sources lists them newest first; GET one shows it', async () => {
    const r = await srv.get(`/api/v1/bots/${bot.id}/sources`, key);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.items.map((s) => s.id), [big.id, studio.id, prices.id]);
    assert.equal(r.json.next_cursor, null);
    assert.deepEqual(r.json.items[2], prices);

    const one = await srv.get(`/api/v1/bots/${bot.id}/sources/${studio.id}`, key);
    assert.equal(one.status, 200);
    assert.deepEqual(one.json, studio);

    // Paginated like bots.
    const p1 = await srv.get(`/api/v1/bots/${bot.id}/sources?limit=2`, key);
    assert.deepEqual(p1.json.items.map((s) => s.id), [big.id, studio.id]);
    assert.equal(typeof p1.json.next_cursor, 'string');
    const p2 = await srv.get(`/api/v1/bots/${bot.id}/sources?limit=2&cursor=${encodeURIComponent(p1.json.next_cursor)}`, key);
    assert.deepEqual(p2.json.items.map((s) => s.id), [prices.id]);
    assert.equal(p2.json.next_cursor, null);
  });

  it('unknown source → 404 source_not_found; unknown bot → 404 bot_not_found', async () => {
    assertError(await srv.get(`/api/v1/bots/${bot.id}/sources/src_${'a'.repeat(24)}`, key), 404, 'source_not_found');
    assertError(await srv.json('DELETE', `/api/v1/bots/${bot.id}/sources/src_${'a'.repeat(24)}`, { key }), 404, 'source_not_found');
    const nob = 'bot_' + 'b'.repeat(24);
    assertError(await srv.get(`/api/v1/bots/${nob}/sources`, key), 404, 'bot_not_found');
    assertError(await srv.json('POST', `/api/v1/bots/${nob}/sources`, { key, body: { kind: 'text', title: 'x', text: 'y' } }), 404, 'bot_not_found');
  });

  const invalid = [
    ['unknown kind', { kind: 'video', title: 'x', text: 'y' }, 'kind'],
    ['missing text', { kind: 'text', title: 'x' }, 'text'],
    ['text not a string', { kind: 'text', title: 'x', text: 17 }, 'text'],
    ['unknown field', { kind: 'text', title: 'x', text: 'y', secret: true }, 'secret'],
  ];
  for (const [what, body, field] of invalid) {
    it(`422 validation_failed with field for ${what}`, async () => {
      assertError(await srv.json('POST', `/api/v1/bots/${bot.id}/sources`, { key, body }), 422, 'validation_failed', field);
    });
  }

  it('text over 1,000,000 characters → 422 (field text), exactly 1,000,000 → 201', async () => {
    const over = 'a'.repeat(1_000_001);
    assertError(await srv.json('POST', `/api/v1/bots/${bot.id}/sources`, { key, body: { kind: 'text', title: 'zu lang', text: over } }), 422, 'validation_failed', 'text');
    const words = 'Kraft Ausdauer Beweglichkeit Koordination Regeneration. ';
    const exact = words.repeat(Math.ceil(1_000_000 / words.length)).slice(0, 1_000_000);
    const r = await srv.json('POST', `/api/v1/bots/${bot.id}/sources`, { key, body: { kind: 'text', title: 'grenzwertig', text: exact }, timeoutMs: 120000 });
    assert.equal(r.status, 201, r.text.slice(0, 300));
    assert.equal(r.json.chars, 1_000_000);
    assert.ok(r.json.chunks > 100, `1 MB of text gave ${r.json.chunks} chunks`);
    const d = await srv.json('DELETE', `/api/v1/bots/${bot.id}/sources/${r.json.id}`, { key });
    assert.equal(d.status, 204);
  });

  it('DELETE a source → 204, then 404, and its knowledge no longer answers', async () => {
    // Before: the street question is answered from the studio text.
    let c = await srv.chat(bot.id, Q_STREET.q);
    assert.equal(c.status, 200, c.text);
    assert.ok(c.json.response.includes(Q_STREET.expect), `before delete: ${c.json.response}`);

    const d = await srv.json('DELETE', `/api/v1/bots/${bot.id}/sources/${studio.id}`, { key });
    assert.equal(d.status, 204, d.text);
    assert.equal(d.text, '');
    assertError(await srv.get(`/api/v1/bots/${bot.id}/sources/${studio.id}`, key), 404, 'source_not_found');
    const list = await srv.get(`/api/v1/bots/${bot.id}/sources`, key);
    assert.deepEqual(list.json.items.map((s) => s.id), [big.id, prices.id]);

    c = await srv.chat(bot.id, Q_STREET.q);
    assert.equal(c.status, 200, c.text);
    assert.ok(!c.json.response.includes('Mühlenkamper'), `deleted knowledge still answers: ${c.json.response}`);
    assert.equal(c.json.response, FALLBACK);
    assert.equal(c.json.metadata.unanswered, true);
    assert.ok(!c.json.sources.some((s) => /Mühlenkamper/.test(s.snippet)), 'no snippet from the deleted source');

    // The other sources still answer.
    c = await srv.chat(bot.id, Q_PRICE.q);
    assert.ok(c.json.response.includes(Q_PRICE.expect), `remaining source: ${c.json.response}`);
  });

  it('deleting a bot removes its sources', async () => {
    const b2 = await srv.createBot(key, { name: 'Kurzlebig' });
    const s = await srv.addText(key, b2.id, 'Preise', PRICES_TEXT);
    assert.equal((await srv.json('DELETE', `/api/v1/bots/${b2.id}`, { key })).status, 204);
    assertError(await srv.get(`/api/v1/bots/${b2.id}/sources/${s.id}`, key), 404, 'bot_not_found');
    assertError(await srv.get(`/api/v1/bots/${b2.id}/sources`, key), 404, 'bot_not_found');
  });

  it('shuts down cleanly on SIGTERM (exit code 0)', async () => {
    await srv.stop();
  });
});
