#!/usr/bin/env node
// bench/widget.mjs — how heavy and how fast the chat widget is, against an already running botwerk.
//
//   node bench/widget.mjs BASE_URL BOT_ID        e.g. node bench/widget.mjs http://127.0.0.1:8080 bot_…
//
// Prints a markdown table:
//   (a) bytes of GET /widget.js as served with Accept-Encoding: gzip (the body on the wire), and of
//       `gzip -9` of web/widget.js (and its raw size);
//   (b) time from script load to the widget's performance mark `botwerk:interactive` in Chromium, on a host page
//       on another loopback origin with the widget in bubble mode: median and p95 over fresh page loads (new
//       browser context each: empty cache, new renderer), measured "after script start" (the widget's own
//       `botwerk:script-start` mark) and "after script response end" (resource timing of widget.js).
//
// Environment: BENCH_WIDGET_RUNS (default 20), BOTWERK_CHROMIUM (default /usr/lib/chromium/chromium).
// Progress goes to stderr, the table to stdout. Needs `npm ci` (playwright-core) and Debian's chromium.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { launchBrowser, newPage, startHost, hostPage } from '../tests/browser/lib.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_WIDGET_RUNS || 20);

function usage(msg) {
  if (msg) console.error(`bench/widget.mjs: ${msg}`);
  console.error('usage: node bench/widget.mjs BASE_URL BOT_ID   (botwerk must be running at BASE_URL)');
  process.exit(2);
}

/** GET with the given headers, body as raw bytes (no decompression): {status, headers, body}. */
function rawGet(url, headers) {
  const u = new URL(url);
  const mod = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.get(u, { headers, agent: false, timeout: 10000 }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: GET ${url}`)));
    req.on('error', reject);
  });
}

/** Bytes of `gzip -9 -n` of a file (the gzip program when there is one, else zlib at level 9). */
function gzip9(file) {
  const r = spawnSync('gzip', ['-9', '-n', '-c', file], { maxBuffer: 64 << 20 });
  if (r.status === 0) return { bytes: r.stdout.length, how: 'gzip -9' };
  return { bytes: zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length, how: 'zlib level 9 (no gzip program)' };
}

function quantile(sorted, q) {
  // nearest rank: the smallest value with at least q of the samples at or below it
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

const fmtBytes = (n) => `${n.toLocaleString('en-US')} B (${(n / 1024).toFixed(1)} KiB)`;
const fmtMs = (n) => `${n.toFixed(1)} ms`;

async function main() {
  const [base, botId] = process.argv.slice(2);
  if (!base || !botId) usage();
  let BASE;
  try {
    BASE = new URL(base).origin;
  } catch {
    usage(`not a URL: ${base}`);
  }
  if (!(RUNS >= 1)) usage(`BENCH_WIDGET_RUNS must be a positive number, not ${process.env.BENCH_WIDGET_RUNS}`);

  // (a) sizes
  console.error(`== sizes: GET ${BASE}/widget.js`);
  const gz = await rawGet(`${BASE}/widget.js`, { 'Accept-Encoding': 'gzip' });
  if (gz.status !== 200) throw new Error(`GET /widget.js (gzip): HTTP ${gz.status}`);
  const encoding = gz.headers['content-encoding'] || 'identity';
  const plain = await rawGet(`${BASE}/widget.js`, {});
  if (plain.status !== 200) throw new Error(`GET /widget.js: HTTP ${plain.status}`);
  const src = path.join(ROOT, 'web', 'widget.js');
  const local = fs.existsSync(src) ? { raw: fs.statSync(src).size, ...gzip9(src) } : null;
  if (local && local.raw !== plain.body.length) {
    console.error(`note: the server's widget.js (${plain.body.length} B) differs from web/widget.js (${local.raw} B): rebuild (make) to compare like with like`);
  }

  // (b) time to interactive
  const cfg = await rawGet(`${BASE}/api/v1/public/bot/${encodeURIComponent(botId)}/config`, {});
  if (cfg.status !== 200) console.error(`warning: GET …/config for ${botId} answered ${cfg.status}; the widget still marks itself interactive, timing goes on`);
  const host = await startHost();
  const browser = await launchBrowser();
  const samples = [];
  try {
    const url = host.page('/bench.html', hostPage({ botwerk: BASE, attrs: { 'data-bot-id': botId, 'data-mode': 'bubble' }, title: 'Widget-Benchmark' }));
    console.error(`== ${RUNS} fresh page loads in Chromium ${browser.version()} (host page ${host.origin}, botwerk ${BASE}), plus 1 warm-up`);
    for (let i = 0; i <= RUNS; i++) {
      const { context, page } = await newPage(browser, { probe: false });
      try {
        await page.goto(url, { waitUntil: 'load' });
        await page.waitForFunction(() => performance.getEntriesByName('botwerk:interactive').length > 0, null, { timeout: 15000 });
        const m = await page.evaluate(() => {
          const get = (n) => performance.getEntriesByName(n)[0];
          const res = performance.getEntriesByType('resource').find((e) => /\/widget\.js(\?|$)/.test(e.name));
          return {
            interactive: get('botwerk:interactive').startTime,
            scriptStart: get('botwerk:script-start')?.startTime,
            responseEnd: res ? res.responseEnd : null,
            fetchStart: res ? res.startTime : null,
            transfer: res ? res.transferSize : null,
          };
        });
        if (m.scriptStart == null || m.responseEnd == null) throw new Error(`missing timing entries: ${JSON.stringify(m)}`);
        if (i > 0) samples.push(m);
        process.stderr.write(i === 0 ? 'warm-up ' : '.');
      } finally {
        await context.close();
      }
    }
    process.stderr.write('\n');
  } finally {
    await browser.close();
    await host.close();
  }

  const stats = (f) => {
    const v = samples.map(f).sort((a, b) => a - b);
    return { median: quantile(v, 0.5), p95: quantile(v, 0.95), min: v[0], max: v[v.length - 1] };
  };
  const afterStart = stats((m) => m.interactive - m.scriptStart);
  const afterResponse = stats((m) => m.interactive - m.responseEnd);
  const fromNav = stats((m) => m.interactive);
  const download = stats((m) => m.responseEnd - m.fetchStart);

  const out = [];
  out.push(`### widget.js (${BASE})`, '');
  out.push('| | bytes |', '|---|---:|');
  out.push(`| GET /widget.js, Accept-Encoding: gzip (body as served, Content-Encoding: ${encoding}) | ${fmtBytes(gz.body.length)} |`);
  out.push(`| GET /widget.js, no Accept-Encoding | ${fmtBytes(plain.body.length)} |`);
  if (local) {
    out.push(`| web/widget.js, ${local.how} | ${fmtBytes(local.bytes)} |`);
    out.push(`| web/widget.js, raw | ${fmtBytes(local.raw)} |`);
  } else {
    out.push('| web/widget.js | (not found) |');
  }
  out.push('');
  out.push(`### time to \`botwerk:interactive\` (Chromium ${(await chromiumVersion()) || ''}, bubble mode, ${samples.length} fresh page loads)`, '');
  out.push('| measured from | median | p95 | min | max |', '|---|---:|---:|---:|---:|');
  out.push(`| script start (\`botwerk:script-start\` mark) | ${fmtMs(afterStart.median)} | ${fmtMs(afterStart.p95)} | ${fmtMs(afterStart.min)} | ${fmtMs(afterStart.max)} |`);
  out.push(`| script response end (resource timing of widget.js) | ${fmtMs(afterResponse.median)} | ${fmtMs(afterResponse.p95)} | ${fmtMs(afterResponse.min)} | ${fmtMs(afterResponse.max)} |`);
  out.push(`| navigation start (for context) | ${fmtMs(fromNav.median)} | ${fmtMs(fromNav.p95)} | ${fmtMs(fromNav.min)} | ${fmtMs(fromNav.max)} |`);
  out.push(`| (widget.js fetch: start → response end) | ${fmtMs(download.median)} | ${fmtMs(download.p95)} | ${fmtMs(download.min)} | ${fmtMs(download.max)} |`);
  console.log(out.join('\n'));
}

let version;
async function chromiumVersion() {
  if (version !== undefined) return version;
  const r = spawnSync(process.env.BOTWERK_CHROMIUM || '/usr/lib/chromium/chromium', ['--version'], { encoding: 'utf8' });
  version = r.status === 0 ? (r.stdout.match(/[\d.]+/) || [''])[0] : '';
  return version;
}

main().catch((e) => {
  console.error(`bench/widget.mjs: ${e.stack || e.message}`);
  process.exit(1);
});
