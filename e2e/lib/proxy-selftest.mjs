// Checks that the Apache proxy behaves like Open OnDemand's /rnode route
// before any browser is pointed at it: prefix stripped, query kept, the
// prefix without its final slash still reaching "/", Host and X-Forwarded-*
// headers, Location and Set-Cookie rewritten into the prefix, websocket
// upgrade, and nothing proxied outside the route. A small redirecting
// backend, made here, supplies the headers the stand-in server never sends.

import http from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { WebSocket } from 'ws';
import { startStandin } from './standin-cryosparc-server.mjs';
import { startProxy, prefixFor } from './proxy.mjs';

function get(url, { method = 'GET', body = null, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }),
      );
    });
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

function wsRoundTrip(url) {
  return new Promise((resolve) => {
    const got = [];
    const ws = new WebSocket(url);
    const timer = setTimeout(() => {
      ws.terminate();
      resolve({ ok: false, got, error: 'timeout' });
    }, 5000);
    ws.on('message', (m) => {
      got.push(m.toString());
      if (got.length === 1) ws.send('ping-through-proxy');
      else {
        clearTimeout(timer);
        ws.close();
        resolve({ ok: true, got });
      }
    });
    ws.on('error', (e) => {
      clearTimeout(timer);
      resolve({ ok: false, got, error: e.message });
    });
  });
}

/** Runs every check; resolves to [{ name, ok, detail }]. */
export async function proxySelfTest(workDir) {
  const results = [];
  const check = (name, ok, detail = '') => results.push({ name, ok: Boolean(ok), detail });
  const clientDir = path.join(workDir, 'selftest-client');
  mkdirSync(clientDir, { recursive: true });
  writeFileSync(
    path.join(clientDir, 'index.html'),
    '<!doctype html><title>self-test</title><body>%cryosparc.state%</body>',
  );
  const log = path.join(workDir, 'selftest-standin.log');
  const app = await startStandin({ clientDir, log });
  // Headers the stand-in never sends: redirects and cookies with Domain.
  const redirector = http.createServer((req, res) => {
    const headers = {
      'Set-Cookie': ['a=1; Domain=127.0.0.1; Path=/; HttpOnly', 'b=2; path=/api; Secure'],
    };
    if (req.url === '/abs') headers.Location = `http://127.0.0.1:${redirector.address().port}/login?next=1`;
    else if (req.url === '/rel') headers.Location = '/login';
    else headers.Location = 'http://elsewhere.invalid/x';
    res.writeHead(302, headers);
    res.end();
  });
  await new Promise((r) => redirector.listen(0, '127.0.0.1', r));
  const proxyDir = mkdtempSync(path.join(workDir, 'selftest-apache-'));
  let proxy;
  try {
    proxy = await startProxy(proxyDir);
    const pre = proxy.origin + prefixFor(app.port);
    const readLog = () =>
      readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));

    let r = await get(`${pre}api/cmd/vis/P1-W1-J2?x=1&y=%2F`);
    const seen = readLog().pop();
    check('prefix stripped, query kept', r.status === 200 && seen.url === '/api/cmd/vis/P1-W1-J2?x=1&y=%2F',
      `status ${r.status}, app saw ${seen.url}`);
    check('app sees Host <host>:<port>', seen.host === `127.0.0.1:${app.port}`, `Host: ${seen.host}`);
    check('X-Forwarded-For/-Host/-Proto/-User sent',
      seen.xff && seen.xfh === `127.0.0.1:${proxy.port}` && seen.xfp === 'http' && seen.xfu,
      JSON.stringify({ xff: seen.xff, xfh: seen.xfh, xfp: seen.xfp, xfu: seen.xfu }));

    r = await get(`${proxy.origin}/rnode/127.0.0.1/${app.port}`);
    check('prefix without final slash reaches "/"', r.status === 200 && readLog().pop().url === '/',
      `status ${r.status}, app saw ${readLog().pop().url}`);

    r = await get(`${pre}browse/P1-W1-J2`);
    check('deep link answered with index.html', r.status === 200 && /self-test/.test(r.body) &&
      r.body.includes('window.__cryosparc_state'), `status ${r.status}`);

    const pw = 'a'.repeat(64);
    r = await get(`${pre}api/auth/login`, {
      method: 'POST', body: JSON.stringify({ email: 'e@x', password: pw }),
      headers: { 'Content-Type': 'application/json' },
    });
    const cookie = [].concat(r.headers['set-cookie'] || []);
    check('login cookie Path forced into the prefix',
      cookie.length === 1 && cookie[0] === `cs_session=1; Path=/rnode/127.0.0.1/${app.port}`, cookie.join(' | '));

    r = await get(`${pre}api/auth/required`, { headers: { Cookie: 'cs_session=1' } });
    check('cookie passed through to the app', r.status === 200, `status ${r.status}`);

    const rp = redirector.address().port;
    const rpre = `/rnode/127.0.0.1/${rp}/`;
    r = await get(`${proxy.origin}${rpre}abs`);
    check('absolute Location back into the prefix', r.headers.location === `${rpre}login?next=1`,
      `Location: ${r.headers.location}`);
    const cookies = [].concat(r.headers['set-cookie'] || []);
    check('every Set-Cookie: Domain dropped, Path forced',
      cookies.length === 2 &&
        cookies[0] === `a=1; HttpOnly; Path=/rnode/127.0.0.1/${rp}` &&
        cookies[1] === `b=2; Secure; Path=/rnode/127.0.0.1/${rp}`,
      cookies.join(' | '));
    r = await get(`${proxy.origin}${rpre}rel`);
    check('root-relative Location into the prefix', r.headers.location === `${rpre}login`,
      `Location: ${r.headers.location}`);
    r = await get(`${proxy.origin}${rpre}other`);
    check('foreign Location untouched', r.headers.location === 'http://elsewhere.invalid/x',
      `Location: ${r.headers.location}`);

    const ws = await wsRoundTrip(`${pre.replace('http:', 'ws:')}websocket`);
    check('websocket through the prefix', ws.ok && ws.got[0] === '{"msg":"connected"}' &&
      ws.got[1] === 'ping-through-proxy', JSON.stringify(ws));

    r = await get(`${proxy.origin}/api/ping`);
    check('nothing proxied outside /rnode', r.status === 404, `status ${r.status}`);
    r = await get(`${proxy.origin}/rnode/example.org/80/`);
    check('hosts outside the allowed pattern refused', r.status === 404, `status ${r.status}`);
  } catch (err) {
    check('proxy self-test ran', false, err.message);
  } finally {
    if (proxy) await proxy.stop();
    await app.close();
    await new Promise((r) => redirector.close(r));
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { installCleanup } = await import('./procs.mjs');
  installCleanup({ deadlineMs: 60000 });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'e2e-proxy-'));
  const results = await proxySelfTest(dir);
  for (const r of results) console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name}${r.ok ? '' : `: ${r.detail}`}`);
  process.exit(results.every((r) => r.ok) ? 0 : 1);
}
