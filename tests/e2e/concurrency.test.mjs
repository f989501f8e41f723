// Many chats at once: 200 requests over 16 parallel clients, all answered correctly.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, pool, BACKEND } from '../lib/server.mjs';
import { seededBot, Q_PRICE, Q_HOURS, Q_STREET } from '../lib/fixtures.mjs';

const QUESTIONS = [Q_PRICE, Q_HOURS, Q_STREET];

describe(`concurrency (${BACKEND})`, () => {
  let srv;
  after(async () => {
    if (srv) await srv.kill();
  });

  it('200 chats over 16 parallel clients: all 200 with the right answer', async () => {
    srv = await startServer();
    const key = (await srv.tenant('Andrang')).api_key;
    const { bot } = await seededBot(srv, key);
    const { bot: bot2 } = await seededBot(srv, key, { name: 'Zweites Studio' });
    const jobs = Array.from({ length: 200 }, (_, i) => ({ i, q: QUESTIONS[i % 3], bot: i % 4 === 3 ? bot2 : bot }));
    const results = await pool(jobs, 16, async (job) => {
      const r = await srv.chat(job.bot.id, job.q.q);
      return { job, r };
    });
    const failures = results.filter(({ r }) => r.status !== 200);
    assert.equal(failures.length, 0, `${failures.length} failed, e.g. ${failures.slice(0, 3).map(({ r }) => `${r.status} ${r.text}`).join(' | ')}`);
    for (const { job, r } of results) {
      assert.ok(r.json.response.includes(job.q.expect), `chat ${job.i} (${job.q.q}): ${r.json.response}`);
      assert.equal(r.json.metadata.unanswered, false);
    }
    const convs = new Set(results.map(({ r }) => r.json.conversation_id));
    assert.equal(convs.size, 200, 'every chat without an id starts its own conversation');

    // Concurrent writes to one conversation keep it one conversation.
    const conv = results[0].r.json.conversation_id;
    const same = await pool(Array.from({ length: 32 }, (_, i) => i), 16, () => srv.chat(bot.id, Q_PRICE.q, conv));
    for (const r of same) {
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.conversation_id, conv);
    }

    // Management reads and writes alongside chats.
    const mixed = await pool(Array.from({ length: 48 }, (_, i) => i), 16, async (i) => {
      if (i % 3 === 0) return srv.json('PATCH', `/api/v1/bots/${bot.id}`, { key, body: { description: `Runde ${i}` } });
      if (i % 3 === 1) return srv.get(`/api/v1/bots/${bot.id}`, key);
      return srv.chat(bot.id, Q_HOURS.q);
    });
    for (const r of mixed) assert.equal(r.status, 200, r.text);

    assert.equal((await srv.get('/health')).status, 200);
    await srv.stop();
  });
});
