// Retention periods, trial bots and master key rotation end to end. There is no clock to inject into the
// server, so time is moved the way an operator's test rig would: restarts with BOTWERK_CLOCK_OFFSET_S
// (seconds added to the wall clock) and BOTWERK_HOUSEKEEPING_INTERVAL=1, so the job runs every second.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, assertError, sleep, BACKEND } from '../lib/server.mjs';

const DAY = 86400;
const CAPTURE = { features: { email_capture: { enabled: true, topics: ['preise'] } } };

/** Polls fn until it returns something truthy (or the time is up: then the last value). */
async function until(fn, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v || Date.now() > deadline) return v;
    await sleep(100);
  }
}

/** A conversation of the visitor that leaves `email`: {conv, lead}. */
async function visitorWithLead(srv, botId, email) {
  const c = await srv.chat(botId, 'Was kosten eure Preise?');
  assert.equal(c.status, 200, c.text);
  const l = await srv.post(`/api/v1/public/bot/${botId}/leads`, { email, conversation_id: c.json.conversation_id, consent: true });
  assert.equal(l.status, 201, l.text);
  return { conv: c.json.conversation_id, lead: l.json.lead_id };
}

function isoIn(seconds) {
  return new Date(Date.now() + seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
}

describe(`retention, trial bots and key rotation (${BACKEND})`, () => {
  let srv;
  const extra = [];
  after(async () => {
    for (const s of extra) await s.kill().catch(() => {});
    if (srv) await srv.kill();
  });

  it('retention erases old visitors, expired trial bots are switched off, keys rotate', async () => {
    srv = await startServer({ env: { BOTWERK_HOUSEKEEPING_INTERVAL: '1' } });
    const t = await srv.tenant('Studio Retention');
    const key = t.api_key;
    const other = (await srv.tenant('Andere')).api_key;

    // ---- the tenant API ----
    const t0 = await srv.get('/api/v1/tenant', key);
    assert.equal(t0.status, 200, t0.text);
    assert.deepEqual(t0.json, { id: t.id, name: 'Studio Retention', retention_days: null });
    assertError(await srv.json('PATCH', '/api/v1/tenant', { key, body: { retention_days: 29 } }), 422, 'validation_failed', 'retention_days');
    assertError(await srv.json('PATCH', '/api/v1/tenant', { key, body: { retention_days: 3651 } }), 422, 'validation_failed', 'retention_days');
    assertError(await srv.json('PATCH', '/api/v1/tenant', { key, body: { retention_days: '30' } }), 422, 'validation_failed', 'retention_days');
    assertError(await srv.json('PATCH', '/api/v1/tenant', { key, body: { name: 'x' } }), 422, 'validation_failed', 'name');
    assertError(await srv.json('PATCH', '/api/v1/tenant', { body: { retention_days: 30 } }), 401, 'unauthorized');
    const set = await srv.json('PATCH', '/api/v1/tenant', { key, body: { retention_days: 30 } });
    assert.equal(set.status, 200, set.text);
    assert.equal(set.json.retention_days, 30);
    assert.equal((await srv.get('/api/v1/tenant', other)).json.retention_days, null, 'each tenant has its own');
    const cleared = await srv.json('PATCH', '/api/v1/tenant', { key, body: { retention_days: null } });
    assert.equal(cleared.json.retention_days, null);
    assert.equal((await srv.json('PATCH', '/api/v1/tenant', { key, body: { retention_days: 30 } })).json.retention_days, 30);

    // ---- bots: a regular one and a trial that ends in 25 days ----
    const bot = await srv.createBot(key, CAPTURE);
    assert.equal(bot.expires_at, null);
    assertError(await srv.json('POST', '/api/v1/bots', { key, body: { name: 'T', expires_at: 'morgen' } }), 422, 'validation_failed', 'expires_at');
    assertError(await srv.json('POST', '/api/v1/bots', { key, body: { name: 'T', expires_at: '2026-02-30T10:00:00Z' } }), 422, 'validation_failed', 'expires_at');
    assertError(await srv.json('POST', '/api/v1/bots', { key, body: { name: 'T', expires_at: '2026-12-01T10:00:00+01:00' } }), 422, 'validation_failed', 'expires_at');
    const ends = isoIn(25 * DAY);
    const trial = await srv.createBot(key, { name: 'Probe-Bot', expires_at: ends, ...CAPTURE });
    assert.equal(trial.expires_at, ends);
    const noEnd = await srv.json('PATCH', `/api/v1/bots/${trial.id}`, { key, body: { expires_at: null } });
    assert.equal(noEnd.json.expires_at, null);
    const back = await srv.json('PATCH', `/api/v1/bots/${trial.id}`, { key, body: { expires_at: ends.replace('Z', '.250Z') } });
    assert.equal(back.json.expires_at, ends, 'fractions are dropped');
    assert.equal((await srv.get(`/api/v1/bots/${trial.id}`, key)).json.expires_at, ends);

    // ---- today: a visitor leaves an email ----
    const old = await visitorWithLead(srv, bot.id, 'alt@beispiel.de');

    // ---- 20 days later: nothing is old enough yet; a second visitor comes ----
    srv = await srv.restart({ BOTWERK_CLOCK_OFFSET_S: String(20 * DAY) });
    await srv.waitForLog((l) => l.msg === 'housekeeping run');
    await sleep(1500);
    let leads = (await srv.get('/api/v1/leads', key)).json.items.map((l) => l.id);
    assert.ok(leads.includes(old.lead), '20 days < 30: kept');
    const fresh = await visitorWithLead(srv, bot.id, 'neu@beispiel.de');
    assert.equal((await srv.chat(trial.id, 'Hallo')).status, 200, 'the trial still runs');

    // a backup taken now still holds the first visitor (SQLite: restore re-applies the erasures recorded since)
    const backupDir = fs.mkdtempSync(path.join(os.tmpdir(), 'botwerk-backup-'));
    const backupFile = path.join(backupDir, 'before.db');
    if (BACKEND === 'sqlite') await srv.cliJson(['backup', backupFile]);

    // ---- 40 days later: the first visitor is past the period, the second is not; the trial ended ----
    srv = await srv.restart({ BOTWERK_CLOCK_OFFSET_S: String(40 * DAY) });
    const gone = await until(async () => {
      const r = await srv.get('/api/v1/leads', key);
      return !r.json.items.some((l) => l.id === old.lead) && r;
    });
    assert.ok(gone, 'the old lead is erased');
    leads = gone.json.items;
    assert.deepEqual(leads.map((l) => l.id), [fresh.lead], 'the newer lead survives');
    assert.equal(leads[0].email, 'neu@beispiel.de');
    assertError(await srv.get(`/api/v1/leads/${old.lead}`, key), 404, 'not_found');
    const run = await srv.waitForLog((l) => l.msg === 'housekeeping run' && l.contacts_erased >= 1);
    assert.ok(run, 'one log line per run, with the counts');
    assert.equal(run.tenants_with_retention, 1);
    // the erased conversation is gone: continuing it starts a new one
    const cont = await srv.chat(bot.id, 'Noch da?', old.conv);
    assert.notEqual(cont.json.conversation_id, old.conv);
    const expired = await srv.waitForLog((l) => l.msg === 'trial bot expired: deactivated' && l.bot_id === trial.id);
    assert.ok(expired, 'the expiry is logged');
    assert.equal(expired.expires_at, ends);
    const tb = await srv.get(`/api/v1/bots/${trial.id}`, key);
    assert.equal(tb.json.active, false);
    assert.equal(tb.json.expires_at, ends);
    assertError(await srv.chat(trial.id, 'Hallo'), 404, 'bot_inactive');
    assert.equal((await srv.get(`/api/v1/bots/${bot.id}`, key)).json.active, true, 'bots without expires_at run on');
    // no second deactivation on later runs
    await sleep(1500);
    assert.equal(srv.lines.filter((l) => l.msg === 'trial bot expired: deactivated').length, 1);

    // ---- the erasure is recorded: restoring the earlier backup erases the first visitor again ----
    await srv.stop({ keepDb: true });
    if (BACKEND === 'sqlite') {
      const restored = await srv.cliJson(['restore', backupFile]);
      assert.ok(restored.erasures_applied >= 1, JSON.stringify(restored));
    }
    fs.rmSync(backupDir, { recursive: true, force: true });

    // ---- master key rotation ----
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'botwerk-rotate-'));
    const newKey = randomBytes(32).toString('hex');
    const keyFile = path.join(dir, 'master.key');
    fs.writeFileSync(keyFile, newKey + '\n', { mode: 0o644 });
    let r = await srv.cli(['keys', 'rotate', '--new-master-key-file', keyFile]);
    assert.equal(r.code, 1, 'a key file others can read is refused');
    assert.match(r.stderr, /chmod 600/);
    fs.chmodSync(keyFile, 0o600);
    r = await srv.cli(['keys', 'rotate']);
    assert.equal(r.code, 2);
    const rotated = await srv.cliJson(['keys', 'rotate', '--new-master-key-file', keyFile]);
    // only the tenant whose visitors chatted has a key
    assert.deepEqual(rotated, { rotated: 1, already: 0, master_key_id: 2 });
    const again = await srv.cliJson(['keys', 'rotate', `--new-master-key-file=${keyFile}`]);
    assert.deepEqual(again, { rotated: 0, already: 1, master_key_id: 2 }, 'resumable: nothing twice');

    // the old key no longer starts the server, and says what to do
    await assert.rejects(startServer({ db: srv.db, masterKey: srv.masterKey }), /master key 2.*BOTWERK_MASTER_KEY_ID=2/s);
    // the new key with the old id neither
    await assert.rejects(startServer({ db: srv.db, masterKey: newKey }), /wrapped under master key 2/);

    const srv2 = await startServer({ db: srv.db, masterKey: newKey, env: { BOTWERK_MASTER_KEY_ID: '2', BOTWERK_CLOCK_OFFSET_S: String(40 * DAY) } });
    extra.push(srv2);
    const after = await srv2.get('/api/v1/leads', key);
    assert.equal(after.status, 200, 'API keys made before the rotation still work: ' + after.text);
    assert.equal(after.json.items.length, 1, 'the first visitor stays erased (also after the restore)');
    assert.equal(after.json.items[0].email, 'neu@beispiel.de', 'data sealed before the rotation opens');
    const shown = await srv2.get(`/api/v1/leads/${fresh.lead}`, key);
    assert.equal(shown.json.messages[0].text, 'Was kosten eure Preise?');
    // new API keys and new tenants work with the new key
    const t3 = await srv2.tenant('Nach der Rotation');
    assert.equal((await srv2.get('/api/v1/tenant', t3.api_key)).status, 200);
    const c3 = await srv2.chat(bot.id, 'Was kosten eure Preise?');
    assert.equal(c3.status, 200);
    await srv2.stop();
    srv = null;
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
