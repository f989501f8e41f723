// Conversation flows per bot: PUT /api/v1/bots/{id}/flows validates with flow_parse before saving (every
// error with path and code, nothing stored on refusal), GET reads back, DELETE removes; PATCH of the bot
// refuses a broken flow too and replaces a flow as a whole; another tenant's bot is 404.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, assertError, ROOT, BACKEND } from '../lib/server.mjs';

const EXAMPLE = JSON.parse(fs.readFileSync(path.join(ROOT, 'flows', 'lead_qualification.de.json'), 'utf8'));

/** A small valid flow: one yes/no question, two ends. */
function tinyFlow(name = 'Kurz') {
  return {
    version: 1,
    name,
    start: 'frage',
    nodes: {
      frage: { type: 'question', text: 'Passt das gerade?', answer: { kind: 'yes_no', yes: 'ja', no: 'nein' } },
      ja: { type: 'end', text: 'Super, bis gleich!' },
      nein: { type: 'end', text: 'Schade, vielleicht ein andermal.' },
    },
  };
}

function example() {
  return structuredClone(EXAMPLE);
}

/** A 422 flow_invalid: the envelope plus "errors" [{path, code, message}]; returns the errors. */
function assertFlowInvalid(res) {
  assert.equal(res.status, 422, `expected 422 flow_invalid; got ${res.status} ${res.text.slice(0, 500)}`);
  assert.match(res.headers.get('content-type') || '', /^application\/json/);
  assert.deepEqual(Object.keys(res.json).sort(), ['error', 'errors'], res.text);
  assert.equal(res.json.error.code, 'flow_invalid', res.text);
  assert.equal(typeof res.json.error.message, 'string');
  assert.ok(res.json.error.message.length > 0);
  assert.ok(Array.isArray(res.json.errors) && res.json.errors.length > 0, res.text);
  for (const e of res.json.errors) {
    assert.deepEqual(Object.keys(e).sort(), ['code', 'message', 'path'], JSON.stringify(e));
    for (const k of ['code', 'message', 'path']) assert.equal(typeof e[k], 'string', JSON.stringify(e));
    assert.ok(e.message.length > 0);
  }
  return res.json.errors;
}

function hasError(errors, p, code) {
  return errors.some((e) => e.path === p && e.code === code);
}

describe(`flows (${BACKEND})`, () => {
  let srv;
  let key;
  let otherKey;
  let bot;

  before(async () => {
    srv = await startServer();
    key = (await srv.tenant('Flows Studio')).api_key;
    otherKey = (await srv.tenant('Fremdes Studio')).api_key;
    bot = await srv.createBot(key, { name: 'Flow-Bot' });
  });
  after(async () => {
    if (srv) await srv.stop();
  });

  const put = (id, body, k = key) => srv.json('PUT', `/api/v1/bots/${id}/flows`, { key: k, body });
  const get = (id, k = key) => srv.get(`/api/v1/bots/${id}/flows`, k);

  it('a bot without a flow: GET → 404 flow_not_found', async () => {
    const r = await get(bot.id);
    assertError(r, 404, 'flow_not_found');
  });

  it('the shipped example saves and reads back unchanged', async () => {
    const r = await put(bot.id, example());
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.bot_id, bot.id);
    assert.equal(r.json.name, EXAMPLE.name);
    assert.deepEqual(r.json.flow, EXAMPLE);
    const g = await get(bot.id);
    assert.equal(g.status, 200, g.text);
    assert.deepEqual(g.json, r.json);
    // the flow is not part of the bot's own view, and the bot is otherwise unchanged
    const b = await srv.get(`/api/v1/bots/${bot.id}`, key);
    assert.equal(b.status, 200);
    assert.equal('flow' in b.json, false);
    assert.equal(b.json.name, 'Flow-Bot');
  });

  it('an unreachable node → 422 with its path, nothing saved', async () => {
    const doc = example();
    doc.nodes.orphan = { type: 'end', text: 'Hierher führt kein Weg.' };
    const errors = assertFlowInvalid(await put(bot.id, doc));
    assert.ok(hasError(errors, 'nodes.orphan', 'unreachable'), JSON.stringify(errors));
    assert.deepEqual((await get(bot.id)).json.flow, EXAMPLE, 'the previous flow is still stored');
  });

  it('a missing transition → 422 missing_transition at the answer', async () => {
    const doc = example();
    delete doc.nodes.ads.answer.no;
    const errors = assertFlowInvalid(await put(bot.id, doc));
    assert.ok(hasError(errors, 'nodes.ads.answer.no', 'missing_transition'), JSON.stringify(errors));
    assert.deepEqual((await get(bot.id)).json.flow, EXAMPLE);
  });

  it('a gap between number buckets → 422 bucket_gap', async () => {
    const doc = example();
    doc.nodes.leads.answer.buckets[1].min = 120; // 100–119 belong to no bucket
    const errors = assertFlowInvalid(await put(bot.id, doc));
    assert.ok(hasError(errors, 'nodes.leads.answer.buckets', 'bucket_gap'), JSON.stringify(errors));
    assert.deepEqual((await get(bot.id)).json.flow, EXAMPLE);
  });

  it('a transition to an unknown node → 422 unknown_node', async () => {
    const doc = example();
    doc.nodes.qualified_100.next = 'termin_buchen';
    const errors = assertFlowInvalid(await put(bot.id, doc));
    assert.ok(hasError(errors, 'nodes.qualified_100.next', 'unknown_node'), JSON.stringify(errors));
    assert.deepEqual((await get(bot.id)).json.flow, EXAMPLE);
  });

  it('every error is listed, not only the first', async () => {
    const doc = example();
    delete doc.nodes.ads.answer.no;
    doc.nodes.leads.answer.buckets[1].min = 120;
    doc.nodes.qualified_100.next = 'termin_buchen';
    doc.nodes.greeting.nxt = 'ads';
    const errors = assertFlowInvalid(await put(bot.id, doc));
    assert.ok(hasError(errors, 'nodes.ads.answer.no', 'missing_transition'), JSON.stringify(errors));
    assert.ok(hasError(errors, 'nodes.leads.answer.buckets', 'bucket_gap'), JSON.stringify(errors));
    assert.ok(hasError(errors, 'nodes.qualified_100.next', 'unknown_node'), JSON.stringify(errors));
    assert.ok(hasError(errors, 'nodes.greeting.nxt', 'unknown_key'), JSON.stringify(errors));
    assert.deepEqual((await get(bot.id)).json.flow, EXAMPLE);
  });

  it('many errors are capped, the message gives the total', async () => {
    const doc = example();
    for (let i = 0; i < 80; i++) doc.nodes[`waise_${i}`] = { type: 'end', text: `Niemand kommt hierher (${i}).` };
    const r = await put(bot.id, doc);
    const errors = assertFlowInvalid(r);
    assert.ok(errors.length >= 10 && errors.length <= 100, `${errors.length} errors listed`);
    assert.match(r.json.error.message, /80/, r.json.error.message);
    assert.deepEqual((await get(bot.id)).json.flow, EXAMPLE);
  });

  it('a body that is not a flow document → 400 / 415, nothing saved', async () => {
    assertError(await srv.json('PUT', `/api/v1/bots/${bot.id}/flows`, { key, body: '{"version": 1, "start": ' }), 400, 'invalid_json');
    assertError(await srv.json('PUT', `/api/v1/bots/${bot.id}/flows`, { key, body: 'kein JSON' }), 400, 'invalid_json');
    assertError(await srv.json('PUT', `/api/v1/bots/${bot.id}/flows`, { key, body: '[1, 2]' }), 400, 'invalid_json');
    assertError(await srv.json('PUT', `/api/v1/bots/${bot.id}/flows`, { key, body: '' , headers: { 'Content-Type': 'application/json' } }), 400, 'invalid_json');
    assertError(
      await srv.json('PUT', `/api/v1/bots/${bot.id}/flows`, { key, body: JSON.stringify(tinyFlow()), headers: { 'Content-Type': 'text/plain' } }),
      415,
      'unsupported_media_type',
    );
    assert.deepEqual((await get(bot.id)).json.flow, EXAMPLE);
  });

  it('not a flow at all (an empty object) → 422 with the missing members', async () => {
    const errors = assertFlowInvalid(await put(bot.id, {}));
    assert.ok(errors.some((e) => e.code === 'missing'), JSON.stringify(errors));
    assert.deepEqual((await get(bot.id)).json.flow, EXAMPLE);
  });

  it('PATCH /api/v1/bots/{id} refuses a broken flow and keeps the stored one', async () => {
    const doc = example();
    doc.nodes.qualified_300.next = 'nirgendwo';
    const r = await srv.json('PATCH', `/api/v1/bots/${bot.id}`, { key, body: { description: 'geändert', flow: doc } });
    const e = assertError(r, 422, 'validation_failed', 'flow.nodes.qualified_300.next');
    assert.match(e.message, /unknown_node/);
    assert.deepEqual((await get(bot.id)).json.flow, EXAMPLE);
    const b = await srv.get(`/api/v1/bots/${bot.id}`, key);
    assert.notEqual(b.json.description, 'geändert', 'nothing of the refused PATCH was stored');
  });

  it('PATCH with a valid flow replaces the stored one as a whole (no node merging)', async () => {
    const r = await srv.json('PATCH', `/api/v1/bots/${bot.id}`, { key, body: { flow: tinyFlow('Per PATCH') } });
    assert.equal(r.status, 200, r.text);
    const g = await get(bot.id);
    assert.equal(g.status, 200);
    assert.deepEqual(g.json.flow, tinyFlow('Per PATCH'), 'no node of the example is left');
    assert.equal(g.json.name, 'Per PATCH');
    // other PATCHes leave the flow alone
    const p = await srv.json('PATCH', `/api/v1/bots/${bot.id}`, { key, body: { description: 'Studio am Hafen' } });
    assert.equal(p.status, 200, p.text);
    assert.deepEqual((await get(bot.id)).json.flow, tinyFlow('Per PATCH'));
    // null removes it
    const n = await srv.json('PATCH', `/api/v1/bots/${bot.id}`, { key, body: { flow: null } });
    assert.equal(n.status, 200, n.text);
    assertError(await get(bot.id), 404, 'flow_not_found');
  });

  it('PATCH with a flow that is not an object → 422', async () => {
    const r = await srv.json('PATCH', `/api/v1/bots/${bot.id}`, { key, body: { flow: 'greeting' } });
    assertError(r, 422, 'validation_failed', 'flow');
  });

  it('a new bot may be created with a flow; a broken one refuses the create', async () => {
    const ok = await srv.json('POST', '/api/v1/bots', { key, body: { name: 'Mit Flow', flow: tinyFlow() } });
    assert.equal(ok.status, 201, ok.text);
    assert.deepEqual((await get(ok.json.id)).json.flow, tinyFlow());
    const broken = tinyFlow();
    broken.start = 'anfang';
    const bad = await srv.json('POST', '/api/v1/bots', { key, body: { name: 'Kaputter Flow', flow: broken } });
    assertError(bad, 422, 'validation_failed', 'flow.start');
    const list = await srv.get('/api/v1/bots?limit=100', key);
    assert.ok(!list.json.items.some((b) => b.name === 'Kaputter Flow'));
  });

  it('another tenant cannot read, write or delete the flow', async () => {
    await put(bot.id, example());
    assertError(await get(bot.id, otherKey), 404, 'bot_not_found');
    assertError(await put(bot.id, tinyFlow('Fremd'), otherKey), 404, 'bot_not_found');
    assertError(await srv.json('DELETE', `/api/v1/bots/${bot.id}/flows`, { key: otherKey }), 404, 'bot_not_found');
    assert.deepEqual((await get(bot.id)).json.flow, EXAMPLE);
    assertError(await get('bot_doesnotexist234567abcdefg'), 404, 'bot_not_found');
    assertError(await srv.get(`/api/v1/bots/${bot.id}/flows`), 401, 'unauthorized');
  });

  it('DELETE removes the flow: 204, then 404', async () => {
    const d = await srv.json('DELETE', `/api/v1/bots/${bot.id}/flows`, { key });
    assert.equal(d.status, 204, d.text);
    assertError(await get(bot.id), 404, 'flow_not_found');
    assertError(await srv.json('DELETE', `/api/v1/bots/${bot.id}/flows`, { key }), 404, 'flow_not_found');
    const b = await srv.get(`/api/v1/bots/${bot.id}`, key);
    assert.equal(b.status, 200, 'the bot itself stays');
  });

  it('the flow survives a restart', async () => {
    await put(bot.id, example());
    srv = await srv.restart();
    assert.deepEqual((await get(bot.id)).json.flow, EXAMPLE);
  });
});
