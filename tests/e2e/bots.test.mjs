// Bots: create with defaults, validation, request-body errors, pagination, PATCH, status, DELETE.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, BACKEND } from '../lib/server.mjs';
import { DE_DEFAULT_FALLBACK } from '../lib/fixtures.mjs';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function assertBotId(id) {
  assert.equal(typeof id, 'string');
  const m = /^bot_(.+)$/.exec(id);
  assert.ok(m, `bot id without bot_ prefix: ${id}`);
  const rest = m[1];
  assert.ok(rest.length >= 20, `bot id has ${rest.length} characters after the prefix, want ≥ 20 (120 random bits): ${id}`);
  // RFC 4648 base32 (A–Z, 2–7, any case) or Crockford's (0–9, A–Z without I, L, O, U).
  assert.ok(/^[a-z2-7]+$/i.test(rest) || /^[0-9a-hjkmnp-tv-z]+$/i.test(rest), `bot id is not base32: ${id}`);
}

describe(`bots (${BACKEND})`, () => {
  let srv;
  let key;
  before(async () => {
    srv = await startServer();
    key = (await srv.tenant('Bots Studio')).api_key;
  });
  after(async () => {
    if (srv) await srv.kill();
  });

  it('POST /api/v1/bots with only a name → 201 with the documented defaults', async () => {
    const r = await srv.json('POST', '/api/v1/bots', { key, body: { name: 'FitWerk Studio' } });
    assert.equal(r.status, 201, r.text);
    assert.match(r.headers.get('content-type') || '', /^application\/json/);
    const bot = r.json;
    assertBotId(bot.id);
    assert.equal(bot.name, 'FitWerk Studio');
    assert.equal(bot.description, '');
    assert.equal(bot.active, true);
    assert.equal(bot.language, 'de');
    assert.equal(bot.response_style, 'professional');
    assert.equal(bot.system_prompt_additions, '');
    assert.equal(bot.fallback_message, DE_DEFAULT_FALLBACK);
    assert.equal(bot.branding.logo_url, null);
    assert.equal(bot.branding.primary_color, '#0f766e');
    assert.equal(bot.branding.secondary_color, '#f59e0b');
    assert.equal(bot.branding.theme, 'light');
    assert.equal(typeof bot.branding.welcome_message, 'string');
    assert.ok(bot.branding.welcome_message.length > 0, 'a default welcome message');
    assert.match(bot.branding.placeholder_text, /^Ihre Frage/);
    assert.match(bot.created_at, ISO_UTC);
    assert.match(bot.updated_at, ISO_UTC);
    assert.ok(Math.abs(Date.parse(bot.created_at) - Date.now()) < 10 * 60 * 1000, `created_at is now: ${bot.created_at}`);
    assert.equal('tenant_id' in bot, false, 'the bot does not expose its tenant');

    const g = await srv.get(`/api/v1/bots/${bot.id}`, key);
    assert.equal(g.status, 200);
    assert.deepEqual(g.json, bot);
  });

  it('an English bot gets English defaults', async () => {
    const bot = await srv.createBot(key, { name: 'English Gym', language: 'en' });
    assert.equal(bot.language, 'en');
    assert.notEqual(bot.fallback_message, DE_DEFAULT_FALLBACK);
    assert.ok(bot.fallback_message.length > 0);
    assert.match(bot.branding.placeholder_text, /^Your question/);
    assert.notEqual(bot.branding.welcome_message, '');
  });

  it('all given fields are stored and returned', async () => {
    const body = {
      name: 'Straßenfitness Köln',
      description: 'Outdoor-Training am Rhein',
      language: 'de',
      response_style: 'casual',
      system_prompt_additions: 'Immer duzen.',
      fallback_message: 'Frag bitte direkt im Studio nach.',
      active: false,
      branding: {
        logo_url: 'https://example.org/logo.png',
        primary_color: '#123abc',
        secondary_color: '#abcdef',
        welcome_message: 'Moin! Wie kann ich helfen?',
        placeholder_text: 'Deine Frage …',
        theme: 'dark',
      },
    };
    const r = await srv.json('POST', '/api/v1/bots', { key, body });
    assert.equal(r.status, 201, r.text);
    for (const k of ['name', 'description', 'language', 'response_style', 'system_prompt_additions', 'fallback_message', 'active']) {
      assert.deepEqual(r.json[k], body[k], k);
    }
    assert.equal(r.json.branding.logo_url, body.branding.logo_url);
    assert.equal(r.json.branding.primary_color.toLowerCase(), '#123abc');
    assert.equal(r.json.branding.secondary_color.toLowerCase(), '#abcdef');
    assert.equal(r.json.branding.welcome_message, body.branding.welcome_message);
    assert.equal(r.json.branding.placeholder_text, body.branding.placeholder_text);
    assert.equal(r.json.branding.theme, 'dark');
  });

  it('names are counted in characters: 120 umlauts pass, 121 fail', async () => {
    const ok = await srv.json('POST', '/api/v1/bots', { key, body: { name: 'Ä'.repeat(120) } });
    assert.equal(ok.status, 201, ok.text);
    assert.equal(ok.json.name, 'Ä'.repeat(120));
    assertError(await srv.json('POST', '/api/v1/bots', { key, body: { name: 'Ä'.repeat(121) } }), 422, 'validation_failed', 'name');
    assertError(await srv.json('POST', '/api/v1/bots', { key, body: { name: 'x'.repeat(121) } }), 422, 'validation_failed', 'name');
  });

  const invalid = [
    ['bad colour #12345', { name: 'x', branding: { primary_color: '#12345' } }, 'branding.primary_color'],
    ['colour without #', { name: 'x', branding: { secondary_color: 'f59e0b' } }, 'branding.secondary_color'],
    ['colour with non-hex', { name: 'x', branding: { primary_color: '#12345g' } }, 'branding.primary_color'],
    ['bad language', { name: 'x', language: 'fr' }, 'language'],
    ['bad response_style', { name: 'x', response_style: 'rude' }, 'response_style'],
    ['bad theme', { name: 'x', branding: { theme: 'neon' } }, 'branding.theme'],
    ['logo_url not http(s)', { name: 'x', branding: { logo_url: 'javascript:alert(1)' } }, 'branding.logo_url'],
    ['unknown field', { name: 'x', colour: 'red' }, 'colour'],
    ['unknown branding field', { name: 'x', branding: { font: 'Comic Sans' } }, 'branding.font'],
    ['missing name', { description: 'ohne Namen' }, 'name'],
    ['empty name', { name: '' }, 'name'],
    ['name not a string', { name: 42 }, 'name'],
    ['description too long', { name: 'x', description: 'd'.repeat(2001) }, 'description'],
    ['empty fallback', { name: 'x', fallback_message: '' }, 'fallback_message'],
    ['fallback too long', { name: 'x', fallback_message: 'f'.repeat(501) }, 'fallback_message'],
    ['system_prompt_additions too long', { name: 'x', system_prompt_additions: 's'.repeat(4001) }, 'system_prompt_additions'],
    ['active not boolean', { name: 'x', active: 'yes' }, 'active'],
    ['placeholder too long', { name: 'x', branding: { placeholder_text: 'p'.repeat(121) } }, 'branding.placeholder_text'],
  ];
  for (const [what, body, field] of invalid) {
    it(`422 validation_failed with field for ${what}`, async () => {
      const r = await srv.json('POST', '/api/v1/bots', { key, body });
      assertError(r, 422, 'validation_failed', field);
    });
  }

  it('a rejected create stores nothing', async () => {
    const before = (await srv.get('/api/v1/bots?limit=100', key)).json.items.length;
    await srv.json('POST', '/api/v1/bots', { key, body: { name: 'Nie gespeichert', language: 'fr' } });
    const after = await srv.get('/api/v1/bots?limit=100', key);
    assert.equal(after.json.items.length, before);
    assert.ok(!after.json.items.some((b) => b.name === 'Nie gespeichert'));
  });

  it('malformed JSON → 400 invalid_json', async () => {
    assertError(await srv.json('POST', '/api/v1/bots', { key, body: '{"name": "kaputt"' }), 400, 'invalid_json');
    assertError(await srv.json('POST', '/api/v1/bots', { key, body: '{"name": "x",}' }), 400, 'invalid_json');
    assertError(await srv.json('POST', '/api/v1/bots', { key, body: '' }), 400, ['invalid_json', 'invalid_request']);
  });

  it('JSON that is not an object → 400', async () => {
    assertError(await srv.json('POST', '/api/v1/bots', { key, body: '[{"name":"x"}]' }), 400, ['invalid_json', 'invalid_request']);
    assertError(await srv.json('POST', '/api/v1/bots', { key, body: '"x"' }), 400, ['invalid_json', 'invalid_request']);
  });

  it('a text/plain body → 415 unsupported_media_type', async () => {
    const r = await srv.json('POST', '/api/v1/bots', { key, body: '{"name":"x"}', headers: { 'Content-Type': 'text/plain' } });
    assertError(r, 415, 'unsupported_media_type');
  });

  it('a 2 MiB body → 413 body_too_large', async () => {
    const body = JSON.stringify({ name: 'gross', description: 'x'.repeat(2 * 1024 * 1024) });
    const r = await srv.raw('POST', '/api/v1/bots', {
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
      body,
    });
    assertError(r, 413, 'body_too_large');
    // The server is still fine afterwards.
    assert.equal((await srv.get('/health')).status, 200);
  });

  it('ids are unguessable: ≥ 20 base32 characters, all different, not sequential', async () => {
    const ids = [];
    for (let i = 0; i < 8; i++) ids.push((await srv.createBot(key, { name: `Zufall ${i}` })).id);
    ids.forEach(assertBotId);
    assert.equal(new Set(ids).size, ids.length);
    for (let i = 0; i < ids.length; i++) {
      for (let j = i + 1; j < ids.length; j++) {
        const x = ids[i].slice(4);
        const y = ids[j].slice(4);
        let diff = Math.abs(x.length - y.length);
        for (let k = 0; k < Math.min(x.length, y.length); k++) if (x[k] !== y[k]) diff++;
        assert.ok(diff >= 10, `ids ${ids[i]} and ${ids[j]} differ in only ${diff} positions`);
      }
    }
  });

  it('pagination with limit 2 over 5 bots: newest first, no duplicates, no gaps, null cursor at the end', async () => {
    const t = await srv.tenant('Pagination');
    const made = [];
    for (let i = 1; i <= 5; i++) made.push(await srv.createBot(t.api_key, { name: `Seite ${i}` }));
    const seen = [];
    const pages = [];
    let cursor = null;
    for (let guard = 0; guard < 10; guard++) {
      const q = cursor === null ? '?limit=2' : `?limit=2&cursor=${encodeURIComponent(cursor)}`;
      const r = await srv.get('/api/v1/bots' + q, t.api_key);
      assert.equal(r.status, 200, r.text);
      assert.ok(Array.isArray(r.json.items));
      assert.ok('next_cursor' in r.json, 'next_cursor is always present');
      assert.ok(r.json.items.length <= 2);
      pages.push(r.json.items.length);
      seen.push(...r.json.items.map((b) => b.name));
      cursor = r.json.next_cursor;
      if (cursor === null) break;
      assert.equal(typeof cursor, 'string');
    }
    assert.equal(cursor, null, 'the last page has next_cursor null');
    assert.deepEqual(seen, ['Seite 5', 'Seite 4', 'Seite 3', 'Seite 2', 'Seite 1']);
    assert.deepEqual(pages, [2, 2, 1]);

    // The items are full bots.
    const first = await srv.get('/api/v1/bots?limit=2', t.api_key);
    assert.deepEqual(first.json.items[0], made[4]);

    // Without a limit: all five on one page.
    const all = await srv.get('/api/v1/bots', t.api_key);
    assert.deepEqual(all.json.items.map((b) => b.id), made.map((b) => b.id).reverse());
    assert.equal(all.json.next_cursor, null);
  });

  it('bad pagination parameters → 400 invalid_request', async () => {
    for (const q of ['?limit=0', '?limit=101', '?limit=abc', '?limit=-1', '?limit=5x', '?cursor=garbage']) {
      const r = await srv.get('/api/v1/bots' + q, key);
      assert.equal(r.status, 400, `GET /api/v1/bots${q}: ${r.status} ${r.text.slice(0, 200)}`);
      assertError(r, 400, 'invalid_request');
    }
    const r = await srv.get('/api/v1/bots?limit=100', key);
    assert.equal(r.status, 200, 'limit 100 is allowed');
  });

  it('a cursor with a NUL byte is not taken for "no cursor" (400 invalid_request)', async () => {
    const r = await srv.get('/api/v1/bots?cursor=%00garbage', key);
    assert.equal(r.status, 400, `GET /api/v1/bots?cursor=%00garbage: ${r.status} ${r.text.slice(0, 200)}`);
    assertError(r, 400, 'invalid_request');
  });

  it('PATCH merges the given fields, nested branding included', async () => {
    const bot = await srv.createBot(key, {
      name: 'Vorher',
      description: 'alt',
      branding: { primary_color: '#111111', theme: 'light', welcome_message: 'Hallo!' },
    });
    await new Promise((r) => setTimeout(r, 1100)); // let updated_at move on (second resolution)
    const r = await srv.json('PATCH', `/api/v1/bots/${bot.id}`, { key, body: { description: 'neu', branding: { theme: 'dark' } } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.id, bot.id);
    assert.equal(r.json.name, 'Vorher');
    assert.equal(r.json.description, 'neu');
    assert.equal(r.json.branding.theme, 'dark');
    assert.equal(r.json.branding.primary_color, '#111111', 'branding fields not in the PATCH are kept');
    assert.equal(r.json.branding.welcome_message, 'Hallo!');
    assert.equal(r.json.language, bot.language);
    assert.equal(r.json.created_at, bot.created_at);
    assert.ok(Date.parse(r.json.updated_at) > Date.parse(bot.updated_at), `updated_at moves: ${bot.updated_at} → ${r.json.updated_at}`);

    const g = await srv.get(`/api/v1/bots/${bot.id}`, key);
    assert.deepEqual(g.json, r.json, 'GET shows the patched bot');

    // logo_url can be set and cleared again with null.
    let p = await srv.json('PATCH', `/api/v1/bots/${bot.id}`, { key, body: { branding: { logo_url: 'https://example.org/l.svg' } } });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json.branding.logo_url, 'https://example.org/l.svg');
    p = await srv.json('PATCH', `/api/v1/bots/${bot.id}`, { key, body: { branding: { logo_url: null } } });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json.branding.logo_url, null);
  });

  it('an invalid PATCH is 422 and changes nothing', async () => {
    const bot = await srv.createBot(key, { name: 'Unverändert' });
    let r = await srv.json('PATCH', `/api/v1/bots/${bot.id}`, { key, body: { name: 'Neu', branding: { primary_color: '#12345' } } });
    assertError(r, 422, 'validation_failed', 'branding.primary_color');
    r = await srv.json('PATCH', `/api/v1/bots/${bot.id}`, { key, body: { name: '' } });
    assertError(r, 422, 'validation_failed', 'name');
    const g = await srv.get(`/api/v1/bots/${bot.id}`, key);
    assert.deepEqual(g.json, bot);
  });

  it('PUT /status switches active and returns the bot', async () => {
    const bot = await srv.createBot(key, { name: 'Schalter' });
    let r = await srv.json('PUT', `/api/v1/bots/${bot.id}/status`, { key, body: { active: false } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.id, bot.id);
    assert.equal(r.json.active, false);
    assert.equal(r.json.name, 'Schalter');
    assert.equal((await srv.get(`/api/v1/bots/${bot.id}`, key)).json.active, false);
    r = await srv.json('PUT', `/api/v1/bots/${bot.id}/status`, { key, body: { active: true } });
    assert.equal(r.status, 200);
    assert.equal(r.json.active, true);
    assertError(await srv.json('PUT', `/api/v1/bots/${bot.id}/status`, { key, body: { active: 'no' } }), 422, 'validation_failed', 'active');
    assertError(await srv.json('PUT', `/api/v1/bots/${bot.id}/status`, { key, body: {} }), 422, 'validation_failed', 'active');
  });

  it('unknown bot ids are 404 bot_not_found', async () => {
    const id = 'bot_' + 'a'.repeat(24);
    assertError(await srv.get(`/api/v1/bots/${id}`, key), 404, 'bot_not_found');
    assertError(await srv.json('PATCH', `/api/v1/bots/${id}`, { key, body: { name: 'x' } }), 404, 'bot_not_found');
    assertError(await srv.json('DELETE', `/api/v1/bots/${id}`, { key }), 404, 'bot_not_found');
    assertError(await srv.json('PUT', `/api/v1/bots/${id}/status`, { key, body: { active: true } }), 404, 'bot_not_found');
  });

  it('DELETE → 204 with no body, then 404 and gone from the list', async () => {
    const bot = await srv.createBot(key, { name: 'Wegwerf' });
    const d = await srv.json('DELETE', `/api/v1/bots/${bot.id}`, { key });
    assert.equal(d.status, 204, d.text);
    assert.equal(d.text, '');
    assertError(await srv.get(`/api/v1/bots/${bot.id}`, key), 404, 'bot_not_found');
    assertError(await srv.json('DELETE', `/api/v1/bots/${bot.id}`, { key }), 404, 'bot_not_found');
    const list = await srv.get('/api/v1/bots?limit=100', key);
    assert.ok(!list.json.items.some((b) => b.id === bot.id));
    assertError(await srv.get(`/api/v1/public/bot/${bot.id}/config`), 404, 'bot_not_found');
  });

  it('shuts down cleanly on SIGTERM (exit code 0)', async () => {
    await srv.stop();
  });
});
