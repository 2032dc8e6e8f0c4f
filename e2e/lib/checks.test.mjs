// Table tests of the judging rules in checks.mjs, on hand-made run records:
// each rule must fire on the case it is for and stay quiet on its look-alike.
// Run with `node --test e2e/lib/`.

import test from 'node:test';
import assert from 'node:assert/strict';
import { belowMount, checkRun, compareRuns, textDiff } from './checks.mjs';

const PROXY = 'http://127.0.0.1:8000';
const MOUNT = '/rnode/127.0.0.1/9000/';
const APP_PORT = 9000;

function req(url, type = 'script', status = 200, contentType = 'text/javascript', failure = null) {
  return { url, method: 'GET', type, status, contentType, failure, loopback: true };
}

function step(over = {}) {
  return {
    name: 'root',
    kind: 'goto',
    expect: null,
    requests: [],
    console: [],
    pageErrors: [],
    websockets: [],
    errors: [],
    links: [],
    finalUrl: `${PROXY}${MOUNT}`,
    title: 'App',
    text: 'api: ok',
    ...over,
  };
}

function run(steps, mount = MOUNT, origin = PROXY) {
  return { origin, mount, steps, blocked: [] };
}

const kinds = (findings) => findings.map((f) => f.kind).sort();

test('belowMount', () => {
  assert.equal(belowMount(`${PROXY}${MOUNT}browse/P1?x=1`, MOUNT), '/browse/P1?x=1');
  assert.equal(belowMount(`${PROXY}${MOUNT}`, MOUNT), '/');
  assert.equal(belowMount(`${PROXY}/rnode/127.0.0.1/9000`, MOUNT), '/');
  assert.equal(belowMount(`${PROXY}/assets/a.js`, MOUNT), null);
  assert.equal(belowMount(`${PROXY}/rnode/127.0.0.1/90001/x`, MOUNT), null);
  assert.equal(belowMount(`${PROXY}/x`, '/'), '/x');
});

const table = [
  ['clean run', step({ requests: [req(`${PROXY}${MOUNT}assets/a.js`)] }), []],
  ['request outside the prefix', step({ requests: [req(`${PROXY}/assets/a.js`, 'script', 404, 'text/html')] }),
    ['failed-request', 'outside-prefix']],
  ['request straight to the app', step({ requests: [req('http://127.0.0.1:9000/api/ping', 'fetch')] }),
    ['direct-to-app']],
  ['index.html answering a stylesheet',
    step({ requests: [req(`${PROXY}${MOUNT}browse/assets/a.css`, 'stylesheet', 200, 'text/html; charset=utf-8')] }),
    ['html-fallback']],
  ['index.html answering a .js fetched as "other"',
    step({ requests: [req(`${PROXY}${MOUNT}x/w.js`, 'other', 200, 'text/html')] }), ['html-fallback']],
  ['html document is not a fallback', step({ requests: [req(`${PROXY}${MOUNT}login`, 'document', 200, 'text/html')] }), []],
  ['401 is an answer the app handles',
    step({ requests: [req(`${PROXY}${MOUNT}api/auth/required`, 'fetch', 401, 'application/json')],
      console: [{ text: 'Failed to load resource: the server responded with a status of 401 (Unauthorized)', url: '' }] }),
    []],
  ['500 is a failure', step({ requests: [req(`${PROXY}${MOUNT}api/x`, 'fetch', 500, 'application/json')] }),
    ['failed-request']],
  ['connection refused is a failure',
    step({ requests: [req(`${PROXY}${MOUNT}api/x`, 'fetch', null, null, 'net::ERR_CONNECTION_REFUSED')] }),
    ['failed-request']],
  ['a cancel is not a failure',
    step({ requests: [req(`${PROXY}${MOUNT}favicon.svg`, 'fetch', 200, 'image/svg+xml', 'net::ERR_ABORTED')] }), []],
  ['console error', step({ console: [{ text: 'boom', url: '' }] }), ['console-error']],
  ['uncaught exception', step({ pageErrors: ['TypeError: x is undefined\n at y'] }), ['page-error']],
  ['implicit favicon without an icon link',
    step({ console: [{ text: 'Failed to load resource: the server responded with a status of 404 (Not Found)', url: `${PROXY}/favicon.ico` }] }),
    []],
  ['favicon.ico 404 with an icon link is an error',
    step({ links: [{ rel: 'icon', href: `${PROXY}${MOUNT}favicon.ico` }],
      console: [{ text: 'Failed to load resource: the server responded with a status of 404 (Not Found)', url: `${PROXY}/favicon.ico` }] }),
    ['console-error']],
  ['icon link outside the prefix', step({ links: [{ rel: 'icon', href: `${PROXY}/favicon.svg` }] }), ['outside-prefix']],
  ['blank page', step({ text: ' \n ' }), ['blank-page']],
  ['page ended outside the prefix', step({ finalUrl: `${PROXY}/login` }), ['outside-prefix']],
  ['websocket through the prefix',
    step({ websockets: [{ url: `ws://127.0.0.1:8000${MOUNT}websocket`, frames: ['{"msg":"connected"}'] }] }), []],
  ['websocket outside the prefix',
    step({ websockets: [{ url: 'ws://127.0.0.1:8000/websocket', frames: [] }] }),
    ['outside-prefix', 'websocket', 'websocket']],
  ['websocket to the app port',
    step({ websockets: [{ url: 'ws://127.0.0.1:9000/websocket', frames: ['x'] }] }), ['direct-to-app']],
  ['socket of a page left by a redirect may close unanswered',
    step({ doc: 2, websockets: [
      { url: `ws://127.0.0.1:8000${MOUNT}websocket`, doc: 1, frames: [] },
      { url: `ws://127.0.0.1:8000${MOUNT}websocket`, doc: 2, frames: ['x'] }] }), []],
  ['socket of the last page must connect',
    step({ doc: 2, websockets: [{ url: `ws://127.0.0.1:8000${MOUNT}websocket`, doc: 2, frames: [] }] }),
    ['websocket', 'websocket']],
  ['console errors of blocked addresses are counted as blocked only',
    step({ console: [
      { text: 'Failed to load resource: net::ERR_PROXY_CONNECTION_FAILED', url: 'http://93.184.216.34/x' },
      { text: "WebSocket connection to 'ws://10.0.0.1/ws' failed: net::ERR_PROXY_CONNECTION_FAILED", url: `${PROXY}${MOUNT}` },
    ] }), []],
  ['proxy failure on loopback is an error',
    step({ console: [{ text: 'Failed to load resource: net::ERR_PROXY_CONNECTION_FAILED', url: `${PROXY}/x` }] }),
    ['console-error']],
  ['driver error', step({ errors: ['click a#x: timeout'] }), ['driver']],
  ['click landed elsewhere', step({ expect: '/browse/P1', finalUrl: `${PROXY}${MOUNT}` }), ['path']],
  ['click landed, fragment ignored',
    step({ expect: '/browse/P1', finalUrl: `${PROXY}${MOUNT}browse/P1#top` }), []],
];

for (const [name, s, want] of table) {
  test(`checkRun: ${name}`, () => {
    assert.deepEqual(kinds(checkRun(run([s]), { appPort: APP_PORT })), [...want].sort());
  });
}

test('checkRun: non-loopback requests count unless the reference made them too', () => {
  const s = step({ requests: [{ ...req('http://10.1.2.3/x.js'), loopback: false }] });
  assert.deepEqual(kinds(checkRun(run([s]))), ['blocked']);
  assert.deepEqual(kinds(checkRun(run([s]), { allowedBlocked: new Set(['http://10.1.2.3/x.js']) })), []);
});

test('compareRuns: same page under the prefix and at the root', () => {
  const at = run([step({ finalUrl: 'http://127.0.0.1:9000/browse/P1' })], '/', 'http://127.0.0.1:9000');
  const under = run([step({ finalUrl: `${PROXY}${MOUNT}browse/P1` })]);
  assert.deepEqual(compareRuns(under, at), []);
});

test('compareRuns: path, title, text and websocket differences', () => {
  const at = run([step({ finalUrl: 'http://127.0.0.1:9000/browse/P1',
    websockets: [{ url: 'ws://127.0.0.1:9000/websocket', frames: ['x'] }] })], '/', 'http://127.0.0.1:9000');
  const under = run([step({ finalUrl: `${PROXY}${MOUNT}`, title: 'Other', text: 'api: failed' })]);
  assert.deepEqual(kinds(compareRuns(under, at)), ['path', 'text', 'title', 'websocket-count']);
});

test('compareRuns: blank in both runs is a failure, not a match', () => {
  const at = run([step({ text: '', finalUrl: 'http://127.0.0.1:9000/' })], '/', 'http://127.0.0.1:9000');
  const under = run([step({ text: '' })]);
  assert.deepEqual(kinds(compareRuns(under, at)), ['blank-page']);
});

test('textDiff names the differing lines', () => {
  assert.match(textDiff('a\nb\nc', 'a\nB\nc'), /line 2: -"B" \+"b"/);
});
