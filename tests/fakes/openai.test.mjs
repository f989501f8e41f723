// Self-test of the fake OpenAI-compatible server (tests/fakes/openai.mjs): node --test tests/fakes/
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeOpenAI, embed } from './openai.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MSGS = [{ role: 'system', content: 'Du bist ein Assistent.' }, { role: 'user', content: 'Wann habt ihr geöffnet?' }];

/** SSE events of a whole body: [{data, error, comment}] in order (blank-line separated, LF only). */
function sse(text) {
  return text.split('\n\n').filter((b) => b.length).map((block) => {
    const ev = {};
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) ev.comment = line.slice(1).trim();
      else if (line.startsWith('data:')) ev.data = line.slice(5).trimStart();
      else if (line.startsWith('error:')) ev.error = line.slice(6).trimStart();
    }
    return ev;
  });
}

function contentOf(events) {
  return events.filter((e) => e.data && e.data !== '[DONE]')
    .map((e) => JSON.parse(e.data)).filter((j) => j.choices && j.choices[0] && j.choices[0].delta)
    .map((j) => j.choices[0].delta.content || '').join('');
}

describe('fake OpenAI server', () => {
  let llm;
  const post = (p, body, headers = {}) => fetch(llm.url + p, {
    method: 'POST', headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const chat = (extra = {}) => post('/v1/chat/completions', { model: 'qwen2.5-7b-instruct', messages: MSGS, temperature: 0.2, ...extra });

  before(async () => { llm = await startFakeOpenAI(); });
  after(async () => { await llm.close(); });

  it('GET /health and /v1/models', async () => {
    let r = await fetch(`${llm.url}/health`);
    assert.equal(r.status, 200);
    assert.deepEqual(await r.json(), { status: 'ok' });
    r = await fetch(`${llm.url}/v1/models`);
    const j = await r.json();
    assert.equal(j.object, 'list');
    assert.equal(j.data[0].id, 'fake-model');
  });

  it('non-stream: message, finish_reason, usage, model echoed', async () => {
    llm.script({ reply: 'Wir haben täglich von 6 bis 23 Uhr geöffnet.' });
    const r = await chat();
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^application\/json/);
    const j = await r.json();
    assert.equal(j.object, 'chat.completion');
    assert.equal(j.model, 'qwen2.5-7b-instruct');
    assert.equal(j.choices[0].message.role, 'assistant');
    assert.equal(j.choices[0].message.content, 'Wir haben täglich von 6 bis 23 Uhr geöffnet.');
    assert.equal(j.choices[0].finish_reason, 'stop');
    assert.equal(j.usage.completion_tokens, 9);
    assert.equal(j.usage.total_tokens, j.usage.prompt_tokens + 9);
  });

  it('default reply echoes the last user message; JSON when response_format asks for it', async () => {
    let j = await (await chat()).json();
    assert.equal(j.choices[0].message.content, 'Antwort auf: Wann habt ihr geöffnet?');
    j = await (await chat({ response_format: { type: 'json_object' } })).json();
    assert.deepEqual(JSON.parse(j.choices[0].message.content), { reply: 'Antwort auf: Wann habt ihr geöffnet?', intent: 'other', profile: {} });
    const schema = { type: 'object', properties: { intent: { type: 'string', enum: ['book', 'ask', 'other'] } }, required: ['intent'] };
    let r = await chat({ response_format: { type: 'json_schema', json_schema: { name: 'intent', strict: true, schema } } });
    assert.equal(r.status, 200);
    r = await chat({ response_format: { type: 'json_schema', json_schema: { schema } } });
    assert.equal(r.status, 400);
    assert.equal((await r.json()).error.type, 'invalid_request_error');
    r = await chat({ response_format: { type: 'yaml' } });
    assert.equal(r.status, 400);
  });

  it('malformed requests answer 500 server_error like llama-server', async () => {
    for (const body of ['{"model":"m","messages":[', JSON.stringify({ model: 'm' }), JSON.stringify({ model: 'm', messages: MSGS, n: 2 })]) {
      const r = await post('/v1/chat/completions', body);
      assert.equal(r.status, 500, body);
      const j = await r.json();
      assert.equal(j.error.type, 'server_error');
      assert.equal(j.error.code, 500);
    }
  });

  it('max_tokens cuts the reply with finish_reason length (truncated JSON)', async () => {
    llm.script({ reply: '{"reply": "Gerne! Das Probetraining ist kostenlos und dauert eine Stunde."}' });
    const j = await (await chat({ max_tokens: 5 })).json();
    assert.equal(j.choices[0].finish_reason, 'length');
    assert.equal(j.choices[0].message.content, '{"reply": "Gerne! Das Probetraining ist ');
    assert.equal(j.usage.completion_tokens, 5);
  });

  it('stream (openai dialect): role chunk, deltas, finish, usage chunk only with include_usage, [DONE]', async () => {
    llm.script({ chunks: ['Hal', 'lo ', 'Welt'] }, { chunks: ['x'] });
    let r = await chat({ stream: true, stream_options: { include_usage: true } });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/event-stream/);
    let ev = sse(await r.text());
    const first = JSON.parse(ev[0].data);
    assert.equal(first.object, 'chat.completion.chunk');
    assert.deepEqual(first.choices[0].delta, { role: 'assistant', content: '' });
    assert.equal(contentOf(ev), 'Hallo Welt');
    const fin = JSON.parse(ev[ev.length - 3].data);
    assert.equal(fin.choices[0].finish_reason, 'stop');
    const usage = JSON.parse(ev[ev.length - 2].data);
    assert.deepEqual(usage.choices, []);
    assert.equal(usage.usage.completion_tokens, 3);
    assert.equal(ev[ev.length - 1].data, '[DONE]');
    r = await chat({ stream: true });
    ev = sse(await r.text());
    assert.ok(ev.every((e) => !e.data || e.data === '[DONE]' || !('usage' in JSON.parse(e.data))));
  });

  it('stream (llama dialect): no role chunk, usage and timings on the last chunk', async () => {
    llm.script({ dialect: 'llama', reply: 'Ja, gerne.' });
    const ev = sse(await (await chat({ stream: true })).text());
    assert.equal(JSON.parse(ev[0].data).choices[0].delta.content, 'Ja, ');
    const last = JSON.parse(ev[ev.length - 2].data);
    assert.equal(last.choices[0].finish_reason, 'stop');
    assert.equal(last.usage.completion_tokens, 2);
    assert.ok(last.timings);
    assert.equal(contentOf(ev), 'Ja, gerne.');
  });

  it('stream with reasoning deltas and pings', async () => {
    llm.script({ reasoning: 'Ich denke nach.', reply: 'Antwort.', ping: true });
    const ev = sse(await (await chat({ stream: true })).text());
    assert.ok(ev.some((e) => e.comment === 'ping'));
    const reasoning = ev.filter((e) => e.data && e.data !== '[DONE]').map((e) => JSON.parse(e.data))
      .map((j) => (j.choices[0] && j.choices[0].delta.reasoning_content) || '').join('');
    assert.equal(reasoning, 'Ich denke nach.');
    assert.equal(contentOf(ev), 'Antwort.');
  });

  it('scripted HTTP errors: 429 with Retry-After, 503 loading, 500, then back to normal', async () => {
    llm.script({ status: 429, retryAfter: 2 }, { status: 503 }, { status: 500 });
    let r = await chat();
    assert.equal(r.status, 429);
    assert.equal(r.headers.get('retry-after'), '2');
    assert.equal((await r.json()).error.type, 'rate_limit_error');
    r = await chat();
    assert.equal(r.status, 503);
    assert.deepEqual(await r.json(), { error: { code: 503, message: 'Loading model', type: 'unavailable_error' } });
    r = await chat();
    assert.equal(r.status, 500);
    assert.equal((await r.json()).error.type, 'server_error');
    r = await chat();
    assert.equal(r.status, 200);
    assert.deepEqual(llm.pending(), []);
  });

  it('cut mid-stream: the socket is destroyed, no [DONE]', async () => {
    llm.script({ chunks: ['a', 'b', 'c', 'd'], cutAfter: 2 });
    const r = await chat({ stream: true });
    assert.equal(r.status, 200);
    await assert.rejects(r.text());
  });

  it('error event after HTTP 200, error: line dialect, malformed chunk', async () => {
    llm.script({ chunks: ['a', 'b'], errorEventAfter: 1, errorMessage: 'boom' });
    let ev = sse(await (await chat({ stream: true })).text());
    const err = ev.find((e) => e.data && e.data.includes('"error"'));
    assert.equal(JSON.parse(err.data).error.message, 'boom');
    assert.equal(ev[ev.length - 1].data, '[DONE]');
    assert.equal(contentOf(ev.filter((e) => e !== err)), 'a');

    llm.script({ chunks: ['a', 'b'], errorLineAfter: 1 });
    ev = sse(await (await chat({ stream: true })).text());
    const line = ev.find((e) => e.error);
    assert.equal(JSON.parse(line.error).type, 'server_error');
    assert.equal(ev[ev.length - 1].data, '[DONE]');

    llm.script({ chunks: ['a', 'b'], malformedAt: 1 });
    const text = await (await chat({ stream: true })).text();
    ev = sse(text);
    const bad = ev.filter((e) => e.data && e.data !== '[DONE]').filter((e) => { try { JSON.parse(e.data); return false; } catch { return true; } });
    assert.equal(bad.length, 1);
    assert.ok(text.endsWith('data: [DONE]\n\n'));
  });

  it('slow first token and delays between chunks', async () => {
    llm.script({ chunks: ['a', 'b', 'c'], firstTokenMs: 150, delayMs: 30 });
    const t0 = Date.now();
    const r = await chat({ stream: true });
    assert.equal(r.status, 200); // headers come at once
    const reader = r.body.getReader();
    const { value } = await reader.read();
    assert.ok(Date.now() - t0 >= 140, `first chunk after ${Date.now() - t0} ms`);
    assert.ok(new TextDecoder().decode(value).startsWith('data: '));
    while (!(await reader.read()).done);
    assert.ok(Date.now() - t0 >= 200);

    llm.script({ reply: 'x', firstTokenMs: 120 });
    const t1 = Date.now();
    await (await chat()).json();
    assert.ok(Date.now() - t1 >= 110);
  });

  it('embeddings: float and base64, normalised, deterministic, matched by index', async () => {
    let r = await post('/v1/embeddings', { model: 'e', input: ['Hallo', 'Welt', 'Hallo'], encoding_format: 'float' });
    assert.equal(r.status, 200);
    const j = await r.json();
    assert.equal(j.object, 'list');
    assert.deepEqual(j.data.map((d) => d.index), [0, 1, 2]);
    const [a, b, c] = j.data.map((d) => d.embedding);
    assert.equal(a.length, 16);
    assert.ok(Math.abs(Math.hypot(...a) - 1) < 1e-9);
    assert.deepEqual(a, c);
    assert.notDeepEqual(a, b);
    assert.deepEqual(a, embed('Hallo', 16));
    assert.equal(j.usage.prompt_tokens, 3);

    r = await post('/v1/embeddings', { model: 'e', input: 'Hallo', encoding_format: 'base64', dimensions: 8 });
    const d = (await r.json()).data[0];
    const buf = Buffer.from(d.embedding, 'base64');
    assert.equal(buf.length, 32);
    const floats = Array.from({ length: 8 }, (_, i) => buf.readFloatLE(i * 4));
    embed('Hallo', 8).forEach((x, i) => assert.ok(Math.abs(x - floats[i]) < 1e-6));

    llm.script({ path: '/v1/embeddings', reverseOrder: true });
    r = await post('/v1/embeddings', { model: 'e', input: ['a', 'b'] });
    assert.deepEqual((await r.json()).data.map((x) => x.index), [1, 0]);
    r = await post('/v1/embeddings', { model: 'e', input: [] });
    assert.equal(r.status, 400);
  });

  it('records requests (prompts) and is scriptable over HTTP', async () => {
    llm.reset();
    let r = await post('/__script', [{ reply: 'über HTTP' }]);
    assert.equal((await r.json()).queued, 1);
    const j = await (await chat({ seed: 42 })).json();
    assert.equal(j.choices[0].message.content, 'über HTTP');
    r = await fetch(`${llm.url}/__requests`);
    const log = await r.json();
    assert.equal(log.length, 1);
    assert.equal(log[0].path, '/v1/chat/completions');
    assert.deepEqual(log[0].body.messages, MSGS);
    assert.equal(log[0].body.seed, 42);
    assert.deepEqual(llm.requests()[0].body, log[0].body);
    await post('/__reset', {});
    assert.equal(llm.requests().length, 0);
  });

  it('hang never answers (until the client gives up)', async () => {
    llm.script({ hang: true });
    await assert.rejects(fetch(`${llm.url}/v1/chat/completions`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(200) }));
  });
});

describe('fake OpenAI server with an API key', () => {
  it('requires the bearer key on /v1, not on /health', async () => {
    const llm = await startFakeOpenAI({ apiKey: 'sk-test' });
    try {
      let r = await fetch(`${llm.url}/v1/models`);
      assert.equal(r.status, 401);
      assert.equal((await r.json()).error.type, 'authentication_error');
      r = await fetch(`${llm.url}/v1/models`, { headers: { Authorization: 'Bearer sk-test' } });
      assert.equal(r.status, 200);
      r = await fetch(`${llm.url}/health`);
      assert.equal(r.status, 200);
    } finally {
      await llm.close();
    }
  });
});

describe('fake OpenAI server CLI', () => {
  it('node openai.mjs --port 0 listens and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [path.join(HERE, 'openai.mjs'), '--port', '0', '--model', 'cli-model'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const url = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = out.match(/listening on (http:\/\/\S+)/);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    const j = await (await fetch(`${url}/v1/models`)).json();
    assert.equal(j.data[0].id, 'cli-model');
    const code = await new Promise((resolve) => { child.on('exit', resolve); child.kill('SIGTERM'); });
    assert.equal(code, 0);
  });
});
