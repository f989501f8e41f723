// tests/fakes/twilio.mjs — a fake Twilio Programmable Messaging API (WhatsApp sender) for end-to-end tests,
// following api-contracts §2 and Appendix A3/A4/B. Node built-ins only.
//
//   import { startFakeTwilio } from '../fakes/twilio.mjs';
//   const tw = await startFakeTwilio({ accountSid: 'AC…', authToken: 'tok' });   // 127.0.0.1, free port
//   tw.script({ error: 63016 }, { error: 500, times: 2 }, { hang: true });
//   ... point botwerk's Twilio base URL at tw.url ...
//   await tw.sendInbound('http://127.0.0.1:8080/hooks/twilio/bot_x', 'https://bots.example/hooks/twilio/bot_x', 'tok',
//                        inboundParams({ from: '+4915112345678', body: 'Hallo' }));
//   tw.requests()    // [{ method, path, headers, form, body, raw, at, clientClosed? }] received, control calls excluded
//   tw.deliveries()  // [{ url, publicUrl, form, raw, signature, status, responseBody, error? }] webhooks POSTed
//   await tw.close();
//
//   node tests/fakes/twilio.mjs --port 9933 [--host 127.0.0.1] [--account-sid AC…] [--auth-token T]
//   (prints "fake-twilio listening on http://HOST:PORT"; scripted over HTTP like the other fakes)
//
// Endpoint (§2.5):
//   POST /2010-04-01/Accounts/{AccountSid}/Messages.json   form fields To, From (or MessagingServiceSid), then
//       Body (+ MediaUrl) or ContentSid (HX…) + ContentVariables (a JSON object as a string), optional
//       StatusCallback. HTTP Basic AccountSid:AuthToken (401 code 20003 otherwise; a path account other than
//       the user → 404 code 20404). Shape errors → 400 with Twilio's codes (21604 no To, 21603 no From,
//       21602 no Body/ContentSid/MediaUrl, 21617 Body over 1600 characters, 21910 From/To channel mismatch,
//       21656 bad ContentVariables). Success: 201 with the Message resource, sid "SM…", status "queued".
//   Errors are Twilio's JSON: {code, message, more_info, status}.
//
// Control (not recorded): POST/GET /__script, GET /__requests, GET /__deliveries, POST /__reset.
//
// A behaviour is used by the next send. Fields, all optional:
//   error     a Twilio error code answered with its documented body (TWILIO_ERRORS): 63016 outside the 24 h
//             window, 21610 unsubscribed recipient, 20429 too many requests (HTTP 429), 500 (= 20500), 21211,
//             63018, 63024; other codes get a generic 400 body
//   status    HTTP status instead of the table's       errorBody   body instead
//   times     use this behaviour for this many sends (default 1)
//   hang      never answer (until close())               delayMs    wait before answering
//   statuses  status callbacks for this send instead of the default (below), e.g. ['sent',
//             {status:'failed', errorCode:63016}] or []
//
// Status callbacks (§2.3): when a send carries StatusCallback, the fake POSTs signed callbacks to it
// (the URL as given is the signed URL) `statusDelayMs` apart: "sent" then "delivered" by default
// (`statuses` option to change the default for every send). With `callbackBase` set, the request goes to
// callbackBase + the StatusCallback's path and query instead, still signed over the StatusCallback URL
// (a public URL behind a proxy). No callback for the initial "queued", as Twilio.

import http from 'node:http';
import { createHmac, randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';

const BODY_MAX = 1024 * 1024;
const SEND_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;

// ---- signature (§2.4) --------------------------------------------------------------------------------

/** Parameters as [name, value] pairs from an object (arrays for repeated names), a Map, URLSearchParams or pairs. */
export function toPairs(params) {
  if (!params) return [];
  if (Array.isArray(params)) return params.map(([k, v]) => [String(k), String(v)]);
  const it = params instanceof URLSearchParams || params instanceof Map ? params.entries() : Object.entries(params);
  const out = [];
  for (const [k, v] of it) {
    if (Array.isArray(v)) for (const x of v) out.push([String(k), String(x)]);
    else out.push([String(k), String(v)]);
  }
  return out;
}

const byteCmp = (a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/** The string Twilio signs: url + name1 + value1 + … over the decoded parameters sorted by name, then value,
 * in byte order; a name/value pair given twice counts once (as Twilio's SDKs). */
export function twilioSignedString(url, params) {
  const pairs = toPairs(params).sort((x, y) => byteCmp(x[0], y[0]) || byteCmp(x[1], y[1]));
  let s = url;
  let prev = null;
  for (const p of pairs) {
    if (prev && prev[0] === p[0] && prev[1] === p[1]) continue;
    s += p[0] + p[1];
    prev = p;
  }
  return s;
}

/** X-Twilio-Signature: base64(HMAC-SHA1(authToken, signed string)). */
export function twilioSignature(authToken, url, params) {
  return createHmac('sha1', authToken).update(Buffer.from(twilioSignedString(url, params), 'utf8')).digest('base64');
}

/** application/x-www-form-urlencoded as Twilio sends it (space as '+', ':' and '+' escaped). */
export function formEncode(params) {
  const u = new URLSearchParams();
  for (const [k, v] of toPairs(params)) u.append(k, v);
  return u.toString();
}

// ---- webhook parameter sets (§2.2, §2.3) ------------------------------------------------------------

export function newSid(prefix = 'SM') {
  return prefix + randomBytes(16).toString('hex');
}

const wa = (n) => (String(n).startsWith('whatsapp:') ? String(n) : `whatsapp:${String(n).startsWith('+') ? n : '+' + n}`);

/**
 * The parameters of an inbound WhatsApp message as Twilio posts them. m: { from, to, body, profileName,
 * messageSid, accountSid, buttonPayload, buttonText, messageType, media: [{url, contentType}],
 * repliedTo (OriginalRepliedMessageSid), extra: {…more fields} }. Returns [name, value] pairs.
 */
export function inboundParams(m = {}) {
  const from = wa(m.from || '+4915112345678');
  const sid = m.messageSid || newSid('SM');
  const media = m.media || [];
  const p = [
    ['SmsMessageSid', sid], ['NumMedia', String(media.length)], ['ProfileName', m.profileName !== undefined ? m.profileName : 'Max'],
    ['MessageType', m.messageType || (m.buttonPayload !== undefined ? 'button' : media.length ? 'image' : 'text')],
    ['SmsSid', sid], ['WaId', from.slice('whatsapp:+'.length)], ['SmsStatus', 'received'],
    ['Body', m.body !== undefined ? m.body : ''], ['To', wa(m.to || '+4930123456')], ['NumSegments', '1'],
    ['ReferralNumMedia', '0'], ['MessageSid', sid], ['AccountSid', m.accountSid || 'AC00000000000000000000000000000000'],
    ['From', from], ['ApiVersion', '2010-04-01'],
  ];
  media.forEach((x, i) => { p.push([`MediaContentType${i}`, x.contentType || 'image/jpeg'], [`MediaUrl${i}`, x.url]); });
  if (m.buttonPayload !== undefined) p.push(['ButtonPayload', m.buttonPayload]);
  if (m.buttonText !== undefined) p.push(['ButtonText', m.buttonText]);
  if (m.repliedTo) p.push(['OriginalRepliedMessageSid', m.repliedTo], ['OriginalRepliedMessageSender', wa(m.to || '+4930123456')]);
  for (const [k, v] of Object.entries(m.extra || {})) p.push([k, String(v)]);
  return p;
}

/** The parameters of a status callback. s: { messageSid, status, to (the user), from (us), errorCode,
 * errorMessage, accountSid }. */
export function statusParams(s = {}) {
  const status = s.status || 'delivered';
  const p = [
    ['ChannelPrefix', 'whatsapp'], ['ApiVersion', '2010-04-01'], ['MessageStatus', status], ['SmsSid', s.messageSid],
    ['SmsStatus', status], ['ChannelInstallSid', 'XE00000000000000000000000000000000'], ['To', wa(s.to || '+4915112345678')],
    ['From', wa(s.from || '+4930123456')], ['MessageSid', s.messageSid], ['StructuredMessage', 'false'],
    ['AccountSid', s.accountSid || 'AC00000000000000000000000000000000'], ['ChannelToAddress', String(s.to || '+4915112345678').replace(/^whatsapp:/, '')],
  ];
  if (['delivered', 'read', 'sent'].includes(status)) p.push(['EventType', status.toUpperCase()]);
  if (s.errorCode !== undefined) p.push(['ErrorCode', String(s.errorCode)]);
  if (s.errorMessage !== undefined) p.push(['ErrorMessage', s.errorMessage]);
  return p;
}

// ---- delivering webhooks ----------------------------------------------------------------------------

/** POSTs a form body to targetUrl with the given X-Twilio-Signature (none when null). Resolves to
 * { status, body, raw, signature }. */
export async function sendRaw(targetUrl, bodyBytes, signatureOrNull, extraHeaders = {}) {
  const raw = typeof bodyBytes === 'string' ? bodyBytes : Buffer.from(bodyBytes).toString('utf8');
  const headers = {
    'Content-Type': 'application/x-www-form-urlencoded', 'User-Agent': 'TwilioProxy/1.1',
    'I-Twilio-Idempotency-Token': randomBytes(16).toString('hex'), Accept: '*/*', ...extraHeaders,
  };
  if (signatureOrNull !== null && signatureOrNull !== undefined) headers['X-Twilio-Signature'] = signatureOrNull;
  const r = await fetch(targetUrl, { method: 'POST', headers, body: raw });
  return { status: r.status, body: await r.text(), raw, signature: signatureOrNull ?? null };
}

/**
 * POSTs params form-encoded to targetUrl, signed as Twilio signs a call to publicUrl (the URL configured
 * in Twilio: what botwerk must rebuild from BOTWERK_PUBLIC_URL + path). params: pairs, object or
 * URLSearchParams (see inboundParams / statusParams).
 */
export function sendInbound(targetUrl, publicUrl, authToken, params) {
  return sendRaw(targetUrl, formEncode(params), twilioSignature(authToken, publicUrl, params));
}

export const sendStatus = sendInbound;

// ---- documented errors ------------------------------------------------------------------------------

// code → [HTTP status, message]
export const TWILIO_ERRORS = {
  63016: [400, 'Failed to send freeform message because you are outside the allowed window. If you are using WhatsApp, please use a Message Template.'],
  21610: [400, 'Attempt to send to unsubscribed recipient'],
  20429: [429, 'Too Many Requests'],
  20500: [500, 'An internal server error has occurred'],
  20003: [401, 'Authenticate'],
  20404: [404, 'The requested resource was not found'],
  21211: [400, "Invalid 'To' Phone Number"],
  21602: [400, 'Message body is required.'],
  21603: [400, "A 'From' phone number is required."],
  21604: [400, "A 'To' phone number is required."],
  21617: [400, 'The concatenated message body exceeds the 1600 character limit.'],
  21656: [400, 'The ContentVariables Parameter is invalid.'],
  21910: [400, 'Invalid From and To pair. From and To should be of the same channel'],
  63018: [429, 'Rate limit exceeded for Channel'],
  63024: [400, 'Invalid message recipient'],
};

/** [HTTP status, body] of Twilio error `code` (500 stands for 20500). */
export function twilioError(code, message) {
  if (code === 500) code = 20500;
  const [status, dflt] = TWILIO_ERRORS[code] || [400, 'Error'];
  return [status, { code, message: message || dflt, more_info: `https://www.twilio.com/docs/errors/${code}`, status }];
}

// ---- the server ---------------------------------------------------------------------------------

function sendJson(res, status, obj) {
  const body = typeof obj === 'string' ? obj : JSON.stringify(obj);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** null when the send form is acceptable, else [code, message?]. */
export function checkSend(form) {
  const get = (k) => { const p = form.find((x) => x[0] === k); return p ? p[1] : undefined; };
  const to = get('To'), from = get('From'), mss = get('MessagingServiceSid');
  const body = get('Body'), content = get('ContentSid'), vars = get('ContentVariables');
  if (!to) return [21604];
  if (!from && !mss) return [21603];
  if (from && to.startsWith('whatsapp:') !== from.startsWith('whatsapp:')) return [21910];
  if (!/^(whatsapp:)?\+\d{5,15}$/.test(to)) return [21211];
  if (!body && !content && !get('MediaUrl')) return [21602];
  if (body && [...body].length > 1600) return [21617];
  if (content !== undefined && !/^HX[0-9a-f]{32}$/i.test(content)) return [21656, 'The ContentSid is invalid.'];
  if (vars !== undefined) {
    let v;
    try { v = JSON.parse(vars); } catch { return [21656]; }
    if (!v || typeof v !== 'object' || Array.isArray(v)) return [21656];
  }
  return null;
}

/**
 * Starts the fake. Options: port (0 = free), host ('127.0.0.1'), accountSid, authToken (Basic auth; any
 * non-empty credentials when unset), statusDelayMs (10), statuses (['sent','delivered']), callbackBase.
 * Returns { url, port, script(...), pending(), requests(), deliveries(), reset(), sendInbound(), sendStatus(),
 * sendRaw(), close() }.
 */
export async function startFakeTwilio(opts = {}) {
  const cfg = { host: '127.0.0.1', port: 0, statusDelayMs: 10, statuses: ['sent', 'delivered'], ...opts };
  const queue = [];
  const log = [];
  const sent = [];
  const sockets = new Set();
  const timers = new Set();
  let closed = false;

  function script(...items) {
    for (const b of items.flat()) {
      if (!b || typeof b !== 'object') throw new TypeError('a behaviour is an object');
      if (b.times !== undefined && !(Number.isInteger(b.times) && b.times > 0)) throw new TypeError('times must be a positive integer');
      queue.push({ ...b });
    }
  }

  function take() {
    if (!queue.length) return {};
    const b = queue[0];
    if (b.times > 1) { b.times--; return { ...b }; }
    return queue.shift();
  }

  async function deliver(publicUrl, params) {
    let url = publicUrl;
    if (cfg.callbackBase) { const u = new URL(publicUrl); url = cfg.callbackBase.replace(/\/$/, '') + u.pathname + u.search; }
    const signature = twilioSignature(cfg.authToken || '', publicUrl, params);
    const entry = { url, publicUrl, form: toPairs(params), raw: formEncode(params), signature, at: Date.now() };
    sent.push(entry);
    try {
      const r = await sendRaw(url, entry.raw, signature);
      entry.status = r.status;
      entry.responseBody = r.body;
    } catch (e) {
      entry.error = String(e.message || e);
    }
    return entry;
  }

  function scheduleStatuses(msg, callback, b) {
    if (!callback || closed) return;
    const list = (b.statuses || cfg.statuses).map((s) => (typeof s === 'string' ? { status: s } : s));
    const run = async () => {
      for (const s of list) {
        if (closed) return;
        await sleep(cfg.statusDelayMs);
        if (closed) return;
        await deliver(callback, statusParams({ messageSid: msg.sid, to: msg.to, from: msg.from, accountSid: msg.account_sid, ...s }));
      }
    };
    const t = setTimeout(() => { timers.delete(t); run().catch(() => {}); }, 0);
    timers.add(t);
  }

  function authorised(req, account) {
    const m = /^Basic (.+)$/.exec(req.headers.authorization || '');
    if (!m) return [401, 20003];
    const dec = Buffer.from(m[1], 'base64').toString('utf8');
    const i = dec.indexOf(':');
    const user = i < 0 ? dec : dec.slice(0, i), pass = i < 0 ? '' : dec.slice(i + 1);
    if (!user || !pass) return [401, 20003];
    if (cfg.accountSid !== undefined && user !== cfg.accountSid) return [401, 20003];
    if (cfg.authToken !== undefined && pass !== cfg.authToken) return [401, 20003];
    if (account !== user) return [404, 20404];
    return null;
  }

  async function handle(req, res) {
    const path = new URL(req.url, 'http://x').pathname;
    const chunks = [];
    let size = 0;
    for await (const c of req) {
      size += c.length;
      if (size > BODY_MAX) return sendJson(res, 413, twilioError(400, 'Request body too large')[1]);
      chunks.push(c);
    }
    const raw = Buffer.concat(chunks).toString('utf8');

    if (path.startsWith('/__')) {
      let body;
      try { body = raw ? JSON.parse(raw) : undefined; } catch { body = undefined; }
      if (req.method === 'POST' && path === '/__script') {
        try { script(body); } catch (e) { return sendJson(res, 400, { error: String(e.message) }); }
        return sendJson(res, 200, { queued: queue.length });
      }
      if (req.method === 'GET' && path === '/__script') return sendJson(res, 200, queue);
      if (req.method === 'GET' && path === '/__requests') return sendJson(res, 200, log);
      if (req.method === 'GET' && path === '/__deliveries') return sendJson(res, 200, sent);
      if (req.method === 'POST' && path === '/__reset') { queue.length = 0; log.length = 0; sent.length = 0; return sendJson(res, 200, {}); }
      return sendJson(res, 404, { error: 'unknown control endpoint' });
    }

    const form = [...new URLSearchParams(raw)];
    const entry = { method: req.method, path, headers: req.headers, form, body: Object.fromEntries(form), raw, at: Date.now() };
    log.push(entry);
    res.on('close', () => { if (!res.writableFinished) entry.clientClosed = true; });

    const m = SEND_PATH.exec(path);
    if (!m) return sendJson(res, 404, twilioError(20404)[1]);
    if (req.method !== 'POST') return sendJson(res, 405, { code: 20004, message: 'Method not allowed', more_info: 'https://www.twilio.com/docs/errors/20004', status: 405 });
    const denied = authorised(req, m[1]);
    if (denied) { const [, eb] = twilioError(denied[1]); return sendJson(res, denied[0], eb); }
    const b = take();
    if (b.hang) return; // close() destroys the socket
    if (b.delayMs) await sleep(b.delayMs);
    if (b.error !== undefined || b.status !== undefined) {
      const [st, eb] = twilioError(b.error !== undefined ? b.error : 20500);
      return sendJson(res, b.status || st, b.errorBody !== undefined ? b.errorBody : eb);
    }
    const bad = checkSend(form);
    if (bad) { const [st, eb] = twilioError(bad[0], bad[1]); return sendJson(res, st, eb); }

    const get = (k) => { const p = form.find((x) => x[0] === k); return p ? p[1] : null; };
    const sid = newSid('SM');
    const now = new Date().toUTCString().replace('GMT', '+0000');
    const msg = {
      account_sid: m[1], api_version: '2010-04-01', body: get('Body') || '', date_created: now, date_sent: null, date_updated: now,
      direction: 'outbound-api', error_code: null, error_message: null, from: get('From'), messaging_service_sid: get('MessagingServiceSid'),
      num_media: String(form.filter((x) => x[0] === 'MediaUrl').length), num_segments: '1', price: null, price_unit: null,
      sid, status: 'queued', subresource_uris: { media: `/2010-04-01/Accounts/${m[1]}/Messages/${sid}/Media.json` },
      to: get('To'), uri: `/2010-04-01/Accounts/${m[1]}/Messages/${sid}.json`,
    };
    sendJson(res, 201, msg);
    scheduleStatuses(msg, get('StatusCallback'), b);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent) sendJson(res, 500, twilioError(20500, `fake failed: ${e.message}`)[1]);
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
    deliveries: () => sent.map((d) => ({ ...d })),
    reset() { queue.length = 0; log.length = 0; sent.length = 0; },
    sendInbound,
    sendStatus,
    sendRaw,
    close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
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
    else if (k === '--account-sid') { o.accountSid = v; i++; }
    else if (k === '--auth-token') { o.authToken = v; i++; }
    else if (k === '--callback-base') { o.callbackBase = v; i++; }
    else throw new Error(`unknown argument ${k}`);
  }
  if (o.port !== undefined && !(Number.isInteger(o.port) && o.port >= 0 && o.port < 65536)) throw new Error('--port needs 0..65535');
  return o;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let opts;
  try { opts = parseArgs(process.argv.slice(2)); } catch (e) {
    process.stderr.write(`${e.message}\nusage: node tests/fakes/twilio.mjs --port N [--host H] [--account-sid AC…] [--auth-token T] [--callback-base URL]\n`);
    process.exit(2);
  }
  const fake = await startFakeTwilio(opts);
  process.stdout.write(`fake-twilio listening on ${fake.url}\n`);
  const stop = () => fake.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
