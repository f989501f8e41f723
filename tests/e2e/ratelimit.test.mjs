// Public API rate limit per client address (BOTWERK_PUBLIC_RATE requests per minute).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, BACKEND } from '../lib/server.mjs';
import { seededBot } from '../lib/fixtures.mjs';

describe(`public rate limit (${BACKEND})`, () => {
  let srv;
  let key;
  let bot;
  before(async () => {
    srv = await startServer({ env: { BOTWERK_PUBLIC_RATE: '5' } });
    key = (await srv.tenant('Limitiert')).api_key;
    ({ bot } = await seededBot(srv, key));
  });
  after(async () => {
    if (srv) await srv.kill();
  });

  it('BOTWERK_PUBLIC_RATE=5: five requests pass, then 429 rate_limited with Retry-After', async () => {
    const statuses = [];
    let limited;
    for (let i = 0; i < 12; i++) {
      const r = i % 2 ? await srv.chat(bot.id, 'Hallo') : await srv.get(`/api/v1/public/bot/${bot.id}/config`);
      statuses.push(r.status);
      if (r.status === 429 && !limited) limited = r;
    }
    assert.deepEqual(statuses.slice(0, 5), [200, 200, 200, 200, 200], `statuses: ${statuses}`);
    assert.ok(limited, `no 429 in 12 requests at 5/min: ${statuses}`);
    assertError(limited, 429, 'rate_limited');
    const ra = limited.headers.get('retry-after');
    assert.match(ra || '', /^\d+$/, `Retry-After must be delay-seconds: ${ra}`);
    assert.ok(Number(ra) >= 1 && Number(ra) <= 60, `Retry-After ${ra} s for a per-minute limit`);
    assert.ok(statuses.filter((s) => s === 200).length <= 10, `too many passed: ${statuses}`);
    for (const s of statuses) assert.ok(s === 200 || s === 429, `statuses: ${statuses}`);
  });

  it('the management API and health are not limited by the public rate', async () => {
    for (let i = 0; i < 8; i++) {
      const r = await srv.get(`/api/v1/bots/${bot.id}`, key);
      assert.equal(r.status, 200, `management request ${i}: ${r.status} ${r.text}`);
    }
    assert.equal((await srv.get('/health')).status, 200);
    // The public API is still limited.
    assertError(await srv.get(`/api/v1/public/bot/${bot.id}/status`), 429, 'rate_limited');
  });

  it('shuts down cleanly on SIGTERM (exit code 0)', async () => {
    await srv.stop();
  });
});
