// The dead letter of the durable job queue: GET /api/v1/jobs/dead lists the tenant's dead jobs newest first
// with keyset pagination, POST /api/v1/jobs/dead/{id}/retry puts one back to pending, GET /api/v1/jobs/{id}
// shows one job of any status. Dead jobs are written straight into the database (sqlite3 with the server
// stopped; psql on PostgreSQL), as the scheduler would leave them.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startServer, assertError, run, BACKEND } from '../lib/server.mjs';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const B32 = '234567abcdefghijklmnopqrstuvwxyz';
// a kind no scheduler handles: should a scheduler claim a retried job, it goes dead again at once
const KIND = 'e2e_no_handler';

function base32(buf) {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of buf) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += B32[(acc >> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += B32[(acc << (5 - bits)) & 31];
  return out;
}

/** A time-ordered job id as botwerk makes them (crypto_time_id): ids sort by `ms`. */
function jobId(ms) {
  const t = Buffer.alloc(6);
  t.writeUIntBE(ms, 0, 6);
  return `job_${base32(t)}${base32(randomBytes(15))}`;
}

const q = (v) => (v === null || v === undefined ? 'NULL' : typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`);

function insertSql(rows) {
  return rows
    .map((j) =>
      `INSERT INTO jobs (id, tenant_id, bot_id, kind, run_at, payload, status, attempts, max_attempts, last_error, created_at, updated_at) VALUES (${[
        j.id, j.tenant_id, j.bot_id, j.kind, j.run_at, j.payload, j.status, j.attempts, j.max_attempts, j.last_error, j.created_at, j.updated_at,
      ].map(q).join(', ')});`)
    .join('\n');
}

describe(`jobs dead letter (${BACKEND})`, () => {
  let srv;
  let a; // tenant with 25 dead jobs, one done, one pending
  let b; // tenant with 2 dead jobs
  let bot;
  const deadA = []; // oldest first
  const deadB = [];
  let doneId;
  let pendingId;

  /** Writes rows into the jobs table: with psql while the server runs, or with sqlite3 while it is stopped. */
  async function insertJobs(rows) {
    const sql = insertSql(rows);
    if (BACKEND === 'postgres') {
      const r = await run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', srv.db.url], { input: sql });
      assert.equal(r.code, 0, `psql: ${r.stderr}`);
      return;
    }
    await srv.stop({ keepDb: true });
    const r = await run('sqlite3', ['-bail', srv.db.url], { input: `PRAGMA busy_timeout = 5000;\nBEGIN;\n${sql}\nCOMMIT;\n` });
    assert.equal(r.code, 0, `sqlite3: ${r.stderr}`);
    srv = await startServer({ ...srv.opts, db: srv.db, masterKey: srv.masterKey });
  }

  before(async () => {
    if (BACKEND === 'sqlite') {
      const v = await run('sqlite3', ['-version']).catch((e) => ({ code: -1, stderr: e.message }));
      assert.equal(v.code, 0, `the sqlite3 command-line shell is needed for this test: ${v.stderr}`);
    }
    srv = await startServer();
    a = await srv.tenant('Jobs Studio');
    b = await srv.tenant('Anderes Studio');
    bot = await srv.createBot(a.api_key, { name: 'Job-Bot' });
    const base = Date.now() - 3600 * 1000;
    const rows = [];
    for (let i = 0; i < 25; i++) {
      const t = base + i * 1000;
      const j = {
        id: jobId(t), tenant_id: a.id, bot_id: i % 5 === 0 ? null : bot.id, kind: i % 2 ? KIND : `${KIND}_b`,
        run_at: t + 500, payload: JSON.stringify({ conversation_id: `conv_${i}`, n: i }), status: 'dead',
        attempts: 5, max_attempts: 5, last_error: `provider timeout (${i})`, created_at: t, updated_at: t + 900,
      };
      deadA.push(j);
      rows.push(j);
    }
    for (let i = 0; i < 2; i++) {
      const t = base + 100 * 1000 + i;
      const j = {
        id: jobId(t), tenant_id: b.id, bot_id: null, kind: KIND, run_at: t, payload: '{}', status: 'dead',
        attempts: 3, max_attempts: 3, last_error: 'boom', created_at: t, updated_at: t,
      };
      deadB.push(j);
      rows.push(j);
    }
    doneId = jobId(base + 200 * 1000);
    rows.push({
      id: doneId, tenant_id: a.id, bot_id: bot.id, kind: KIND, run_at: base, payload: '{"x":1}', status: 'done',
      attempts: 1, max_attempts: 5, last_error: null, created_at: base, updated_at: base,
    });
    pendingId = jobId(base + 300 * 1000);
    const later = Date.now() + 30 * 24 * 3600 * 1000; // not due during the test
    rows.push({
      id: pendingId, tenant_id: a.id, bot_id: bot.id, kind: KIND, run_at: later, payload: '{}', status: 'pending',
      attempts: 0, max_attempts: 5, last_error: null, created_at: base, updated_at: base,
    });
    await insertJobs(rows);
  });
  after(async () => {
    if (srv) await srv.stop();
  });

  it('lists the dead jobs newest first with every field', async () => {
    const r = await srv.get('/api/v1/jobs/dead', a.api_key);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(Object.keys(r.json).sort(), ['jobs', 'next']);
    assert.equal(r.json.jobs.length, 20, 'default page size 20');
    const newest = [...deadA].reverse();
    assert.deepEqual(r.json.jobs.map((j) => j.id), newest.slice(0, 20).map((j) => j.id));
    const first = r.json.jobs[0];
    const src = newest[0];
    for (const k of ['id', 'kind', 'bot_id', 'run_at', 'attempts', 'max_attempts', 'last_error', 'payload', 'created_at', 'updated_at']) {
      assert.ok(k in first, `job.${k} missing: ${JSON.stringify(first)}`);
    }
    assert.equal(first.kind, src.kind);
    assert.equal(first.status, 'dead');
    assert.equal(first.bot_id, src.bot_id);
    assert.equal(first.attempts, 5);
    assert.equal(first.max_attempts, 5);
    assert.equal(first.last_error, src.last_error);
    assert.deepEqual(first.payload, JSON.parse(src.payload), 'payload is parsed JSON');
    for (const k of ['run_at', 'created_at', 'updated_at']) assert.match(first[k], ISO_UTC, k);
    // instants are shown to the second, like everywhere in the API
    const sec = (ms) => Math.floor(ms / 1000) * 1000;
    assert.equal(Date.parse(first.run_at), sec(src.run_at));
    assert.equal(Date.parse(first.created_at), sec(src.created_at));
    assert.equal(Date.parse(first.updated_at), sec(src.updated_at));
    const noBot = r.json.jobs.find((j) => j.id === deadA[20].id);
    assert.equal(noBot.bot_id, null, 'a job without a bot shows bot_id null');
    assert.equal(typeof r.json.next, 'string');
    assert.ok(!r.json.jobs.some((j) => j.id === doneId || j.id === pendingId), 'only dead jobs');
  });

  it('pages with limit and after until next is null', async () => {
    const seen = [];
    let after = null;
    for (let page = 0; page < 10; page++) {
      const r = await srv.get(`/api/v1/jobs/dead?limit=10${after ? `&after=${after}` : ''}`, a.api_key);
      assert.equal(r.status, 200, r.text);
      seen.push(...r.json.jobs.map((j) => j.id));
      if (r.json.next === null) {
        assert.equal(r.json.jobs.length, 5, 'the last page holds the rest');
        break;
      }
      assert.equal(r.json.jobs.length, 10);
      assert.equal(r.json.next, r.json.jobs[9].id);
      after = r.json.next;
    }
    assert.deepEqual(seen, [...deadA].reverse().map((j) => j.id), 'every dead job once, newest first');
    // a page that ends exactly at the last job says so
    const exact = await srv.get(`/api/v1/jobs/dead?limit=25`, a.api_key);
    assert.equal(exact.json.jobs.length, 25);
    assert.equal(exact.json.next, null);
  });

  it('bad limit or after → 400', async () => {
    for (const qs of ['limit=0', 'limit=101', 'limit=abc', 'limit=', 'after=nope', 'after=bot_234567abcdefghijklmnopqrst']) {
      const r = await srv.get(`/api/v1/jobs/dead?${qs}`, a.api_key);
      assertError(r, 400, 'invalid_request');
    }
  });

  it('another tenant sees only its own dead jobs and none of the first tenant', async () => {
    const r = await srv.get('/api/v1/jobs/dead', b.api_key);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.jobs.map((j) => j.id), [...deadB].reverse().map((j) => j.id));
    assert.equal(r.json.next, null);
    assertError(await srv.get(`/api/v1/jobs/${deadA[0].id}`, b.api_key), 404, 'job_not_found');
    assertError(await srv.json('POST', `/api/v1/jobs/dead/${deadA[0].id}/retry`, { key: b.api_key }), 404, 'job_not_found');
    const mine = await srv.get(`/api/v1/jobs/${deadA[0].id}`, a.api_key);
    assert.equal(mine.json.status, 'dead', 'the other tenant changed nothing');
    const fresh = await startTenantList();
    assert.deepEqual(fresh, []);
    assertError(await srv.get('/api/v1/jobs/dead'), 401, 'unauthorized');
  });

  async function startTenantList() {
    const c = await srv.tenant('Leeres Studio');
    const r = await srv.get('/api/v1/jobs/dead', c.api_key);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.next, null);
    return r.json.jobs;
  }

  it('GET /api/v1/jobs/{id} shows a job of any status', async () => {
    const d = await srv.get(`/api/v1/jobs/${doneId}`, a.api_key);
    assert.equal(d.status, 200, d.text);
    assert.equal(d.json.id, doneId);
    assert.equal(d.json.status, 'done');
    assert.deepEqual(d.json.payload, { x: 1 });
    assert.equal(d.json.last_error, null);
    const p = await srv.get(`/api/v1/jobs/${pendingId}`, a.api_key);
    assert.equal(p.json.status, 'pending');
    assertError(await srv.get(`/api/v1/jobs/${jobId(Date.now())}`, a.api_key), 404, 'job_not_found');
    assertError(await srv.get('/api/v1/jobs/kein_job', a.api_key), 404, 'job_not_found');
  });

  it('retry puts a dead job back to pending with its attempts reset', async () => {
    const target = deadA[12];
    const t0 = Date.now();
    const r = await srv.json('POST', `/api/v1/jobs/dead/${target.id}/retry`, { key: a.api_key });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.id, target.id);
    assert.equal(r.json.status, 'pending');
    assert.equal(r.json.attempts, 0);
    assert.equal(r.json.max_attempts, 5);
    assert.equal(r.json.last_error, target.last_error, 'last_error is kept');
    assert.deepEqual(r.json.payload, JSON.parse(target.payload));
    assert.ok(Date.parse(r.json.run_at) >= t0 - 5000, `due now: ${r.json.run_at}`);
    assert.ok(Date.parse(r.json.updated_at) >= t0 - 5000);

    // The scheduler in serve may claim the job at once; its kind has no handler, so it then goes dead again
    // with attempts 1 and the scheduler's error. Statuses only move forward (pending → running → dead), so
    // the list is read first and the job after it.
    const list = await srv.get('/api/v1/jobs/dead?limit=100', a.api_key);
    assert.equal(list.status, 200, list.text);
    assert.equal(list.json.jobs.filter((j) => j.id !== target.id).length, 24, 'the other dead jobs stay');
    const g = await srv.get(`/api/v1/jobs/${target.id}`, a.api_key);
    assert.equal(g.status, 200, g.text);
    if (list.json.jobs.some((j) => j.id === target.id)) {
      assert.equal(g.json.status, 'dead', g.text);
      assert.equal(g.json.attempts, 1, `dead again after one new attempt, not the old five: ${g.text}`);
    } else if (g.json.status === 'pending') {
      assert.equal(g.json.attempts, 0);
    } else {
      assert.ok(['running', 'dead'].includes(g.json.status), g.text);
      assert.equal(g.json.attempts, 1, g.text);
    }
  });

  it('retry of a job that is not dead → 409 job_not_dead; unknown → 404', async () => {
    const done = await srv.json('POST', `/api/v1/jobs/dead/${doneId}/retry`, { key: a.api_key });
    const e = assertError(done, 409, 'job_not_dead');
    assert.match(e.message, /done/);
    assertError(await srv.json('POST', `/api/v1/jobs/dead/${pendingId}/retry`, { key: a.api_key }), 409, 'job_not_dead');
    assertError(await srv.json('POST', `/api/v1/jobs/dead/${jobId(Date.now())}/retry`, { key: a.api_key }), 404, 'job_not_found');
    assertError(await srv.json('POST', '/api/v1/jobs/dead/xyz/retry', { key: a.api_key }), 404, 'job_not_found');
    const still = await srv.get(`/api/v1/jobs/${doneId}`, a.api_key);
    assert.equal(still.json.status, 'done');
  });
});
