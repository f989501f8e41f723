// tests/lib/fixture_site.mjs — a local website for the crawler's tests and benchmark: static files from a
// directory plus routes that misbehave on purpose, and a log of every request it got. Node built-ins only.
//
//   import { startFixtureSite } from '../lib/fixture_site.mjs';
//   const site = await startFixtureSite({ root: 'tests/fixtures/crawl' });   // 127.0.0.1, free port
//   ... crawl site.url ...
//   site.requests()   // [{ id, method, path, host, userAgent, time, status, bytes, clientClosed }]
//   await site.close();
//
//   node tests/lib/fixture_site.mjs [--root DIR | --no-root] [--port 0] [--host 127.0.0.1] [--pages N]
//        [--delay-ms N] [--image-delay-ms N] [--slow-ms N] [--big-bytes N] [--robots-status N]
//        [--crawl-delay S] [--log FILE] [--watch-stdin]
//   (prints "fixture-site listening on http://HOST:PORT"; SIGTERM/SIGINT end it, and with --watch-stdin
//   so does the end of its standard input, so that a test that dies takes the server with it. With --log, every request
//   is appended to FILE as JSON lines: {"ev":"req",id,method,path,host,userAgent,time} when it arrives and
//   {"ev":"end",id,path,status,bytes,clientClosed} when its answer is done or the client gave up.)
//
// Options (all optional):
//   root          directory served as the site (default tests/fixtures/site/); null: none
//   host, port    where to listen (127.0.0.1, 0 = a free port)
//   pages         N synthetic pages /p/1 … /p/N (distinct German text; a tree: /p/k links its children
//                 /p/8k-6 … /p/8k+1, its parent and /p/k+1); "/" then links /p/1 unless root has an index
//   delayMs       wait this long before answering any request
//   imageDelayMs  wait this long before answering a request under /img/ (a slow image host)
//   slowMs        how long /langsam waits (20000)
//   bigBytes      size of /gross (30 MB)
//   robotsStatus  answer /robots.txt with this status instead (e.g. 503)
//   crawlDelay    add "Crawl-delay: S" to the generated robots.txt
//   externUrl     where /redirect-extern points (default http://localhost:PORT/extern/ziel: the same server
//                 under another host name, so the log shows whether a client went there)
//   logFile       append the JSON lines described above
//
// Routes, before static files:
//   /robots.txt        root's own robots.txt, else "User-agent: *", "Disallow: /intern/", "Sitemap: …/sitemap.xml"
//                      ({{BASE}} in root's own robots.txt and sitemap.xml becomes http://HOST:PORT)
//   /sitemap.xml       root's own sitemap.xml, else one listing every .html file under root (index.html as its
//                      directory) and the synthetic pages
//   /kaputt            404
//   /schleife-a, /schleife-b   302 to each other, forever
//   /gross             200 text/html of bigBytes, streamed in 64 KiB pieces as the client reads (never buffered)
//   /langsam           a page after slowMs, unless the client gives up first
//   /logo.png          a small PNG image
//   /datei             64 MiB of application/octet-stream, streamed (a client should stop after the headers;
//                      more than loopback socket buffers hold, so a client that stops is seen to stop)
//   /redirect-extern   302 to externUrl
//   /extern/ziel       a page linking /extern/weiter (only reached by following /redirect-extern)
// Static files: "/x" is root/x, a directory gives its index.html, "/x" without an extension also tries
// root/x.html; the query is ignored; nothing outside root is served. HEAD works everywhere.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { deflateSync } from 'node:zlib';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DEFAULT_ROOT = path.resolve(HERE, '../fixtures/site');

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.htm': 'text/html; charset=utf-8', '.xml': 'application/xml',
  '.txt': 'text/plain; charset=utf-8', '.pdf': 'application/pdf', '.png': 'image/png', '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.svg': 'image/svg+xml', '.css': 'text/css', '.js': 'text/javascript',
  '.json': 'application/json', '.ico': 'image/x-icon', '.webp': 'image/webp',
};

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function escapeXml(s) {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// ---- a tiny PNG, built here ------------------------------------------------------------------------

function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function pngChunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** A 16×16 orange square as PNG. */
export function tinyPng() {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(16, 0);
  ihdr.writeUInt32BE(16, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  const rows = Buffer.alloc(16 * (1 + 16 * 3));
  for (let y = 0; y < 16; y++) {
    const o = y * 49;
    rows[o] = 0;
    for (let x = 0; x < 16; x++) rows.set([0xf0, 0x8a, 0x24], o + 1 + x * 3);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(rows)), pngChunk('IEND', Buffer.alloc(0))]);
}

// ---- synthetic pages -------------------------------------------------------------------------------

const WORDS = {
  subj: ['Unsere Bäckerei', 'Das Team', 'Die Werkstatt', 'Unser Meisterbetrieb', 'Die Praxis', 'Das Studio',
    'Unsere Filiale', 'Der Hofladen', 'Die Kanzlei', 'Das Café', 'Unser Friseursalon', 'Die Gärtnerei'],
  verb: ['bietet', 'empfiehlt', 'verkauft', 'repariert', 'plant', 'liefert', 'berät zu', 'gestaltet',
    'organisiert', 'prüft', 'pflegt', 'erklärt'],
  obj: ['frische Brötchen', 'Vollkornbrot', 'Winterreifen', 'Einbauküchen', 'Zahnreinigungen', 'Yogakurse',
    'Hochzeitstorten', 'Steuererklärungen', 'Gartenpflege', 'Fahrradinspektionen', 'Haarschnitte',
    'Heizungswartung', 'Maßanzüge', 'Blumensträuße', 'Physiotherapie', 'Fliesenarbeiten'],
  when: ['montags bis freitags', 'am Wochenende', 'nach Vereinbarung', 'jeden Morgen ab sieben Uhr',
    'in den Schulferien', 'auch an Feiertagen', 'zweimal im Monat', 'rund um die Uhr'],
  where: ['in der Hauptstraße', 'am Marktplatz', 'im Gewerbegebiet Süd', 'in der Altstadt', 'am Bahnhof',
    'im Ortsteil Nord', 'an der Mühlenstraße', 'im Einkaufszentrum'],
};

/** A deterministic pseudo-random generator (xorshift32). */
function rng(seed) {
  let x = (seed * 2654435761) >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x / 4294967296;
  };
}

function pick(r, list) {
  return list[Math.floor(r() * list.length)];
}

/** The text of synthetic page n: three paragraphs of sentences, different for every n. */
export function syntheticText(n) {
  const r = rng(n);
  const paras = [];
  for (let p = 0; p < 3; p++) {
    const s = [];
    for (let i = 0; i < 5; i++)
      s.push(`${pick(r, WORDS.subj)} ${pick(r, WORDS.verb)} ${pick(r, WORDS.obj)} ${pick(r, WORDS.when)} ${pick(r, WORDS.where)}.`);
    s.push(`Angebot Nummer ${n}-${p + 1} gilt für ${Math.floor(r() * 90) + 10} Kundinnen und Kunden.`);
    paras.push(s.join(' '));
  }
  return paras;
}

function syntheticPage(n, pages) {
  const links = [];
  for (let k = 8 * n - 6; k <= 8 * n + 1 && k <= pages; k++) links.push(`<li><a href="/p/${k}">Seite ${k}</a></li>`);
  const nav = [`<a href="/">Start</a>`];
  if (n > 1) nav.push(`<a href="/p/${Math.floor((n + 6) / 8)}">Übergeordnet</a>`);
  if (n < pages) nav.push(`<a href="/p/${n + 1}">Weiter</a>`);
  const text = syntheticText(n).map((t) => `<p>${t}</p>`).join('\n');
  return `<!doctype html>\n<html lang="de"><head><meta charset="utf-8"><title>Seite ${n} – Musterbetrieb</title></head>
<body><nav>${nav.join(' | ')}</nav>
<main><h1>Seite ${n}</h1>
${text}
<ul>${links.join('')}</ul></main></body></html>\n`;
}

function syntheticIndex() {
  return `<!doctype html>\n<html lang="de"><head><meta charset="utf-8"><title>Musterbetrieb</title></head>
<body><main><h1>Willkommen beim Musterbetrieb</h1><p>Alle unsere Seiten beginnen hier.</p>
<p><a href="/p/1">Zur ersten Seite</a></p></main></body></html>\n`;
}

// ---- the server --------------------------------------------------------------------------------------

/** Every .html file under dir, as URL paths ("/", "/team.html", "/intern/"), sorted. */
function htmlPaths(dir) {
  const out = [];
  const walk = (d, prefix) => {
    let entries;
    try { entries = fs.readdirSync(d, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      if (e.isDirectory()) walk(path.join(d, e.name), `${prefix}${e.name}/`);
      else if (e.isFile() && e.name.endsWith('.html')) out.push(e.name === 'index.html' ? prefix : prefix + e.name);
    }
  };
  walk(dir, '/');
  return out.sort();
}

/**
 * Starts the site. Returns { url, port, host, requests(), reset(), close() }.
 */
export async function startFixtureSite(opts = {}) {
  const cfg = {
    root: opts.root === undefined ? DEFAULT_ROOT : opts.root === null ? null : path.resolve(opts.root),
    host: opts.host || '127.0.0.1',
    port: opts.port || 0,
    pages: opts.pages || 0,
    delayMs: opts.delayMs || 0,
    imageDelayMs: opts.imageDelayMs || 0,
    slowMs: opts.slowMs ?? 20000,
    bigBytes: opts.bigBytes ?? 30 * 1000 * 1000,
    robotsStatus: opts.robotsStatus || 0,
    crawlDelay: opts.crawlDelay,
    externUrl: opts.externUrl,
    logFile: opts.logFile,
  };
  const log = [];
  let nextId = 1;
  const sockets = new Set();
  const timers = new Set();
  const png = tinyPng();
  let base = '';

  function fileIn(rel) {
    if (!cfg.root) return null;
    const full = path.resolve(cfg.root, '.' + rel);
    if (full !== cfg.root && !full.startsWith(cfg.root + path.sep)) return null;
    try {
      const st = fs.statSync(full);
      if (st.isDirectory()) {
        const idx = path.join(full, 'index.html');
        return fs.statSync(idx).isFile() ? idx : null;
      }
      if (st.isFile()) return full;
    } catch { /* try below */ }
    if (!path.extname(full)) {
      try { if (fs.statSync(full + '.html').isFile()) return full + '.html'; } catch { /* none */ }
    }
    return null;
  }

  function writeLog(obj) {
    if (cfg.logFile) fs.appendFileSync(cfg.logFile, JSON.stringify(obj) + '\n');
  }

  function send(req, res, status, type, body, headers = {}) {
    const buf = Buffer.isBuffer(body) ? body : Buffer.from(body);
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': buf.length, ...headers });
    res.end(req.method === 'HEAD' ? undefined : buf);
  }

  function notFound(req, res) {
    send(req, res, 404, 'text/html; charset=utf-8',
      '<!doctype html><html lang="de"><head><title>Nicht gefunden</title></head><body><h1>404</h1><p>Diese Seite gibt es nicht.</p></body></html>');
  }

  // Root's own robots.txt and sitemap.xml may say {{BASE}} for this server's address.
  function withBase(text) {
    return text.split('{{BASE}}').join(base);
  }

  function robots() {
    const own = fileIn('/robots.txt');
    if (own) return withBase(fs.readFileSync(own, 'utf8'));
    let t = 'User-agent: *\nDisallow: /intern/\n';
    if (cfg.crawlDelay !== undefined) t += `Crawl-delay: ${cfg.crawlDelay}\n`;
    return `${t}\nSitemap: ${base}/sitemap.xml\n`;
  }

  function sitemap() {
    const own = fileIn('/sitemap.xml');
    if (own) return withBase(fs.readFileSync(own, 'utf8'));
    const paths = cfg.root ? htmlPaths(cfg.root) : [];
    if (cfg.pages) {
      if (!paths.includes('/')) paths.unshift('/');
      for (let i = 1; i <= cfg.pages; i++) paths.push(`/p/${i}`);
    }
    const urls = paths.map((p) => `  <url><loc>${escapeXml(base + encodeURI(p))}</loc></url>`).join('\n');
    return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${urls}\n</urlset>\n`;
  }

  // Writes `total` bytes made by piece(i) as the client reads them; stops when it goes away.
  async function stream(req, res, type, total, piece) {
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': total });
    if (req.method === 'HEAD') return res.end();
    let sent = 0;
    for (let i = 0; sent < total; i++) {
      if (res.destroyed || res.writableEnded) return;
      let chunk = piece(i);
      if (chunk.length > total - sent) chunk = chunk.subarray(0, total - sent);
      sent += chunk.length;
      if (!res.write(chunk)) {
        await new Promise((resolve) => {
          const done = () => { res.off('drain', done); res.off('close', done); resolve(); };
          res.on('drain', done);
          res.on('close', done);
        });
      }
    }
    res.end();
  }

  function bigPiece(i) {
    const para = `<p>Absatz ${i}: Diese Seite ist absichtlich sehr groß, damit ein Crawler zeigt, dass er sie nicht ganz liest. </p>\n`;
    const head = i === 0 ? '<!doctype html><html lang="de"><head><title>Groß</title></head><body>\n' : '';
    return Buffer.from(head + para.repeat(Math.ceil(65536 / para.length)));
  }

  async function route(req, res, p) {
    switch (p) {
      case '/robots.txt':
        if (cfg.robotsStatus) return send(req, res, cfg.robotsStatus, 'text/plain', `status ${cfg.robotsStatus}\n`);
        return send(req, res, 200, 'text/plain; charset=utf-8', robots());
      case '/sitemap.xml':
        return send(req, res, 200, 'application/xml', sitemap());
      case '/kaputt':
        return notFound(req, res);
      case '/schleife-a':
        return send(req, res, 302, 'text/plain', 'weiter\n', { Location: '/schleife-b' });
      case '/schleife-b':
        return send(req, res, 302, 'text/plain', 'zurück\n', { Location: '/schleife-a' });
      case '/gross':
        return stream(req, res, 'text/html; charset=utf-8', cfg.bigBytes, bigPiece);
      case '/langsam': {
        await new Promise((resolve) => {
          const t = setTimeout(resolve, cfg.slowMs);
          timers.add(t);
          res.once('close', () => { clearTimeout(t); resolve(); });
        });
        if (res.destroyed) return;
        return send(req, res, 200, 'text/html; charset=utf-8',
          '<!doctype html><html lang="de"><head><title>Langsam</title></head><body><p>Endlich da.</p></body></html>');
      }
      case '/logo.png':
        return send(req, res, 200, 'image/png', png);
      case '/datei':
        return stream(req, res, 'application/octet-stream', 64 << 20, (i) => Buffer.alloc(65536, i & 0xff));
      case '/redirect-extern':
        return send(req, res, 302, 'text/plain', 'extern\n', { Location: cfg.externUrl || `http://localhost:${server.address().port}/extern/ziel` });
      case '/extern/ziel':
        return send(req, res, 200, 'text/html; charset=utf-8',
          '<!doctype html><html lang="de"><head><title>Fremde Seite</title></head><body><main><h1>Eine fremde Website</h1>' +
          '<p>Diese Seite gehört nicht zur gecrawlten Website.</p><a href="/extern/weiter">Weiter</a></main></body></html>');
      case '/extern/weiter':
        return send(req, res, 200, 'text/html; charset=utf-8', '<!doctype html><html><body><p>Noch fremder.</p></body></html>');
      default:
        break;
    }
    const m = /^\/p\/(\d+)$/.exec(p);
    if (cfg.pages && m && +m[1] >= 1 && +m[1] <= cfg.pages)
      return send(req, res, 200, 'text/html; charset=utf-8', syntheticPage(+m[1], cfg.pages));
    const file = fileIn(p);
    if (file) return send(req, res, 200, TYPES[path.extname(file).toLowerCase()] || 'application/octet-stream', fs.readFileSync(file));
    if (p === '/' && cfg.pages) return send(req, res, 200, 'text/html; charset=utf-8', syntheticIndex());
    return notFound(req, res);
  }

  async function handle(req, res) {
    const entry = {
      id: nextId++, method: req.method, path: req.url, host: req.headers.host || '',
      userAgent: req.headers['user-agent'] || '', time: Date.now(), status: 0, bytes: 0, clientClosed: false,
    };
    log.push(entry);
    writeLog({ ev: 'req', id: entry.id, method: entry.method, path: entry.path, host: entry.host, userAgent: entry.userAgent, time: entry.time });
    const sock = req.socket;
    const before = sock.bytesWritten;
    res.on('close', () => {
      entry.status = res.statusCode;
      entry.bytes = sock.bytesWritten - before;
      entry.clientClosed = !res.writableFinished;
      writeLog({ ev: 'end', id: entry.id, path: entry.path, status: entry.status, bytes: entry.bytes, clientClosed: entry.clientClosed });
    });
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(req, res, 405, 'text/plain', 'nur GET\n', { Allow: 'GET, HEAD' });
    if (cfg.delayMs) await sleep(cfg.delayMs);
    let p;
    try {
      p = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      return send(req, res, 400, 'text/plain', 'bad path\n');
    }
    if (cfg.imageDelayMs && p.startsWith('/img/')) await sleep(cfg.imageDelayMs);
    try {
      await route(req, res, p);
    } catch (e) {
      if (!res.headersSent) send(req, res, 500, 'text/plain', `error: ${e.message}\n`);
      else res.destroy();
    }
  }

  const server = http.createServer((req, res) => { handle(req, res); });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(cfg.port, cfg.host, resolve);
  });
  const port = server.address().port;
  const hostPart = cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host;
  base = `http://${hostPart}:${port}`;

  return {
    url: base,
    port,
    host: cfg.host,
    requests() { return log.map((e) => ({ ...e })); },
    reset() { log.length = 0; },
    close() {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

// ---- command line ----------------------------------------------------------------------------------

function parseArgs(argv) {
  const o = {};
  const num = (k, v) => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n)) throw new Error(`${k} needs a number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i], v = argv[i + 1];
    switch (k) {
      case '--root': o.root = v; i++; break;
      case '--no-root': o.root = null; break;
      case '--host': o.host = v; i++; break;
      case '--port': o.port = num(k, v); i++; break;
      case '--pages': o.pages = num(k, v); i++; break;
      case '--delay-ms': o.delayMs = num(k, v); i++; break;
      case '--image-delay-ms': o.imageDelayMs = num(k, v); i++; break;
      case '--slow-ms': o.slowMs = num(k, v); i++; break;
      case '--big-bytes': o.bigBytes = num(k, v); i++; break;
      case '--robots-status': o.robotsStatus = num(k, v); i++; break;
      case '--crawl-delay': o.crawlDelay = num(k, v); i++; break;
      case '--extern-url': o.externUrl = v; i++; break;
      case '--log': o.logFile = v; i++; break;
      case '--watch-stdin': o.watchStdin = true; break;
      default: throw new Error(`unknown option ${k}`);
    }
  }
  return o;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let opts;
  try { opts = parseArgs(process.argv.slice(2)); } catch (e) {
    process.stderr.write(`fixture_site: ${e.message}\n`);
    process.exit(2);
  }
  const site = await startFixtureSite(opts);
  process.stdout.write(`fixture-site listening on ${site.url}\n`);
  const stop = () => site.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (opts.watchStdin) {
    process.stdin.on('end', stop);
    process.stdin.on('error', stop);
    process.stdin.resume();
  }
}
