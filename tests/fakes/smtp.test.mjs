// Self-test of the fake SMTP relay: a raw SMTP dialogue as a client speaks it (RFC 5321), dot-stuffing,
// the scripted 451 and 550 answers, and the message as recorded (headers, RFC 2047 subject, base64 body).
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startFakeSmtp } from './smtp.mjs';

/** Sends `lines` one by one, each after the server's previous reply; returns every reply line. */
async function dialogue(url, lines) {
  const { hostname, port } = new URL(url);
  const sock = net.connect(Number(port), hostname);
  sock.setEncoding('utf8');
  const replies = [];
  let buf = '';
  let wake = null;
  sock.on('data', (d) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\r\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 2);
      replies.push(line);
      if (/^\d{3} /.test(line) && wake) wake();
    }
  });
  const reply = () => new Promise((r) => { wake = r; });
  await reply(); // the greeting
  for (const l of lines) {
    const next = reply();
    sock.write(l + '\r\n');
    await next;
  }
  sock.end();
  return replies;
}

describe('fake SMTP relay', () => {
  let smtp;
  after(async () => smtp && smtp.close());

  it('takes a message, undoes dot-stuffing and decodes subject and body', async () => {
    smtp = await startFakeSmtp();
    const body = Buffer.from('Zeile eins\r\n.Punkt am Anfang\r\nÄÖÜ\r\n', 'utf8').toString('base64');
    const subject = `=?UTF-8?B?${Buffer.from('Übergabe: Jana', 'utf8').toString('base64')}?=`;
    const replies = await dialogue(smtp.url, [
      'EHLO client.test', 'MAIL FROM:<bot@botwerk.test>', 'RCPT TO:<team@studio.example>', 'DATA',
      ['From: <bot@botwerk.test>', 'To: <team@studio.example>', `Subject: ${subject}`, 'Content-Transfer-Encoding: base64', '', body, '..', '.'].join('\r\n'),
      'QUIT',
    ]);
    assert.ok(replies.includes('250 2.0.0 queued'), replies.join('\n'));
    const [m] = smtp.messages();
    assert.equal(m.from, 'bot@botwerk.test');
    assert.deepEqual(m.to, ['team@studio.example']);
    assert.equal(m.subject, 'Übergabe: Jana');
    assert.equal(m.body, 'Zeile eins\r\n.Punkt am Anfang\r\nÄÖÜ\r\n');
    assert.match(m.raw, /\r\n\.\r\n$/, 'a stuffed ".." line arrives as "."');
  });

  it('answers 451 to DATA and 550 to RCPT when scripted, and records nothing then', async () => {
    const before = smtp.messages().length;
    smtp.script({ failData: 1, rejectRcpt: 1 });
    const r1 = await dialogue(smtp.url, ['HELO c', 'MAIL FROM:<a@b.test>', 'RCPT TO:<x@y.test>', 'RCPT TO:<x@y.test>', 'DATA', 'Subject: x\r\n\r\nhi\r\n.', 'QUIT']);
    assert.ok(r1.includes('550 5.1.1 no such user'), r1.join('\n'));
    assert.ok(r1.includes('451 4.3.0 try again later'), r1.join('\n'));
    assert.equal(smtp.messages().length, before);
    const r2 = await dialogue(smtp.url, ['DATA', 'QUIT']);
    assert.ok(r2.some((l) => l.startsWith('503')), 'DATA before MAIL/RCPT is refused');
  });
});
