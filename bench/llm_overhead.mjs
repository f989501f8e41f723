#!/usr/bin/env node
// bench/llm_overhead.mjs [--requests N] [--concurrency C] [--first-token-ms MS] [--chunks N]
//
// What botwerk adds before a visitor sees a model's first token: retrieval over the bot's knowledge,
// the prompt, the request to the model and passing its first delta on. Starts the fake OpenAI-compatible
// server (tests/fakes/openai.mjs) with a fixed first-token delay, botwerk (build/botwerk, or BENCH_BIN)
// on a fresh SQLite database pointed at it, seeds one bot (bench/seed.mjs), then sends streamed chats
// (Accept: text/event-stream) and measures, per request, the time from sending it to the first `delta`
// event; the overhead is that time minus the fake's first-token delay. Also: how long the model request
// took to reach the fake (retrieval + prompt + connecting). Prints a markdown table.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startFakeOpenAI } from '../tests/fakes/openai.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const REQUESTS = arg('requests', 400);
const CONCURRENCY = arg('concurrency', 1);
const FIRST_TOKEN_MS = arg('first-token-ms', 100);
const CHUNKS = arg('chunks', 1000);
const BIN = path.resolve(ROOT, process.env.BENCH_BIN || 'build/botwerk');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

async function freePort() {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function main() {
  const work = mkdtempSync(path.join(tmpdir(), 'botwerk-llm-bench-'));
  const llm = await startFakeOpenAI({ dialect: 'llama' });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    BOTWERK_DB: path.join(work, 'bench.db'),
    BOTWERK_LISTEN: `127.0.0.1:${port}`,
    BOTWERK_MASTER_KEY: randomBytes(32).toString('hex'),
    BOTWERK_PUBLIC_RATE: '0',
    BOTWERK_ACCESS_LOG: '0',
    BOTWERK_LLM_BASE_URL: `${llm.url}/v1`,
    BOTWERK_LLM_MODEL: 'bench',
    BOTWERK_LLM_TIMEOUT_MS: String(FIRST_TOKEN_MS + 5000),
  };
  const srv = spawn(BIN, ['serve'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    for (let i = 0; i < 150; i++) {
      try {
        if ((await fetch(`${base}/ready`)).status === 200) break;
      } catch {}
      await sleep(100);
    }
    const tenant = JSON.parse(execFileSync(BIN, ['tenant', 'create', 'Bench LLM'], { env }).toString());
    const bot = execFileSync('node', [path.join(ROOT, 'bench/seed.mjs'), base, tenant.api_key, String(CHUNKS)], {
      env, stdio: ['ignore', 'pipe', 'ignore'],
    }).toString().trim();
    const questions = readFileSync(path.join(ROOT, 'bench/questions.txt'), 'utf8').split('\n').filter(Boolean);
    const reply = JSON.stringify({ reply: 'Das steht in Quelle [1]: so ist es.', profile: {}, intent: 'question' });

    const overhead = [], toModel = [], total = [];
    let viaModel = 0, i = 0;
    async function one() {
      const q = questions[i++ % questions.length];
      llm.script({ reply, firstTokenMs: FIRST_TOKEN_MS });
      const t0 = performance.now();
      const wall0 = Date.now();
      const res = await fetch(`${base}/api/v1/public/bot/${bot}/chat`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
        body: JSON.stringify({ message: q }),
      });
      const reader = res.body.getReader();
      const dec = new TextDecoder();
      let buf = '', first = null;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        if (first === null && buf.includes('event: delta')) first = performance.now() - t0;
      }
      total.push(performance.now() - t0);
      const done = buf.split('event: done\ndata: ')[1];
      const meta = done ? JSON.parse(done.split('\n')[0]).metadata : {};
      if (meta.answer_type === 'llm') {
        viaModel++;
        overhead.push(first - FIRST_TOKEN_MS);
        const seen = llm.requests().filter((r) => r.path === '/v1/chat/completions' && r.at >= wall0);
        if (seen.length) toModel.push(seen[0].at - wall0);
      }
    }
    // warm-up (connections, caches)
    for (let k = 0; k < 20; k++) await one();
    overhead.length = toModel.length = total.length = 0;
    viaModel = 0;
    llm.reset();
    const t0 = Date.now();
    const workers = Array.from({ length: CONCURRENCY }, async () => {
      while (i < REQUESTS + 20) await one();
    });
    await Promise.all(workers);
    const secs = (Date.now() - t0) / 1000;
    const f = (x) => x.toFixed(1);
    console.log(`botwerk ${execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim()}, ` +
      `${(await import('node:os')).cpus().length} cores, SQLite, ${CHUNKS}+ chunks, fake model with first token after ${FIRST_TOKEN_MS} ms, ` +
      `${REQUESTS} streamed chats, concurrency ${CONCURRENCY}, ${(REQUESTS / secs).toFixed(1)} chats/s`);
    console.log('');
    console.log('| measure | p50 ms | p95 ms | p99 ms | max ms |');
    console.log('|---|---:|---:|---:|---:|');
    console.log(`| overhead before the first token (time to first delta − ${FIRST_TOKEN_MS} ms) | ${f(pct(overhead, 50))} | ${f(pct(overhead, 95))} | ${f(pct(overhead, 99))} | ${f(Math.max(...overhead))} |`);
    console.log(`| request reaches the model (retrieval, prompt, connect; ms clock) | ${f(pct(toModel, 50))} | ${f(pct(toModel, 95))} | ${f(pct(toModel, 99))} | ${f(Math.max(...toModel))} |`);
    console.log(`| whole streamed answer, stored | ${f(pct(total, 50))} | ${f(pct(total, 95))} | ${f(pct(total, 99))} | ${f(Math.max(...total))} |`);
    console.log('');
    console.log(`${viaModel} of ${REQUESTS} answers came from the model (the others had no knowledge to give it).`);
  } finally {
    srv.kill('SIGTERM');
    await new Promise((r) => srv.on('exit', r));
    await llm.close();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
