// What browsers load: the chat page, the embed page, the embedded assets, and the per-bot access rules
// (URL token, allowed origins) on pages and on the public API. The browser behaviour itself is tested
// in tests/browser/ (Chromium); this checks the HTTP contract.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, rawRequest, assertError, ROOT, BACKEND } from '../lib/server.mjs';
import { seededBot, Q_PRICE } from '../lib/fixtures.mjs';

const TOKEN = 'Zugang_2026-abcdefgh';
const SHOP = 'https://shop.example.de';

/** Directives of a Content-Security-Policy header as a map name → value. */
function csp(headers) {
  const v = headers.get ? headers.get('content-security-policy') : headers['content-security-policy'];
  assert.ok(v, 'a Content-Security-Policy header');
  return Object.fromEntries(v.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...rest]) => [k, rest.join(' ')]));
}

describe(`web pages and assets (${BACKEND})`, () => {
  let srv;
  let key;
  let bot;
  before(async () => {
    srv = await startServer();
    key = (await srv.tenant('Web')).api_key;
    ({ bot } = await seededBot(srv, key, {
      name: 'Studio <script>alert(1)</script> "Nord"',
      description: 'Training & mehr <b>',
      branding: { theme: 'dark', primary_color: '#aa3300', logo_url: "https://cdn.example.de/logo.png?a=1&b='2'" },
    }));
  });
  after(async () => {
    if (srv) await srv.kill();
  });

  it('GET /bot/{id}: the chat page with name, language, theme, colour and logo, all escaped', async () => {
    const r = await srv.get(`/bot/${bot.id}`);
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type'), /^text\/html; charset=utf-8/);
    assert.ok(r.text.includes('<title>Studio &lt;script&gt;alert(1)&lt;/script&gt; &quot;Nord&quot;</title>'), r.text);
    assert.ok(!r.text.includes('<script>alert(1)'), 'the bot name is escaped');
    assert.ok(r.text.includes('content="Training &amp; mehr &lt;b&gt;"'), 'description escaped in the meta tag');
    assert.match(r.text, /<html lang="de" data-theme="dark">/);
    assert.ok(r.text.includes('<meta name="theme-color" content="#aa3300">'));
    assert.ok(r.text.includes('href="https://cdn.example.de/logo.png?a=1&amp;b=&#39;2&#39;"'), 'logo URL escaped');
    assert.ok(r.text.includes(`data-bot-id="${bot.id}"`));
    assert.match(r.text, /<script async src="\/widget\.js\?v=[0-9a-f]{16}" nonce="[0-9a-f]{32}"><\/script>/);
  });

  it('the page carries a strict CSP with a fresh nonce, no referrer, and may not be framed', async () => {
    const a = await srv.get(`/bot/${bot.id}`);
    const b = await srv.get(`/bot/${bot.id}`);
    const p = csp(a.headers);
    assert.equal(p['default-src'], "'none'");
    assert.match(p['script-src'], /^'self' 'nonce-[0-9a-f]{32}'$/);
    assert.ok(!/unsafe/.test(a.headers.get('content-security-policy')), 'no unsafe-inline / unsafe-eval');
    assert.equal(p['connect-src'], "'self'");
    assert.equal(p['frame-ancestors'], "'none'");
    assert.equal(p['base-uri'], "'none'");
    assert.notEqual(p['script-src'], csp(b.headers)['script-src'], 'a new nonce per response');
    const nonce = p['script-src'].match(/nonce-([0-9a-f]+)/)[1];
    assert.ok(a.text.includes(`nonce="${nonce}"`), 'the script tag carries the header nonce');
    assert.equal(a.headers.get('x-frame-options'), 'DENY');
    assert.equal(a.headers.get('referrer-policy'), 'no-referrer');
  });

  it('GET /bot/{id}/embed: framable by any site while the bot lists no origins', async () => {
    const r = await srv.get(`/bot/${bot.id}/embed`);
    assert.equal(r.status, 200, r.text);
    assert.match(r.text, /<body class="bw-embed">/);
    assert.equal(csp(r.headers)['frame-ancestors'], '*');
    assert.equal(r.headers.get('x-frame-options'), null);
  });

  it('unknown, malformed and inactive bots get an HTML error page with status 404', async () => {
    for (const id of ['bot_aaaaaaaaaaaaaaaaaaaaaaaa', 'nope', '%3Cscript%3E']) {
      const r = await srv.get(`/bot/${id}`);
      assert.equal(r.status, 404, `${id}: ${r.status}`);
      assert.match(r.headers.get('content-type'), /^text\/html/);
      assert.ok(r.text.includes('Chat nicht verfügbar'), r.text);
      assert.ok(!r.text.includes('<script'), 'no script on error pages');
    }
    const other = await srv.createBot(key, { name: 'Ruhend' });
    assert.equal((await srv.json('PUT', `/api/v1/bots/${other.id}/status`, { key, body: { active: false } })).status, 200);
    const r = await srv.get(`/bot/${other.id}/embed`);
    assert.equal(r.status, 404);
  });

  it('GET /widget.js and /page.css: gzip when accepted, ETag and 304, immutable only for the current version', async () => {
    for (const name of ['widget.js', 'page.css']) {
      const file = fs.readFileSync(path.join(ROOT, 'web', name));
      const plain = await rawRequest(srv.port, 'GET', `/${name}`);
      assert.equal(plain.status, 200, `${name}: ${plain.status}`);
      assert.equal(plain.headers.get('content-encoding'), null, 'identity without Accept-Encoding');
      assert.equal(plain.text, file.toString('utf8'), `${name} is served as built`);
      assert.match(plain.headers.get('content-type'), name.endsWith('.js') ? /^text\/javascript/ : /^text\/css/);
      assert.equal(plain.headers.get('cache-control'), 'public, max-age=300');
      const etag = plain.headers.get('etag');
      assert.match(etag, /^"[0-9a-f]{16}"$/);

      const gz = await new Promise((resolve, reject) => {
        import('node:http').then(({ default: http }) => {
          http.get({ host: '127.0.0.1', port: srv.port, path: `/${name}`, headers: { 'Accept-Encoding': 'br, gzip;q=0.8' } }, (res) => {
            const chunks = [];
            res.on('data', (d) => chunks.push(d));
            res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
          }).on('error', reject);
        });
      });
      assert.equal(gz.headers['content-encoding'], 'gzip');
      assert.equal(gz.headers.vary, 'Accept-Encoding');
      assert.ok(gz.body.length < file.length, 'compressed is smaller');
      assert.deepEqual(zlib.gunzipSync(gz.body), file, 'gzip decodes to the file');

      const refused = await rawRequest(srv.port, 'GET', `/${name}`, { headers: { 'Accept-Encoding': 'gzip;q=0' } });
      assert.equal(refused.headers.get('content-encoding'), null, 'q=0 refuses gzip');

      const again = await rawRequest(srv.port, 'GET', `/${name}`, { headers: { 'If-None-Match': `"0000000000000000", ${etag}` } });
      assert.equal(again.status, 304);
      assert.equal(again.text, '');

      const v = etag.slice(1, -1);
      const versioned = await rawRequest(srv.port, 'GET', `/${name}?v=${v}`);
      assert.equal(versioned.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      const stale = await rawRequest(srv.port, 'GET', `/${name}?v=0123456789abcdef`);
      assert.equal(stale.headers.get('cache-control'), 'public, max-age=300', 'an old version is not cached for a year');
    }
    const page = await srv.get(`/bot/${bot.id}`);
    const v = (await rawRequest(srv.port, 'GET', '/widget.js')).headers.get('etag').slice(1, -1);
    assert.ok(page.text.includes(`/widget.js?v=${v}`), 'pages link the current widget version');
  });

  it('widget.js with its CSS stays within 12 KB gzip', async () => {
    const gz = zlib.gzipSync(fs.readFileSync(path.join(ROOT, 'web', 'widget.js')), { level: 9 });
    assert.ok(gz.length <= 12 * 1024, `widget.js is ${gz.length} bytes gzip`);
  });
});

describe(`bot access rules (${BACKEND})`, () => {
  let srv;
  let key;
  let bot;
  before(async () => {
    srv = await startServer();
    key = (await srv.tenant('Privat')).api_key;
    ({ bot } = await seededBot(srv, key, { access: { token: TOKEN, allowed_origins: [SHOP] } }));
  });
  after(async () => {
    if (srv) await srv.kill();
  });

  it('the management API shows and validates the access settings', async () => {
    const r = await srv.get(`/api/v1/bots/${bot.id}`, key);
    assert.deepEqual(r.json.access, { token: TOKEN, allowed_origins: [SHOP] });
    const plain = await srv.createBot(key, { name: 'Offen' });
    assert.deepEqual(plain.access, { token: null, allowed_origins: [] });
    const bad = [
      [{ token: 'short' }, 'access.token'],
      [{ token: 'has spaces in it, sixteen+' }, 'access.token'],
      [{ allowed_origins: 'https://a.de' }, 'access.allowed_origins'],
      [{ allowed_origins: ['https://a.de/path'] }, 'access.allowed_origins[0]'],
      [{ allowed_origins: [SHOP, 'ftp://x.de'] }, 'access.allowed_origins[1]'],
      [{ allowed_origins: ['https://Shop.de'] }, 'access.allowed_origins[0]'],
      [{ allowed_origins: [SHOP, 7] }, 'access.allowed_origins[1]'],
      [{ allowed_origins: Array.from({ length: 33 }, (_, i) => `https://s${i}.de`) }, 'access.allowed_origins'],
      [{ unknown: 1 }, 'access.unknown'],
    ];
    for (const [access, field] of bad) {
      const res = await srv.json('PATCH', `/api/v1/bots/${plain.id}`, { key, body: { access } });
      assertError(res, 422, 'validation_failed', field);
    }
    const ok = await srv.json('PATCH', `/api/v1/bots/${plain.id}`, { key, body: { access: { allowed_origins: ['http://127.0.0.1:8080', SHOP] } } });
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.json.access.allowed_origins, ['http://127.0.0.1:8080', SHOP]);
    const off = await srv.json('PATCH', `/api/v1/bots/${bot.id}`, { key, body: { access: { token: null } } });
    assert.equal(off.json.access.token, null);
    assert.deepEqual(off.json.access.allowed_origins, [SHOP], 'PATCH of one access field keeps the other');
    await srv.json('PATCH', `/api/v1/bots/${bot.id}`, { key, body: { access: { token: TOKEN } } });
  });

  it('with a token set, pages and every public endpoint need ?token=', async () => {
    const paths = ['config', 'status'].map((p) => `/api/v1/public/bot/${bot.id}/${p}`);
    for (const p of paths) {
      assertError(await srv.get(p), 401, 'token_required');
      assertError(await srv.get(`${p}?token=`), 401, 'token_required');
      assertError(await srv.get(`${p}?token=${TOKEN}x`), 401, 'token_invalid');
      assertError(await srv.get(`${p}?token=${TOKEN.slice(0, -1)}X`), 401, 'token_invalid');
      assert.equal((await srv.get(`${p}?token=${TOKEN}`)).status, 200);
    }
    const chat = `/api/v1/public/bot/${bot.id}/chat`;
    assertError(await srv.post(chat, { message: Q_PRICE.q }), 401, 'token_required');
    const ok = await srv.post(`${chat}?token=${TOKEN}`, { message: Q_PRICE.q });
    assert.equal(ok.status, 200, ok.text);
    assert.ok(ok.json.response.includes(Q_PRICE.expect));
    assertError(await srv.post(`/api/v1/public/bot/${bot.id}/analytics`, { event: 'widget_opened' }), 401, 'token_required');

    const page = await srv.get(`/bot/${bot.id}`);
    assert.equal(page.status, 401);
    assert.ok(page.text.includes('Kein Zugriff'), page.text);
    assert.ok(!page.text.includes(TOKEN), 'the error page does not reveal the token');
    const wrong = await srv.get(`/bot/${bot.id}/embed?token=nope`);
    assert.equal(wrong.status, 401);
    const good = await srv.get(`/bot/${bot.id}?token=${TOKEN}`);
    assert.equal(good.status, 200);
    assert.ok(good.text.includes(`data-token="${TOKEN}"`), 'the page hands the token to the widget');
    assert.equal(good.headers.get('referrer-policy'), 'no-referrer', 'the token does not leak through Referer');
  });

  it('with allowed origins, other sites are refused and listed ones get their origin back', async () => {
    const p = `/api/v1/public/bot/${bot.id}/config?token=${TOKEN}`;
    const evil = await srv.json('GET', p, { headers: { Origin: 'https://evil.example' } });
    assertError(evil, 403, 'origin_not_allowed');
    const shop = await srv.json('GET', p, { headers: { Origin: SHOP } });
    assert.equal(shop.status, 200, shop.text);
    assert.equal(shop.headers.get('access-control-allow-origin'), SHOP);
    assert.match(shop.headers.get('vary'), /Origin/);
    const own = await srv.json('GET', p, { headers: { Origin: `http://127.0.0.1:${srv.port}` } });
    assert.equal(own.status, 200, 'botwerk\'s own pages may always call the API');
    const none = await srv.get(p);
    assert.equal(none.status, 200, 'requests without Origin (server to server) pass');
    const chat = await srv.json('POST', `/api/v1/public/bot/${bot.id}/chat?token=${TOKEN}`, {
      headers: { Origin: 'https://evil.example' }, body: { message: Q_PRICE.q },
    });
    assertError(chat, 403, 'origin_not_allowed');

    const embed = await srv.get(`/bot/${bot.id}/embed?token=${TOKEN}`);
    assert.equal(csp(embed.headers)['frame-ancestors'], `'self' ${SHOP}`);
  });

  it('bots without access rules keep answering any origin with "*"', async () => {
    const open = await srv.createBot(key, { name: 'Offen 2' });
    const r = await srv.json('GET', `/api/v1/public/bot/${open.id}/config`, { headers: { Origin: 'https://irgendwo.example' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
  });
});
