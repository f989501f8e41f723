// Everything survives a restart on the same database: keys, bots, sources, index, conversations.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, BACKEND } from '../lib/server.mjs';
import { seededBot, Q_PRICE, Q_HOURS, Q_STREET } from '../lib/fixtures.mjs';

describe(`persistence across restarts (${BACKEND})`, () => {
  let srv;
  after(async () => {
    if (srv) await srv.kill();
  });

  it('bot, sources, key and conversation still work after a restart', async () => {
    srv = await startServer();
    const t = await srv.tenant('Dauerhaft');
    const key = t.api_key;
    const { bot, prices, studio } = await seededBot(srv, key, { name: 'Beständig', branding: { theme: 'dark' } });
    const c1 = await srv.chat(bot.id, Q_PRICE.q);
    assert.equal(c1.status, 200, c1.text);
    const conv = c1.json.conversation_id;
    const c2 = await srv.chat(bot.id, Q_HOURS.q, conv);
    assert.equal(c2.json.conversation_id, conv);
    const extraKey = await srv.cliJson(['apikey', 'create', t.id]);
    const revoked = await srv.cliJson(['apikey', 'create', t.id]);
    await srv.cliJson(['apikey', 'revoke', revoked.id]);
    const botBefore = (await srv.get(`/api/v1/bots/${bot.id}`, key)).json;

    srv = await srv.restart();

    // Keys: both live keys work, the revoked one stays revoked.
    let r = await srv.get(`/api/v1/bots/${bot.id}`, key);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, botBefore);
    assert.equal((await srv.get(`/api/v1/bots/${bot.id}`, extraKey.api_key)).status, 200);
    assert.equal((await srv.get(`/api/v1/bots/${bot.id}`, revoked.api_key)).status, 401);

    r = await srv.get(`/api/v1/bots/${bot.id}/sources`, key);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.items.map((s) => s.id).sort(), [prices.id, studio.id].sort());
    const p = r.json.items.find((s) => s.id === prices.id);
    assert.equal(p.chunks, prices.chunks);
    assert.equal(p.chars, prices.chars);

    // The index answers as before, and the conversation continues.
    const c3 = await srv.chat(bot.id, Q_STREET.q, conv);
    assert.equal(c3.status, 200, c3.text);
    assert.equal(c3.json.conversation_id, conv, 'the stored conversation is continued after a restart');
    assert.ok(c3.json.response.includes(Q_STREET.expect), c3.json.response);
    const c4 = await srv.chat(bot.id, Q_PRICE.q);
    assert.ok(c4.json.response.includes(Q_PRICE.expect), c4.json.response);
    assert.notEqual(c4.json.conversation_id, conv);

    // Public config unchanged.
    const cfg = await srv.get(`/api/v1/public/bot/${bot.id}/config`);
    assert.equal(cfg.json.branding.theme, 'dark');
    assert.equal(cfg.json.name, 'Beständig');

    // A second restart: the conversation started after the first restart exists too.
    srv = await srv.restart();
    const c5 = await srv.chat(bot.id, 'Danke!', c4.json.conversation_id);
    assert.equal(c5.json.conversation_id, c4.json.conversation_id);
    const c6 = await srv.chat(bot.id, 'Danke!', conv);
    assert.equal(c6.json.conversation_id, conv);

    await srv.stop();
  });

  it('a deleted bot stays deleted after a restart', async () => {
    srv = await startServer();
    const key = (await srv.tenant('Weg')).api_key;
    const { bot } = await seededBot(srv, key);
    const keep = await srv.createBot(key, { name: 'Bleibt' });
    const conv = (await srv.chat(bot.id, Q_PRICE.q)).json.conversation_id;
    assert.equal((await srv.json('DELETE', `/api/v1/bots/${bot.id}`, { key })).status, 204);
    srv = await srv.restart();
    assert.equal((await srv.get(`/api/v1/bots/${bot.id}`, key)).status, 404);
    assert.equal((await srv.chat(bot.id, Q_PRICE.q, conv)).status, 404);
    const list = await srv.get('/api/v1/bots', key);
    assert.deepEqual(list.json.items.map((b) => b.id), [keep.id]);
    // The conversation of the deleted bot is gone: a fresh one on another bot does not pick it up.
    const c = await srv.chat(keep.id, 'Hallo', conv);
    assert.equal(c.status, 200);
    assert.notEqual(c.json.conversation_id, conv);
    await srv.stop();
  });
});
