// Operations endpoints, request ids, routing errors and the access log.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, BACKEND } from '../lib/server.mjs';
import { seededBot, Q_PRICE } from '../lib/fixtures.mjs';

describe(`operations (${BACKEND})`, () => {
  let srv;
  let key;
  let bot;
  before(async () => {
    srv = await startServer();
    key = (await srv.tenant('Ops Studio')).api_key;
    ({ bot } = await seededBot(srv, key));
  });
  after(async () => {
    if (srv) await srv.kill();
  });

  it('GET /health answers 200 {"status":"ok","db":"ok"}', async () => {
    const r = await srv.get('/health');
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type') || '', /^application\/json/);
    assert.equal(r.json.status, 'ok');
    assert.equal(r.json.db, 'ok');
  });

  it('GET /ready answers 200 once started', async () => {
    const r = await srv.get('/ready');
    assert.equal(r.status, 200, r.text);
  });

  it('unknown routes are 404 not_found, also under /api/v1/', async () => {
    assertError(await srv.get('/no/such/thing'), 404, 'not_found');
    assertError(await srv.get('/api/v1/nonexistent', key), 404, 'not_found');
    assertError(await srv.get('/api/v1/bots/' + bot.id + '/nonexistent', key), 404, 'not_found');
  });

  it('a wrong method on an existing path is 405 with Allow', async () => {
    let r = await srv.json('DELETE', '/api/v1/bots', { key });
    assertError(r, 405, 'method_not_allowed');
    let allow = (r.headers.get('allow') || '').toUpperCase();
    assert.ok(allow.includes('GET') && allow.includes('POST'), `Allow for /api/v1/bots: "${allow}"`);
    assert.ok(!allow.includes('DELETE'), `Allow must not list the refused method: "${allow}"`);

    r = await srv.json('POST', '/api/v1/bots/' + bot.id, { key, body: {} });
    assertError(r, 405, 'method_not_allowed');
    allow = (r.headers.get('allow') || '').toUpperCase();
    for (const m of ['GET', 'PATCH', 'DELETE']) assert.ok(allow.includes(m), `Allow for /api/v1/bots/{id} lacks ${m}: "${allow}"`);

    r = await srv.json('GET', `/api/v1/public/bot/${bot.id}/chat`);
    assertError(r, 405, 'method_not_allowed');
    assert.match(r.headers.get('allow') || '', /POST/);

    r = await srv.json('POST', '/health', { body: {} });
    assertError(r, 405, 'method_not_allowed');
    assert.match(r.headers.get('allow') || '', /GET/);
  });

  it('keeps a client X-Request-Id and logs it in the access log line', async () => {
    const id = 'e2e-req-' + Date.now().toString(36);
    const r = await srv.json('GET', '/api/v1/bots', { key, headers: { 'X-Request-Id': id } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-request-id'), id);
    const line = await srv.waitForLog((l) => l.msg === 'request' && l.request_id === id);
    assert.ok(line, `no access log line with request_id ${id}; stderr tail:\n${srv.stderrText().slice(-2000)}`);
    assert.equal(line.method, 'GET');
    assert.equal(line.path, '/api/v1/bots');
    assert.equal(line.status, 200);
    assert.equal(typeof line.route, 'string');
    assert.ok(line.route.length > 0);
    assert.equal(typeof line.duration_ms, 'number');
    assert.ok(line.duration_ms >= 0);
    assert.equal(typeof line.ts, 'string');
    assert.ok(!Number.isNaN(Date.parse(line.ts)), `ts is not a date: ${line.ts}`);
    assert.equal(typeof line.level, 'string');
  });

  it('generates a request id when none is sent, different per request, and logs it', async () => {
    const a = await srv.get('/health');
    const b = await srv.get('/health');
    const ida = a.headers.get('x-request-id');
    const idb = b.headers.get('x-request-id');
    assert.ok(ida && ida.length >= 8, `generated request id: ${ida}`);
    assert.ok(idb && idb.length >= 8);
    assert.notEqual(ida, idb);
    const line = await srv.waitForLog((l) => l.msg === 'request' && l.request_id === idb);
    assert.ok(line, `no access log line with generated request_id ${idb}`);
    assert.equal(line.path, '/health');
    assert.equal(line.status, 200);
  });

  it('replaces an over-long or unsafe X-Request-Id', async () => {
    const long = 'x'.repeat(65);
    let r = await srv.json('GET', '/health', { headers: { 'X-Request-Id': long } });
    assert.equal(r.status, 200);
    let got = r.headers.get('x-request-id');
    assert.ok(got, 'a request id is always present');
    assert.notEqual(got, long);

    const unsafe = 'abc"},{"evil":1';
    r = await srv.json('GET', '/health', { headers: { 'X-Request-Id': unsafe } });
    got = r.headers.get('x-request-id');
    assert.ok(got);
    assert.notEqual(got, unsafe);
  });

  it('error responses carry X-Request-Id and are logged with their status', async () => {
    const id = 'e2e-404-' + Date.now().toString(36);
    const r = await srv.json('GET', '/definitely/missing', { headers: { 'X-Request-Id': id } });
    assertError(r, 404, 'not_found');
    assert.equal(r.headers.get('x-request-id'), id);
    const line = await srv.waitForLog((l) => l.msg === 'request' && l.request_id === id);
    assert.ok(line, '404 is in the access log');
    assert.equal(line.status, 404);
  });

  it('GET /metrics exposes request counters and histograms for the routes hit', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await srv.get('/health')).status, 200);
    const c = await srv.chat(bot.id, Q_PRICE.q);
    assert.equal(c.status, 200, c.text);
    await srv.get('/nowhere');

    const r = await srv.get('/metrics');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') || '', /^text\/plain/);
    const text = r.text;
    assert.match(text, /^# TYPE botwerk_http_requests_total counter$/m);
    assert.match(text, /^# TYPE botwerk_http_request_duration_seconds histogram$/m);
    assert.match(text, /^# TYPE botwerk_db_query_duration_seconds histogram$/m);

    const samples = parseMetrics(text);
    const counters = samples.filter((s) => s.name === 'botwerk_http_requests_total');
    for (const s of counters) for (const l of ['route', 'method', 'status']) assert.ok(l in s.labels, `counter without ${l}: ${s.line}`);

    const health = counters.filter((s) => /health/.test(s.labels.route) && s.labels.method === 'GET' && s.labels.status === '200');
    assert.equal(health.length, 1, `one counter for GET /health 200:\n${counters.map((s) => s.line).join('\n')}`);
    assert.ok(health[0].value >= 3, `GET /health counted ${health[0].value} times, sent at least 3`);

    const chat = counters.filter((s) => /chat/.test(s.labels.route) && s.labels.method === 'POST' && s.labels.status === '200');
    assert.equal(chat.length, 1, `one counter for POST chat 200:\n${counters.map((s) => s.line).join('\n')}`);
    assert.ok(chat[0].value >= 1);
    // The route label is the route pattern, not the raw path with the bot id in it.
    assert.ok(!chat[0].labels.route.includes(bot.id), `route label must not carry the bot id: ${chat[0].line}`);

    assert.ok(counters.some((s) => s.labels.status === '404'), 'the 404 is counted');

    // Histogram for the health route: cumulative buckets, +Inf bucket equals _count, _sum present.
    const hRoute = health[0].labels.route;
    const buckets = samples.filter((s) => s.name === 'botwerk_http_request_duration_seconds_bucket' && s.labels.route === hRoute);
    assert.ok(buckets.length >= 2, `duration buckets for route ${hRoute}`);
    const inf = buckets.find((s) => s.labels.le === '+Inf');
    assert.ok(inf, '+Inf bucket');
    let prev = -1;
    for (const b of buckets.filter((s) => s.labels.le !== '+Inf').sort((x, y) => Number(x.labels.le) - Number(y.labels.le))) {
      assert.ok(b.value >= prev, `buckets are cumulative: ${b.line}`);
      prev = b.value;
    }
    assert.ok(inf.value >= prev);
    const count = samples.find((s) => s.name === 'botwerk_http_request_duration_seconds_count' && s.labels.route === hRoute);
    const sum = samples.find((s) => s.name === 'botwerk_http_request_duration_seconds_sum' && s.labels.route === hRoute);
    assert.ok(count && sum, `_count and _sum for route ${hRoute}`);
    assert.equal(inf.value, count.value);
    assert.ok(count.value >= 3);
    assert.ok(sum.value >= 0);
    assert.ok(samples.some((s) => s.name === 'botwerk_http_request_duration_seconds_count' && /chat/.test(s.labels.route) && s.value >= 1), 'duration histogram for the chat route');

    const db = samples.filter((s) => s.name === 'botwerk_db_query_duration_seconds_count');
    assert.ok(db.length >= 1, 'db query histogram has at least one operation');
    assert.ok(db.some((s) => s.value > 0), 'db queries were timed');
  });

  it('shuts down cleanly on SIGTERM (exit code 0)', async () => {
    await srv.stop();
  });
});

/** Parses Prometheus text format samples: [{name, labels, value, line}]. */
function parseMetrics(text) {
  const out = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/.exec(line);
    assert.ok(m, `not a Prometheus sample line: ${line}`);
    const labels = {};
    if (m[2]) {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/g;
      let lm;
      while ((lm = re.exec(m[2]))) labels[lm[1]] = lm[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
    }
    const value = m[3] === '+Inf' ? Infinity : Number(m[3]);
    assert.ok(!Number.isNaN(value), `bad sample value: ${line}`);
    out.push({ name: m[1], labels, value, line });
  }
  return out;
}
