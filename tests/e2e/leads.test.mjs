// Lead capture end to end: the business profile answers, the email prompt in the chat, the visitor's
// email with consent, the leads API and CSV export, personal data sealed at rest, and erasure.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, assertError, run, PG_URL, BACKEND } from '../lib/server.mjs';
import { seededBot } from '../lib/fixtures.mjs';

const EMAIL = 'Jürgen.Müller@Beispiel.de';
const EMAIL_NORM = 'jürgen.müller@beispiel.de';
const SECRET_QUESTION = 'Was kosten eure Preise für Familien mit Kindern, Zauberwort Quittenmarmelade?';

const PROFILE = {
  company: {
    name: 'FitWerk Eppendorf',
    address: { street: 'Mühlenkamp 12', postcode: '22303', city: 'Hamburg', country: 'Deutschland' },
    phone: '+4940123456',
    email: 'info@fitwerk.example',
  },
  opening_hours: {
    timezone: 'Europe/Berlin',
    weekly: { mon: [['06:00', '23:00']], tue: [['06:00', '23:00']], wed: [['06:00', '23:00']], thu: [['06:00', '23:00']],
      fri: [['06:00', '23:00']], sat: [['08:00', '20:00']], sun: [['08:00', '20:00']] },
    special_days: [{ date: '2026-12-25', closed: true, note: '1. Weihnachtstag' }],
  },
  features: { email_capture: { enabled: true, topics: ['preise', 'angebot'], privacy_url: 'https://fitwerk.example/datenschutz' } },
};

/** Parses CSV text (RFC 4180, given separator) into rows of fields. */
function parseCsv(text, sep) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === sep) { row.push(field); field = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; }
    else field += c;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return rows;
}

describe(`lead capture (${BACKEND})`, () => {
  let srv, key, bot, other;
  before(async () => {
    srv = await startServer();
    key = (await srv.tenant('Leads')).api_key;
    ({ bot } = await seededBot(srv, key, PROFILE));
    other = (await srv.tenant('Andere')).api_key;
  });
  after(async () => {
    if (srv) await srv.kill();
  });

  it('questions about address, phone and hours are answered from the profile', async () => {
    const a = await srv.chat(bot.id, 'Wie lautet eure Adresse und Telefonnummer?');
    assert.equal(a.status, 200, a.text);
    assert.equal(a.json.metadata.answer_type, 'profile');
    assert.equal(a.json.response, 'Sie finden uns in der Mühlenkamp 12, 22303 Hamburg. Sie erreichen uns telefonisch unter +4940123456.');
    const h = await srv.chat(bot.id, 'Habt ihr heute geöffnet?');
    assert.equal(h.json.metadata.answer_type, 'profile');
    assert.match(h.json.response, /geöffnet|geschlossen/);
    assert.match(h.json.response, /Unsere Öffnungszeiten: Mo: 06:00–23:00 Uhr/);
    const c = await srv.get(`/api/v1/public/bot/${bot.id}/config`);
    assert.equal(typeof c.json.open_now, 'boolean');
    assert.equal(c.json.company.address.city, 'Hamburg');
    assert.match(c.json.hours_text, c.json.open_now ? /geöffnet/ : /geschlossen/);
    if (c.json.open_now) assert.match(c.json.closes_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:00[+-]\d\d:\d\d$/);
    else assert.match(c.json.next_open, /^\d{4}-\d\d-\d\dT\d\d:\d\d:00[+-]\d\d:\d\d$/);
  });

  it('the profile is validated: bad hours, phone and email name their field', async () => {
    const cases = [
      [{ opening_hours: { timezone: 'Mars/Olympus' } }, 'opening_hours.timezone'],
      [{ opening_hours: { weekly: { mon: [['25:00', '26:00']] } } }, 'opening_hours.weekly.mon[0][0]'],
      [{ company: { phone: '040 123456' } }, 'company.phone'],
      [{ company: { email: 'kein-at-zeichen' } }, 'company.email'],
      [{ features: { email_capture: { max_requests: 0 } } }, 'features.email_capture.max_requests'],
    ];
    for (const [body, field] of cases) assertError(await srv.json('PATCH', `/api/v1/bots/${bot.id}`, { key, body }), 422, 'validation_failed', field);
    const ok = await srv.json('PATCH', `/api/v1/bots/${bot.id}`, { key, body: { company: { address: { city: 'Hamburg-Eppendorf' } } } });
    assert.equal(ok.json.company.address.street, 'Mühlenkamp 12', 'PATCH merges nested objects');
    assert.equal(ok.json.company.address.city, 'Hamburg-Eppendorf');
  });

  let conv, leadId;
  it('a price question shows the email prompt once; the email needs consent', async () => {
    const first = await srv.chat(bot.id, SECRET_QUESTION);
    assert.equal(first.status, 200, first.text);
    conv = first.json.conversation_id;
    const modal = first.json.metadata.show_email_modal;
    assert.ok(modal, `no prompt: ${first.text}`);
    assert.equal(modal.trigger, 'topic:preise');
    assert.equal(modal.privacy_url, 'https://fitwerk.example/datenschutz');
    assert.equal(modal.consent_text_version, 'v1');
    assert.ok(modal.prompt.length > 10 && modal.consent_text.length > 10);
    const again = await srv.chat(bot.id, 'Und die Preise für Studenten?', conv);
    assert.equal(again.json.metadata.show_email_modal, undefined, 'max_requests 1: not again in this conversation');

    const url = `/api/v1/public/bot/${bot.id}/leads`;
    assertError(await srv.post(url, { email: EMAIL, conversation_id: conv, consent: false }), 422, 'validation_failed', 'consent');
    assertError(await srv.post(url, { email: EMAIL, conversation_id: conv }), 422, 'validation_failed', 'consent');
    assertError(await srv.post(url, { email: 'nicht-gültig', conversation_id: conv, consent: true }), 422, 'validation_failed', 'email');
    assertError(await srv.post(url, { email: EMAIL, conversation_id: 'conv_unbekannt', consent: true }), 422, 'validation_failed', 'conversation_id');
    const none = await srv.get('/api/v1/leads', key);
    assert.deepEqual(none.json.items, [], 'nothing stored without consent');

    const made = await srv.post(url, { email: EMAIL, conversation_id: conv, consent: true, consent_text_version: 'v1' });
    assert.equal(made.status, 201, made.text);
    leadId = made.json.lead_id;
    assert.match(leadId, /^lead_/);
    const repeat = await srv.post(url, { email: ' JüRGEN.MüLLER@BEISPIEL.DE ', conversation_id: conv, consent: true });
    assert.equal(repeat.status, 200, 'idempotent per conversation and email');
    assert.equal(repeat.json.lead_id, leadId);
    assert.equal(repeat.json.created, false);
  });

  it('the business sees its leads (email opened), other tenants do not', async () => {
    const list = await srv.get('/api/v1/leads', key);
    assert.equal(list.status, 200, list.text);
    assert.equal(list.json.items.length, 1);
    const l = list.json.items[0];
    assert.equal(l.id, leadId);
    assert.equal(l.email, EMAIL_NORM);
    assert.equal(l.conversation_id, conv);
    assert.equal(l.bot_id, bot.id);
    assert.ok(l.interest >= 1 && l.interest <= 10);
    assert.equal(l.message_count, 4);
    assert.deepEqual(l.context.topics, ['preise'], 'the topics the visitor asked about');
    assert.equal(l.context.trigger, 'topic:preise');
    assert.equal(l.interest, 5, '2 + two visitor messages + one buying topic');
    assert.equal(l.consent.text_version, 'v1');
    assert.match(l.consent.at, /^\d{4}-/);
    assert.deepEqual((await srv.get('/api/v1/leads', other)).json.items, []);
    assertError(await srv.get(`/api/v1/leads/${leadId}`, other), 404, 'not_found');
    assert.deepEqual((await srv.get(`/api/v1/leads?bot_id=${bot.id}&min_interest=10`, key)).json.items, []);
    assert.equal((await srv.get(`/api/v1/leads?from=2000-01-01&to=2999-01-01`, key)).json.items.length, 1);
    assertError(await srv.get('/api/v1/leads?from=gestern', key), 400, 'invalid_request', 'from');

    const one = await srv.get(`/api/v1/leads/${leadId}`, key);
    assert.equal(one.status, 200, one.text);
    assert.equal(one.json.messages.length, 4);
    assert.equal(one.json.messages[0].role, 'visitor');
    assert.equal(one.json.messages[0].text, SECRET_QUESTION);
    assert.equal(one.json.messages[1].role, 'bot');
  });

  it('CSV export: BOM, header, German characters, both separators, parsed back', async () => {
    for (const [q, sep] of [['', ','], ['?sep=semicolon', ';']]) {
      const r = await srv.json('GET', `/api/v1/leads/export.csv${q}`, { key });
      assert.equal(r.status, 200, r.text);
      assert.match(r.headers.get('content-type'), /^text\/csv; charset=utf-8/);
      assert.match(r.headers.get('content-disposition'), /attachment; filename="leads.csv"/);
      const raw = Buffer.from(await (await fetch(`${srv.base}/api/v1/leads/export.csv${q}`, { headers: { Authorization: `Bearer ${key}` } })).arrayBuffer());
      assert.deepEqual([...raw.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
      const rows = parseCsv(raw.subarray(3).toString('utf8'), sep);
      assert.deepEqual(rows[0], ['lead_id', 'created_at', 'bot_id', 'email', 'interest', 'message_count', 'session_seconds',
        'source', 'channel', 'consent_text_version', 'consent_at', 'conversation_id', 'name', 'phone', 'message', 'topics']);
      assert.equal(rows.length, 2);
      assert.equal(rows[1][0], leadId);
      assert.equal(rows[1][3], EMAIL_NORM, 'umlauts survive the round trip');
      assert.equal(rows[1][5], '4');
      assert.equal(rows[1][15], 'preise', 'the topics, |-joined, in the last column');
    }
    assertError(await srv.get('/api/v1/leads/export.csv?sep=tab', key), 400, 'invalid_request', 'sep');
  });

  it('personal data is sealed at rest: no email and no message text in the database', async () => {
    let dump;
    if (PG_URL) {
      const r = await run('pg_dump', ['--no-owner', '--data-only', srv.db.url]);
      assert.equal(r.code, 0, r.stderr);
      dump = Buffer.from(r.stdout);
    } else {
      const r = await run('sqlite3', [srv.db.url, 'PRAGMA wal_checkpoint(TRUNCATE);']);
      assert.equal(r.code, 0, r.stderr);
      dump = Buffer.concat([fs.readFileSync(srv.db.url), fs.existsSync(`${srv.db.url}-wal`) ? fs.readFileSync(`${srv.db.url}-wal`) : Buffer.alloc(0)]);
    }
    assert.ok(dump.length > 1000);
    for (const secret of [EMAIL_NORM, 'Beispiel.de', 'beispiel.de', 'Quittenmarmelade', 'Familien mit Kindern']) {
      assert.equal(dump.indexOf(Buffer.from(secret)), -1, `"${secret}" found in plaintext at rest`);
    }
  });

  it('erasing the contact removes the lead and its conversation for good', async () => {
    const l = (await srv.get(`/api/v1/leads/${leadId}`, key)).json;
    // a backup taken before the erasure, while the server runs (SQLite file or pg_dump)
    const backup = path.join(os.tmpdir(), `botwerk-backup-${process.pid}-${Date.now()}.${PG_URL ? 'sql' : 'db'}`);
    const b = await srv.cliJson(['backup', backup]);
    assert.equal(b.backup, backup);
    assert.equal((await srv.cli(['backup', backup])).code, 1, 'a backup never overwrites a file');
    assertError(await srv.json('DELETE', `/api/v1/contacts/${l.contact_id}`, { key: other }), 404, 'not_found');
    const del = await srv.json('DELETE', `/api/v1/contacts/${l.contact_id}`, { key });
    assert.equal(del.status, 204, del.text);
    assertError(await srv.get(`/api/v1/leads/${leadId}`, key), 404, 'not_found');
    assert.deepEqual((await srv.get('/api/v1/leads', key)).json.items, []);
    const cont = await srv.chat(bot.id, 'Hallo?', conv);
    assert.notEqual(cont.json.conversation_id, conv, 'the erased conversation cannot be continued');
    assertError(await srv.json('DELETE', `/api/v1/contacts/${l.contact_id}`, { key }), 404, 'not_found');
    {
      // The backup still holds the sealed data; restoring it erases the contact again.
      assert.ok(fs.statSync(backup).size > 1000);
      await srv.stop({ keepDb: true }); // restore with the server down
      const r = await srv.cliJson(['restore', backup]);
      assert.equal(r.erasures_applied, 1);
      srv = await srv.restart();
      assertError(await srv.get(`/api/v1/leads/${leadId}`, key), 404, 'not_found');
      assert.deepEqual((await srv.get('/api/v1/leads', key)).json.items, []);
      const after = await srv.chat(bot.id, 'Noch da?', conv);
      assert.notEqual(after.json.conversation_id, conv, 'the restored database no longer has the conversation');
      const other = await srv.chat(bot.id, 'Wie lautet eure Adresse?');
      assert.equal(other.status, 200, 'the restored database works');
      fs.rmSync(backup, { force: true });
    }
  });
});
