// Path handling: the router sees the path as the client sent it and decodes parameters itself, so an
// escaped NUL or slash can never shorten a path into another route (e.g. a source delete into a bot
// delete), and escaped characters in ids still resolve.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, BACKEND } from '../lib/server.mjs';

describe(`raw paths (${BACKEND})`, () => {
  let srv;
  let key;
  let bot;
  let src;
  before(async () => {
    srv = await startServer();
    key = (await srv.tenant('Pfade')).api_key;
    bot = await srv.createBot(key, {});
    const r = await srv.json('POST', `/api/v1/bots/${bot.id}/sources`, {
      key, body: { kind: 'text', title: 'Sauna', text: 'Die Sauna ist täglich ab 10 Uhr geöffnet.' },
    });
    assert.equal(r.status, 201, r.text);
    src = r.json;
  });
  after(async () => {
    if (srv) await srv.kill();
  });

  it('an escaped NUL inside a path is 404 and deletes nothing', async () => {
    const r = await srv.raw('DELETE', `/api/v1/bots/${bot.id}%00/sources/${src.id}`, { headers: { Authorization: `Bearer ${key}` } });
    assertError(r, 404, 'not_found');
    const still = await srv.json('GET', `/api/v1/bots/${bot.id}`, { key });
    assert.equal(still.status, 200, 'the bot must survive');
    const source = await srv.json('GET', `/api/v1/bots/${bot.id}/sources/${src.id}`, { key });
    assert.equal(source.status, 200, 'the source must survive');
  });

  it('an escaped slash stays inside its parameter (404, not another route)', async () => {
    const r = await srv.raw('GET', `/api/v1/bots/${bot.id}%2Fsources`, { headers: { Authorization: `Bearer ${key}` } });
    assertError(r, 404, 'not_found');
  });

  it('percent-escapes in an id are decoded once', async () => {
    const escaped = bot.id.replace('_', '%5F');
    const r = await srv.json('GET', `/api/v1/bots/${escaped}`, { key });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.id, bot.id);
    const twice = await srv.raw('GET', `/api/v1/bots/${bot.id.replace('_', '%255F')}`, { headers: { Authorization: `Bearer ${key}` } });
    assert.equal(twice.status, 404, 'a double-escaped id must not be decoded twice');
  });
});
