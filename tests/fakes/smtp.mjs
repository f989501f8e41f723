// A local SMTP relay for tests (RFC 5321, the part a client sending one message uses): greeting, EHLO/HELO,
// MAIL FROM, RCPT TO, DATA (ended by a line with a single dot, dot-stuffing undone), RSET, NOOP, QUIT.
// No STARTTLS and no AUTH are offered, as on a relay that accepts mail from its own network.
// Every accepted message is recorded; script({ failData: n }) answers the next n DATA ends with
// "451 4.3.0 try again later" (a transient failure: the client must retry), script({ rejectRcpt: n })
// answers the next n RCPT TO with "550 5.1.1 no such user".
import net from 'node:net';

/** Headers (lower-case names, unfolded) and the body of a message, with base64 and RFC 2047 decoded. */
export function parseMail(raw) {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers = {};
  for (const line of head.split('\r\n')) {
    const c = line.indexOf(':');
    if (c > 0) headers[line.slice(0, c).toLowerCase()] = line.slice(c + 1).trim();
  }
  let body = raw.slice(split + 4);
  if (/base64/i.test(headers['content-transfer-encoding'] || '')) body = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  const decodeWords = (v) => v.replace(/=\?UTF-8\?B\?([^?]*)\?=\s*/gi, (_, b) => Buffer.from(b, 'base64').toString('utf8')).trim();
  return { headers, subject: decodeWords(headers.subject || ''), body, raw };
}

export async function startFakeSmtp() {
  const messages = [];
  const log = [];
  const plan = { failData: 0, rejectRcpt: 0 };
  const server = net.createServer((sock) => {
    sock.setEncoding('utf8');
    let buf = '';
    let inData = false;
    let data = '';
    let env = { from: null, to: [] };
    const say = (line) => sock.write(line + '\r\n');
    say('220 fake.smtp.test ESMTP ready');
    sock.on('data', (chunk) => {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            if (plan.failData > 0) {
              plan.failData--;
              log.push({ failed: 'data', to: env.to });
              say('451 4.3.0 try again later');
            } else {
              messages.push({ from: env.from, to: env.to, ...parseMail(data) });
              say('250 2.0.0 queued');
            }
            env = { from: null, to: [] };
            data = '';
          } else {
            data += (line.startsWith('..') ? line.slice(1) : line) + '\r\n';
          }
          continue;
        }
        const cmd = line.slice(0, 4).toUpperCase();
        log.push({ cmd: line });
        if (cmd === 'EHLO') sock.write('250-fake.smtp.test\r\n250-8BITMIME\r\n250 SIZE 10485760\r\n');
        else if (cmd === 'HELO') say('250 fake.smtp.test');
        else if (cmd === 'MAIL') {
          env = { from: (/<([^>]*)>/.exec(line) || [])[1] ?? null, to: [] };
          say('250 2.1.0 ok');
        } else if (cmd === 'RCPT') {
          if (plan.rejectRcpt > 0) {
            plan.rejectRcpt--;
            say('550 5.1.1 no such user');
          } else {
            env.to.push((/<([^>]*)>/.exec(line) || [])[1]);
            say('250 2.1.5 ok');
          }
        } else if (cmd === 'DATA') {
          if (!env.from || env.to.length === 0) say('503 5.5.1 need MAIL and RCPT first');
          else {
            inData = true;
            say('354 end with <CRLF>.<CRLF>');
          }
        } else if (cmd === 'RSET') {
          env = { from: null, to: [] };
          say('250 2.0.0 ok');
        } else if (cmd === 'NOOP') say('250 2.0.0 ok');
        else if (cmd === 'QUIT') {
          say('221 2.0.0 bye');
          sock.end();
        } else say('502 5.5.2 command not implemented');
      }
    });
    sock.on('error', () => {});
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${server.address().port}`,
    messages: () => messages.slice(),
    log: () => log.slice(),
    script(p) {
      Object.assign(plan, p);
    },
    close: () => new Promise((r) => server.close(r)),
  };
}
