// Self-test of the fake WhatsApp providers (tests/fakes/whatsapp.mjs, tests/fakes/twilio.mjs):
//   node --test tests/fakes/
// Signatures against api-contracts Appendix A (A1–A4), Meta's \uXXXX serialisation, the documented error
// bodies, scripted failures (N times, hang), status webhooks and the 24 h window rule.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHmac } from 'node:crypto';
import {
  startFakeWhatsApp, metaSerialize, metaSign, inboundEnvelope, sendInbound, sendStatus, sendRaw, verifyWebhook,
} from './whatsapp.mjs';
import {
  startFakeTwilio, twilioSignature, twilioSignedString, formEncode, inboundParams, statusParams,
  sendInbound as twilioSendInbound,
} from './twilio.mjs';

const A1_BODY = '{"object":"whatsapp_business_account","entry":[]}';
const A2_BODY = '{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"4930123456","phone_number_id":"111"},"messages":[{"from":"4915112345678","id":"wamid.TEST1","timestamp":"1767225600","type":"text","text":{"body":"Gr\\u00fc\\u00dfe"}}]}}]}]}';
const A4_PARAMS = {
  AccountSid: 'AC00000000000000000000000000000000', Body: 'Hallo Welt', From: 'whatsapp:+4915112345678',
  MessageSid: 'SM00000000000000000000000000000001', NumMedia: '0', ProfileName: 'Max', To: 'whatsapp:+4930123456', WaId: '4915112345678',
};
const A4_URL = 'https://example.test/wa/twilio/t_123';

/** A local HTTP server standing in for botwerk: records raw bodies and headers, answers with `answer`. */
async function startReceiver(answer = () => [200, 'ok']) {
  const got = [];
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const raw = Buffer.concat(chunks);
    const entry = { method: req.method, url: req.url, headers: req.headers, raw };
    got.push(entry);
    const [status, body] = answer(entry);
    res.writeHead(status, { 'Content-Type': 'text/plain' });
    res.end(body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}`;
  return { url, got, close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) };
}

async function waitFor(cond, ms = 3000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('Meta signatures and serialisation (Appendix A1, A2)', () => {
  it('A1 and A2 signatures', () => {
    assert.equal(metaSign('app-secret-123', A1_BODY), 'sha256=20e391a99a86fc5adf7e3a453236d20c906360291977896cf2f671e03bb95703');
    assert.equal(Buffer.byteLength(A2_BODY), 336);
    assert.equal(metaSign('app_secret_test', A2_BODY), 'sha256=7744f7ddb7a1d4390f30103bd6ea7723a89ec313adef523d22edbc6f2d082109');
  });

  it('re-serialising A2 as Meta does gives the same bytes; plain UTF-8 JSON does not verify', () => {
    const obj = JSON.parse(A2_BODY);
    assert.equal(obj.entry[0].changes[0].value.messages[0].text.body, 'Grüße');
    assert.equal(metaSerialize(obj), A2_BODY);
    const utf8 = JSON.stringify(obj);
    assert.ok(utf8.includes('Grüße'));
    assert.notEqual(metaSign('app_secret_test', utf8), metaSign('app_secret_test', A2_BODY));
  });

  it('escapes every non-ASCII unit in lowercase hex, astral characters as surrogate pairs', () => {
    assert.equal(metaSerialize({ t: 'ä€👍\u007f/' }), '{"t":"\\u00e4\\u20ac\\ud83d\\udc4d\u007f/"}');
    assert.equal(metaSerialize({ u: 'https://x/y' }, { escapeSlashes: true }), '{"u":"https:\\/\\/x\\/y"}');
    assert.match(metaSerialize(inboundEnvelope({ text: 'Größe', name: 'Jürgen' })), /^[\x20-\x7e]*$/);
  });
});

describe('Twilio signatures (Appendix A3, A4)', () => {
  it('A3: the documented example', () => {
    const p = { CallSid: 'CA1234567890ABCDE', Caller: '+12349013030', Digits: '1234', From: '+12349013030', To: '+18005551212' };
    assert.equal(twilioSignature('12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', p), '0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
  });

  it('A4: signed string, both URL spellings, and the form body', () => {
    assert.equal(twilioSignedString(A4_URL, A4_PARAMS),
      'https://example.test/wa/twilio/t_123AccountSidAC00000000000000000000000000000000BodyHallo WeltFromwhatsapp:+4915112345678MessageSidSM00000000000000000000000000000001NumMedia0ProfileNameMaxTowhatsapp:+4930123456WaId4915112345678');
    assert.equal(twilioSignature('test_auth_token', A4_URL, A4_PARAMS), 'Dr4RZuym9owcUO7/1YF6NCmBXoo=');
    assert.equal(twilioSignature('test_auth_token', 'https://example.test:443/wa/twilio/t_123', A4_PARAMS), 'QGO+ETPeIN8gii0RF+1cJE4UvUo=');
    // order of the given parameters does not matter
    const shuffled = Object.entries(A4_PARAMS).reverse();
    assert.equal(twilioSignature('test_auth_token', A4_URL, shuffled), 'Dr4RZuym9owcUO7/1YF6NCmBXoo=');
    const form = formEncode(A4_PARAMS);
    assert.ok(form.includes('Body=Hallo+Welt'));
    assert.ok(form.includes('From=whatsapp%3A%2B4915112345678'));
  });

  it('byte order, repeated names sorted by value, identical pairs once', () => {
    assert.equal(twilioSignedString('u', [['a', '1'], ['B', '2'], ['CallSid', 'x'], ['Caller', 'y']]), 'uB2CallSidxCallerya1');
    assert.equal(twilioSignedString('u', [['M', 'b'], ['M', 'a'], ['M', 'b']]), 'uMaMb');
    assert.equal(twilioSignedString('u', { M: ['b', 'a'] }), 'uMaMb');
  });
});

describe('fake WhatsApp Cloud API', () => {
  let wa, rx;
  const send = (body, token = 'tok', version = 'v24.0') => fetch(`${wa.url}/${version}/106540352242922/messages`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = (extra = {}) => ({ messaging_product: 'whatsapp', recipient_type: 'individual', to: '4915112345678', type: 'text', text: { body: 'Hallo!' }, ...extra });

  before(async () => {
    rx = await startReceiver();
    wa = await startFakeWhatsApp({ token: 'tok', webhookUrl: `${rx.url}/hooks/whatsapp/bot_1`, appSecret: 'app-secret', statusDelayMs: 1 });
  });
  after(async () => { await wa.close(); await rx.close(); });

  it('text send: 200 with contacts and a fresh wamid; recorded', async () => {
    wa.reset();
    const r = await send(text({ context: { message_id: 'wamid.IN' }, biz_opaque_callback_data: 'tenant=7' }));
    assert.equal(r.status, 200);
    const j = await r.json();
    assert.equal(j.messaging_product, 'whatsapp');
    assert.deepEqual(j.contacts, [{ input: '4915112345678', wa_id: '4915112345678' }]);
    assert.match(j.messages[0].id, /^wamid\.[A-Za-z0-9+/=]{40,}$/);
    const [req] = wa.requests();
    assert.equal(req.path, '/v24.0/106540352242922/messages');
    assert.equal(req.headers.authorization, 'Bearer tok');
    assert.equal(req.body.text.body, 'Hallo!');
  });

  it('template, interactive button and list, mark as read', async () => {
    let r = await send({ messaging_product: 'whatsapp', to: '4915112345678', type: 'template', template: {
      name: 'appointment_reminder', language: { code: 'de' }, components: [
        { type: 'body', parameters: [{ type: 'text', text: 'Max' }, { type: 'text', parameter_name: 'slot', text: 'Mo, 10:00' }] },
        { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'CONFIRM_123' }] }] } });
    assert.equal(r.status, 200);
    assert.equal((await r.json()).messages[0].message_status, 'accepted');
    r = await send({ messaging_product: 'whatsapp', to: '4915112345678', type: 'interactive', interactive: {
      type: 'button', body: { text: 'Welcher Termin passt?' }, action: { buttons: [
        { type: 'reply', reply: { id: 'slot_1', title: 'Mo 10:00' } }, { type: 'reply', reply: { id: 'slot_2', title: 'Di 14:00' } }] } } });
    assert.equal(r.status, 200);
    r = await send({ messaging_product: 'whatsapp', to: '4915112345678', type: 'interactive', interactive: {
      type: 'list', body: { text: 'Was möchtest du?' }, action: { button: 'Auswählen', sections: [
        { title: 'Kurse', rows: [{ id: 'row_1', title: 'Probetraining', description: '60 min' }] }] } } });
    assert.equal(r.status, 200);
    r = await send({ messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.X', typing_indicator: { type: 'text' } });
    assert.deepEqual(await r.json(), { success: true });
  });

  it('bad shapes → 400 code 100 naming the field', async () => {
    const cases = [
      [text({ to: undefined }), /parameter to is required/],
      [text({ messaging_product: 'sms' }), /messaging_product/],
      [text({ text: { body: '' } }), /text\.body/],
      [text({ text: { body: 'x'.repeat(4097) } }), /4096/],
      [{ messaging_product: 'whatsapp', to: '491', type: 'template', template: { name: 't' } }, /to must be a phone number/],
      [{ messaging_product: 'whatsapp', to: '4915112345678', type: 'template', template: { name: 't' } }, /language\.code/],
      [{ messaging_product: 'whatsapp', to: '4915112345678', type: 'interactive', interactive: { type: 'button', body: { text: 'x' },
        action: { buttons: [1, 2, 3, 4].map((i) => ({ type: 'reply', reply: { id: `b${i}`, title: 'T' } })) } } }, /1 to 3 buttons/],
      [{ messaging_product: 'whatsapp', to: '4915112345678', type: 'interactive', interactive: { type: 'button', body: { text: 'x' },
        action: { buttons: [{ type: 'reply', reply: { id: 'b', title: 'Einundzwanzig Zeichen' } }] } } }, /1-20 characters/],
      [{ messaging_product: 'whatsapp', to: '4915112345678', type: 'interactive', interactive: { type: 'list', body: { text: 'x' },
        action: { button: 'B', sections: [{ rows: Array.from({ length: 11 }, (_, i) => ({ id: `r${i}`, title: 'T' })) }] } } }, /more than 10 rows/],
      ['{not json', /not valid JSON/],
    ];
    for (const [body, re] of cases) {
      const r = await send(body);
      assert.equal(r.status, 400, JSON.stringify(body).slice(0, 80));
      const j = await r.json();
      assert.equal(j.error.code, 100);
      assert.equal(j.error.type, 'OAuthException');
      assert.match(j.error.error_data.details, re);
    }
  });

  it('no or wrong bearer token → 401 code 190', async () => {
    for (const token of [null, 'other']) {
      const r = await send(text(), token);
      assert.equal(r.status, 401);
      const j = await r.json();
      assert.equal(j.error.code, 190);
      assert.equal(j.error.type, 'OAuthException');
      assert.match(j.error.message, /^Error validating access token/);
    }
  });

  it('scripted errors come out with the documented bodies', async () => {
    const want = [
      [131047, 400, '(#131047) Re-engagement message', /more than 24 hours/],
      [130429, 400, '(#130429) Rate limit hit', /throughput/],
      [131056, 400, '(#131056) (Business Account, Consumer Account) pair rate limit hit', /same phone number/],
      [500, 500, '(#131000) Something went wrong', /try again later/],
    ];
    for (const [code, status, message, details] of want) {
      wa.script({ error: code });
      const r = await send(text());
      assert.equal(r.status, status);
      const j = await r.json();
      assert.equal(j.error.message, message);
      assert.equal(j.error.code, code === 500 ? 131000 : code);
      assert.equal(j.error.type, 'OAuthException');
      assert.equal(j.error.error_data.messaging_product, 'whatsapp');
      assert.match(j.error.error_data.details, details);
      assert.equal(typeof j.error.fbtrace_id, 'string');
    }
    wa.script({ error: 190 });
    assert.equal((await send(text())).status, 401);
    wa.script({ error: 131056, status: 429, errorBody: { error: { code: 131056 } } });
    const r = await send(text());
    assert.equal(r.status, 429);
    assert.deepEqual(await r.json(), { error: { code: 131056 } });
  });

  it('fails N times, then succeeds', async () => {
    wa.script({ error: 130429, times: 3 });
    const got = [];
    for (let i = 0; i < 4; i++) got.push((await send(text())).status);
    assert.deepEqual(got, [400, 400, 400, 200]);
    assert.deepEqual(wa.pending(), []);
    assert.throws(() => wa.script({ error: 1, times: 0 }), /times/);
  });

  it('hang: no answer until the client gives up; the request is recorded as closed by the client', async () => {
    wa.reset();
    wa.script({ hang: true });
    await assert.rejects(fetch(`${wa.url}/v24.0/1/messages`, {
      method: 'POST', headers: { Authorization: 'Bearer tok' }, body: JSON.stringify(text()), signal: AbortSignal.timeout(150) }), /abort|timeout/i);
    await waitFor(() => wa.requests()[0] && wa.requests()[0].clientClosed);
  });

  it('status webhooks after a send: 131047 outside the window, delivered inside it, templates always', async () => {
    const statusesFor = (wamid) => rx.got.map((g) => JSON.parse(g.raw.toString('utf8')))
      .filter((b) => b.entry[0].changes[0].value.statuses && b.entry[0].changes[0].value.statuses[0].id === wamid)
      .map((b) => b.entry[0].changes[0].value.statuses[0]);
    wa.reset();
    rx.got.length = 0;
    // never wrote: outside the window
    let id = (await (await send(text({ to: '4917000000001' }))).json()).messages[0].id;
    await waitFor(() => statusesFor(id).length === 2);
    let st = statusesFor(id);
    assert.deepEqual(st.map((s) => s.status), ['sent', 'failed']);
    assert.equal(st[1].errors[0].code, 131047);
    assert.equal(st[1].errors[0].title, 'Re-engagement message');
    assert.equal(st[1].recipient_id, '4917000000001');
    // an inbound message through the fake opens the window
    await wa.sendInbound(`${rx.url}/hooks/whatsapp/bot_1`, 'app-secret', { from: '4917000000001', text: 'Hallo' });
    id = (await (await send(text({ to: '4917000000001', biz_opaque_callback_data: 'job=42' }))).json()).messages[0].id;
    await waitFor(() => statusesFor(id).length === 2);
    st = statusesFor(id);
    assert.deepEqual(st.map((s) => s.status), ['sent', 'delivered']);
    assert.equal(st[1].biz_opaque_callback_data, 'job=42');
    assert.equal(st[1].pricing.pricing_model, 'PMP');
    // every delivery is signed over its exact bytes
    for (const g of rx.got) assert.equal(g.headers['x-hub-signature-256'], metaSign('app-secret', g.raw));
    // a template needs no window
    id = (await (await send({ messaging_product: 'whatsapp', to: '4917000000002', type: 'template', template: { name: 't', language: { code: 'de' } } })).json()).messages[0].id;
    await waitFor(() => statusesFor(id).length === 2);
    assert.deepEqual(statusesFor(id).map((s) => s.status), ['sent', 'delivered']);
    // scripted statuses win
    wa.script({ statuses: ['sent', 'delivered', 'read'] });
    id = (await (await send(text({ to: '4917000000001' }))).json()).messages[0].id;
    await waitFor(() => statusesFor(id).length === 3);
    assert.equal(wa.deliveries().filter((d) => d.status === 200).length, wa.deliveries().length);
  });

  it('the window closes after 24 h on the fake clock', async () => {
    let now = Date.UTC(2026, 0, 5, 10);
    const rx2 = await startReceiver();
    const wa2 = await startFakeWhatsApp({ webhookUrl: rx2.url, appSecret: 's', statusDelayMs: 1, now: () => now });
    try {
      await wa2.sendInbound(rx2.url, 's', { from: '4915112345678', text: 'x' });
      assert.equal(JSON.parse(rx2.got[0].raw).entry[0].changes[0].value.messages[0].timestamp, String(now / 1000));
      now += 24 * 3600 * 1000 + 1;
      const r = await fetch(`${wa2.url}/v23.0/1/messages`, { method: 'POST', headers: { Authorization: 'Bearer any' }, body: JSON.stringify(text()) });
      assert.equal(r.status, 200);
      await waitFor(() => rx2.got.length === 3);
      assert.equal(JSON.parse(rx2.got[2].raw).entry[0].changes[0].value.statuses[0].status, 'failed');
    } finally { await wa2.close(); await rx2.close(); }
  });
});

describe('delivering Meta webhooks', () => {
  let rx;
  before(async () => {
    rx = await startReceiver((e) => (e.method === 'GET' ? (() => {
      const u = new URL(e.url, 'http://x');
      return u.searchParams.get('hub.mode') === 'subscribe' && u.searchParams.get('hub.verify_token') === 'vt'
        ? [200, u.searchParams.get('hub.challenge')] : [403, 'no'];
    })() : [200, 'ok']));
  });
  after(async () => { await rx.close(); });

  it('sendInbound: escaped, signed, shaped like §1.4/1.5', async () => {
    rx.got.length = 0;
    const r = await sendInbound(`${rx.url}/hooks/whatsapp/b`, 'app-secret', {
      from: '+4915112345678', text: 'Grüße 👍', id: 'wamid.A', timestamp: 1767225600, name: 'Jürgen', phoneNumberId: '111',
    });
    assert.equal(r.status, 200);
    const g = rx.got[0];
    assert.equal(g.headers['content-type'], 'application/json');
    assert.equal(g.headers['x-hub-signature-256'], 'sha256=' + createHmac('sha256', 'app-secret').update(g.raw).digest('hex'));
    const raw = g.raw.toString('utf8');
    assert.ok(raw.includes('"body":"Gr\\u00fc\\u00dfe \\ud83d\\udc4d"'));
    assert.ok(raw.includes('"name":"J\\u00fcrgen"'));
    assert.match(raw, /^[\x20-\x7e]*$/);
    const v = JSON.parse(raw).entry[0].changes[0].value;
    assert.equal(JSON.parse(raw).object, 'whatsapp_business_account');
    assert.equal(v.metadata.phone_number_id, '111');
    assert.deepEqual(v.contacts, [{ profile: { name: 'Jürgen' }, wa_id: '4915112345678' }]);
    assert.deepEqual(v.messages[0], { from: '4915112345678', id: 'wamid.A', timestamp: '1767225600', type: 'text', text: { body: 'Grüße 👍' } });
  });

  it('button and list replies, template buttons', async () => {
    rx.got.length = 0;
    await sendInbound(rx.url, 's', { buttonReply: { id: 'slot_1', title: 'Mo 10:00' }, context: { id: 'wamid.OUR' } });
    await sendInbound(rx.url, 's', { listReply: { id: 'row_1', title: 'Probetraining', description: '60 min' } });
    await sendInbound(rx.url, 's', { button: { payload: 'CONFIRM_123', text: 'Bestätigen' } });
    const msgs = rx.got.map((g) => JSON.parse(g.raw).entry[0].changes[0].value.messages[0]);
    assert.deepEqual(msgs[0].interactive, { type: 'button_reply', button_reply: { id: 'slot_1', title: 'Mo 10:00' } });
    assert.equal(msgs[0].context.id, 'wamid.OUR');
    assert.equal(msgs[1].interactive.type, 'list_reply');
    assert.deepEqual(msgs[2], { ...msgs[2], type: 'button', button: { payload: 'CONFIRM_123', text: 'Bestätigen' } });
    for (const m of msgs) assert.match(m.id, /^wamid\./);
  });

  it('sendStatus (failed with 131047) and sendRaw with and without a signature', async () => {
    rx.got.length = 0;
    await sendStatus(rx.url, 's', { id: 'wamid.OUR', status: 'failed', recipient: '4915112345678', code: 131047, timestamp: 1767225700 });
    const st = JSON.parse(rx.got[0].raw).entry[0].changes[0].value.statuses[0];
    assert.equal(st.status, 'failed');
    assert.equal(st.timestamp, '1767225700');
    assert.equal(st.errors[0].code, 131047);
    assert.match(st.errors[0].error_data.details, /24 hours/);
    await sendRaw(rx.url, A1_BODY, null);
    assert.equal(rx.got[1].headers['x-hub-signature-256'], undefined);
    assert.equal(rx.got[1].raw.toString(), A1_BODY);
    await sendRaw(rx.url, Buffer.from(A2_BODY), 'sha256=00');
    assert.equal(rx.got[2].headers['x-hub-signature-256'], 'sha256=00');
  });

  it('GET handshake', async () => {
    assert.deepEqual(await verifyWebhook(`${rx.url}/hooks/whatsapp/b`, 'vt', 'ch4llenge'), { status: 200, body: 'ch4llenge' });
    assert.equal((await verifyWebhook(`${rx.url}/hooks/whatsapp/b`, 'wrong')).status, 403);
  });
});

describe('fake Twilio', () => {
  let tw, rx;
  const SID = 'AC11111111111111111111111111111111';
  const auth = (u = SID, p = 'tok') => 'Basic ' + Buffer.from(`${u}:${p}`).toString('base64');
  const send = (fields, { account = SID, authz = auth() } = {}) => fetch(`${tw.url}/2010-04-01/Accounts/${account}/Messages.json`, {
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...(authz ? { Authorization: authz } : {}) },
    body: formEncode(fields),
  });
  const msg = (extra = {}) => ({ To: 'whatsapp:+4915112345678', From: 'whatsapp:+4930123456', Body: 'Hallo!', ...extra });

  before(async () => {
    rx = await startReceiver();
    tw = await startFakeTwilio({ accountSid: SID, authToken: 'tok', statusDelayMs: 1 });
  });
  after(async () => { await tw.close(); await rx.close(); });

  it('send: 201 with the message resource; the form is recorded decoded', async () => {
    tw.reset();
    const r = await send(msg());
    assert.equal(r.status, 201);
    const j = await r.json();
    assert.match(j.sid, /^SM[0-9a-f]{32}$/);
    assert.equal(j.status, 'queued');
    assert.equal(j.to, 'whatsapp:+4915112345678');
    assert.equal(j.direction, 'outbound-api');
    assert.equal(j.error_code, null);
    assert.equal(j.uri, `/2010-04-01/Accounts/${SID}/Messages/${j.sid}.json`);
    assert.equal(tw.requests()[0].body.From, 'whatsapp:+4930123456');
    assert.ok(tw.requests()[0].raw.includes('From=whatsapp%3A%2B4930123456'));
    const t = await send({ To: 'whatsapp:+4915112345678', From: 'whatsapp:+4930123456', ContentSid: 'HX' + 'a'.repeat(32), ContentVariables: '{"1":"Max","2":"Mo 10:00"}' });
    assert.equal(t.status, 201);
  });

  it('auth and shape errors with Twilio codes', async () => {
    let r = await send(msg(), { authz: null });
    assert.equal(r.status, 401);
    assert.deepEqual(await r.json(), { code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 });
    assert.equal((await send(msg(), { authz: auth(SID, 'nope') })).status, 401);
    r = await send(msg(), { account: 'AC22222222222222222222222222222222' });
    assert.equal(r.status, 404);
    assert.equal((await r.json()).code, 20404);
    const cases = [
      [msg({ To: '' }), 21604], [msg({ From: undefined }), 21603], [msg({ Body: undefined }), 21602],
      [msg({ To: '+4915112345678' }), 21910], [msg({ Body: 'x'.repeat(1601) }), 21617],
      [msg({ Body: undefined, ContentSid: 'HXabc' }), 21656], [msg({ Body: undefined, ContentSid: 'HX' + '0'.repeat(32), ContentVariables: '[1]' }), 21656],
      [msg({ To: 'whatsapp:+49' }), 21211],
    ];
    for (const [fields, code] of cases) {
      for (const k of Object.keys(fields)) if (fields[k] === undefined) delete fields[k];
      r = await send(fields);
      const j = await r.json();
      assert.equal(j.code, code, JSON.stringify(fields).slice(0, 80));
      assert.equal(r.status, j.status);
      assert.equal(j.more_info, `https://www.twilio.com/docs/errors/${code}`);
    }
  });

  it('scripted errors with documented bodies, N failures then success, hang', async () => {
    const want = [[63016, 400, /outside the allowed window/], [21610, 400, /unsubscribed recipient/], [20429, 429, /Too Many Requests/], [500, 500, /internal server error/]];
    for (const [code, status, re] of want) {
      tw.script({ error: code });
      const r = await send(msg());
      assert.equal(r.status, status);
      const j = await r.json();
      assert.equal(j.code, code === 500 ? 20500 : code);
      assert.equal(j.status, status);
      assert.match(j.message, re);
      assert.equal(j.more_info, `https://www.twilio.com/docs/errors/${j.code}`);
    }
    tw.script({ error: 500, times: 2 });
    const got = [];
    for (let i = 0; i < 3; i++) got.push((await send(msg())).status);
    assert.deepEqual(got, [500, 500, 201]);
    tw.reset();
    tw.script({ hang: true });
    await assert.rejects(fetch(`${tw.url}/2010-04-01/Accounts/${SID}/Messages.json`, {
      method: 'POST', headers: { Authorization: auth() }, body: formEncode(msg()), signal: AbortSignal.timeout(150) }), /abort|timeout/i);
    await waitFor(() => tw.requests()[0] && tw.requests()[0].clientClosed);
  });

  it('status callbacks: signed over the StatusCallback URL, sent then delivered; scripted failure', async () => {
    rx.got.length = 0;
    const cb = `${rx.url}/hooks/twilio/bot_1/status?x=1`;
    const j = await (await send(msg({ StatusCallback: cb }))).json();
    await waitFor(() => rx.got.length === 2);
    const forms = rx.got.map((g) => [...new URLSearchParams(g.raw.toString())]);
    assert.deepEqual(forms.map((f) => Object.fromEntries(f).MessageStatus), ['sent', 'delivered']);
    for (const [i, g] of rx.got.entries()) {
      assert.equal(g.url, '/hooks/twilio/bot_1/status?x=1');
      assert.equal(g.headers['x-twilio-signature'], twilioSignature('tok', cb, forms[i]));
      assert.equal(Object.fromEntries(forms[i]).MessageSid, j.sid);
      assert.equal(Object.fromEntries(forms[i]).To, 'whatsapp:+4915112345678');
    }
    tw.script({ statuses: [{ status: 'failed', errorCode: 63016 }] });
    await send(msg({ StatusCallback: cb }));
    await waitFor(() => rx.got.length === 3);
    const last = Object.fromEntries(new URLSearchParams(rx.got[2].raw.toString()));
    assert.equal(last.MessageStatus, 'failed');
    assert.equal(last.ErrorCode, '63016');
  });

  it('sendInbound: the A4 parameters arrive form-encoded with the A4 signature', async () => {
    rx.got.length = 0;
    const r = await twilioSendInbound(`${rx.url}/wa/twilio/t_123`, A4_URL, 'test_auth_token', A4_PARAMS);
    assert.equal(r.status, 200);
    const g = rx.got[0];
    assert.equal(g.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(g.headers['x-twilio-signature'], 'Dr4RZuym9owcUO7/1YF6NCmBXoo=');
    assert.ok(g.headers['i-twilio-idempotency-token']);
    assert.ok(g.raw.toString().includes('Body=Hallo+Welt&From=whatsapp%3A%2B4915112345678'));
    // a full parameter set signs over everything, whatever the order
    const p = inboundParams({ from: '+4915112345678', body: 'Grüße & mehr', buttonPayload: 'CONFIRM_123', buttonText: 'Bestätigen' });
    await twilioSendInbound(rx.url, 'https://bots.example/hooks/twilio/b', 'tok', p);
    const back = [...new URLSearchParams(rx.got[1].raw.toString())];
    assert.deepEqual(back, p);
    assert.equal(rx.got[1].headers['x-twilio-signature'], twilioSignature('tok', 'https://bots.example/hooks/twilio/b', back.reverse()));
    assert.equal(Object.fromEntries(p).WaId, '4915112345678');
    assert.equal(Object.fromEntries(statusParams({ messageSid: 'SM1', status: 'read' })).EventType, 'READ');
  });
});
