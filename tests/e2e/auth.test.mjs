// API keys (Bearer and X-API-Key, CLI-created and revoked) and isolation between tenants.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, BACKEND } from '../lib/server.mjs';
import { seededBot } from '../lib/fixtures.mjs';

describe(`authentication and tenant isolation (${BACKEND})`, () => {
  let srv;
  let a; // tenant A {id, api_key}
  let b; // tenant B
  let botA;
  let srcA;
  before(async () => {
    srv = await startServer();
    a = await srv.tenant('Studio Nord');
    b = await srv.tenant('Studio Süd');
    const seeded = await seededBot(srv, a.api_key, {
      name: 'Geheimbot Nord',
      description: 'Nur für Studio Nord sichtbar',
      system_prompt_additions: 'interne Notiz 4711',
    });
    botA = seeded.bot;
    srcA = seeded.prices;
  });
  after(async () => {
    if (srv) await srv.kill();
  });

  it('tenant create prints distinct ids and keys', async () => {
    assert.notEqual(a.id, b.id);
    assert.notEqual(a.api_key, b.api_key);
    assert.ok(a.api_key.length >= 24, `API key too short to be secret: ${a.api_key}`);
  });

  it('no key → 401 unauthorized', async () => {
    assertError(await srv.get('/api/v1/bots'), 401, 'unauthorized');
    assertError(await srv.json('POST', '/api/v1/bots', { body: { name: 'x' } }), 401, 'unauthorized');
    assertError(await srv.get(`/api/v1/bots/${botA.id}`), 401, 'unauthorized');
  });

  it('an unknown or malformed key → 401 unauthorized', async () => {
    assertError(await srv.get('/api/v1/bots', 'bwk_' + 'A'.repeat(40)), 401, 'unauthorized');
    assertError(await srv.get('/api/v1/bots', a.api_key + 'x'), 401, 'unauthorized');
    assertError(await srv.json('GET', '/api/v1/bots', { headers: { Authorization: 'Basic ' + Buffer.from('a:b').toString('base64') } }), 401, 'unauthorized');
    assertError(await srv.json('GET', '/api/v1/bots', { headers: { Authorization: 'Bearer ' } }), 401, 'unauthorized');
  });

  it('Bearer and X-API-Key both authenticate', async () => {
    const r1 = await srv.json('GET', '/api/v1/bots', { key: a.api_key });
    assert.equal(r1.status, 200, r1.text);
    assert.ok(r1.json.items.some((x) => x.id === botA.id));
    const r2 = await srv.json('GET', '/api/v1/bots', { key: a.api_key, keyHeader: 'x-api-key' });
    assert.equal(r2.status, 200, r2.text);
    assert.deepEqual(r2.json.items.map((x) => x.id), r1.json.items.map((x) => x.id));
  });

  it('apikey create adds a working key; revoke makes it 401 and leaves the others working', async () => {
    const k = await srv.cliJson(['apikey', 'create', a.id]);
    assert.match(k.id, /^key_/);
    assert.equal(k.tenant_id, a.id);
    assert.match(k.api_key, /^bwk_/);
    assert.notEqual(k.api_key, a.api_key);

    let r = await srv.get(`/api/v1/bots/${botA.id}`, k.api_key);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.name, 'Geheimbot Nord');

    const rv = await srv.cliJson(['apikey', 'revoke', k.id]);
    assert.equal(rv.id, k.id);
    assert.equal(rv.revoked, true);

    assertError(await srv.get(`/api/v1/bots/${botA.id}`, k.api_key), 401, 'unauthorized');
    assertError(await srv.json('GET', '/api/v1/bots', { key: k.api_key, keyHeader: 'x-api-key' }), 401, 'unauthorized');
    r = await srv.get(`/api/v1/bots/${botA.id}`, a.api_key);
    assert.equal(r.status, 200, 'the tenant\'s first key still works');
  });

  it('apikey revoke of an unknown key exits 1 with a message on stderr', async () => {
    const r = await srv.cli(['apikey', 'revoke', 'key_doesnotexist0000000000']);
    assert.equal(r.code, 1, `exit code ${r.code}, stdout ${r.stdout}`);
    assert.ok(r.stderr.trim().length > 0, 'a message on stderr');
    assert.ok(!/"revoked"\s*:\s*true/.test(r.stdout), 'does not claim success');
  });

  it('apikey create for an unknown tenant fails', async () => {
    const r = await srv.cli(['apikey', 'create', 'ten_doesnotexist000000000000']);
    assert.notEqual(r.code, 0, `exit code 0, stdout ${r.stdout}`);
    assert.ok(!/bwk_/.test(r.stdout), 'no key printed');
  });

  function assertNoLeak(res) {
    for (const secret of ['Geheimbot Nord', 'Nur für Studio Nord', '4711', a.id, 'Preise und Mitgliedschaften', '49,90']) {
      assert.ok(!res.text.includes(secret), `response to tenant B leaks "${secret}": ${res.text}`);
    }
  }

  it("another tenant's bot is 404 for GET, PATCH, DELETE and status, never its data", async () => {
    const kb = b.api_key;
    let r = await srv.get(`/api/v1/bots/${botA.id}`, kb);
    assertError(r, 404, ['bot_not_found', 'not_found']);
    assertNoLeak(r);

    r = await srv.json('PATCH', `/api/v1/bots/${botA.id}`, { key: kb, body: { name: 'übernommen' } });
    assertError(r, 404, ['bot_not_found', 'not_found']);
    assertNoLeak(r);

    r = await srv.json('PUT', `/api/v1/bots/${botA.id}/status`, { key: kb, body: { active: false } });
    assertError(r, 404, ['bot_not_found', 'not_found']);
    assertNoLeak(r);

    r = await srv.json('DELETE', `/api/v1/bots/${botA.id}`, { key: kb });
    assertError(r, 404, ['bot_not_found', 'not_found']);
    assertNoLeak(r);

    // Tenant B sees nothing of A in its own list.
    r = await srv.get('/api/v1/bots', kb);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.items, []);
    assert.equal(r.json.next_cursor, null);

    // A's bot is untouched.
    r = await srv.get(`/api/v1/bots/${botA.id}`, a.api_key);
    assert.equal(r.status, 200);
    assert.equal(r.json.name, 'Geheimbot Nord');
    assert.equal(r.json.active, true);
  });

  it("another tenant's bot is 404 for its sources (list, get, create, delete)", async () => {
    const kb = b.api_key;
    let r = await srv.get(`/api/v1/bots/${botA.id}/sources`, kb);
    assertError(r, 404, ['bot_not_found', 'not_found']);
    assertNoLeak(r);

    r = await srv.get(`/api/v1/bots/${botA.id}/sources/${srcA.id}`, kb);
    assertError(r, 404, ['bot_not_found', 'source_not_found', 'not_found']);
    assertNoLeak(r);

    r = await srv.json('POST', `/api/v1/bots/${botA.id}/sources`, { key: kb, body: { kind: 'text', title: 'Fremd', text: 'Eingeschleust von Studio Süd.' } });
    assertError(r, 404, ['bot_not_found', 'not_found']);

    r = await srv.json('DELETE', `/api/v1/bots/${botA.id}/sources/${srcA.id}`, { key: kb });
    assertError(r, 404, ['bot_not_found', 'source_not_found', 'not_found']);

    // A still has exactly its two sources.
    r = await srv.get(`/api/v1/bots/${botA.id}/sources`, a.api_key);
    assert.equal(r.status, 200);
    assert.equal(r.json.items.length, 2);
    assert.ok(!r.json.items.some((s) => s.title === 'Fremd'));
    assert.ok(r.json.items.some((s) => s.id === srcA.id));
  });

  it("a source id of tenant A is not found under tenant B's own bot", async () => {
    const botB = await srv.createBot(b.api_key, { name: 'Bot Süd' });
    const r = await srv.get(`/api/v1/bots/${botB.id}/sources/${srcA.id}`, b.api_key);
    assertError(r, 404, 'source_not_found');
    assertNoLeak(r);
    const d = await srv.json('DELETE', `/api/v1/bots/${botB.id}/sources/${srcA.id}`, { key: b.api_key });
    assertError(d, 404, 'source_not_found');
    const still = await srv.get(`/api/v1/bots/${botA.id}/sources/${srcA.id}`, a.api_key);
    assert.equal(still.status, 200);
  });

  it('shuts down cleanly on SIGTERM (exit code 0)', async () => {
    await srv.stop();
  });
});
