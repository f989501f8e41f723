// Self-test of the crawler's fixture website (tests/lib/fixture_site.mjs): node --test tests/lib/fixture_site.test.mjs
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFixtureSite, syntheticText } from './fixture_site.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CRAWL_ROOT = path.resolve(HERE, '../fixtures/crawl');

/** GET (or another method) without following redirects; resolves {status, headers, body: Buffer}. */
function get(url, { method = 'GET', headers = {}, rawPath } = {}) {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: rawPath || u.pathname + u.search, method, headers }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Reads `want` bytes of url's body, then destroys the connection. */
function getSome(url, want) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => {
      let n = 0;
      res.on('data', (d) => {
        n += d.length;
        if (n >= want) { req.destroy(); resolve({ status: res.statusCode, headers: res.headers, received: n }); }
      });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, received: n }));
    });
    req.on('error', (e) => { if (e.code !== 'ECONNRESET') reject(e); });
  });
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function until(pred, ms = 3000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (pred()) return true;
    await sleep(20);
  }
  return pred();
}

describe('fixture site with the crawl fixtures', () => {
  let site;
  before(async () => { site = await startFixtureSite({ root: CRAWL_ROOT, slowMs: 300, bigBytes: 16 << 20 }); });
  after(async () => { await site.close(); });

  it('serves static files, directories and extension-less paths; ignores the query', async () => {
    const home = await get(`${site.url}/`);
    assert.equal(home.status, 200);
    assert.match(home.headers['content-type'], /^text\/html/);
    assert.match(home.body.toString(), /Bäckerei Kornblume/);
    const team = await get(`${site.url}/team`);
    assert.equal(team.status, 200);
    assert.match(team.body.toString(), /Anna Korn/);
    const q = await get(`${site.url}/angebote?sortierung=preis`);
    assert.equal(q.status, 200);
    assert.match(q.body.toString(), /rel="canonical"/);
    const pdf = await get(`${site.url}/preisliste.pdf`);
    assert.equal(pdf.headers['content-type'], 'application/pdf');
    assert.equal(pdf.body.subarray(0, 5).toString(), '%PDF-');
    const head = await get(`${site.url}/team.html`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.equal((await get(`${site.url}/team.html`, { method: 'POST' })).status, 405);
  });

  it('never serves anything outside the root', async () => {
    for (const raw of ['/../lib/fixture_site.mjs', '/%2e%2e/lib/fixture_site.mjs', '/..%2f..%2fpackage.json', '/%ZZ']) {
      const r = await get(site.url, { rawPath: raw });
      assert.ok(r.status === 404 || r.status === 400, `${raw}: ${r.status}`);
      assert.doesNotMatch(r.body.toString(), /startFixtureSite/);
    }
  });

  it('robots.txt and the root\'s own sitemap with {{BASE}} replaced', async () => {
    const robots = await get(`${site.url}/robots.txt`);
    assert.equal(robots.status, 200);
    assert.match(robots.body.toString(), /^User-agent: \*\nDisallow: \/intern\/\n/);
    assert.match(robots.body.toString(), new RegExp(`Sitemap: ${site.url}/sitemap.xml`));
    const sm = (await get(`${site.url}/sitemap.xml`)).body.toString();
    assert.match(sm, new RegExp(`<loc>${site.url}/nur-in-sitemap.html</loc>`));
    assert.doesNotMatch(sm, /\{\{BASE\}\}/);
  });

  it('misbehaving routes: 404, redirect loop, binary, extern redirect', async () => {
    assert.equal((await get(`${site.url}/kaputt`)).status, 404);
    assert.equal((await get(`${site.url}/gibt-es-nicht.html`)).status, 404);
    const a = await get(`${site.url}/schleife-a`);
    assert.equal(a.status, 302);
    assert.equal(a.headers.location, '/schleife-b');
    const b = await get(`${site.url}/schleife-b`);
    assert.equal(b.headers.location, '/schleife-a');
    const png = await get(`${site.url}/logo.png`);
    assert.equal(png.headers['content-type'], 'image/png');
    assert.deepEqual([...png.body.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const ext = await get(`${site.url}/redirect-extern`);
    assert.equal(ext.status, 302);
    assert.equal(ext.headers.location, `http://localhost:${site.port}/extern/ziel`);
    const ziel = await get(`${site.url}/extern/ziel`);
    assert.match(ziel.body.toString(), /\/extern\/weiter/);
  });

  it('/gross streams without buffering and notices a client that gives up', async () => {
    site.reset();
    const r = await getSome(`${site.url}/gross`, 100000);
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-length'], String(16 << 20));
    assert.ok(await until(() => site.requests().some((e) => e.path === '/gross' && e.clientClosed)));
    const e = site.requests().find((x) => x.path === '/gross');
    assert.ok(e.bytes < 16 << 20, `sent ${e.bytes}`);
    const whole = await get(`${site.url}/gross`);
    assert.equal(whole.body.length, 16 << 20);
    assert.match(whole.body.subarray(0, 200).toString(), /^<!doctype html>/);
  });

  it('/datei is a streamed binary', async () => {
    const r = await getSome(`${site.url}/datei`, 1);
    assert.equal(r.headers['content-type'], 'application/octet-stream');
    assert.equal(r.headers['content-length'], String(64 << 20));
  });

  it('/langsam answers after slowMs, and forgets a client that left', async () => {
    const t0 = Date.now();
    const r = await get(`${site.url}/langsam`);
    assert.equal(r.status, 200);
    assert.ok(Date.now() - t0 >= 280);
    site.reset();
    const req = http.get(`${site.url}/langsam`);
    req.on('error', () => {});
    await sleep(50);
    req.destroy();
    assert.ok(await until(() => site.requests().some((e) => e.path === '/langsam' && e.clientClosed)));
  });

  it('logs method, path, host, user agent and time', async () => {
    site.reset();
    await get(`${site.url}/team.html`, { headers: { 'User-Agent': 'botwerk/1.0 (+test)' } });
    const log = site.requests();
    assert.equal(log.length, 1);
    assert.equal(log[0].method, 'GET');
    assert.equal(log[0].path, '/team.html');
    assert.equal(log[0].host, `127.0.0.1:${site.port}`);
    assert.equal(log[0].userAgent, 'botwerk/1.0 (+test)');
    assert.ok(Math.abs(log[0].time - Date.now()) < 5000);
    assert.ok(await until(() => site.requests()[0].status === 200));
  });
});

describe('generated robots.txt and sitemap, synthetic pages', () => {
  let dir, site;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fixture-site-'));
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Start</title><p>Start</p>');
    fs.writeFileSync(path.join(dir, 'team.html'), '<!doctype html><title>Team</title><p>Team</p>');
    fs.mkdirSync(path.join(dir, 'intern'));
    fs.writeFileSync(path.join(dir, 'intern', 'index.html'), '<!doctype html><p>Intern</p>');
    fs.writeFileSync(path.join(dir, 'logo.png'), 'not listed');
    site = await startFixtureSite({ root: dir, pages: 20, crawlDelay: 0.5 });
  });
  after(async () => {
    await site.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('robots.txt with a Crawl-delay', async () => {
    const t = (await get(`${site.url}/robots.txt`)).body.toString();
    assert.match(t, /Disallow: \/intern\/\nCrawl-delay: 0.5\n/);
  });

  it('sitemap.xml lists the .html files and the synthetic pages', async () => {
    const sm = (await get(`${site.url}/sitemap.xml`)).body.toString();
    const locs = [...sm.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1].slice(site.url.length));
    assert.deepEqual(locs.slice(0, 3), ['/', '/intern/', '/team.html']);
    assert.equal(locs.length, 3 + 20);
    assert.equal(locs[3], '/p/1');
    assert.equal(locs.at(-1), '/p/20');
  });

  it('synthetic pages form a tree reachable from /p/1, each with its own text', async () => {
    const seen = new Set(['/p/1']);
    const queue = ['/p/1'];
    while (queue.length) {
      const p = queue.shift();
      const r = await get(site.url + p);
      assert.equal(r.status, 200, p);
      for (const m of r.body.toString().matchAll(/href="(\/p\/\d+)"/g)) {
        if (!seen.has(m[1])) { seen.add(m[1]); queue.push(m[1]); }
      }
    }
    assert.equal(seen.size, 20);
    assert.equal((await get(`${site.url}/p/21`)).status, 404);
    assert.equal((await get(`${site.url}/p/0`)).status, 404);
    const texts = new Set();
    for (let i = 1; i <= 500; i++) texts.add(syntheticText(i).join('\n'));
    assert.equal(texts.size, 500);
    const one = (await get(`${site.url}/p/3`)).body.toString();
    assert.ok(one.includes(syntheticText(3)[0]));
  });

  it('a root index wins over the synthetic one; no root gives the synthetic one', async () => {
    assert.match((await get(`${site.url}/`)).body.toString(), /<p>Start<\/p>/);
    const bare = await startFixtureSite({ root: null, pages: 3 });
    try {
      assert.match((await get(`${bare.url}/`)).body.toString(), /href="\/p\/1"/);
      assert.equal((await get(`${bare.url}/team.html`)).status, 404);
    } finally {
      await bare.close();
    }
  });
});

describe('options', () => {
  it('delayMs holds every answer back', async () => {
    const site = await startFixtureSite({ root: CRAWL_ROOT, delayMs: 150 });
    try {
      const t0 = Date.now();
      await get(`${site.url}/robots.txt`);
      assert.ok(Date.now() - t0 >= 140);
    } finally {
      await site.close();
    }
  });

  it('robotsStatus answers robots.txt with that status', async () => {
    const site = await startFixtureSite({ root: CRAWL_ROOT, robotsStatus: 503 });
    try {
      assert.equal((await get(`${site.url}/robots.txt`)).status, 503);
    } finally {
      await site.close();
    }
  });

  it('command line: prints its URL, appends the log as JSON lines, ends on SIGTERM', async () => {
    const logFile = path.join(os.tmpdir(), `fixture-site-${process.pid}.jsonl`);
    fs.rmSync(logFile, { force: true });
    const child = spawn(process.execPath, [path.join(HERE, 'fixture_site.mjs'), '--root', CRAWL_ROOT, '--port', '0', '--log', logFile],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const url = await new Promise((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
          const m = /fixture-site listening on (http:\/\/\S+)\n/.exec(out);
          if (m) resolve(m[1]);
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      assert.equal((await get(`${url}/kontakt.html`, { headers: { 'User-Agent': 'botwerk/1.0' } })).status, 200);
      assert.ok(await until(() => fs.existsSync(logFile) && fs.readFileSync(logFile, 'utf8').includes('"ev":"end"')));
      const lines = fs.readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      assert.equal(lines[0].ev, 'req');
      assert.equal(lines[0].path, '/kontakt.html');
      assert.equal(lines[0].userAgent, 'botwerk/1.0');
      assert.equal(lines[1].ev, 'end');
      assert.equal(lines[1].status, 200);
      assert.equal(lines[1].clientClosed, false);
    } finally {
      const done = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      assert.equal(await done, 0);
      fs.rmSync(logFile, { force: true });
    }
  });
});
