#!/usr/bin/env node
// bench/webhooks.mjs [--events N] [--duration 10s] [--connections 64]
//
// WhatsApp webhook intake: N distinct message events (default 200,000), each signed with the bot's app
// secret exactly as Meta signs them, are posted by wrk (-t2, bench/webhooks.lua) to /hooks/whatsapp/{bot}
// on botwerk (build/botwerk or BENCH_BIN) with a fresh SQLite database. Every 200 means the event is
// durable (the writer commits with synchronous=FULL, group commit) — so requests/s are stored events/s,
// and the latency is the time until the event is durable. Afterwards the stored rows are counted.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { inboundEnvelope, metaSerialize, metaSign, newWamid } from '../tests/fakes/whatsapp.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const EVENTS = Number(arg('events', 200000));
const DURATION = arg('duration', '10s');
const CONNS = Number(arg('connections', 64));
const BIN = path.resolve(ROOT, process.env.BENCH_BIN || 'build/botwerk');
const SECRET = 'bench-app-secret';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const work = mkdtempSync(path.join(tmpdir(), 'botwerk-hooks-bench-'));
  const file = path.join(work, 'events.tsv');
  const lines = [];
  for (let i = 0; i < EVENTS; i++) {
    const raw = metaSerialize(inboundEnvelope({ id: newWamid(), from: `49151${1000000 + (i % 9000000)}`, text: `Hallo, ich hätte gern einen Termin (${i})` }));
    lines.push(`${raw}\t${metaSign(SECRET, Buffer.from(raw, 'utf8'))}`);
  }
  writeFileSync(file, lines.join('\n') + '\n');
  const port = 20000 + Math.floor(Math.random() * 20000);
  const base = `http://127.0.0.1:${port}`;
  const env = { ...process.env, BOTWERK_DB: path.join(work, 'b.db'), BOTWERK_LISTEN: `127.0.0.1:${port}`,
    BOTWERK_MASTER_KEY: randomBytes(32).toString('hex'), BOTWERK_ACCESS_LOG: '0', BOTWERK_PUBLIC_RATE: '0' };
  const srv = spawn(BIN, ['serve'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    for (let i = 0; i < 150; i++) {
      try { if ((await fetch(`${base}/ready`)).status === 200) break; } catch {}
      await sleep(100);
    }
    const key = JSON.parse(execFileSync(BIN, ['tenant', 'create', 'Bench'], { env }).toString()).api_key;
    const bot = await (await fetch(`${base}/api/v1/bots`, { method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Hooks', channels: { whatsapp: { phone_number_id: '111', app_secret: SECRET } } }) })).json();
    const out = execFileSync('wrk', ['-t2', `-c${CONNS}`, `-d${DURATION}`, '--latency', '-s', path.join(ROOT, 'bench/webhooks.lua'),
      `${base}/hooks/whatsapp/${bot.id}`], { env: { ...process.env, WEBHOOK_FILE: file } }).toString();
    const rps = out.match(/Requests\/sec:\s+([\d.]+)/)[1];
    const p50 = out.match(/\n\s+50%\s+(\S+)/)[1], p99 = out.match(/\n\s+99%\s+(\S+)/)[1];
    const total = out.match(/(\d+) requests in/)[1];
    const non2xx = (out.match(/Non-2xx or 3xx responses: (\d+)/) || [0, '0'])[1];
    await sleep(500);
    const stored = execFileSync('sqlite3', [env.BOTWERK_DB, 'SELECT count(*) FROM webhook_events']).toString().trim();
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
    console.log(`botwerk ${commit}, ${cpus().length} cores, SQLite (synchronous=FULL on the writer), wrk -t2 -c${CONNS} -d${DURATION}, ${EVENTS} distinct signed events`);
    console.log('');
    console.log('| endpoint | events/s (200 = durable) | p50 | p99 | requests | non-2xx | rows stored |');
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    console.log(`| \`POST /hooks/whatsapp/{bot}\` | ${rps} | ${p50} | ${p99} | ${total} | ${non2xx} | ${stored} |`);
    console.log('');
    console.log(`rows stored = distinct events acknowledged (${Math.min(Number(total), EVENTS)} expected when requests ≤ events; repeats are duplicates)`);
  } finally {
    srv.kill('SIGTERM');
    await new Promise((r) => srv.on('exit', r));
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
