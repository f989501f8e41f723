// tests/fakes/whatsapp.mjs — a fake WhatsApp Cloud API (Meta Graph API) for end-to-end tests, following
// api-contracts §1 and Appendix A/B. Node built-ins only.
//
//   import { startFakeWhatsApp } from '../fakes/whatsapp.mjs';
//   const wa = await startFakeWhatsApp({ token: 'EAAG-test' });     // 127.0.0.1, free port
//   wa.script({ error: 131056 }, { error: 500, times: 2 }, { hang: true });
//   ... point botwerk's Graph base URL at wa.url ...
//   await wa.sendInbound('http://127.0.0.1:8080/hooks/whatsapp/bot_x', 'app-secret', { from: '4915112345678', text: 'Hallo' });
//   wa.requests()    // [{ method, path, headers, body, raw, at, status?, wamid?, clientClosed? }] received, control
//                    // calls excluded; status: the HTTP status answered, wamid: the id of an accepted send
//   wa.deliveries()  // [{ url, headers, raw, status, responseBody, error? }] webhooks this fake POSTed
//   await wa.close();
//
//   node tests/fakes/whatsapp.mjs --port 9932 [--host 127.0.0.1] [--token T] [--webhook-url U --app-secret S]
//   (prints "fake-whatsapp listening on http://HOST:PORT"; scripted over HTTP, see below)
//
// Endpoint (§1.7):
//   POST /v{N}.0/{PHONE_NUMBER_ID}/messages   text, template (components/parameters, named parameters),
//       interactive button/list, and mark-as-read ({status:"read", message_id} → {success:true}). Requires
//       "Authorization: Bearer <token>" (any non-empty token when `token` is not set): otherwise 401 with
//       code 190. Shape errors → 400 code 100 ("(#100) …", details name the field). Success: 200
//       {messaging_product, contacts:[{input, wa_id}], messages:[{id:"wamid.…"}]}.
//   Anything else → 400 code 100 "Unsupported post request" (as Graph answers unknown paths).
//
// Control (not recorded):
//   POST /__script    body: one behaviour or an array of them, appended to the queue
//   GET  /__script    the behaviours not used yet
//   GET  /__requests  what was received        GET /__deliveries  webhooks sent
//   POST /__reset     empties the queue and both logs
//   POST /__inbound   body {targetUrl, appSecret, message}: calls sendInbound (for the CLI form)
//
// A behaviour is used by the next send (POST …/messages). Fields, all optional:
//   error       a Meta error code answered with its documented body (META_ERRORS below): 131047
//               re-engagement, 130429 rate limit, 131056 pair rate limit, 190 expired token (HTTP 401),
//               500 (= 131000 "Something went wrong", HTTP 500), 131016 (HTTP 503), 100, 131026, 131030,
//               132001, 4, 80007; any other code gets a generic body
//   status      HTTP status instead of the table's       errorBody   body (object or string) instead
//   times       use this behaviour for this many sends (default 1): {error:500, times:3} fails three
//               times, then the default answer succeeds
//   hang        never answer (until close()): the sender's timeout fires
//   delayMs     wait before answering
//   statuses    for this send, the status webhooks to deliver instead of the default (see below), e.g.
//               ['sent', {status:'failed', code:131047}] or [] for none
//
// Status webhooks (§1.12): with `webhookUrl` and `appSecret` set, each accepted send is followed by signed
// status webhooks to webhookUrl, `statusDelayMs` apart: "sent" then "delivered"; with `enforceWindow`
// (default true) a non-template send to a user whose last inbound message — sent through this fake's
// sendInbound — is older than 24 h (or who never wrote) gets "sent" then "failed" with 131047 instead.
// `now()` (default Date.now) is the fake's clock in milliseconds.
//
// Webhooks are serialised as Meta does: JSON with every non-ASCII UTF-16 unit escaped as \uXXXX (lowercase
// hex, astral characters as surrogate pairs), and signed with X-Hub-Signature-256 over exactly those bytes.

import http from 'node:http';
import { createHmac, randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';

const BODY_MAX = 10 * 1024 * 1024;
const DAY_MS = 24 * 3600 * 1000;
const SEND_PATH = /^\/(v\d+\.\d+)\/([^/]+)\/messages$/;

// ---- Meta's serialisation and signature ------------------------------------------------------------

/** JSON.stringify, then every UTF-16 unit ≥ 0x80 as \uXXXX with lowercase hex (Meta's "escaped unicode"). */
export function metaSerialize(obj, { escapeSlashes = false } = {}) {
  let s = JSON.stringify(obj).replace(/[\u0080-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
  if (escapeSlashes) s = s.replace(/\//g, '\\/');
  return s;
}

/** "sha256=" + lowercase hex HMAC-SHA256(appSecret, bytes). */
export function metaSign(appSecret, bytes) {
  return 'sha256=' + createHmac('sha256', appSecret).update(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes).digest('hex');
}

function fbtrace() {
  return randomBytes(9).toString('base64').replace(/[+/=]/g, 'A');
}

export function newWamid() {
  return 'wamid.' + randomBytes(36).toString('base64');
}

// ---- documented errors (§1.7, §1.9) -----------------------------------------------------------------

// code → [HTTP status, title, error_data.details]
export const META_ERRORS = {
  131047: [400, 'Re-engagement message', 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.'],
  130429: [400, 'Rate limit hit', 'Cloud API message throughput has been reached.'],
  131056: [400, '(Business Account, Consumer Account) pair rate limit hit', 'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.'],
  131026: [400, 'Message undeliverable', 'Unable to deliver message. Reasons can include: the recipient phone number is not a WhatsApp phone number.'],
  131030: [400, 'Recipient phone number not in allowed list', 'Recipient phone number not in allowed list: Add recipient phone number to recipient list and try again.'],
  131048: [400, 'Spam rate limit hit', 'Message failed to send because there are restrictions on how many messages can be sent from this phone number.'],
  131049: [400, 'This message was not delivered to maintain healthy ecosystem engagement.', 'In order to maintain a healthy ecosystem engagement, the message failed to be delivered.'],
  132001: [400, 'Template name does not exist in the translation', 'template name does not exist in the translation'],
  100: [400, 'Invalid parameter', 'Invalid parameter'],
  4: [400, 'Application request limit reached', 'Application request limit reached'],
  80007: [400, 'Rate limit issues', 'The WhatsApp Business Account has reached its rate limit.'],
  131000: [500, 'Something went wrong', 'Something went wrong. Please try again later.'],
  131016: [503, 'Service unavailable', 'A service is temporarily unavailable. Please try again later.'],
};

/** [HTTP status, body] of Meta error `code` (500 stands for 131000; 190 is the expired-token error). */
export function metaError(code, details) {
  if (code === 500) code = 131000;
  if (code === 190) {
    return [401, { error: {
      message: 'Error validating access token: Session has expired on Thursday, 01-Jan-26 10:00:00 PST. The current time is Friday, 02-Jan-26 10:00:00 PST.',
      type: 'OAuthException', code: 190, fbtrace_id: fbtrace(),
    } }];
  }
  const [status, title, dflt] = META_ERRORS[code] || [400, 'Unknown error', 'Unknown error'];
  return [status, { error: {
    message: `(#${code}) ${title}`, type: 'OAuthException', code,
    error_data: { messaging_product: 'whatsapp', details: details || dflt }, fbtrace_id: fbtrace(),
  } }];
}

// ---- webhook envelopes (§1.4–1.6) -------------------------------------------------------------------

function envelope(value, o) {
  return {
    object: 'whatsapp_business_account',
    entry: [{
      id: o.wabaId || '102290129340398',
      changes: [{
        field: 'messages',
        value: {
          messaging_product: 'whatsapp',
          metadata: { display_phone_number: o.displayPhoneNumber || '4930123456', phone_number_id: o.phoneNumberId || '106540352242922' },
          ...value,
        },
      }],
    }],
  };
}

const seconds = (t) => String(t !== undefined ? t : Math.floor(Date.now() / 1000));

/**
 * The envelope of one inbound message. m: { from (digits, no +), id, timestamp (seconds), name (profile),
 * userId (BSUID), context ({id, from}), and one of: text | buttonReply {id,title} | listReply
 * {id,title,description} | button {payload,text} | message (the whole messages[] element, as given) },
 * plus phoneNumberId, displayPhoneNumber, wabaId.
 */
export function inboundEnvelope(m) {
  const from = m.from !== undefined ? String(m.from).replace(/^\+/, '') : '4915112345678';
  let msg;
  if (m.message) msg = m.message;
  else {
    msg = { from, id: m.id || newWamid(), timestamp: seconds(m.timestamp) };
    if (m.userId) msg.from_user_id = m.userId;
    if (m.context) msg.context = { from: m.displayPhoneNumber || '4930123456', ...m.context };
    if (m.buttonReply) Object.assign(msg, { type: 'interactive', interactive: { type: 'button_reply', button_reply: m.buttonReply } });
    else if (m.listReply) Object.assign(msg, { type: 'interactive', interactive: { type: 'list_reply', list_reply: m.listReply } });
    else if (m.button) Object.assign(msg, { type: 'button', button: m.button });
    else Object.assign(msg, { type: 'text', text: { body: m.text !== undefined ? String(m.text) : '' } });
  }
  const contact = { profile: { name: m.name !== undefined ? m.name : 'Max' }, wa_id: from };
  if (m.userId) contact.user_id = m.userId;
  return envelope({ contacts: [contact], messages: [msg] }, m);
}

/**
 * The envelope of one status report. s: { id (our wamid), status (sent|delivered|read|failed|played),
 * recipient (digits), timestamp, callbackData (biz_opaque_callback_data), code/title/details (failed),
 * errors (instead), pricing (false to leave out) }, plus phoneNumberId, displayPhoneNumber, wabaId.
 */
export function statusEnvelope(s) {
  const st = { id: s.id, status: s.status || 'delivered', timestamp: seconds(s.timestamp),
    recipient_id: String(s.recipient || '4915112345678').replace(/^\+/, '') };
  if (s.callbackData !== undefined) st.biz_opaque_callback_data = s.callbackData;
  if (st.status === 'failed' || s.errors) {
    const code = s.code || 131047;
    const [, title, details] = META_ERRORS[code] || [0, 'Unknown error', 'Unknown error'];
    st.errors = s.errors || [{ code, title: s.title || title, message: s.title || title,
      error_data: { details: s.details || details },
      href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/' }];
  } else if (s.pricing !== false) {
    st.pricing = { billable: false, pricing_model: 'PMP', type: 'free_customer_service', category: 'service' };
  }
  return envelope({ statuses: [st] }, s);
}

// ---- delivering webhooks ----------------------------------------------------------------------------

/** POSTs bodyBytes (string or Buffer) to targetUrl as Meta would, with the given signature header (none when
 * null). Resolves to { status, body, raw, signature }; a refused connection rejects. */
export async function sendRaw(targetUrl, bodyBytes, signatureHeaderOrNull, extraHeaders = {}) {
  const raw = typeof bodyBytes === 'string' ? Buffer.from(bodyBytes, 'utf8') : Buffer.from(bodyBytes);
  const headers = { 'Content-Type': 'application/json', 'User-Agent': 'facebookexternalua', ...extraHeaders };
  if (signatureHeaderOrNull !== null && signatureHeaderOrNull !== undefined) headers['X-Hub-Signature-256'] = signatureHeaderOrNull;
  const r = await fetch(targetUrl, { method: 'POST', headers, body: raw });
  return { status: r.status, body: await r.text(), raw, signature: signatureHeaderOrNull ?? null };
}

/** Serialises obj like Meta, signs it with appSecret and POSTs it. */
export function sendSigned(targetUrl, appSecret, obj, opts = {}) {
  const raw = Buffer.from(metaSerialize(obj, opts), 'utf8');
  return sendRaw(targetUrl, raw, metaSign(appSecret, raw));
}

/** One signed inbound message webhook (see inboundEnvelope for m). */
export function sendInbound(targetUrl, appSecret, m = {}) {
  return sendSigned(targetUrl, appSecret, inboundEnvelope(m), m);
}

/** One signed status webhook (see statusEnvelope for s). */
export function sendStatus(targetUrl, appSecret, s = {}) {
  return sendSigned(targetUrl, appSecret, statusEnvelope(s), s);
}

/** Meta's GET handshake against targetUrl: resolves to { status, body }. */
export async function verifyWebhook(targetUrl, verifyToken, challenge = '1158201444') {
  const u = new URL(targetUrl);
  u.searchParams.set('hub.mode', 'subscribe');
  u.searchParams.set('hub.verify_token', verifyToken);
  u.searchParams.set('hub.challenge', challenge);
  const r = await fetch(u, { headers: { 'User-Agent': 'facebookplatform/1.0' } });
  return { status: r.status, body: await r.text() };
}

// ---- validating what botwerk sends (§1.7) -----------------------------------------------------------

const chars = (s) => [...s].length;
const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const PARAM_TYPES = new Set(['text', 'currency', 'date_time', 'image', 'document', 'video', 'payload', 'coupon_code', 'action', 'location']);

function checkTemplate(t) {
  if (!isObj(t)) return 'template must be an object';
  if (typeof t.name !== 'string' || !t.name) return 'template.name is required';
  if (!isObj(t.language) || typeof t.language.code !== 'string' || !t.language.code) return 'template.language.code is required';
  if (t.components === undefined) return null;
  if (!Array.isArray(t.components)) return 'template.components must be an array';
  for (const [i, c] of t.components.entries()) {
    if (!isObj(c) || !['header', 'body', 'button', 'footer'].includes(c.type)) return `template.components[${i}].type is invalid`;
    if (c.type === 'button') {
      if (!['quick_reply', 'url', 'copy_code', 'flow', 'catalog'].includes(c.sub_type)) return `template.components[${i}].sub_type is invalid`;
      if (c.index === undefined || !/^\d+$/.test(String(c.index))) return `template.components[${i}].index is required`;
    }
    if (c.parameters === undefined) continue;
    if (!Array.isArray(c.parameters)) return `template.components[${i}].parameters must be an array`;
    for (const [j, p] of c.parameters.entries()) {
      const at = `template.components[${i}].parameters[${j}]`;
      if (!isObj(p) || !PARAM_TYPES.has(p.type)) return `${at}.type is invalid`;
      if (p.type === 'text' && (typeof p.text !== 'string' || !p.text)) return `${at}.text is required`;
      if (p.type === 'payload' && typeof p.payload !== 'string') return `${at}.payload is required`;
      if (p.parameter_name !== undefined && !/^[a-z_]{1,20}$/.test(p.parameter_name)) return `${at}.parameter_name is invalid`;
    }
  }
  return null;
}

function checkInteractive(it) {
  if (!isObj(it)) return 'interactive must be an object';
  if (!isObj(it.body) || typeof it.body.text !== 'string' || !it.body.text) return 'interactive.body.text is required';
  if (chars(it.body.text) > 1024) return 'interactive.body.text is longer than 1024 characters';
  if (!isObj(it.action)) return 'interactive.action is required';
  if (it.type === 'button') {
    const b = it.action.buttons;
    if (!Array.isArray(b) || b.length < 1 || b.length > 3) return 'interactive.action.buttons must hold 1 to 3 buttons';
    const ids = new Set();
    for (const [i, x] of b.entries()) {
      if (!isObj(x) || x.type !== 'reply' || !isObj(x.reply)) return `interactive.action.buttons[${i}] must be {type:"reply", reply:{id,title}}`;
      if (typeof x.reply.id !== 'string' || !x.reply.id || x.reply.id.length > 256) return `interactive.action.buttons[${i}].reply.id must be 1-256 characters`;
      if (typeof x.reply.title !== 'string' || !x.reply.title || chars(x.reply.title) > 20) return `interactive.action.buttons[${i}].reply.title must be 1-20 characters`;
      if (ids.has(x.reply.id)) return 'interactive.action.buttons ids must be unique';
      ids.add(x.reply.id);
    }
    return null;
  }
  if (it.type === 'list') {
    const a = it.action;
    if (typeof a.button !== 'string' || !a.button || chars(a.button) > 20) return 'interactive.action.button must be 1-20 characters';
    if (!Array.isArray(a.sections) || a.sections.length < 1 || a.sections.length > 10) return 'interactive.action.sections must hold 1 to 10 sections';
    let rows = 0;
    for (const [i, s] of a.sections.entries()) {
      if (!isObj(s) || !Array.isArray(s.rows) || s.rows.length === 0) return `interactive.action.sections[${i}].rows is required`;
      if (a.sections.length > 1 && (typeof s.title !== 'string' || !s.title)) return `interactive.action.sections[${i}].title is required with several sections`;
      if (s.title !== undefined && chars(String(s.title)) > 24) return `interactive.action.sections[${i}].title is longer than 24 characters`;
      for (const [j, r] of s.rows.entries()) {
        const at = `interactive.action.sections[${i}].rows[${j}]`;
        if (!isObj(r) || typeof r.id !== 'string' || !r.id || r.id.length > 200) return `${at}.id must be 1-200 characters`;
        if (typeof r.title !== 'string' || !r.title || chars(r.title) > 24) return `${at}.title must be 1-24 characters`;
        if (r.description !== undefined && chars(String(r.description)) > 72) return `${at}.description is longer than 72 characters`;
        rows++;
      }
    }
    if (rows > 10) return 'interactive.action.sections hold more than 10 rows';
    return null;
  }
  return `interactive.type "${it.type}" is not supported by this fake`;
}

/** null when the send body has the documented shape, else the details of a code-100 error. */
export function checkSend(body) {
  if (!isObj(body)) return 'The request body must be a JSON object';
  if (body.messaging_product !== 'whatsapp') return 'The parameter messaging_product is required and must be "whatsapp"';
  if (body.status === 'read') return typeof body.message_id === 'string' && body.message_id ? null : 'The parameter message_id is required';
  if (body.to === undefined && body.recipient === undefined) return 'The parameter to is required.';
  if (body.to !== undefined && (typeof body.to !== 'string' || !/^\+?\d{5,15}$/.test(body.to))) return 'The parameter to must be a phone number (digits)';
  if (body.recipient !== undefined && (typeof body.recipient !== 'string' || !body.recipient)) return 'The parameter recipient is invalid';
  if (body.recipient_type !== undefined && body.recipient_type !== 'individual') return 'recipient_type must be "individual"';
  if (body.biz_opaque_callback_data !== undefined && (typeof body.biz_opaque_callback_data !== 'string' || body.biz_opaque_callback_data.length > 512))
    return 'biz_opaque_callback_data must be a string of at most 512 characters';
  if (body.context !== undefined && (!isObj(body.context) || typeof body.context.message_id !== 'string')) return 'context.message_id is required';
  const type = body.type === undefined ? 'text' : body.type;
  if (type === 'text') {
    if (!isObj(body.text) || typeof body.text.body !== 'string' || !body.text.body) return 'The parameter text.body is required.';
    if (chars(body.text.body) > 4096) return 'text.body is longer than 4096 characters';
    return null;
  }
  if (type === 'template') return checkTemplate(body.template);
  if (type === 'interactive') return checkInteractive(body.interactive);
  return `Message type "${type}" is not supported by this fake`;
}

// ---- the server ---------------------------------------------------------------------------------

function sendJson(res, status, obj, headers = {}) {
  const body = typeof obj === 'string' ? obj : JSON.stringify(obj);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=UTF-8', 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Starts the fake. Options: port (0 = free), host ('127.0.0.1'), token (expected Bearer token; any when
 * unset), webhookUrl + appSecret (status webhooks, see top), statusDelayMs (10), enforceWindow (true),
 * now (() => ms), phoneNumberId / displayPhoneNumber / wabaId (envelope metadata).
 * Returns { url, port, script(...), pending(), requests(), deliveries(), reset(), sendInbound(), sendStatus(),
 * sendRaw(), close() }.
 */
export async function startFakeWhatsApp(opts = {}) {
  const cfg = { host: '127.0.0.1', port: 0, statusDelayMs: 10, enforceWindow: true, now: () => Date.now(), ...opts };
  const queue = [];
  const log = [];
  const sent = [];
  const lastInbound = new Map(); // wa_id → ms of the last inbound message sent through this fake
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

  async function deliver(url, obj) {
    const raw = Buffer.from(metaSerialize(obj), 'utf8');
    const entry = { url, headers: {}, raw: raw.toString('utf8'), body: obj, at: Date.now() };
    sent.push(entry);
    try {
      const r = await sendRaw(url, raw, metaSign(cfg.appSecret, raw));
      entry.status = r.status;
      entry.responseBody = r.body;
    } catch (e) {
      entry.error = String(e.message || e);
    }
    return entry;
  }

  function envOpts() {
    return { phoneNumberId: cfg.phoneNumberId, displayPhoneNumber: cfg.displayPhoneNumber, wabaId: cfg.wabaId };
  }

  // The status webhooks that follow an accepted send.
  function planStatuses(body, b) {
    if (b.statuses) return b.statuses;
    if (body.status === 'read') return [];
    const to = String(body.to || '').replace(/^\+/, '');
    const last = lastInbound.get(to);
    if (cfg.enforceWindow && body.type !== 'template' && (last === undefined || cfg.now() - last > DAY_MS))
      return ['sent', { status: 'failed', code: 131047 }];
    return ['sent', 'delivered'];
  }

  function scheduleStatuses(wamid, body, b) {
    if (!cfg.webhookUrl || !cfg.appSecret || closed) return;
    const list = planStatuses(body, b).map((s) => (typeof s === 'string' ? { status: s } : s));
    const run = async () => {
      for (const s of list) {
        if (closed) return;
        await sleep(cfg.statusDelayMs);
        if (closed) return;
        await deliver(cfg.webhookUrl, statusEnvelope({
          ...envOpts(), id: wamid, recipient: body.to, callbackData: body.biz_opaque_callback_data,
          timestamp: Math.floor(cfg.now() / 1000), ...s,
        }));
      }
    };
    const t = setTimeout(() => { timers.delete(t); run().catch(() => {}); }, 0);
    timers.add(t);
  }

  async function handle(req, res) {
    const path = new URL(req.url, 'http://x').pathname;
    const chunks = [];
    let size = 0;
    for await (const c of req) {
      size += c.length;
      if (size > BODY_MAX) return sendJson(res, 413, metaError(100, 'request body too large')[1]);
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
      if (req.method === 'GET' && path === '/__deliveries') return sendJson(res, 200, sent);
      if (req.method === 'POST' && path === '/__reset') { queue.length = 0; log.length = 0; sent.length = 0; lastInbound.clear(); return sendJson(res, 200, {}); }
      if (req.method === 'POST' && path === '/__inbound' && isObj(body)) {
        try {
          const r = await api.sendInbound(body.targetUrl, body.appSecret, body.message || {});
          return sendJson(res, 200, { status: r.status, body: r.body });
        } catch (e) { return sendJson(res, 502, { error: String(e.message || e) }); }
      }
      return sendJson(res, 404, { error: 'unknown control endpoint' });
    }

    const entry = { method: req.method, path, headers: req.headers, body: body === undefined ? null : body, raw, at: Date.now() };
    log.push(entry);
    res.on('close', () => { if (!res.writableFinished) entry.clientClosed = true; });
    res.on('finish', () => { entry.status = res.statusCode; }); // the HTTP status answered (none while hanging)

    const m = SEND_PATH.exec(path);
    if (req.method !== 'POST' || !m) {
      return sendJson(res, 400, { error: { message: `Unsupported ${req.method.toLowerCase()} request. Object with ID '${path.split('/')[2] || ''}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
        type: 'GraphMethodException', code: 100, error_subcode: 33, fbtrace_id: fbtrace() } });
    }
    const auth = req.headers.authorization || '';
    const bearer = /^Bearer (.+)$/.exec(auth);
    if (!bearer || (cfg.token !== undefined && bearer[1] !== cfg.token)) {
      const [st, eb] = metaError(190);
      return sendJson(res, st, eb);
    }
    const b = take();
    if (b.hang) return; // close() destroys the socket
    if (b.delayMs) await sleep(b.delayMs);
    if (b.error !== undefined || b.status !== undefined) {
      const [st, eb] = metaError(b.error !== undefined ? b.error : 131000);
      return sendJson(res, b.status || st, b.errorBody !== undefined ? b.errorBody : eb);
    }
    if (raw && body === undefined) return sendJson(res, 400, metaError(100, 'The request body is not valid JSON')[1]);
    const bad = checkSend(body);
    if (bad) return sendJson(res, 400, metaError(100, bad)[1]);
    if (body.status === 'read') return sendJson(res, 200, { success: true });
    const wamid = newWamid();
    const input = body.to !== undefined ? body.to : body.recipient;
    const contact = body.to !== undefined ? { input, wa_id: String(input).replace(/^\+/, '') } : { input, user_id: input };
    const message = { id: wamid };
    entry.wamid = wamid;
    if (body.type === 'template' && b.messageStatus !== false) message.message_status = b.messageStatus || 'accepted';
    sendJson(res, 200, { messaging_product: 'whatsapp', contacts: [contact], messages: [message] });
    scheduleStatuses(wamid, body, b);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent) sendJson(res, 500, metaError(131000, `fake failed: ${e.message}`)[1]);
      else res.destroy();
    });
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(cfg.port, cfg.host, resolve);
  });
  const port = server.address().port;

  const api = {
    url: `http://${cfg.host}:${port}`,
    port,
    script,
    pending: () => queue.map((b) => ({ ...b })),
    requests: () => log.map((r) => ({ ...r })),
    deliveries: () => sent.map((d) => ({ ...d })),
    reset() { queue.length = 0; log.length = 0; sent.length = 0; lastInbound.clear(); },
    /** Like the exported sendInbound, with this fake's metadata, and it opens the user's 24 h window. */
    sendInbound(targetUrl, appSecret, m = {}) {
      const msg = { ...envOpts(), timestamp: Math.floor(cfg.now() / 1000), ...m };
      lastInbound.set(String(msg.from !== undefined ? msg.from : '4915112345678').replace(/^\+/, ''), cfg.now());
      return sendInbound(targetUrl, appSecret, msg);
    },
    sendStatus(targetUrl, appSecret, s = {}) {
      return sendStatus(targetUrl, appSecret, { ...envOpts(), timestamp: Math.floor(cfg.now() / 1000), ...s });
    },
    sendRaw,
    close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return api;
}

// ---- CLI ---------------------------------------------------------------------------------------

function parseArgs(argv) {
  const o = {};
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i], v = argv[i + 1];
    if (k === '--port') { o.port = Number(v); i++; }
    else if (k === '--host') { o.host = v; i++; }
    else if (k === '--token') { o.token = v; i++; }
    else if (k === '--webhook-url') { o.webhookUrl = v; i++; }
    else if (k === '--app-secret') { o.appSecret = v; i++; }
    else if (k === '--no-window') { o.enforceWindow = false; }
    else throw new Error(`unknown argument ${k}`);
  }
  if (o.port !== undefined && !(Number.isInteger(o.port) && o.port >= 0 && o.port < 65536)) throw new Error('--port needs 0..65535');
  return o;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let opts;
  try { opts = parseArgs(process.argv.slice(2)); } catch (e) {
    process.stderr.write(`${e.message}\nusage: node tests/fakes/whatsapp.mjs --port N [--host H] [--token T] [--webhook-url U --app-secret S] [--no-window]\n`);
    process.exit(2);
  }
  const fake = await startFakeWhatsApp(opts);
  process.stdout.write(`fake-whatsapp listening on ${fake.url}\n`);
  const stop = () => fake.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
