/*! botwerk chat widget, served by botwerk at /widget.js (plain JS, no dependencies, no build step).
 * Embed: <script async src="https://BOTWERK/widget.js" data-bot-id="bot_…"></script>, or data-bot-id on any
 * element; options as data-* attributes (data-mode, data-primary-color, ...).
 * Botwerk.init({botId, mode: bubble|inline|modal, position: bottom-right|bottom-left, theme: light|dark|minimal,
 *   autoOpen, showBranding, language: de|en, primaryColor, welcomeMessage, placeholderText, targetElement,
 *   token, onOpened, onClosed, onMessage, onError}) → {botId, open, close, toggle, isOpen, send, destroy};
 * Botwerk.widgets, Botwerk.version, Botwerk.scan(); window.Botwerk = {config} set before loading is honoured.
 * Events on window: botwerk:initialized|opened|closed|message|destroyed, detail {botId, widget, message?}.
 * The UI lives in a Shadow DOM and works under a strict CSP (adopted stylesheet, or a nonce'd <style>). */
(() => {
'use strict';
const W = window, D = document;
const mark = n => { try { performance.mark(n); } catch (e) {} };
mark('botwerk:script-start');

const pre = W.Botwerk;
if (pre && pre.init) return void (pre.scan && pre.scan()); // loaded twice: only pick up new elements

const me = D.currentScript || [...D.querySelectorAll('script[src*="widget.js"]')].pop();
const BASE = new URL(me && me.src || location.href, location.href).origin;
const NONCE = me && me.nonce;
const MAX = 500, KEEP = 50, HEX = /^#[0-9a-f]{6}$/i;

const T = {
  de: {
    loc: 'de-DE', open: 'Chat öffnen', close: 'Chat schließen', send: 'Nachricht senden', input: 'Ihre Nachricht',
    ph: 'Ihre Frage …', hi: 'Hallo! Wie kann ich Ihnen helfen?', typing: 'schreibt', you: 'Sie', src: 'Quellen',
    fail: 'Die Nachricht konnte nicht gesendet werden.', retry: 'Erneut versuchen',
    wait: 'Zu viele Anfragen – bitte warten Sie einen Moment.', na: 'Dieser Chat ist derzeit nicht verfügbar.',
    ask: 'Möchten Sie, dass sich das Team bei Ihnen meldet?', mail: 'E-Mail-Adresse', submit: 'Absenden',
    consent: 'Ich bin einverstanden, dass meine E-Mail-Adresse gespeichert wird, damit sich das Team bei mir meldet.',
    privacy: 'Datenschutzerklärung', noConsent: 'Bitte bestätigen Sie die Einwilligung.',
    badMail: 'Bitte geben Sie eine gültige E-Mail-Adresse ein.', thanks: 'Vielen Dank! Wir melden uns bei Ihnen.',
    team: 'Ihre Ansprechpartner', call: 'Rückruf anfordern', called: 'Vielen Dank! Wir rufen Sie zurück.',
    err: 'Das hat leider nicht geklappt.',
  },
  en: {
    loc: 'en-GB', open: 'Open chat', close: 'Close chat', send: 'Send message', input: 'Your message',
    ph: 'Your question …', hi: 'Hello! How can I help you?', typing: 'is typing', you: 'You', src: 'Sources',
    fail: 'The message could not be sent.', retry: 'Try again',
    wait: 'Too many requests – please wait a moment.', na: 'This chat is currently unavailable.',
    ask: 'Would you like the team to get back to you?', mail: 'Email address', submit: 'Submit',
    consent: 'I agree that my email address is stored so that the team can get back to me.',
    privacy: 'Privacy policy', noConsent: 'Please confirm your consent.',
    badMail: 'Please enter a valid email address.', thanks: 'Thank you! We will get back to you.',
    team: 'Your contacts', call: 'Request a callback', called: 'Thank you! We will call you back.',
    err: 'Sorry, that did not work.',
  },
};

const I_CHAT = 'M6 3h12a3 3 0 0 1 3 3v9a3 3 0 0 1-3 3h-8l-5 4v-4.2A3 3 0 0 1 3 15V6a3 3 0 0 1 3-3z';
const I_X = 'M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12 19 17.6 17.6 19 12 13.4 6.4 19 5 17.6 10.6 12 5 6.4z';
const I_SEND = 'M3 20.5 21 12 3 3.5v6.6l12 1.9-12 1.9z';

/* shadow-root CSS; px only (pages may change the root font size) */
const CSS = `:host{all:initial;--bw-primary:#0f766e;--bw-on:#fff;--bg:#fff;--fg:#1f2328;--mu:#59636e;--bd:#d0d5db;--bo:#eef1f4;--er:#b42318;--sh:0 8px 30px #0003;--ra:14px}
:host([data-theme=dark]){--bg:#1c2128;--fg:#e8edf2;--mu:#a5afba;--bd:#48515c;--bo:#2b323b;--er:#ff9b8f;--sh:0 8px 30px #0009}
:host([data-theme=minimal]){--bo:#f3f3f3;--bd:#bbb;--sh:none;--ra:4px}
*{box-sizing:border-box;margin:0;padding:0;font:inherit;color:inherit}
[hidden]{display:none!important}
.r{all:initial;display:block;height:100%;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg)}
button{cursor:pointer;background:none;border:0}
a{color:inherit}
:focus-visible{outline:2px solid var(--fg);outline-offset:2px}
svg{width:20px;height:20px;fill:currentColor;flex:none}
.l,.s,.bt,.u .b,.h{background:var(--bw-primary);color:var(--bw-on)}
.l,.x,.s{display:flex;align-items:center;justify-content:center}
.l{position:fixed;bottom:20px;right:20px;width:56px;height:56px;border-radius:50%;box-shadow:var(--sh)}
.l svg{width:26px;height:26px}
.l:focus-visible{outline:3px solid var(--bw-primary)}
.p{display:flex;flex-direction:column;background:var(--bg);border:1px solid var(--bd);border-radius:var(--ra);box-shadow:var(--sh);overflow:hidden;animation:bw .2s}
:host([data-mode=bubble]) .p{position:fixed;z-index:1;bottom:88px;right:20px;width:370px;height:600px;max-height:calc(100vh - 108px)}
:host([data-mode=modal]) .p{position:fixed;z-index:3;top:50%;left:50%;transform:translate(-50%,-50%);width:560px;max-width:calc(100vw - 32px);height:640px;max-height:calc(100vh - 48px)}
:host([data-pos=bottom-left]) .l,:host([data-mode=bubble][data-pos=bottom-left]) .p{right:auto;left:20px}
:host([data-mode=inline]) .p{height:100%;min-height:360px;box-shadow:none}
.bk{position:fixed;z-index:2;inset:0;background:#0008}
@keyframes bw{from{opacity:0;translate:0 8px}}
@media (max-width:480px){:host(:not([data-mode=inline])) .p{inset:0;width:auto;height:auto;max-width:none;max-height:none;border:0;border-radius:0;transform:none}}
.h{display:flex;align-items:center;gap:10px;padding:12px 14px}
:host([data-theme=minimal]) .h{background:none;color:inherit;border-bottom:1px solid var(--bd)}
.h :focus-visible{outline-color:currentColor}
.h img{width:32px;height:32px;border-radius:50%;object-fit:cover}
.t{flex:1;font-size:16px;font-weight:600;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.x{width:32px;height:32px}
.g{flex:1;overflow-y:auto;overscroll-behavior:contain;padding:14px;display:flex;flex-direction:column;gap:10px}
.m{max-width:85%;display:flex;flex-direction:column;align-items:flex-start;gap:3px}
.u{align-self:flex-end;align-items:flex-end}
.b,.ty{padding:8px 12px;border-radius:14px;background:var(--bo);white-space:pre-wrap;overflow-wrap:anywhere}
.tm,.src,.n,.ft,.c{font-size:12px;color:var(--mu)}
.src{display:flex;flex-wrap:wrap;gap:4px}
.src ul{display:contents;list-style:none}
.src li{border:1px solid var(--bd);border-radius:9px;padding:0 7px}
.ty{align-self:flex-start;display:flex;gap:4px;padding:13px 14px}
.ty i{width:6px;height:6px;border-radius:50%;background:var(--mu);animation:bd .9s infinite alternate}
.ty i+i{animation-delay:.3s}.ty i+i+i{animation-delay:.6s}
@keyframes bd{to{opacity:.2}}
.er,.ke{color:var(--er)}
.er{display:flex;flex-wrap:wrap;align-items:center;gap:8px}
.k,.n,.er{align-self:stretch;text-align:center}
.k{display:flex;flex-direction:column;gap:8px;padding:12px;border:1px solid var(--bd);border-radius:12px;text-align:left}
[type=email],textarea{border:1px solid var(--bd);border-radius:8px;padding:7px 9px;background:var(--bg)}
.ck{display:flex;gap:8px}
[type=checkbox]{flex:none;accent-color:var(--bw-primary)}
.bt{align-self:flex-start;padding:6px 12px;border-radius:8px;font-weight:600}
.er .bt{background:none;color:inherit;border:1px solid}
.pp{display:flex;gap:10px}
.pp img{width:48px;height:48px;border-radius:50%;object-fit:cover}
.pp div{display:grid;justify-items:start;gap:2px}
strong,.kt{font-weight:600}
.f{display:flex;align-items:flex-end;gap:8px;padding:10px;border-top:1px solid var(--bd)}
textarea{flex:1;min-width:0;height:38px;max-height:120px;resize:none;line-height:20px}
::placeholder{color:var(--mu);opacity:1}
.c{align-self:center}
.s{width:38px;height:38px;border-radius:10px}
.ft{text-align:center;padding-bottom:8px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
@media (prefers-reduced-motion:reduce){*{animation:none!important}}`;

/* host element layout, set inline with !important: beats any page stylesheet */
const HOST_CSS = 'display:block;visibility:visible;opacity:1;transform:none;filter:none;contain:none;clip-path:none;' +
  'pointer-events:auto;margin:0;padding:0;border:0;float:none;max-width:none;max-height:none;overflow:visible;';
const HOST_INLINE = 'position:relative;width:100%;height:100%;min-height:360px';
const HOST_FIXED = 'position:fixed;top:0;left:0;width:0;height:0;z-index:2147483000';

const err = m => new Error('Botwerk: ' + m);
const str = v => typeof v == 'string' ? v.trim() : '';

/* el('tag.class', {attribute: value, event: handler}, ...children/strings) */
const el = (sel, attrs, ...kids) => {
  const [tag, ...cls] = sel.split('.'), e = D.createElement(tag);
  if (cls.length) e.className = cls.join(' ');
  for (const k in attrs) {
    const v = attrs[k];
    if (typeof v == 'function') e.addEventListener(k, v);
    else if (v != null && v !== false) e.setAttribute(k, v === true ? '' : v);
  }
  e.append(...kids.filter(k => k || k === 0));
  return e;
};

const icon = d => {
  const NS = 'http://www.w3.org/2000/svg', s = D.createElementNS(NS, 'svg'), p = D.createElementNS(NS, 'path');
  s.setAttribute('viewBox', '0 0 24 24');
  s.setAttribute('aria-hidden', 'true');
  p.setAttribute('d', d);
  s.append(p);
  return s;
};

/* The URL if it parses as absolute http(s), else null. */
const httpUrl = u => {
  try { const x = new URL(u); return /^https?:$/.test(x.protocol) ? x.href : null; } catch (e) { return null; }
};

/* Text → text nodes plus links for http(s)/www URLs and e-mail addresses. */
const LINK = /\b(?:https?:\/\/|www\.)[^\s<>"]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/gi;
const rich = text => {
  const f = D.createDocumentFragment();
  let last = 0;
  for (const m of text.matchAll(LINK)) {
    let u = m[0];
    // drop trailing punctuation, except a ")" that closes a "(" in the URL
    while (/[.,;:!?'")\]]$/.test(u) && !(u.endsWith(')') && u.split('(').length >= u.split(')').length))
      u = u.slice(0, -1);
    const href = !/^(https?:|www\.)/i.test(u) ? 'mailto:' + u : httpUrl(/^www/i.test(u) ? 'https://' + u : u);
    if (!href) continue;
    f.append(text.slice(last, m.index), el('a', {href, target: '_blank', rel: 'noopener noreferrer nofollow'}, u));
    last = m.index + u.length;
  }
  f.append(text.slice(last));
  return f;
};

/* text colour for a #rrggbb background (WCAG luminance) */
const onColor = h => {
  const [r, g, b] = [1, 3, 5].map(i => {
    const c = parseInt(h.substr(i, 2), 16) / 255;
    return c <= .04045 ? c / 12.92 : ((c + .055) / 1.055) ** 2.4;
  });
  return .2126 * r + .7152 * g + .0722 * b > .179 ? '#111' : '#fff';
};

/* Error for a non-2xx response: status, code, api (the envelope's message) */
const httpError = async r => {
  let e = {};
  try { e = (await r.json()).error || {}; } catch (x) {}
  return Object.assign(err(e.message || 'HTTP ' + r.status), {status: r.status, code: e.code, api: e.message});
};

/* SSE reply: "delta" → onDelta(text so far), "done" → the reply, "error" → throws. CRLF/LF/CR lines;
 * chunks may split anywhere. */
const readSse = async (res, onDelta) => {
  const rd = res.body.getReader(), dec = new TextDecoder();
  let buf = '', ev = '', data = null, text = '', end = false, reply = null;
  const dispatch = () => {
    const type = ev, d = data;
    ev = '';
    data = null;
    if (d == null) return;
    const j = JSON.parse(d), e = j.error || {};
    if (type == 'delta') onDelta(text += typeof j.text == 'string' ? j.text : '');
    else if (type == 'done') reply = j;
    else if (type == 'error') throw Object.assign(err(e.message || 'stream error'), {code: e.code, api: e.message, retry: 1});
  };
  const line = l => { // comments (":…") and fields other than event and data are ignored
    const [, f, v] = /^([^:]*):? ?([^]*)/.exec(l);
    if (!l) dispatch();
    else if (f == 'event') ev = v;
    else if (f == 'data') data = data == null ? v : data + '\n' + v;
  };
  try {
    while (!end && !reply) {
      const c = await rd.read();
      end = c.done;
      buf += dec.decode(c.value, {stream: !end});
      for (let m; !reply && (m = /\r\n|\r|\n/.exec(buf));) {
        if (!end && m[0] == '\r' && m.index == buf.length - 1) break; // may be half of a CRLF
        line(buf.slice(0, m.index));
        buf = buf.slice(m.index + m[0].length);
      }
    }
    if (!reply) line(buf), dispatch(); // tolerate a missing final line break / blank line
  } finally { rd.cancel().catch(() => {}); }
  if (reply || text) return reply || {response: text};
  throw err('the reply stream ended early');
};

const oneOf = (v, name, ...list) => {
  if (v == null || v === '') return;
  v = String(v).toLowerCase();
  if (!list.includes(v)) throw err(`${name} must be one of ${list.join(', ')}, not "${v}"`);
  return v;
};

const normalise = x => {
  const o = Object.assign({}, x);
  if (typeof o.botId != 'string' || !/^[\w.-]{1,128}$/.test(o.botId)) throw err('botId is required (e.g. "bot_…")');
  o.mode = oneOf(o.mode, 'mode', 'bubble', 'inline', 'modal') || 'bubble';
  o.position = oneOf(o.position, 'position', 'bottom-right', 'bottom-left') || 'bottom-right';
  o.theme = oneOf(o.theme, 'theme', 'light', 'dark', 'minimal', 'auto');
  o.language = oneOf(o.language, 'language', 'de', 'en');
  if (o.primaryColor && !HEX.test(o.primaryColor)) throw err('primaryColor must look like #0f766e');
  for (const k of ['token', 'welcomeMessage', 'placeholderText'])
    if (o[k] != null && typeof o[k] != 'string') throw err(k + ' must be a string');
  for (const k of ['onOpened', 'onClosed', 'onMessage', 'onError'])
    if (o[k] != null && typeof o[k] != 'function') throw err(k + ' must be a function');
  if (o.mode == 'inline') {
    const t = o.targetElement = typeof o.targetElement == 'string' ? D.querySelector(o.targetElement) : o.targetElement;
    if (!(t instanceof Element)) throw err('inline mode needs targetElement (an element or a selector matching one)');
  }
  return o;
};

let sheet, interactive = false, uid = 0;
const widgets = [], inited = new WeakSet();

/* ---- one widget ---- */
const create = o => {
  const mode = o.mode, inline = mode == 'inline', ac = new AbortController(), KEY = 'botwerk:' + o.botId;
  const dark = W.matchMedia && W.matchMedia('(prefers-color-scheme: dark)');
  let cfg = {}, lang, isOpen = inline, busy = false, dead = false, na = false, sentOpen = false, prev, stored;
  try { stored = JSON.parse(sessionStorage.getItem(KEY)); } catch (e) {}
  stored = stored || {};
  let conv = str(stored.conversation_id) || null;
  let hist = [].concat(stored.messages || []).filter(m => m && /^(user|bot)$/.test(m.role) && typeof m.text == 'string');

  const t = () => T[lang];
  const call = (path, body, accept) => fetch(BASE + '/api/v1/public/bot/' + encodeURIComponent(o.botId) + path +
    (o.token ? '?token=' + encodeURIComponent(o.token) : ''), {
    method: body ? 'POST' : 'GET',
    headers: Object.assign({Accept: accept || 'application/json'}, body && {'Content-Type': 'application/json'}),
    body: body && JSON.stringify(body),
    signal: ac.signal,
  }).then(async r => { if (!r.ok) throw await httpError(r); return r; });
  const save = () => {
    try { sessionStorage.setItem(KEY, JSON.stringify({conversation_id: conv, messages: hist, open: isOpen})); }
    catch (e) {}
  };
  const safely = (f, arg) => { try { f && f(arg); } catch (e) { console.error(e); } };
  const emit = (name, extra) => {
    safely({opened: o.onOpened, closed: o.onClosed, message: o.onMessage}[name], extra ? extra.message : api);
    W.dispatchEvent(new CustomEvent('botwerk:' + name, {detail: Object.assign({botId: o.botId, widget: api}, extra)}));
  };
  const botName = () => str(cfg.name) || 'Bot';
  const clock = iso => {
    try { return new Intl.DateTimeFormat(t().loc, {hour: '2-digit', minute: '2-digit'}).format(new Date(iso)); }
    catch (e) { return ''; }
  };

  const host = el('div', {'data-botwerk-widget': o.botId, 'data-mode': mode, 'data-pos': o.position});
  (HOST_CSS + (inline ? HOST_INLINE : HOST_FIXED)).split(';').forEach(d => {
    const [k, v] = d.split(':');
    host.style.setProperty(k, v, 'important');
  });
  const root = host.attachShadow({mode: 'open'});
  try {
    if (!('adoptedStyleSheets' in root)) throw 0;
    if (!sheet) (sheet = new CSSStyleSheet()).replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } catch (e) {
    root.append(el('style', {nonce: NONCE}, CSS));
  }

  const logo = el('img', {alt: '', hidden: true});
  logo.onerror = () => { logo.hidden = true; }; // a logo that does not load is left out
  const title = el('h2.t', {id: 'bw-t'});
  const xBtn = !inline && el('button.x', {type: 'button', click: () => close(true)}, icon(I_X));
  const welcome = el('div.b');
  const log = el('div.g', {role: 'log', 'aria-live': 'polite', 'aria-labelledby': 'bw-t', tabindex: 0},
    el('div.m', {}, welcome));
  const typing = el('div.ty', {role: 'img'}, el('i'), el('i'), el('i'));
  const ta = el('textarea', {rows: 1, maxlength: MAX, input: resize, keydown: e => {
    if (e.key == 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); submit(); }
  }});
  const count = el('span.c', {hidden: true});
  const sendBtn = el('button.s', {type: 'submit'}, icon(I_SEND));
  const form = el('form.f', {submit: e => { e.preventDefault(); submit(); }}, ta, count, sendBtn);
  const panel = el('div.p', {id: 'bw-p', role: inline ? 'region' : 'dialog', 'aria-labelledby': 'bw-t',
    'aria-modal': mode == 'modal' && 'true', hidden: !inline},
  el('div.h', {}, logo, title, xBtn), log, form,
  o.showBranding !== false && el('div.ft', {}, 'Powered by ', el('strong', {}, 'botwerk')));
  const launcher = !inline && el('button.l', {type: 'button', 'aria-expanded': 'false', 'aria-controls': 'bw-p',
    click: () => isOpen ? close(true) : open(true)}, icon(I_CHAT));
  const backdrop = el('div.bk', {hidden: true, click: () => close(true)});
  const r = el('div.r', {keydown: onKey}, launcher, mode == 'modal' && backdrop, panel);
  root.append(r);

  function resize() {
    const n = ta.value.length;
    count.hidden = n < MAX * .8;
    count.textContent = n + '/' + MAX;
    ta.style.removeProperty('height');
    const h = ta.scrollHeight + 2;
    if (h > 40) ta.style.setProperty('height', Math.min(h, 120) + 'px');
  }

  const put = n => {
    log.insertBefore(n, typing.parentNode && typing);
    log.scrollTop = log.scrollHeight;
    return n;
  };

  const sourceList = list => {
    const seen = new Set(), ul = el('ul', {});
    for (const s of [].concat(list || [])) {
      const ti = str(s && s.title), href = ti && httpUrl(str(s.url));
      if (ti && !seen.has(ti)) ul.append(el('li', {title: str(s.snippet).slice(0, 400) || null},
        href ? el('a', {href, target: '_blank', rel: 'noopener noreferrer nofollow'}, ti) : ti));
      seen.add(ti);
    }
    return ul.firstChild && el('div.src', {}, t().src + ':', ul);
  };

  const row = m => put(el('div.m' + (m.role == 'user' ? '.u' : ''), {},
    el('span.sr', {}, (m.role == 'user' ? t().you : botName()) + ': '),
    el('div.b', {}, m.role == 'user' ? m.text : rich(m.text)),
    m.role == 'bot' && sourceList(m.sources),
    m.time && el('time.tm', {datetime: m.time}, clock(m.time))));

  const push = (m, metadata) => {
    m.time = new Date().toISOString();
    hist = hist.concat(m).slice(-KEEP);
    row(m);
    save();
    emit('message', {message: Object.assign({metadata}, m)});
  };

  /* options > bot config > defaults; reruns on config arrival and colour-scheme change */
  function paint() {
    const b = Object(cfg.branding), s = T[lang = o.language || (cfg.language == 'en' ? 'en' : 'de')];
    const color = o.primaryColor || (HEX.test(b.primary_color) ? b.primary_color : '#0f766e');
    host.style.setProperty('--bw-primary', color);
    host.style.setProperty('--bw-on', onColor(color));
    // the server defaults to "light": only dark/minimal there beat the visitor's scheme
    const th = o.theme != 'auto' && o.theme || /^(dark|minimal)$/.test(b.theme) && b.theme;
    host.setAttribute('data-theme', th || (dark && dark.matches ? 'dark' : 'light'));
    r.lang = lang;
    title.textContent = str(cfg.name) || 'Chat';
    const lu = httpUrl(b.logo_url);
    logo.hidden = !lu;
    if (lu && logo.src != lu) logo.src = lu;
    welcome.replaceChildren(rich(o.welcomeMessage || str(b.welcome_message) || s.hi));
    ta.placeholder = o.placeholderText || str(b.placeholder_text) || s.ph;
    ta.setAttribute('aria-label', s.input);
    sendBtn.setAttribute('aria-label', s.send);
    typing.setAttribute('aria-label', botName() + ' ' + s.typing);
    launcher && launcher.setAttribute('aria-label', isOpen ? s.close : s.open);
    xBtn && xBtn.setAttribute('aria-label', s.close);
  }

  const unavailable = () => {
    na = form.hidden = true;
    log.replaceChildren(el('p.n', {}, t().na));
  };

  function opened() { // analytics, once per page view
    if (!sentOpen) call('/analytics', {event: 'widget_opened', props: {mode}}).catch(() => {});
    sentOpen = true;
  }

  const show = on => {
    isOpen = on;
    panel.hidden = backdrop.hidden = !on;
    launcher.setAttribute('aria-expanded', on);
    launcher.setAttribute('aria-label', on ? t().close : t().open);
    launcher.replaceChildren(icon(on ? I_X : I_CHAT));
  };

  function open(focus) {
    if (dead || isOpen) return;
    const a = D.activeElement;
    prev = a == host ? root.activeElement : a;
    show(true);
    log.scrollTop = log.scrollHeight;
    if (focus) (na ? xBtn : ta).focus();
    save();
    opened();
    emit('opened');
  }

  function close(restore) {
    if (dead || !isOpen || inline) return;
    restore = restore || panel.contains(root.activeElement); // never leave focus in a hidden panel
    show(false);
    if (restore) (mode == 'modal' && prev && prev != D.body && prev.isConnected ? prev : launcher).focus();
    save();
    emit('closed');
  }

  function onKey(e) {
    if (!isOpen || inline) return;
    if (e.key == 'Escape') close(true);
    else if (e.key == 'Tab' && mode == 'modal') { // focus trap
      const f = [...panel.querySelectorAll('a,button,input,textarea,[tabindex="0"]')]
        .filter(x => !x.disabled && x.getClientRects().length);
      const a = root.activeElement, first = f[0], last = f[f.length - 1];
      if (e.shiftKey ? a == first || !panel.contains(a) : a == last) {
        e.preventDefault();
        (e.shiftKey ? last : first).focus();
      }
    }
  }

  function submit() {
    if (busy || !send(ta.value)) return;
    ta.value = '';
    resize();
  }

  function send(text) {
    text = str(String(text == null ? '' : text));
    if (!text || busy || dead || na) return false;
    push({role: 'user', text});
    ask(text);
    return true;
  }

  async function ask(text) {
    busy = true;
    put(typing);
    let live;
    try {
      const res = await call('/chat', {message: text, conversation_id: conv || undefined},
        'text/event-stream, application/json');
      const reply = /^text\/event-stream/i.test(res.headers.get('content-type'))
        ? await readSse(res, all => {
          if (!live) {
            typing.remove();
            log.setAttribute('aria-busy', 'true'); // announce the answer once
            live = put(el('div.m', {}, el('div.b')));
          }
          live.lastChild.textContent = all;
          log.scrollTop = log.scrollHeight;
        })
        : await res.json();
      if (typeof reply.response != 'string') throw err('unexpected reply');
      conv = str(reply.conversation_id) || conv;
      live && live.remove();
      const md = Object(reply.metadata);
      push({role: 'bot', text: reply.response, sources: [].concat(reply.sources || []).slice(0, 10)}, md);
      if (md.show_email_modal) leadForm(Object(md.show_email_modal));
      if (md.show_contact_modal) contacts(Object(md.show_contact_modal));
    } catch (e) {
      live && live.remove();
      if (dead || e.name == 'AbortError') return;
      if (e.status == 404 && /^bot_/.test(e.code)) unavailable();
      else failed(e, text);
      safely(o.onError, e);
    } finally {
      busy = false;
      typing.remove();
      log.removeAttribute('aria-busy');
    }
  }

  function failed(e, text) {
    const s = t(), st = e.status, line = el('div.er', {}, el('span', {},
      st == 429 ? s.fail + ' ' + s.wait : (st < 500 || e.retry) && e.api || s.fail));
    if (!st || st >= 500 || st == 429 || st == 408 || e.retry) line.append(el('button.bt', {type: 'button', click: () => {
      if (busy) return;
      line.remove();
      ta.focus();
      ask(text);
    }}, s.retry));
    put(line);
  }

  const thank = (node, text) => {
    const p = el('p.n', {tabindex: -1}, text);
    node.replaceWith(p);
    p.focus();
  };

  /* lead hooks: e-mail form → /leads; contact cards → /contact-requests */
  function leadForm(c) {
    const s = t(), n = ++uid, privacy = httpUrl(c.privacy_url), note = el('p.ke', {id: 'bw-n' + n, 'aria-live': 'polite'});
    const mail = el('input', {type: 'email', id: 'bw-m' + n, required: true, autocomplete: 'email', 'aria-describedby': note.id});
    const ck = el('input', {type: 'checkbox', id: 'bw-c' + n, required: true, 'aria-describedby': note.id});
    let sending;
    const f = el('form.k', {novalidate: true, submit: async e => {
      e.preventDefault();
      const bad = !mail.value.trim() || !mail.checkValidity() ? mail : !ck.checked && ck;
      mail.setAttribute('aria-invalid', bad == mail);
      ck.setAttribute('aria-invalid', bad == ck);
      note.textContent = bad ? bad == mail ? s.badMail : s.noConsent : '';
      if (bad) return bad.focus();
      if (sending) return;
      sending = true;
      try {
        await call('/leads', {email: mail.value.trim(), conversation_id: conv, consent: true,
          consent_text_version: c.consent_text_version});
        thank(f, s.thanks);
      } catch (x) {
        note.textContent = x.api || s.err;
      }
      sending = false;
    }},
    el('p', {}, str(c.prompt) || s.ask),
    el('label', {for: mail.id}, s.mail), mail,
    el('div.ck', {}, ck, el('span', {}, el('label', {for: ck.id}, str(c.consent_text) || s.consent), ' ',
      privacy && el('a', {href: privacy, target: '_blank', rel: 'noopener noreferrer'}, s.privacy))),
    note, el('button.bt', {type: 'submit'}, s.submit));
    put(f);
  }

  function contacts(c) {
    const s = t(), box = el('div.k', {}, el('p.kt', {}, str(c.title) || s.team));
    for (const p of [].concat(c.persons || []).filter(p => p && typeof p == 'object')) {
      const name = str(p.name), mail = str(p.email), phone = str(p.phone), photo = httpUrl(p.photo_url);
      const note = el('p.ke');
      const btn = el('button.bt', {type: 'button', 'aria-label': name ? s.call + ': ' + name : null, click: async () => {
        if (btn.disabled) return;
        btn.disabled = true;
        try {
          await call('/contact-requests', {conversation_id: conv, contact_person_id: p.id});
          thank(btn, s.called);
        } catch (x) {
          note.textContent = x.api || s.err;
          btn.disabled = false;
        }
      }}, s.call);
      box.append(el('div.pp', {}, photo && el('img', {src: photo, alt: ''}), el('div', {},
        el('strong', {}, name), str(p.position),
        /^[^\s@]+@[^\s@]+$/.test(mail) && el('a', {href: 'mailto:' + mail}, mail),
        /\d/.test(phone) && el('a', {href: 'tel:' + phone.replace(/[^\d+]/g, '')}, phone),
        btn, note)));
    }
    if (box.childNodes.length > 1) put(box);
  }

  function destroy() {
    if (dead) return;
    dead = true;
    ac.abort();
    dark && dark.removeEventListener && dark.removeEventListener('change', paint);
    host.remove();
    widgets.includes(api) && widgets.splice(widgets.indexOf(api), 1);
    inited.delete(o.targetElement);
    emit('destroyed');
  }

  const api = {
    botId: o.botId,
    open: () => open(true),
    close: () => close(),
    toggle: () => isOpen ? close() : open(true),
    isOpen: () => isOpen,
    send,
    destroy,
  };

  // render now; apply the config when it arrives
  call('/config').then(res => res.json()).then(c => {
    if (dead) return;
    cfg = Object(c);
    paint();
  }, e => {
    if (dead || e.name == 'AbortError') return;
    if ([401, 403, 404].includes(e.status)) unavailable();
    safely(o.onError, e);
  });
  dark && dark.addEventListener && dark.addEventListener('change', paint);
  paint();
  hist.forEach(row);
  resize();
  if (inline) {
    const tg = o.targetElement;
    tg.tagName == 'SCRIPT' ? tg.before(host) : tg.append(host);
    opened();
  } else {
    D.documentElement.append(host); // not <body>: a transformed or faded body would carry the widget along
    if (typeof stored.open == 'boolean' ? stored.open && mode == 'bubble' : o.autoOpen) open(false);
  }
  if (!interactive) mark('botwerk:interactive');
  interactive = true;
  return api;
};

const init = options => {
  const o = normalise(options);
  if (o.targetElement instanceof Element) inited.add(o.targetElement); // scan() must skip it
  const w = create(o);
  widgets.push(w);
  W.dispatchEvent(new CustomEvent('botwerk:initialized', {detail: {botId: w.botId, widget: w}}));
  return w;
};

const scan = () => {
  for (const e of D.querySelectorAll('[data-bot-id]')) {
    if (inited.has(e)) continue;
    inited.add(e);
    // the element is the container in inline mode (and ignored otherwise)
    const d = e.dataset, o = {targetElement: e, showBranding: d.showBranding != 'false', autoOpen: d.autoOpen == 'true'};
    for (const k of ['botId', 'mode', 'theme', 'position', 'token', 'language', 'primaryColor', 'welcomeMessage',
      'placeholderText']) if (d[k]) o[k] = d[k];
    try { init(o); } catch (x) { console.error(x); }
  }
};

W.Botwerk = {version: '1.0.0', widgets, init, scan};

const boot = () => {
  for (const c of [].concat(pre && pre.config || [])) try { init(c); } catch (x) { console.error(x); }
  scan();
};
if (D.readyState == 'loading') {
  if (D.body) scan(); // what is there already
  D.addEventListener('DOMContentLoaded', boot);
} else boot();
})();
