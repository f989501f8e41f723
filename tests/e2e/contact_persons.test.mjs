// Contact persons end to end: CRUD with the limit of five and the order, logo and photo uploads judged by
// their content, public /media URLs, the contact modal in the chat, contact requests with and without
// consent as leads, nothing of the visitor in clear at rest, and erasure.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import zlib from 'node:zlib';
import { startServer, assertError, run, PG_URL, BACKEND } from '../lib/server.mjs';
import { seededBot } from '../lib/fixtures.mjs';

const VISITOR_NAME = 'Zacharias Quellenbrink';
const VISITOR_EMAIL = 'zacharias.quellenbrink@besucher.example';
const VISITOR_PHONE = '+49 170 9876543';
const VISITOR_PHONE_NORM = '+491709876543';
const VISITOR_MESSAGE = 'Bitte rufen Sie mich wegen Firmenfitness Pflaumenkuchen an.';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
/** A valid RGB PNG of w×h pixels in one colour. */
function png(w, h, rgb = [15, 118, 110]) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: w }, () => rgb).flat())]);
  const raw = Buffer.concat(Array.from({ length: h }, () => row));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
/** Only a PNG header (signature + IHDR) claiming w×h: enough for the server's check. */
function pngHeader(w, h) {
  const d = Buffer.alloc(13);
  d.writeUInt32BE(w, 0);
  d.writeUInt32BE(h, 4);
  d[8] = 8;
  d[9] = 2;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', d)]);
}
/** A JPEG header: SOI, APP0 (JFIF), SOF0 with w×h and three components, EOI. */
function jpeg(w, h) {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, h >> 8, h & 0xff, w >> 8, w & 0xff, 0x03,
    0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, Buffer.from([0xff, 0xd9])]);
}
const GIF = Buffer.from('474946383961100010000000002c00000000100010000002028401003b', 'hex');

describe(`contact persons (${BACKEND})`, () => {
  let srv, key, other, bot;
  const base = () => `/api/v1/bots/${bot.id}/contact-persons`;
  const upload = (path, body, type, k = key) =>
    srv.json('PUT', path, { key: k, body, headers: { 'Content-Type': type } });

  before(async () => {
    srv = await startServer();
    key = (await srv.tenant('Personen')).api_key;
    other = (await srv.tenant('Fremd')).api_key;
    ({ bot } = await seededBot(srv, key, {
      features: { contact_persons: { enabled: true }, email_capture: { enabled: false } },
    }));
  });
  after(async () => {
    if (srv) await srv.kill();
  });

  const ids = [];
  it('creates, lists, shows, changes and deletes persons; at most five; another tenant sees 404', async () => {
    assert.equal(bot.features.contact_persons.enabled, true);
    assert.deepEqual(bot.features.contact_persons.keywords, ['ansprechpartner', 'kontakt', 'verkauf', 'beratung', 'berater']);
    assert.equal(bot.features.contact_persons.title, 'Ihre Ansprechpartner');
    const made = await srv.post(base(), { name: 'Anna Schmidt', position: 'Vertrieb', email: 'anna@fitwerk.example', phone: '+4940123457' }, key);
    assert.equal(made.status, 201, made.text);
    assert.match(made.json.id, /^cp_/);
    assert.deepEqual({ ...made.json, id: undefined }, { id: undefined, name: 'Anna Schmidt', position: 'Vertrieb',
      email: 'anna@fitwerk.example', phone: '+4940123457', photo_url: null, order: 1 });
    ids.push(made.json.id);
    for (const n of ['Ben', 'Cem', 'Dora', 'Emil']) {
      const r = await srv.post(base(), { name: n }, key);
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.position, null);
      ids.push(r.json.id);
    }
    const sixth = assertError(await srv.post(base(), { name: 'Fritz' }, key), 409, 'conflict');
    assert.match(sixth.message, /5/);
    assertError(await srv.post(base(), { name: '' }, key), 422, 'validation_failed', 'name');
    assertError(await srv.post(base(), { name: '   ' }, key), 422, 'validation_failed', 'name');
    assertError(await srv.post(base(), { name: 'X', email: 'kein-at' }, key), 422, 'validation_failed', 'email');
    assertError(await srv.post(base(), { name: 'X', phone: '040 123' }, key), 422, 'validation_failed', 'phone');
    assertError(await srv.post(base(), { name: 'X'.repeat(121) }, key), 422, 'validation_failed', 'name');

    const list = await srv.get(base(), key);
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(list.json.items.map((p) => p.name), ['Anna Schmidt', 'Ben', 'Cem', 'Dora', 'Emil']);
    assert.deepEqual(list.json.items.map((p) => p.order), [1, 2, 3, 4, 5]);

    const show = await srv.get(`${base()}/${ids[1]}`, key);
    assert.equal(show.json.name, 'Ben');
    const patched = await srv.json('PATCH', `${base()}/${ids[1]}`, { key, body: { position: 'Beratung', phone: '+494099912' } });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.json.name, 'Ben', 'PATCH keeps what it does not name');
    assert.equal(patched.json.position, 'Beratung');
    const cleared = await srv.json('PATCH', `${base()}/${ids[1]}`, { key, body: { phone: null } });
    assert.equal(cleared.json.phone, null);
    assert.equal(cleared.json.position, 'Beratung');

    assertError(await srv.get(base(), other), 404, 'bot_not_found');
    assertError(await srv.get(`${base()}/${ids[0]}`, other), 404, 'bot_not_found');
    assertError(await srv.post(base(), { name: 'Eindringling' }, other), 404, 'bot_not_found');
    assertError(await srv.json('DELETE', `${base()}/${ids[0]}`, { key: other }), 404, 'bot_not_found');
    assertError(await srv.get(`${base()}/cp_aaaaaaaaaaaaaaaaaaaaaaaa`, key), 404, 'not_found');

    const del = await srv.json('DELETE', `${base()}/${ids[4]}`, { key });
    assert.equal(del.status, 204, del.text);
    ids.pop();
    assertError(await srv.get(`${base()}/${ids[4]}`, key), 404, 'not_found');
    const del2 = await srv.json('DELETE', `${base()}/${ids[2]}`, { key });
    assert.equal(del2.status, 204);
    ids.splice(2, 1);
    const after2 = await srv.get(base(), key);
    assert.deepEqual(after2.json.items.map((p) => p.order), [1, 2, 3], 'the order has no gaps');
  });

  it('reorders with exactly the bot\'s persons', async () => {
    const url = `${base()}/order`;
    const reversed = [...ids].reverse();
    const r = await srv.json('PUT', url, { key, body: { ids: reversed } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.items.map((p) => p.id), reversed);
    assert.deepEqual(r.json.items.map((p) => p.order), [1, 2, 3]);
    assertError(await srv.json('PUT', url, { key, body: { ids: reversed.slice(1) } }), 422, 'validation_failed', 'ids');
    assertError(await srv.json('PUT', url, { key, body: { ids: [reversed[0], reversed[0], reversed[1]] } }), 422, 'validation_failed', 'ids');
    assertError(await srv.json('PUT', url, { key, body: { ids: [...reversed.slice(1), 'cp_aaaaaaaaaaaaaaaaaaaaaaaa'] } }), 422, 'validation_failed', 'ids');
    assertError(await srv.json('PUT', url, { key: other, body: { ids: reversed } }), 404, 'bot_not_found');
    const back = await srv.json('PUT', url, { key, body: { ids } });
    assert.deepEqual(back.json.items.map((p) => p.id), ids);
  });

  let logoUrl, photoUrl;
  it('logo and photo uploads are checked by content and served from /media', async () => {
    const logo = png(16, 16);
    const r = await upload(`/api/v1/bots/${bot.id}/logo`, logo, 'image/png');
    assert.equal(r.status, 200, r.text);
    logoUrl = r.json.branding.logo_url;
    assert.match(logoUrl, new RegExp(`^${srv.base}/media/img_[a-z2-7]{24}$`));
    assert.equal(r.json.company.logo_url, logoUrl);
    const m = await fetch(logoUrl);
    assert.equal(m.status, 200);
    assert.equal(m.headers.get('content-type'), 'image/png');
    assert.equal(m.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(m.headers.get('x-content-type-options'), 'nosniff');
    assert.deepEqual(Buffer.from(await m.arrayBuffer()), logo, 'served byte for byte');
    const cfg = await srv.get(`/api/v1/public/bot/${bot.id}/config`);
    assert.equal(cfg.json.branding.logo_url, logoUrl);

    const second = await upload(`/api/v1/bots/${bot.id}/logo`, jpeg(64, 32), 'image/jpeg');
    assert.equal(second.status, 200, second.text);
    assert.notEqual(second.json.branding.logo_url, logoUrl);
    assert.equal((await fetch(logoUrl)).status, 404, 'replacing a logo deletes the old image');
    const j = await fetch(second.json.branding.logo_url);
    assert.equal(j.headers.get('content-type'), 'image/jpeg');
    logoUrl = second.json.branding.logo_url;

    const photo = await upload(`${base()}/${ids[0]}/photo`, png(32, 48, [200, 10, 10]), 'image/png');
    assert.equal(photo.status, 200, photo.text);
    photoUrl = photo.json.photo_url;
    assert.match(photoUrl, /\/media\/img_/);
    assert.equal((await fetch(photoUrl)).status, 200);
    const again = await upload(`${base()}/${ids[0]}/photo`, png(20, 20), 'image/png');
    assert.equal((await fetch(photoUrl)).status, 404, 'a new photo replaces the old one');
    photoUrl = again.json.photo_url;

    // bad images: what they are decides, not what they are called
    const bad = [
      [GIF, 'image/gif', 415, undefined],
      [GIF, 'image/png', 415, undefined],
      [png(16, 16), 'image/jpeg', 415, undefined],
      [jpeg(20, 20), 'image/png', 415, undefined],
      [pngHeader(5000, 5000), 'image/png', 422, 'body'],
      [png(15, 16), 'image/png', 422, 'body'],
      [jpeg(4097, 100), 'image/jpeg', 422, 'body'],
      [png(16, 16).subarray(0, 20), 'image/png', 422, 'body'],
      [jpeg(20, 20).subarray(0, 24), 'image/jpeg', 422, 'body'],
      [Buffer.alloc(0), 'image/png', 422, 'body'],
      [Buffer.from('{"a":1}'), 'application/json', 415, undefined],
    ];
    for (const [body, type, status, field] of bad) {
      const code = status === 415 ? 'unsupported_media_type' : 'validation_failed';
      assertError(await upload(`/api/v1/bots/${bot.id}/logo`, body, type), status, code, field);
      assertError(await upload(`${base()}/${ids[1]}/photo`, body, type), status, code, field);
    }
    const big = Buffer.concat([png(16, 16), Buffer.alloc(2 * 1024 * 1024)]);
    assertError(await srv.raw('PUT', `/api/v1/bots/${bot.id}/logo`, { body: big, headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'image/png' } }), 413, 'body_too_large');
    assertError(await upload(`/api/v1/bots/${bot.id}/logo`, png(16, 16), 'image/png', other), 404, 'bot_not_found');
    assertError(await upload(`${base()}/cp_aaaaaaaaaaaaaaaaaaaaaaaa/photo`, png(16, 16), 'image/png'), 404, 'not_found');
    assertError(await srv.get('/media/img_aaaaaaaaaaaaaaaaaaaaaaaa'), 404, 'not_found');
    assertError(await srv.get('/media/nonsense'), 404, 'not_found');
    assert.equal((await fetch(logoUrl)).status, 200, 'failed uploads change nothing');
  });

  let conv;
  it('the chat shows the persons when a keyword or topic comes up, in the widget\'s shape', async () => {
    const plain = await srv.chat(bot.id, 'Wann habt ihr am Wochenende offen?');
    assert.equal(plain.status, 200, plain.text);
    assert.equal(plain.json.metadata.show_contact_modal, undefined);
    conv = plain.json.conversation_id;
    const r = await srv.chat(bot.id, 'Wer ist mein Ansprechpartner für die Beratung?', conv);
    assert.equal(r.status, 200, r.text);
    const modal = r.json.metadata.show_contact_modal;
    assert.ok(modal, r.text);
    assert.equal(modal.title, 'Ihre Ansprechpartner');
    assert.equal(modal.trigger, 'keyword:ansprechpartner');
    assert.deepEqual(modal.persons.map((p) => p.id), ids);
    assert.deepEqual(Object.keys(modal.persons[0]).sort(), ['email', 'id', 'name', 'phone', 'photo_url', 'position']);
    assert.equal(modal.persons[0].photo_url, photoUrl);
    const topic = await srv.chat(bot.id, 'Gibt es ein Angebot für Studenten?', conv);
    assert.equal(topic.json.metadata.show_contact_modal.trigger, 'topic:angebot');

    const off = await srv.json('PATCH', `/api/v1/bots/${bot.id}`, { key, body: { features: { contact_persons: { enabled: false } } } });
    assert.equal(off.status, 200, off.text);
    assert.equal((await srv.chat(bot.id, 'Kontakt bitte', conv)).json.metadata.show_contact_modal, undefined);
    const on = await srv.json('PATCH', `/api/v1/bots/${bot.id}`, { key, body: { features: { contact_persons: { enabled: true, keywords: ['rueckruf'], after_messages: 2, title: 'Ihr Team' } } } });
    assert.equal(on.status, 200, on.text);
    const fresh = await srv.chat(bot.id, 'Hallo');
    assert.equal(fresh.json.metadata.show_contact_modal, undefined);
    const second = await srv.chat(bot.id, 'Was kostet Premium?', fresh.json.conversation_id);
    assert.equal(second.json.metadata.show_contact_modal.trigger, 'after_messages');
    assert.equal(second.json.metadata.show_contact_modal.title, 'Ihr Team');
    const third = await srv.chat(bot.id, 'Und Basic?', fresh.json.conversation_id);
    assert.equal(third.json.metadata.show_contact_modal, undefined, 'after_messages fires once');
    assert.equal((await srv.chat(bot.id, 'Bitte um Rückruf', fresh.json.conversation_id)).json.metadata.show_contact_modal.trigger, 'keyword:rueckruf');
    assertError(await srv.json('PATCH', `/api/v1/bots/${bot.id}`, { key, body: { features: { contact_persons: { colour: 1 } } } }), 422, 'validation_failed', 'features.contact_persons.colour');
  });

  let leadId, plainLeadId;
  it('contact requests: consent required for personal data, idempotent per person, listed as leads', async () => {
    const url = `/api/v1/public/bot/${bot.id}/contact-requests`;
    assertError(await srv.post(url, { conversation_id: conv, contact_person_id: ids[0], name: VISITOR_NAME }), 422, 'validation_failed', 'consent');
    assertError(await srv.post(url, { conversation_id: conv, contact_person_id: ids[0], phone: VISITOR_PHONE, consent: false }), 422, 'validation_failed', 'consent');
    assertError(await srv.post(url, { conversation_id: conv, email: 'kaputt', consent: true }), 422, 'validation_failed', 'email');
    assertError(await srv.post(url, { conversation_id: conv, phone: '0170 123', consent: true }), 422, 'validation_failed', 'phone');
    assertError(await srv.post(url, { conversation_id: conv, message: 'x'.repeat(1001), consent: true }), 422, 'validation_failed', 'message');
    assertError(await srv.post(url, { conversation_id: conv, contact_person_id: 'cp_aaaaaaaaaaaaaaaaaaaaaaaa' }), 422, 'validation_failed', 'contact_person_id');
    assertError(await srv.post(url, { conversation_id: 'conv_unbekannt' }), 422, 'validation_failed', 'conversation_id');
    assert.deepEqual((await srv.get('/api/v1/leads', key)).json.items, [], 'nothing stored by refused requests');

    // the widget's button: no personal data, no consent needed
    const plain = await srv.post(url, { conversation_id: conv, contact_person_id: ids[1] });
    assert.equal(plain.status, 201, plain.text);
    plainLeadId = plain.json.lead_id;
    const made = await srv.post(url, { conversation_id: conv, contact_person_id: ids[0], name: VISITOR_NAME,
      email: VISITOR_EMAIL, phone: VISITOR_PHONE, message: VISITOR_MESSAGE, consent: true });
    assert.equal(made.status, 201, made.text);
    leadId = made.json.lead_id;
    assert.match(leadId, /^lead_/);
    const repeat = await srv.post(url, { conversation_id: conv, contact_person_id: ids[0], name: VISITOR_NAME, consent: true });
    assert.equal(repeat.status, 200, repeat.text);
    assert.equal(repeat.json.lead_id, leadId);
    assert.equal(repeat.json.created, false);

    const leads = await srv.get('/api/v1/leads', key);
    assert.equal(leads.json.items.length, 2);
    const l = leads.json.items.find((x) => x.id === leadId);
    assert.equal(l.source, 'contact_request');
    assert.equal(l.email, VISITOR_EMAIL);
    assert.equal(l.name, VISITOR_NAME);
    assert.equal(l.phone, VISITOR_PHONE_NORM);
    assert.equal(l.message, VISITOR_MESSAGE);
    assert.equal(l.context.contact_person_id, ids[0]);
    assert.deepEqual(l.context.topics, ['oeffnungszeiten', 'angebot'], 'what the visitor asked about, in order');
    assert.equal(l.context.trigger, 'topic:angebot', 'the latest contact modal\'s trigger');
    assert.equal(l.conversation_id, conv);
    assert.ok(l.consent.at);
    const p = leads.json.items.find((x) => x.id === plainLeadId);
    assert.equal(p.context.contact_person_id, ids[1]);
    assert.equal(p.message, null);
    assertError(await srv.get(`/api/v1/leads/${leadId}`, other), 404, 'not_found');
    const shown = await srv.get(`/api/v1/leads/${leadId}`, key);
    assert.equal(shown.json.name, VISITOR_NAME);
    assert.ok(shown.json.messages.length >= 4);

    const csv = await srv.json('GET', '/api/v1/leads/export.csv', { key });
    assert.equal(csv.status, 200);
    assert.match(csv.text, /contact_request/);
    assert.match(csv.text, /^\uFEFF?lead_id,.*,name,phone,message,topics\r\n/, 'topics is the last column');
    assert.match(csv.text, /,oeffnungszeiten\|angebot\r\n/);
    assert.ok(csv.text.includes(VISITOR_NAME) && csv.text.includes(VISITOR_PHONE_NORM));
  });

  it('nothing the visitor left is stored in clear', async () => {
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
    assert.notEqual(dump.indexOf(Buffer.from('Anna Schmidt')), -1, 'the business\'s own staff are stored in clear');
    for (const secret of [VISITOR_NAME, 'Quellenbrink', VISITOR_EMAIL, 'besucher.example', VISITOR_PHONE_NORM, '9876543', 'Pflaumenkuchen']) {
      assert.equal(dump.indexOf(Buffer.from(secret)), -1, `"${secret}" found in plaintext at rest`);
    }
  });

  it('erasing the contact removes its contact requests; deleting the bot removes persons and images', async () => {
    const l = (await srv.get(`/api/v1/leads/${leadId}`, key)).json;
    const del = await srv.json('DELETE', `/api/v1/contacts/${l.contact_id}`, { key });
    assert.equal(del.status, 204, del.text);
    assertError(await srv.get(`/api/v1/leads/${leadId}`, key), 404, 'not_found');
    assertError(await srv.get(`/api/v1/leads/${plainLeadId}`, key), 404, 'not_found');
    assert.deepEqual((await srv.get('/api/v1/leads', key)).json.items, []);

    assert.equal((await srv.json('DELETE', `/api/v1/bots/${bot.id}`, { key })).status, 204);
    assert.equal((await fetch(logoUrl)).status, 404);
    assert.equal((await fetch(photoUrl)).status, 404);
    assertError(await srv.get(base(), key), 404, 'bot_not_found');
  });
});
