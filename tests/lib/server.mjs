// tests/lib/server.mjs — start and talk to a real botwerk process from node's built-in test runner.
//
//   const srv = await startServer();           // fresh database, free port, waits for GET /ready
//   const t = await srv.tenant('Studio Nord'); // {id, api_key} via the admin CLI
//   const r = await srv.json('POST', '/api/v1/bots', { key: t.api_key, body: { name: 'X' } });
//   await srv.stop();                          // SIGTERM, asserts exit code 0 (ASan reports fail here)
//
// Environment:
//   BOTWERK_BIN          binary to test (default build/botwerk, relative to the repository root)
//   BOTWERK_TEST_PG_URL  when set, every server gets its own PostgreSQL database (CREATE DATABASE via psql)
//                        instead of a SQLite file in a temp dir
//   BOTWERK_TEST_KEEP    when set, temp dirs and databases are kept for inspection

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = path.resolve(ROOT, process.env.BOTWERK_BIN || 'build/botwerk');
export const PG_URL = process.env.BOTWERK_TEST_PG_URL || '';
export const BACKEND = PG_URL ? 'postgres' : 'sqlite';

const READY_TIMEOUT_MS = 15000;
const STOP_TIMEOUT_MS = 30000;
// Lines a sanitizer prints when it finds something; any of them fails stop() even with exit code 0.
const SANITIZER_RE = /ERROR: (AddressSanitizer|LeakSanitizer|ThreadSanitizer|MemorySanitizer)|runtime error:|SUMMARY: (Address|Undefined|Leak)/;

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A free TCP port on 127.0.0.1 (the kernel picks it; a small race with other processes remains). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Runs a command to completion: {code, signal, stdout, stderr}. Never rejects for a non-zero exit. */
export function run(cmd, args, { env = process.env, input, timeoutMs = 60000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    child.stdin.on('error', () => {}); // the command may exit before reading its input (EPIPE)
    child.stdin.end(input ?? '');
  });
}

function uniqueName(prefix) {
  return `${prefix}_${process.pid}_${randomBytes(5).toString('hex')}`;
}

async function psql(sql) {
  const r = await run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', PG_URL, '-c', sql]);
  if (r.code !== 0) throw new Error(`psql failed (${sql}): ${r.stderr.trim()}`);
}

/** A fresh, empty database: {url, drop()}. */
async function createDatabase() {
  if (PG_URL) {
    const name = uniqueName('bwtest');
    await psql(`CREATE DATABASE ${name}`);
    const u = new URL(PG_URL);
    u.pathname = '/' + name;
    return {
      url: u.toString(),
      async drop() {
        if (process.env.BOTWERK_TEST_KEEP) return;
        await psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      },
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'botwerk-test-'));
  return {
    url: path.join(dir, 'botwerk.db'),
    dir,
    async drop() {
      if (process.env.BOTWERK_TEST_KEEP) return;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts botwerk on a fresh database. Options:
 *   env      extra environment (e.g. {BOTWERK_PUBLIC_RATE: '5'}); BOTWERK_PUBLIC_RATE defaults to '0' here
 *            so that tests sending many public requests are not throttled (the rate-limit test sets it)
 *   db       reuse a database from an earlier server (srv.db) instead of a fresh one
 *   masterKey reuse the master key of an earlier server
 */
export async function startServer(opts = {}) {
  const db = opts.db || (await createDatabase());
  const masterKey = opts.masterKey || randomBytes(32).toString('hex');
  let lastError;
  // A port picked by freePort() can be taken by someone else before the server binds it: retry then.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const env = {
      ...process.env,
      BOTWERK_DB: db.url,
      BOTWERK_LISTEN: `127.0.0.1:${port}`,
      BOTWERK_MASTER_KEY: masterKey,
      BOTWERK_PUBLIC_RATE: '0',
      BOTWERK_LOG_LEVEL: 'info',
      ...(opts.env || {}),
    };
    const srv = new Server({ db, masterKey, port, env, opts });
    try {
      await srv.start();
      return srv;
    } catch (e) {
      lastError = e;
      if (!/in use|EADDRINUSE|bind/i.test(srv.stderrText())) break;
    }
  }
  if (!opts.db) await db.drop().catch(() => {});
  throw lastError;
}

export class Server {
  constructor({ db, masterKey, port, env, opts }) {
    this.db = db;
    this.masterKey = masterKey;
    this.port = port;
    this.env = env;
    this.opts = opts;
    this.base = `http://127.0.0.1:${port}`;
    this.lines = []; // stderr lines: parsed JSON objects, or {raw: '...'} for anything else
    this.rawStderr = [];
    this.exit = null; // {code, signal} once the process ended
    this.stopped = false;
  }

  stderrText() {
    return this.rawStderr.join('\n');
  }

  /** stderr for a failure message: everything from a sanitizer report on, else the last non-access-log lines. */
  diagnostics() {
    const i = this.rawStderr.findIndex((l) => SANITIZER_RE.test(l));
    if (i >= 0) return tail(this.rawStderr.slice(Math.max(0, i - 5)).join('\n'), 12000);
    const other = this.rawStderr.filter((l, k) => !(this.lines[k] && this.lines[k].msg === 'request'));
    return tail(other.slice(-60).join('\n'));
  }

  async start() {
    this.child = spawn(BIN, ['serve'], { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
      this.child.on('error', (e) => {
        this.rawStderr.push(`spawn error: ${e.message}`);
        this.exit = { code: -1, signal: null, error: e };
        resolve(this.exit);
      });
    });
    let partial = '';
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk) => {
      partial += chunk;
      let nl;
      while ((nl = partial.indexOf('\n')) >= 0) {
        this.#addLine(partial.slice(0, nl));
        partial = partial.slice(nl + 1);
      }
    });
    this.child.stderr.on('end', () => {
      if (partial) this.#addLine(partial);
      partial = '';
    });
    this.child.stdout.resume();

    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.exit) {
        await sleep(50); // let the rest of stderr arrive
        this.#closeStreams();
        throw new Error(`botwerk exited before it was ready (${JSON.stringify(this.exit)}); stderr:\n${this.stderrText()}`);
      }
      try {
        const r = await fetch(this.base + '/ready', { signal: AbortSignal.timeout(2000) });
        await r.arrayBuffer();
        if (r.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(50);
    }
    this.child.kill('SIGKILL');
    await this.exited;
    this.#closeStreams();
    throw new Error(`botwerk not ready within ${READY_TIMEOUT_MS} ms; stderr:\n${this.stderrText()}`);
  }

  #addLine(line) {
    if (!line) return;
    this.rawStderr.push(line);
    try {
      const v = JSON.parse(line);
      this.lines.push(v && typeof v === 'object' ? v : { raw: line });
    } catch {
      this.lines.push({ raw: line });
    }
  }

  /** Access-log lines (msg "request"), optionally filtered. */
  accessLog(pred = () => true) {
    return this.lines.filter((l) => l.msg === 'request' && pred(l));
  }

  /** Waits until an access-log line matching pred appears (the log may be written after the response). */
  async waitForLog(pred, timeoutMs = 3000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.lines.find(pred);
      if (hit) return hit;
      if (Date.now() > deadline) return undefined;
      await sleep(20);
    }
  }

  /** Sends SIGTERM and waits; asserts a clean exit (code 0, no sanitizer report). */
  async stop({ keepDb = false } = {}) {
    if (this.stopped) return this.exit;
    this.stopped = true;
    if (!this.exit) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    const exit = await this.exited;
    clearTimeout(timer);
    await sleep(50);
    this.#closeStreams();
    if (!keepDb) await this.db.drop().catch(() => {});
    assert.equal(exit.signal, null, `botwerk ended by signal ${exit.signal}${exit.signal === 'SIGKILL' ? ` (no exit within ${STOP_TIMEOUT_MS} ms after SIGTERM)` : ''}; stderr:\n${this.diagnostics()}`);
    assert.equal(exit.code, 0, `botwerk exit code ${exit.code} after SIGTERM; stderr:\n${this.diagnostics()}`);
    const bad = this.rawStderr.find((l) => SANITIZER_RE.test(l));
    assert.equal(bad, undefined, `sanitizer report in stderr:\n${this.diagnostics()}`);
    return exit;
  }

  /** Stops this server (keeping the database) and starts a new one on the same database and master key. */
  async restart(extraEnv) {
    await this.stop({ keepDb: true });
    try {
      return await startServer({ ...this.opts, db: this.db, masterKey: this.masterKey, env: { ...(this.opts.env || {}), ...(extraEnv || {}) } });
    } catch (e) {
      await this.db.drop().catch(() => {});
      throw e;
    }
  }

  // Once the process has exited, stop reading its pipes: a leftover grandchild holding them open must not
  // keep the test process (and with it node --test) alive.
  #closeStreams() {
    this.child.stderr.destroy();
    this.child.stdout.destroy();
  }

  /** Kills the process without assertions (cleanup after a failed test). */
  async kill() {
    if (!this.exit) this.child.kill('SIGKILL');
    await this.exited;
    this.#closeStreams();
    if (!this.stopped) {
      this.stopped = true;
      await this.db.drop().catch(() => {});
    }
  }

  /** Runs an admin command against the same database: {code, stdout, stderr, json}. */
  async cli(args) {
    const r = await run(BIN, args, { env: this.env });
    let json;
    try {
      json = JSON.parse(r.stdout);
    } catch {
      json = undefined;
    }
    const bad = r.stderr.split('\n').find((l) => SANITIZER_RE.test(l));
    assert.equal(bad, undefined, `sanitizer report from botwerk ${args.join(' ')}:\n${r.stderr}`);
    return { ...r, json };
  }

  /** Runs an admin command that must succeed and print JSON; returns the JSON. */
  async cliJson(args) {
    const r = await this.cli(args);
    assert.equal(r.code, 0, `botwerk ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    assert.ok(r.json && typeof r.json === 'object', `botwerk ${args.join(' ')} printed no JSON: ${r.stdout}`);
    return r.json;
  }

  /** Creates a tenant with the CLI: {id, api_key}. */
  async tenant(name = 'Test Studio') {
    const t = await this.cliJson(['tenant', 'create', name]);
    assert.match(t.id, /^ten_/);
    assert.match(t.api_key, /^bwk_/);
    return t;
  }

  /**
   * JSON request. opts: key (sent as Bearer unless keyHeader: 'x-api-key'), body (object → JSON),
   * headers. Returns {status, headers, text, json, ms}.
   */
  async json(method, urlPath, opts = {}) {
    const headers = { ...(opts.headers || {}) };
    if (opts.key) {
      if (opts.keyHeader === 'x-api-key') headers['X-API-Key'] = opts.key;
      else headers.Authorization = `Bearer ${opts.key}`;
    }
    let body;
    if (opts.body !== undefined) {
      body = typeof opts.body === 'string' || Buffer.isBuffer(opts.body) ? opts.body : JSON.stringify(opts.body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
    }
    const t0 = Date.now();
    let r;
    try {
      r = await fetch(this.base + urlPath, { method, headers, body, signal: AbortSignal.timeout(opts.timeoutMs || 30000) });
    } catch (e) {
      throw await this.#requestError(method, urlPath, e);
    }
    const text = await r.text();
    let json;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: r.status, headers: r.headers, text, json, ms: Date.now() - t0 };
  }

  /**
   * Raw HTTP/1.1 request over node:http (for bodies fetch would not send as-is, huge bodies, or bodies sent
   * in parts). opts: headers, body (string | Buffer). Resolves with {status, headers, text, json}; when the
   * server answers early and then closes the connection, the answer still counts.
   */
  async raw(method, urlPath, opts = {}) {
    try {
      return await rawRequest(this.port, method, urlPath, opts);
    } catch (e) {
      throw await this.#requestError(method, urlPath, e);
    }
  }

  // A request that got no answer: say whether the server is gone (crash, sanitizer abort) and why.
  async #requestError(method, urlPath, e) {
    await sleep(200);
    const cause = (e.cause && (e.cause.code || e.cause.message)) || e.code || e.message;
    let msg = `${method} ${urlPath}: no response (${cause})`;
    if (this.exit) msg += `; botwerk exited ${JSON.stringify({ code: this.exit.code, signal: this.exit.signal })}; stderr:\n${this.diagnostics()}`;
    return new Error(msg, { cause: e });
  }

  // Small conveniences over json().
  get(p, key) {
    return this.json('GET', p, { key });
  }
  post(p, body, key) {
    return this.json('POST', p, { key, body });
  }
  async createBot(key, fields = {}) {
    const r = await this.json('POST', '/api/v1/bots', { key, body: { name: 'FitWerk Studio', ...fields } });
    assert.equal(r.status, 201, `create bot: ${r.status} ${r.text}`);
    return r.json;
  }
  async addText(key, botId, title, text) {
    const r = await this.json('POST', `/api/v1/bots/${botId}/sources`, { key, body: { kind: 'text', title, text } });
    assert.equal(r.status, 201, `create source: ${r.status} ${r.text}`);
    return r.json;
  }
  chat(botId, message, conversationId) {
    const body = { message };
    if (conversationId !== undefined) body.conversation_id = conversationId;
    return this.json('POST', `/api/v1/public/bot/${botId}/chat`, { body });
  }
}

export function rawRequest(port, method, urlPath, { headers = {}, body, timeoutMs = 30000 } = {}) {
  return new Promise((resolve, reject) => {
    let response;
    const chunks = [];
    const finish = () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let json;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      resolve({ status: response.statusCode, headers: new Headers(flatHeaders(response.headers)), text, json });
    };
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers, agent: false, timeout: timeoutMs }, (res) => {
      response = res;
      res.on('data', (d) => chunks.push(d));
      res.on('end', finish);
      res.on('error', () => finish());
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', (e) => {
      // EPIPE/ECONNRESET while we were still sending: fine if the server already answered.
      if (response) return;
      reject(e);
    });
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

function flatHeaders(h) {
  const out = {};
  for (const [k, v] of Object.entries(h)) out[k] = Array.isArray(v) ? v.join(', ') : String(v);
  return out;
}

function tail(s, n = 6000) {
  return s.length > n ? '…' + s.slice(-n) : s;
}

/**
 * Asserts the documented error shape: the status, Content-Type JSON, body {"error":{"code","message"[,"field"]}}
 * with the given code (and field, when given). Returns the error object.
 */
export function assertError(res, status, code, field) {
  const what = `${status} ${code}${field ? ' field ' + field : ''}; got ${res.status} ${res.text.slice(0, 500)}`;
  assert.equal(res.status, status, `expected ${what}`);
  assert.match(res.headers.get('content-type') || '', /^application\/json/, `error content type, expected ${what}`);
  assert.ok(res.json && typeof res.json === 'object' && res.json.error && typeof res.json.error === 'object', `error body shape, expected ${what}`);
  const e = res.json.error;
  if (Array.isArray(code)) assert.ok(code.includes(e.code), `expected one of ${code.join('/')}: ${res.text}`);
  else assert.equal(e.code, code, `expected ${what}`);
  assert.equal(typeof e.message, 'string', `error.message must be a string: ${res.text}`);
  assert.ok(e.message.length > 0, `error.message must not be empty: ${res.text}`);
  const allowed = new Set(['code', 'message', 'field']);
  for (const k of Object.keys(e)) assert.ok(allowed.has(k), `unexpected key error.${k}: ${res.text}`);
  for (const k of Object.keys(res.json)) assert.equal(k, 'error', `unexpected top-level key ${k} in an error body: ${res.text}`);
  if (field !== undefined) assert.equal(e.field, field, `expected ${what}`);
  assert.ok(res.headers.get('x-request-id'), 'errors carry X-Request-Id too');
  return e;
}

/** Runs fn over items with at most `limit` in flight; returns results in order. */
export async function pool(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  });
  await Promise.all(workers);
  return results;
}
