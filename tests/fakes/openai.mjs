// tests/fakes/openai.mjs — a fake OpenAI-compatible LLM server (llama-server / Ollama / vLLM flavour) for
// end-to-end tests, following docs api-contracts §6 and Appendix C. Node built-ins only.
//
//   import { startFakeOpenAI } from '../fakes/openai.mjs';
//   const llm = await startFakeOpenAI();                 // 127.0.0.1, free port
//   llm.script({ reply: '{"reply":"Hallo!"}' }, { status: 429, retryAfter: 2 });
//   ... point botwerk at llm.url (base URL without /v1) ...
//   llm.requests()   // [{ method, path, headers, body, raw, at, clientClosed? }] received, control calls excluded
//   await llm.close();
//
//   node tests/fakes/openai.mjs --port 9931 [--host 127.0.0.1] [--api-key K] [--model M] [--dims 16]
//                               [--dialect openai|llama]
//   (prints "fake-openai listening on http://HOST:PORT"; scripted over HTTP, see below)
//
// Endpoints (§6):
//   POST /v1/chat/completions  stream and non-stream; usage; finish_reason ("length" when max_tokens cuts
//                              the reply: one token = one word with its trailing space); response_format
//                              json_object and json_schema (json_schema.name required, as vLLM: 400
//                              otherwise); malformed requests (bad JSON, no messages array, n > 1) → 500
//                              server_error like llama-server; the model name is echoed, never checked.
//   POST /v1/embeddings        input string or array; encoding_format float or base64 (little-endian float32);
//                              vectors derived from SHA-256 of the text, L2-normalised, `dimensions` honoured.
//   GET  /v1/models, GET /health ({"status":"ok"}; /v1/health too)
//   With apiKey set, /v1/* without "Authorization: Bearer <key>" → 401 authentication_error; health stays open.
//
// Control (not recorded):
//   POST /__script    body: one behaviour or an array of them, appended to the queue
//   GET  /__script    the behaviours not used yet
//   GET  /__requests  what was received
//   POST /__reset     empties the queue and the request log
//
// A behaviour is used by the next request to its `path` (default "/v1/chat/completions"); without one the
// default answer is given ("Antwort auf: <last user message>", as a {"reply","intent","profile"} object
// when a JSON response_format was asked for). Fields, all optional:
//   reply            content text                      chunks     stream deltas (strings, or {raw:'bytes'})
//   reasoning        reasoning_content sent before the content (streamed as deltas; non-stream in message)
//   finishReason     default "stop" ("length" when max_tokens cut the reply)
//   usage            false to omit, or an object to send instead of the computed one
//   firstTokenMs     delay before the first token (stream: headers go out at once) or the whole answer
//   delayMs          delay between stream chunks
//   dialect          "openai": role chunk first, usage in a separate choices:[] chunk only when
//                    stream_options.include_usage; "llama": no role chunk, usage (+timings) on the last chunk
//   ping             true: an SSE comment ": ping" before every chunk
//   status           answer with this HTTP status and an error body (429: Retry-After from `retryAfter`;
//                    503: "Loading model"; 500: server_error; others: invalid_request_error)
//   errorBody        the body (object or string) for `status` instead of the default
//   cutAfter         stream: destroy the socket after this many content chunks
//   errorEventAfter  stream: after this many chunks send data: {"error":{…}} (HTTP 200), then [DONE]
//   errorLineAfter   stream: the llama.cpp dialect "error: {…}" line instead, then [DONE]
//   errorMessage     message for the two above
//   malformedAt      stream: a chunk of broken JSON before content chunk number n (0-based), then go on
//   hang             never answer (until close())
//   reverseOrder     embeddings: data[] in reverse index order (clients must match by index)
// Option `concepts` (startFakeOpenAI({concepts: [[words…], …]})): embeddings by meaning, see conceptEmbed.
//   path             which endpoint the behaviour is for, e.g. "/v1/embeddings" or "/health"

import http from 'node:http';
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';

const BODY_MAX = 10 * 1024 * 1024;
const CHAT = '/v1/chat/completions';

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function errorBody(code, message, type) {
  return { error: { code, message, type } };
}

function defaultErrorBody(status) {
  if (status === 429) return errorBody(429, 'Rate limit exceeded, retry later', 'rate_limit_error');
  if (status === 503) return errorBody(503, 'Loading model', 'unavailable_error');
  if (status === 401) return errorBody(401, 'Invalid API Key', 'authentication_error');
  if (status === 501) return errorBody(501, 'This server does not support completions.', 'not_supported_error');
  if (status >= 500) return errorBody(status, 'Internal server error', 'server_error');
  return errorBody(status, 'Bad request', 'invalid_request_error');
}

/** Word-sized pieces, each with its trailing whitespace: the fake's "tokens". */
export function tokens(text) {
  return String(text).match(/\s+|\S+\s*/g) || [];
}

function textOf(content) {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (p && p.type === 'text' ? p.text || '' : '')).join(' ');
  return '';
}

/** Deterministic unit vector for `text`: SHA-256 blocks (text, counter) mapped to [-1, 1], L2-normalised. */
export function embed(text, dims = 16) {
  const v = new Array(dims);
  let block = null;
  for (let i = 0; i < dims; i++) {
    if (i % 8 === 0) block = createHash('sha256').update(`${text}\u0000${i / 8}`).digest();
    v[i] = block.readUInt32LE((i % 8) * 4) / 0xffffffff * 2 - 1;
  }
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  return v.map((x) => x / norm);
}

/** With `concepts` (groups of words, e.g. [['preis','kosten','beitrag'], …]): texts that mention a word of the
 *  same group get close vectors (one axis per group, plus a little of the text's own hash vector), so
 *  tests can check retrieval by meaning without a real model. Matching is lower-case substring. */
export function conceptEmbed(text, dims, concepts) {
  const t = text.toLowerCase();
  const noise = embed(text, dims);
  const v = noise.map((x) => 0.15 * x);
  concepts.forEach((words, k) => {
    if (words.some((w) => t.includes(w.toLowerCase()))) v[k % dims] += 1;
  });
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  return v.map((x) => x / norm);
}

function toBase64(vec) {
  const buf = Buffer.alloc(vec.length * 4);
  vec.forEach((x, i) => buf.writeFloatLE(x, i * 4));
  return buf.toString('base64');
}

function sendJson(res, status, obj, headers = {}) {
  const body = typeof obj === 'string' ? obj : JSON.stringify(obj);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

/**
 * Starts the fake. Options: port (0 = free), host ('127.0.0.1'), apiKey (none), model ('fake-model'),
 * dims (embedding size, 16), dialect ('openai' | 'llama').
 * Returns { url, port, script(...behaviours), pending(), requests(), reset(), close() }.
 */
export async function startFakeOpenAI(opts = {}) {
  const cfg = { host: '127.0.0.1', port: 0, model: 'fake-model', dims: 16, dialect: 'openai', ...opts };
  const queue = [];
  const log = [];
  const sockets = new Set();
  let seq = 0;

  function take(path) {
    const i = queue.findIndex((b) => (b.path || CHAT) === path);
    return i < 0 ? null : queue.splice(i, 1)[0];
  }

  function script(...items) {
    for (const b of items.flat()) {
      if (!b || typeof b !== 'object') throw new TypeError('a behaviour is an object');
      queue.push({ ...b });
    }
  }

  // ---- chat completions ------------------------------------------------------------------------

  function chatError(res, b) {
    const headers = {};
    if (b.status === 429 && b.retryAfter !== undefined) headers['Retry-After'] = String(b.retryAfter);
    sendJson(res, b.status, b.errorBody !== undefined ? b.errorBody : defaultErrorBody(b.status), headers);
  }

  // Validates like llama-server (Appendix C) plus vLLM's json_schema.name rule. Returns an error answer or null.
  function validateChat(body) {
    if (!body || typeof body !== 'object' || Array.isArray(body))
      return [500, errorBody(500, '[json.exception.parse_error.101] parse error: invalid JSON body', 'server_error')];
    if (!Array.isArray(body.messages) || body.messages.length === 0)
      return [500, errorBody(500, "'messages' is required and must be a non-empty array", 'server_error')];
    if (body.n !== undefined && body.n !== 1)
      return [500, errorBody(500, 'Only one completion choice is allowed', 'server_error')];
    const rf = body.response_format;
    if (rf !== undefined && rf !== null) {
      if (typeof rf !== 'object' || !['text', 'json_object', 'json_schema'].includes(rf.type))
        return [400, errorBody(400, 'response_format.type must be one of text, json_object, json_schema', 'invalid_request_error')];
      if (rf.type === 'json_schema' && (!rf.json_schema || typeof rf.json_schema.name !== 'string' || !rf.json_schema.name))
        return [400, errorBody(400, 'response_format.json_schema.name: Field required', 'invalid_request_error')];
    }
    return null;
  }

  function defaultReply(body) {
    const users = body.messages.filter((m) => m && m.role === 'user');
    const last = users.length ? textOf(users[users.length - 1].content) : '';
    const text = `Antwort auf: ${last}`;
    const rf = body.response_format;
    if (rf && (rf.type === 'json_object' || rf.type === 'json_schema'))
      return JSON.stringify({ reply: text, intent: 'other', profile: {} });
    return text;
  }

  // The content pieces and finish reason after max_tokens.
  function plan(body, b) {
    let pieces = b.chunks ? [...b.chunks] : tokens(b.reply !== undefined ? b.reply : defaultReply(body));
    let finish = b.finishReason || 'stop';
    const max = body.max_completion_tokens ?? body.max_tokens;
    if (Number.isInteger(max) && max > 0 && !b.chunks && pieces.length > max) {
      pieces = pieces.slice(0, max);
      if (!b.finishReason) finish = 'length';
    }
    return { pieces, finish };
  }

  function usageFor(body, pieces, b) {
    if (b.usage && typeof b.usage === 'object') return b.usage;
    const prompt = body.messages.reduce((n, m) => n + tokens(textOf(m && m.content)).length + 4, 0);
    const completion = pieces.length;
    return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  }

  async function chat(req, res, body, b) {
    const bad = validateChat(body);
    if (bad) return sendJson(res, bad[0], bad[1]);
    const { pieces, finish } = plan(body, b);
    const id = `chatcmpl-${++seq}`;
    const created = Math.floor(Date.now() / 1000);
    const model = typeof body.model === 'string' ? body.model : cfg.model;

    if (!body.stream) {
      if (b.firstTokenMs) await sleep(b.firstTokenMs);
      const message = { role: 'assistant', content: pieces.map((p) => (typeof p === 'string' ? p : p.raw || '')).join('') };
      if (b.reasoning) message.reasoning_content = b.reasoning;
      const out = { id, object: 'chat.completion', created, model, choices: [{ index: 0, message, finish_reason: finish }] };
      if (b.usage !== false) out.usage = usageFor(body, pieces, b);
      return sendJson(res, 200, out);
    }

    const dialect = b.dialect || cfg.dialect;
    const includeUsage = b.usage !== false && (dialect === 'llama' || !!(body.stream_options && body.stream_options.include_usage));
    let gone = false;
    res.on('close', () => { gone = true; });
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    res.flushHeaders();
    const chunk = (choices, extra = {}) => ({ id, object: 'chat.completion.chunk', created, model, choices, ...extra });
    const write = (s) => { if (!gone) res.write(s); };
    const event = (obj) => { if (b.ping) write(': ping\n\n'); write(`data: ${JSON.stringify(obj)}\n\n`); };
    const errMsg = b.errorMessage || 'Engine error while generating';

    if (b.firstTokenMs) await sleep(b.firstTokenMs);
    if (dialect !== 'llama') event(chunk([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]));
    for (const r of b.reasoning ? tokens(b.reasoning) : []) {
      event(chunk([{ index: 0, delta: { reasoning_content: r }, finish_reason: null }]));
      if (b.delayMs) await sleep(b.delayMs);
    }
    for (let i = 0; i <= pieces.length; i++) {
      if (gone) return;
      if (b.cutAfter === i) { res.socket && res.socket.destroy(); return; }
      if (b.errorEventAfter === i) {
        write(`data: ${JSON.stringify({ error: { message: errMsg, type: 'InternalServerError', param: null, code: 500 } })}\n\n`);
        write('data: [DONE]\n\n');
        return res.end();
      }
      if (b.errorLineAfter === i) {
        write(`error: ${JSON.stringify({ code: 500, message: errMsg, type: 'server_error' })}\n\n`);
        write('data: [DONE]\n\n');
        return res.end();
      }
      if (b.malformedAt === i) write('data: {"id":"' + id + '","choices":[{"delta":{"content":"\n\n');
      if (i === pieces.length) break;
      const p = pieces[i];
      if (i > 0 && b.delayMs) await sleep(b.delayMs);
      if (gone) return;
      if (typeof p === 'object' && p !== null) write(String(p.raw ?? ''));
      else event(chunk([{ index: 0, delta: { content: p }, logprobs: null, finish_reason: null }]));
    }
    if (dialect === 'llama') {
      const extra = includeUsage ? { usage: usageFor(body, pieces, b), timings: { predicted_n: pieces.length, predicted_ms: 1.0 } } : {};
      event(chunk([{ index: 0, delta: {}, finish_reason: finish }], extra));
    } else {
      event(chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: finish }]));
      if (includeUsage) event(chunk([], { usage: usageFor(body, pieces, b) }));
    }
    write('data: [DONE]\n\n');
    res.end();
  }

  // ---- embeddings ------------------------------------------------------------------------------

  function embeddings(res, body, b) {
    if (!body || typeof body !== 'object' || Array.isArray(body))
      return sendJson(res, 500, errorBody(500, 'invalid JSON body', 'server_error'));
    const input = body.input;
    const texts = typeof input === 'string' ? [input] : Array.isArray(input) ? input.map(String) : null;
    if (!texts || texts.length === 0 || texts.some((t) => t.length === 0))
      return sendJson(res, 400, errorBody(400, "'input' must be a non-empty string or array of non-empty strings", 'invalid_request_error'));
    const fmt = body.encoding_format ?? 'float';
    if (fmt !== 'float' && fmt !== 'base64')
      return sendJson(res, 400, errorBody(400, "encoding_format must be 'float' or 'base64'", 'invalid_request_error'));
    const dims = Number.isInteger(body.dimensions) && body.dimensions > 0 ? body.dimensions : cfg.dims;
    let data = texts.map((t, index) => {
      const v = cfg.concepts ? conceptEmbed(t, dims, cfg.concepts) : embed(t, dims);
      return { object: 'embedding', index, embedding: fmt === 'base64' ? toBase64(v) : v };
    });
    if (b.reverseOrder) data = data.reverse();
    const n = texts.reduce((s, t) => s + tokens(t).length, 0);
    sendJson(res, 200, { object: 'list', data, model: typeof body.model === 'string' ? body.model : cfg.model, usage: { prompt_tokens: n, total_tokens: n } });
  }

  // ---- dispatch --------------------------------------------------------------------------------

  async function handle(req, res) {
    const path = new URL(req.url, 'http://x').pathname;
    const chunks = [];
    let size = 0;
    for await (const c of req) {
      size += c.length;
      if (size > BODY_MAX) return sendJson(res, 413, errorBody(413, 'request body too large', 'invalid_request_error'));
      chunks.push(c);
    }
    const raw = Buffer.concat(chunks).toString('utf8');
    let body;
    try { body = raw ? JSON.parse(raw) : undefined; } catch { body = undefined; }

    if (path.startsWith('/__')) {
      if (req.method === 'POST' && path === '/__script') {
        try { script(body); } catch (e) { return sendJson(res, 400, { error: String(e.message) }); }
        return sendJson(res, 200, { queued: queue.length });
      }
      if (req.method === 'GET' && path === '/__script') return sendJson(res, 200, queue);
      if (req.method === 'GET' && path === '/__requests') return sendJson(res, 200, log);
      if (req.method === 'POST' && path === '/__reset') { queue.length = 0; log.length = 0; return sendJson(res, 200, {}); }
      return sendJson(res, 404, { error: 'unknown control endpoint' });
    }

    const entry = { method: req.method, path, headers: req.headers, body: body === undefined ? null : body, raw, at: Date.now() };
    log.push(entry);
    // clientClosed: the client hung up before the answer was complete (a cancelled stream)
    res.on('close', () => { if (!res.writableFinished) entry.clientClosed = true; });
    const b = take(path) || {};
    if (b.hang) return; // answered never; close() destroys the socket
    if (b.firstTokenMs && path !== CHAT) await sleep(b.firstTokenMs);

    const isHealth = path === '/health' || path === '/v1/health';
    if (b.status) return chatError(res, b);
    if (!isHealth && cfg.apiKey && req.headers.authorization !== `Bearer ${cfg.apiKey}`)
      return sendJson(res, 401, defaultErrorBody(401));

    if (req.method === 'GET' && isHealth) return sendJson(res, 200, { status: 'ok' });
    if (req.method === 'GET' && path === '/v1/models')
      return sendJson(res, 200, { object: 'list', data: [{ id: cfg.model, object: 'model', created: 1767225600, owned_by: 'llamacpp' }] });
    if (req.method === 'POST' && path === CHAT) return chat(req, res, raw && body === undefined ? null : body, b);
    if (req.method === 'POST' && path === '/v1/embeddings') return embeddings(res, raw && body === undefined ? null : body, b);
    return sendJson(res, 404, errorBody(404, `File Not Found: ${req.method} ${path}`, 'not_found_error'));
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent) sendJson(res, 500, errorBody(500, `fake failed: ${e.message}`, 'server_error'));
      else res.destroy();
    });
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(cfg.port, cfg.host, resolve);
  });
  const port = server.address().port;

  return {
    url: `http://${cfg.host}:${port}`,
    port,
    script,
    pending: () => queue.map((b) => ({ ...b })),
    requests: () => log.map((r) => ({ ...r })),
    reset() { queue.length = 0; log.length = 0; },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

// ---- CLI ---------------------------------------------------------------------------------------

function parseArgs(argv) {
  const o = {};
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i], v = argv[i + 1];
    if (k === '--port') { o.port = Number(v); i++; }
    else if (k === '--host') { o.host = v; i++; }
    else if (k === '--api-key') { o.apiKey = v; i++; }
    else if (k === '--model') { o.model = v; i++; }
    else if (k === '--dims') { o.dims = Number(v); i++; }
    else if (k === '--dialect') { o.dialect = v; i++; }
    else throw new Error(`unknown argument ${k}`);
  }
  if (o.port !== undefined && !(Number.isInteger(o.port) && o.port >= 0 && o.port < 65536)) throw new Error('--port needs 0..65535');
  return o;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let opts;
  try { opts = parseArgs(process.argv.slice(2)); } catch (e) {
    process.stderr.write(`${e.message}\nusage: node tests/fakes/openai.mjs --port N [--host H] [--api-key K] [--model M] [--dims D] [--dialect openai|llama]\n`);
    process.exit(2);
  }
  const fake = await startFakeOpenAI(opts);
  process.stdout.write(`fake-openai listening on ${fake.url}\n`);
  const stop = () => fake.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
