// Knowledge from PDFs: uploaded as multipart/form-data, read in the background (pdftotext in a limited
// subprocess), page numbers kept for citations, status and progress, scans and broken files reported,
// refresh replacing the chunks at once.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, BACKEND, ROOT, sleep, assertError } from '../lib/server.mjs';

let dir;
function pdf(name) {
  return readFileSync(path.join(dir, name));
}

async function upload(srv, key, botId, fields, file, filename = 'datei.pdf') {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  if (file) form.append('file', new Blob([file], { type: 'application/pdf' }), filename);
  const r = await fetch(`${srv.base}/api/v1/bots/${botId}/sources`, { method: 'POST', headers: { Authorization: `Bearer ${key}` }, body: form });
  const text = await r.text();
  let json;
  try { json = JSON.parse(text); } catch {}
  return { status: r.status, text, json };
}

async function waitDone(srv, key, botId, sid, want = ['done', 'no_text', 'failed']) {
  const deadline = Date.now() + 30000;
  for (;;) {
    const r = await srv.get(`/api/v1/bots/${botId}/sources/${sid}`, key);
    if (want.includes(r.json.status)) return r.json;
    if (Date.now() > deadline) throw new Error(`still ${r.json.status}: ${r.text}`);
    await sleep(50);
  }
}

describe(`PDF sources (${BACKEND})`, () => {
  let srv, key, bot;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'botwerk-pdf-'));
    execFileSync('node', [path.join(ROOT, 'tests/fixtures/pdf/make_pdfs.mjs'), dir, '200']);
    srv = await startServer();
    key = (await srv.tenant('PDF')).api_key;
    bot = await srv.createBot(key, { name: 'Bäckerei' });
  });
  after(async () => {
    if (srv) await srv.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads an uploaded PDF page by page; answers cite it', async () => {
    const r = await upload(srv, key, bot.id, { kind: 'pdf', title: 'Preisliste Bäckerei' }, pdf('text.pdf'));
    assert.equal(r.status, 202, r.text);
    assert.equal(r.json.kind, 'pdf');
    assert.ok(['queued', 'running', 'done'].includes(r.json.status));
    const s = await waitDone(srv, key, bot.id, r.json.id);
    assert.equal(s.status, 'done', JSON.stringify(s));
    assert.ok(s.chunks >= 1);
    assert.equal(s.progress.pages_done, 3);
    assert.equal(s.error, null);
    const a = await srv.chat(bot.id, 'Was kostet ein Roggenbrot?');
    assert.match(a.json.response, /3,90 €/);
    assert.match(a.json.sources[0].title, /Preisliste Bäckerei/);
    assert.equal(a.json.sources[0].page, 1, 'the PDF page is kept for the citation');
    const b = await srv.chat(bot.id, 'Gibt es Parkplätze an der Straße?');
    assert.match(b.json.response, /Parkplätze gibt es im Hof/);
    assert.equal(b.json.sources[0].page, 2);
  });

  it('says when a PDF has no text layer, and when it cannot be read', async () => {
    const scan = await upload(srv, key, bot.id, { kind: 'pdf' }, pdf('scan.pdf'), 'scan.pdf');
    assert.equal(scan.status, 202, scan.text);
    const s = await waitDone(srv, key, bot.id, scan.json.id);
    assert.equal(s.status, 'no_text');
    assert.match(s.error, /no text layer/);
    assert.equal(s.title, 'scan.pdf', 'the file name is the title when none is given');

    const bad = await upload(srv, key, bot.id, { kind: 'pdf' }, pdf('corrupt.pdf'));
    const b = await waitDone(srv, key, bot.id, bad.json.id);
    assert.equal(b.status, 'failed');
    assert.ok(b.error && b.error.length > 0);
  });

  it('refuses what is not a PDF, too large, or incomplete, and stores nothing', async () => {
    const before = (await srv.get(`/api/v1/bots/${bot.id}/sources`, key)).json.items.length;
    const notPdf = await upload(srv, key, bot.id, { kind: 'pdf' }, Buffer.from('<html>kein PDF</html>'), 'fake.pdf');
    assert.equal(notPdf.status, 422, notPdf.text);
    assert.equal(notPdf.json.error.field, 'file');
    const noFile = await upload(srv, key, bot.id, { kind: 'pdf' }, null);
    assert.equal(noFile.status, 422, noFile.text);
    const wrongKind = await upload(srv, key, bot.id, { kind: 'text' }, pdf('text.pdf'));
    assert.equal(wrongKind.status, 422, wrongKind.text);
    const huge = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(21 * 1024 * 1024, 0x20)]);
    const big = await upload(srv, key, bot.id, { kind: 'pdf' }, huge);
    assert.equal(big.status, 413, big.text);
    const other = await srv.tenant('Andere');
    const foreign = await upload(srv, other.api_key, bot.id, { kind: 'pdf' }, pdf('text.pdf'));
    assert.equal(foreign.status, 404, foreign.text);
    assert.equal((await srv.get(`/api/v1/bots/${bot.id}/sources`, key)).json.items.length, before);
  });

  it('reads a 200-page PDF and refreshes it with the chunks swapped at once', async () => {
    const r = await upload(srv, key, bot.id, { kind: 'pdf', title: 'Großes Handbuch' }, pdf('big.pdf'));
    const s = await waitDone(srv, key, bot.id, r.json.id);
    assert.equal(s.status, 'done', JSON.stringify(s));
    assert.equal(s.progress.pages_done, 200);
    const refreshed = await srv.post(`/api/v1/bots/${bot.id}/sources/${r.json.id}/refresh`, undefined, key);
    assert.equal(refreshed.status, 202, refreshed.text);
    // while it is read again, the old chunks keep answering
    const s2 = await waitDone(srv, key, bot.id, r.json.id);
    assert.equal(s2.status, 'done');
    assert.equal(s2.chunks, s.chunks, 'the same text gives the same chunks');
    const text = await srv.json('POST', `/api/v1/bots/${bot.id}/sources`, { key, body: { kind: 'text', title: 'T', text: 'Hallo Welt.' } });
    assertError(await srv.post(`/api/v1/bots/${bot.id}/sources/${text.json.id}/refresh`, undefined, key), 409, 'conflict');
  });
});
