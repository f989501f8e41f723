// Knowledge from a website: the fixture site (tests/fixtures/site, served by tests/lib/fixture_site.mjs with
// its robots.txt, sitemap, broken link, redirect loop, 30 MB page, slow page, binary and PDF links) crawled
// as a url source, and a draft bot made from nothing but the site's address.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, BACKEND, sleep, assertError } from '../lib/server.mjs';
import { startFixtureSite } from '../lib/fixture_site.mjs';

async function waitSource(srv, key, botId, sid) {
  const deadline = Date.now() + 60000;
  for (;;) {
    const r = await srv.get(`/api/v1/bots/${botId}/sources/${sid}`, key);
    if (!['queued', 'running'].includes(r.json.status)) return r.json;
    if (Date.now() > deadline) throw new Error(`still ${r.json.status}: ${r.text}`);
    await sleep(100);
  }
}

describe(`website sources (${BACKEND})`, () => {
  let site, srv, key;
  before(async () => {
    // images come slowly, so that a draft reported ready before its team photos were stored is seen
    site = await startFixtureSite({ slowMs: 3000, imageDelayMs: 400 });
    srv = await startServer({ env: { BOTWERK_CRAWL_ALLOW_PRIVATE: '1', BOTWERK_CRAWL_DELAY_MS: '0' } });
    key = (await srv.tenant('Website')).api_key;
  });
  after(async () => {
    if (srv) await srv.kill();
    if (site) await site.close();
  });

  it('crawls the site within its rules and answers from it, with the page as the source', async () => {
    site.reset?.();
    const bot = await srv.createBot(key, { name: 'Bewegungsraum' });
    const r = await srv.post(`/api/v1/bots/${bot.id}/sources`, { kind: 'url', url: `${site.url}/` }, key);
    assert.equal(r.status, 202, r.text);
    assert.equal(r.json.status, 'queued');
    const s = await waitSource(srv, key, bot.id, r.json.id);
    assert.equal(s.status, 'done', JSON.stringify(s));
    assert.ok(s.progress.pages_done >= 15, `pages: ${s.progress.pages_done}`);
    const paths = site.requests().map((q) => q.path);
    assert.ok(paths.includes('/robots.txt'), 'robots.txt read');
    assert.deepEqual(paths.filter((p) => p.startsWith('/intern')), [], 'disallowed pages are never fetched');
    assert.ok(site.requests().every((q) => /botwerk/.test(q.userAgent)), 'our own user agent');
    const errs = s.progress.errors.map((e) => `${e.url} ${e.message}`).join('\n');
    assert.match(errs, /kaputt.*404/, 'the broken link is reported');
    assert.match(errs, /schleife/, 'the redirect loop ends as an error');
    assert.match(errs, /gross/, 'the 30 MB page is refused');
    const big = site.requests().find((q) => q.path === '/gross');
    assert.ok(big && big.bytes < 12 * 1024 * 1024, `at most a few MB of /gross were read (${big && big.bytes})`);
    assert.ok(!paths.some((p) => p.startsWith('/extern')), 'a redirect to another host is not followed');

    const hours = await srv.chat(bot.id, 'Wann habt ihr am Freitag geöffnet?');
    assert.equal(hours.json.metadata.unanswered, false, hours.text);
    assert.match(hours.json.sources.map((x) => x.title).join(' | '), /Öffnungszeiten/);
    assert.ok(hours.json.sources.some((x) => /\/oeffnungszeiten\.html$/.test(x.url || '')), 'the page is cited by its URL');
    const pdf = await srv.chat(bot.id, 'Brauche ich im Studio ein Handtuch?');
    assert.equal(pdf.json.metadata.unanswered, false, pdf.text);
    assert.match(pdf.json.response, /Handtuch/);
    assert.ok(pdf.json.sources.some((x) => /hausordnung\.pdf$/.test(x.url || '') && x.page >= 1), 'a PDF linked from the site, cited with its page');
  });

  it('refuses private addresses unless allowed, and refreshes without losing answers', async () => {
    const strict = await startServer({ env: { BOTWERK_CRAWL_DELAY_MS: '0' } });
    const seen = site.requests().length;
    try {
      const k = (await strict.tenant('Streng')).api_key;
      const bot = await strict.createBot(k, { name: 'SSRF' });
      for (const url of [`${site.url}/`, 'http://169.254.169.254/latest/meta-data/', 'http://[::1]:9/']) {
        const r = await strict.post(`/api/v1/bots/${bot.id}/sources`, { kind: 'url', url }, k);
        assert.equal(r.status, 202, r.text);
        const s = await waitSource(strict, k, bot.id, r.json.id);
        assert.equal(s.status, 'failed', JSON.stringify(s));
        assert.match(s.error + JSON.stringify(s.progress.errors), /private|loopback|link-local/i);
      }
      assert.equal(site.requests().length, seen, 'not one request reached the private address');
    } finally {
      await strict.kill();
    }
    const bot = await srv.createBot(key, { name: 'Refresh' });
    const r = await srv.post(`/api/v1/bots/${bot.id}/sources`, { kind: 'url', url: `${site.url}/` }, key);
    const first = await waitSource(srv, key, bot.id, r.json.id);
    assert.equal(first.status, 'done');
    const again = await srv.post(`/api/v1/bots/${bot.id}/sources/${r.json.id}/refresh`, undefined, key);
    assert.equal(again.status, 202, again.text);
    assertError(await srv.post(`/api/v1/bots/${bot.id}/sources/${r.json.id}/refresh`, undefined, key), 409, 'conflict');
    // while it is read again, the chunks of the first run answer
    const during = await srv.chat(bot.id, 'Wann habt ihr am Freitag geöffnet?');
    assert.equal(during.json.metadata.unanswered, false);
    const second = await waitSource(srv, key, bot.id, r.json.id);
    assert.equal(second.status, 'done');
    assert.equal(second.chunks, first.chunks);
  });

  it('makes a draft bot from the website: company, hours, social links, team, with the page of each value', async () => {
    const r = await srv.post('/api/v1/bots/from-website', { url: `${site.url}/` }, key);
    assert.equal(r.status, 202, r.text);
    assert.equal(r.json.bot.active, false, 'a draft');
    const id = r.json.bot.id;
    let b;
    const deadline = Date.now() + 60000;
    do {
      await sleep(100);
      b = (await srv.get(`/api/v1/bots/${id}`, key)).json;
    } while (b.draft.status === 'reading' && Date.now() < deadline);
    assert.equal(b.draft.status, 'ready', JSON.stringify(b.draft));
    const c = b.company;
    assert.match(c.name, /Bewegungsraum Elbe/);
    assert.equal(b.name, c.name, 'the bot is named after the company');
    assert.ok(c.address.street && c.address.postcode && c.address.city, JSON.stringify(c.address));
    assert.match(c.address.postcode, /^\d{5}$/);
    assert.equal(c.address.city, 'Hamburg');
    assert.match(c.phone, /^\+49\d{6,}$/);
    assert.match(c.email, /@bewegungsraum-elbe\.de$/);
    assert.match(c.social.instagram, /instagram\.com\/bewegungsraum\.elbe/);
    for (const day of ['mon', 'tue', 'wed', 'thu', 'fri'])
      assert.ok(b.opening_hours.weekly[day].length > 0, `${day}: ${JSON.stringify(b.opening_hours.weekly)}`);
    for (const field of ['company.name', 'company.address.street', 'company.phone', 'company.email', 'opening_hours'])
      assert.match(b.draft.sources[field] || '', /^http:\/\/127\.0\.0\.1:\d+\//, `${field} records its page`);
    const persons = (await srv.get(`/api/v1/bots/${id}/contact-persons`, key)).json.items;
    assert.ok(persons.length >= 2, JSON.stringify(persons));
    assert.ok(persons.every((p) => p.name && p.position), JSON.stringify(persons));
    assert.ok(persons.some((p) => /\/media\/img_/.test(p.photo_url || '')), 'team photos fetched, checked and stored as the bot\'s images');
    // the draft answers from the site once activated
    const act = await srv.json('PUT', `/api/v1/bots/${id}/status`, { key, body: { active: true } });
    assert.equal(act.status, 200, act.text);
    const a = await srv.chat(id, 'Wie ist eure Telefonnummer?');
    assert.match(a.json.response, /38905521|38 90 55 21|389055/);
  });

  it('refuses a from-website call without a usable URL', async () => {
    assertError(await srv.post('/api/v1/bots/from-website', { url: 'ftp://example.de' }, key), 422, 'validation_failed', 'url');
    assertError(await srv.post('/api/v1/bots/from-website', {}, key), 422, 'validation_failed', 'url');
  });
});
