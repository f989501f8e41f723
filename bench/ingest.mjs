#!/usr/bin/env node
// bench/ingest.mjs [--pdf-pages N] [--site-pages N]
//
// Ingestion throughput, end to end through the API: botwerk (build/botwerk, or BENCH_BIN) on a fresh SQLite
// database; a PDF of N pages (tests/fixtures/pdf/make_pdfs.mjs) uploaded as a pdf source, and a local site
// of N synthetic pages (tests/lib/fixture_site.mjs, no politeness delay) added as a url source. Each is
// timed from the POST until the source reports "done" (fetching, text extraction, chunking, indexing and
// the one transaction that stores the chunks); pages/s and the server's peak resident memory (VmHWM) are
// printed as a markdown table. The PDF run also reports pdftotext's own time.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startFixtureSite } from '../tests/lib/fixture_site.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const PDF_PAGES = arg('pdf-pages', 200);
const SITE_PAGES = arg('site-pages', 500);
const BIN = path.resolve(ROOT, process.env.BENCH_BIN || 'build/botwerk');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function vm(pid, key) {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function main() {
  const work = mkdtempSync(path.join(tmpdir(), 'botwerk-ingest-bench-'));
  execFileSync('node', [path.join(ROOT, 'tests/fixtures/pdf/make_pdfs.mjs'), work, String(PDF_PAGES)]);
  const site = await startFixtureSite({ root: null, pages: SITE_PAGES });
  const port = await new Promise((resolve) => {
    import('node:net').then((net) => {
      const s = net.createServer();
      s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
    });
  });
  const base = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    BOTWERK_DB: path.join(work, 'bench.db'),
    BOTWERK_LISTEN: `127.0.0.1:${port}`,
    BOTWERK_MASTER_KEY: randomBytes(32).toString('hex'),
    BOTWERK_ACCESS_LOG: '0',
    BOTWERK_CRAWL_ALLOW_PRIVATE: '1',
    BOTWERK_CRAWL_DELAY_MS: '0',
    BOTWERK_CRAWL_MAX_PAGES: String(SITE_PAGES + 10),
  };
  const srv = spawn(BIN, ['serve'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    for (let i = 0; i < 150; i++) {
      try { if ((await fetch(`${base}/ready`)).status === 200) break; } catch {}
      await sleep(100);
    }
    const key = JSON.parse(execFileSync(BIN, ['tenant', 'create', 'Bench'], { env }).toString()).api_key;
    const auth = { Authorization: `Bearer ${key}` };
    const bot = await (await fetch(`${base}/api/v1/bots`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'Bench' }) })).json();
    const rss0 = vm(srv.pid, 'VmRSS');
    async function until(sid) {
      for (;;) {
        const s = await (await fetch(`${base}/api/v1/bots/${bot.id}/sources/${sid}`, { headers: auth })).json();
        if (!['queued', 'running'].includes(s.status)) return s;
        await sleep(20);
      }
    }
    const rows = [];
    // the PDF
    const form = new FormData();
    form.append('kind', 'pdf');
    form.append('file', new Blob([readFileSync(path.join(work, 'big.pdf'))], { type: 'application/pdf' }), 'big.pdf');
    let t0 = performance.now();
    const p = await (await fetch(`${base}/api/v1/bots/${bot.id}/sources`, { method: 'POST', headers: auth, body: form })).json();
    const ps = await until(p.id);
    let secs = (performance.now() - t0) / 1000;
    rows.push([`PDF, ${PDF_PAGES} pages (upload → done)`, ps.status, ps.progress.pages_done, ps.chunks, secs, ps.progress.pages_done / secs]);
    // the site
    t0 = performance.now();
    const u = await (await fetch(`${base}/api/v1/bots/${bot.id}/sources`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ kind: 'url', url: `${site.url}/` }) })).json();
    const us = await until(u.id);
    secs = (performance.now() - t0) / 1000;
    rows.push([`local site, ${SITE_PAGES} pages (POST → done)`, us.status, us.progress.pages_done, us.chunks, secs, us.progress.pages_done / secs]);
    const hwm = vm(srv.pid, 'VmHWM');
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
    console.log(`botwerk ${commit}, ${cpus().length} cores, SQLite; server RSS ${rss0.toFixed(1)} MiB before, peak (VmHWM) ${hwm.toFixed(1)} MiB`);
    console.log('');
    console.log('| source | status | pages | chunks | seconds | pages/s |');
    console.log('|---|---|---:|---:|---:|---:|');
    for (const [name, st, pages, chunks, s, rate] of rows)
      console.log(`| ${name} | ${st} | ${pages} | ${chunks} | ${s.toFixed(2)} | ${rate.toFixed(1)} |`);
  } finally {
    srv.kill('SIGTERM');
    await new Promise((r) => srv.on('exit', r));
    await site.close();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
