// Graceful shutdown: SIGTERM while chat requests are in flight lets them finish, then exits 0.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { startServer, sleep, rawRequest, BACKEND } from '../lib/server.mjs';
import { seededBot, Q_PRICE, Q_HOURS, Q_STREET } from '../lib/fixtures.mjs';

const QUESTIONS = [Q_PRICE, Q_HOURS, Q_STREET];

/**
 * Starts a chat request whose body is sent in two parts: the headers and the first half now, the rest
 * when send() is called. Until then the request is certainly in flight on the server.
 */
function splitChat(port, botId, message) {
  const body = Buffer.from(JSON.stringify({ message }));
  const half = Math.floor(body.length / 2);
  let connected;
  let sendRest;
  const isConnected = new Promise((r) => (connected = r));
  const done = new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, method: 'POST', path: `/api/v1/public/bot/${botId}/chat`, agent: false,
      headers: { 'Content-Type': 'application/json', 'Content-Length': body.length },
    }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, text, json });
      });
    });
    req.on('error', reject);
    req.on('socket', (s) => s.on('connect', () => connected()));
    req.write(body.subarray(0, half));
    sendRest = () => req.end(body.subarray(half));
  });
  const send = () => sendRest();
  return { isConnected, done, send };
}

describe(`graceful shutdown (${BACKEND})`, () => {
  let srv;
  after(async () => {
    if (srv) await srv.kill();
  });

  it('SIGTERM with 20 chats in flight: all 20 answered with 200, exit 0, conversations kept', async () => {
    srv = await startServer();
    const key = (await srv.tenant('Feierabend')).api_key;
    const { bot } = await seededBot(srv, key);

    const reqs = [];
    for (let i = 0; i < 20; i++) reqs.push({ q: QUESTIONS[i % 3], ...splitChat(srv.port, bot.id, QUESTIONS[i % 3].q) });
    await Promise.all(reqs.map((r) => r.isConnected));
    await sleep(200); // the server has read the headers of all 20 requests

    const old = srv;
    old.child.kill('SIGTERM');
    await sleep(200);
    assert.equal(old.exit, null, 'the server waits for the requests in flight instead of exiting');
    for (const r of reqs) r.send();

    const results = await Promise.all(reqs.map((r) => r.done.catch((e) => ({ status: 0, text: String(e) }))));
    results.forEach((res, i) => {
      assert.equal(res.status, 200, `request ${i}: ${res.status} ${res.text}`);
      assert.ok(res.json.response.includes(reqs[i].q.expect), `request ${i} answer: ${res.json.response}`);
      assert.match(res.json.conversation_id, /^conv_/);
    });
    const convs = results.map((r) => r.json.conversation_id);
    assert.equal(new Set(convs).size, 20, 'twenty distinct conversations');

    await old.stop({ keepDb: true }); // asserts exit code 0
    srv = await startServer({ db: old.db, masterKey: old.masterKey });

    // Every answered conversation was stored before its answer was sent.
    for (const conv of convs) {
      const c = await srv.chat(bot.id, 'Danke!', conv);
      assert.equal(c.status, 200, c.text);
      assert.equal(c.json.conversation_id, conv, `conversation ${conv} was lost in the shutdown`);
    }
    await srv.stop();
  });

  it('after SIGTERM the server accepts no new work and still exits 0', async () => {
    srv = await startServer();
    const key = (await srv.tenant('Zu')).api_key;
    const { bot } = await seededBot(srv, key);
    const pending = splitChat(srv.port, bot.id, Q_PRICE.q);
    await pending.isConnected;
    await sleep(100);
    srv.child.kill('SIGTERM');
    await sleep(200);
    // A new connection is refused, or answered 503 unavailable — never accepted as work.
    let fresh;
    try {
      fresh = await rawRequest(srv.port, 'GET', `/api/v1/public/bot/${bot.id}/config`, { timeoutMs: 5000 });
    } catch (e) {
      fresh = { refused: e.code || e.message };
    }
    if (!fresh.refused) {
      assert.equal(fresh.status, 503, `new request during shutdown: ${fresh.status} ${fresh.text}`);
      assert.equal(fresh.json.error.code, 'unavailable');
    }
    pending.send();
    const res = await pending.done;
    assert.equal(res.status, 200, res.text);
    await srv.stop();
  });

  it('visitors who hang up right after asking: each request logged once, the server keeps answering, exit 0', async () => {
    srv = await startServer();
    const key = (await srv.tenant('Aufgelegt')).api_key;
    const { bot } = await seededBot(srv, key);
    const body = JSON.stringify({ message: Q_PRICE.q });
    const raw = `POST /api/v1/public/bot/${bot.id}/chat HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    // 40 complete chat requests whose clients close the connection as soon as the request is written:
    // the server is then waiting for the exchange to be stored, or about to answer.
    await Promise.all(Array.from({ length: 40 }, () => new Promise((resolve) => {
      const sock = net.connect(srv.port, '127.0.0.1', () => sock.write(raw, () => { sock.destroy(); resolve(); }));
      sock.on('error', resolve);
    })));
    const chatLines = () => srv.accessLog((l) => l.route === '/api/v1/public/bot/{id}/chat');
    const deadline = Date.now() + 10000;
    while (chatLines().length < 40 && Date.now() < deadline) await sleep(50);
    const lines = chatLines();
    assert.equal(lines.length, 40, 'every abandoned request gets exactly one access-log line');
    assert.equal(new Set(lines.map((l) => l.request_id)).size, 40);
    for (const l of lines) assert.ok(l.status === 200 || l.status === 499, `status ${l.status}`);
    assert.equal(srv.lines.find((l) => l.level === 'error'), undefined, 'no error logged');

    const c = await srv.chat(bot.id, Q_PRICE.q);
    assert.equal(c.status, 200, c.text);
    assert.ok(c.json.response.includes(Q_PRICE.expect), c.json.response);
    await srv.stop(); // exit 0 within the stop timeout: nothing left suspended
    assert.equal(srv.lines.find((l) => /suspended/.test(l.msg || '')), undefined, 'no request left suspended');
  });
});

