// Judges the runs recorded by visit.mjs. `checkRun` looks at one run on its
// own (requests leaving the mount root, failed requests, index.html served
// where an asset was expected, console errors, uncaught exceptions,
// websockets, blank pages, the driver's own errors); `compareRuns` holds a run
// against a reference run step by step (final path below the mount root,
// title, visible text, connected websockets). Both return findings
// { step, kind, detail }; no finding means the run passed.

// Resource types whose answer must never be the index.html fallback.
const ASSET_TYPES = new Set(['script', 'stylesheet', 'font', 'image', 'manifest', 'media']);
const ASSET_EXT = /\.(m?js|css|woff2?|ttf|otf|png|jpe?g|gif|svg|webp|ico|webmanifest|wasm|map)$/i;
// Answers the app handles itself (login required, forbidden); everything
// else from 400 up is a failed request.
const ALLOWED_STATUS = new Set([401, 403]);

export const KINDS = [
  'outside-prefix',
  'direct-to-app',
  'failed-request',
  'html-fallback',
  'console-error',
  'page-error',
  'websocket',
  'blank-page',
  'driver',
  'blocked',
  'path',
  'title',
  'text',
  'websocket-count',
];

/** The path of `url` below `mount`, or null when it lies outside. */
export function belowMount(url, mount) {
  const u = new URL(url);
  const full = u.pathname + u.search + u.hash;
  if (mount === '/') return full;
  if (full.startsWith(mount)) return '/' + full.slice(mount.length);
  if (u.pathname + '/' === mount) return '/';
  return null;
}

function pathOf(url) {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}

/**
 * Findings of one run on its own. `appPort` is the app server's port when the
 * run goes through the proxy: any request to it skipped the proxy.
 */
export function checkRun(run, { appPort = null, allowedBlocked = new Set() } = {}) {
  const findings = [];
  const add = (step, kind, detail) => findings.push({ step, kind, detail });
  const origin = new URL(run.origin);
  let wsConnected = 0;

  for (const s of run.steps) {
    for (const e of s.errors) add(s.name, 'driver', e);
    for (const r of s.requests) {
      if (!r.loopback) {
        if (!allowedBlocked.has(r.url)) add(s.name, 'blocked', `request to a non-loopback address: ${r.url}`);
        continue;
      }
      let u;
      try {
        u = new URL(r.url);
      } catch {
        continue;
      }
      if (!/^https?:$/.test(u.protocol)) continue;
      if (appPort && Number(u.port) === appPort) {
        add(s.name, 'direct-to-app', `${r.type} ${r.url} went straight to the app's port`);
      } else if (u.origin !== origin.origin || belowMount(r.url, run.mount) === null) {
        add(s.name, 'outside-prefix', `${r.type} ${r.url} (status ${r.status ?? '-'})`);
      }
      // net::ERR_ABORTED is a cancel by the page or by the next navigation
      // (a body never read, an image replaced), not an answer that failed.
      if (r.failure && r.failure !== 'net::ERR_ABORTED') {
        add(s.name, 'failed-request', `${r.type} ${r.url}: ${r.failure}`);
      }
      if (r.status !== null && r.status >= 400 && !ALLOWED_STATUS.has(r.status)) {
        add(s.name, 'failed-request', `${r.type} ${r.url}: HTTP ${r.status}`);
      }
      const isAsset = ASSET_TYPES.has(r.type) || ASSET_EXT.test(pathOf(r.url));
      if (isAsset && r.status !== null && r.status < 400 && /^text\/html/i.test(r.contentType || '')) {
        add(s.name, 'html-fallback', `${r.type} ${r.url} answered with text/html (the index.html fallback)`);
      }
    }
    const links = s.links || [];
    for (const l of links) {
      let u;
      try {
        u = new URL(l.href);
      } catch {
        continue;
      }
      if (u.origin === origin.origin && belowMount(l.href, run.mount) === null) {
        add(s.name, 'outside-prefix', `<link rel="${l.rel}"> names ${l.href}`);
      }
    }
    // Without an icon link the browser asks for /favicon.ico of the origin by
    // itself; under OnDemand the portal answers that, not the app.
    const hasIcon = links.some((l) => /\bicon\b/i.test(l.rel));
    const implicitIcon = `${origin.origin}/favicon.ico`;
    for (const c of s.console) {
      // Status answers the app handles show as "Failed to load resource"
      // console errors; their requests are judged above.
      if (/^Failed to load resource: the server responded with a status of (401|403)\b/.test(c.text)) continue;
      if (!hasIcon && c.url === implicitIcon && /^Failed to load resource/.test(c.text)) continue;
      // The test's own blocking of non-loopback addresses: counted as blocked.
      if (/ERR_PROXY_CONNECTION_FAILED|ERR_NAME_NOT_RESOLVED/.test(c.text) && namesNonLoopback(c)) continue;
      add(s.name, 'console-error', c.url ? `${c.text} (${c.url})` : c.text);
    }
    for (const e of s.pageErrors) add(s.name, 'page-error', e.split('\n')[0]);
    for (const w of s.websockets) {
      if (!isLoopbackWs(w.url)) {
        if (!allowedBlocked.has(w.url)) add(s.name, 'blocked', `websocket to a non-loopback address: ${w.url}`);
        continue;
      }
      const u = new URL(w.url);
      const sameHost = u.host === origin.host;
      if (appPort && Number(u.port) === appPort) {
        add(s.name, 'direct-to-app', `websocket ${w.url} went straight to the app's port`);
      } else if (!sameHost || belowMount(w.url.replace(/^ws/, 'http'), run.mount) === null) {
        add(s.name, 'outside-prefix', `websocket ${w.url}`);
      }
      if (w.frames.length) wsConnected++;
      else if (w.error || finalDoc(s, w)) {
        // A page left during the step (a script redirect) may close its
        // socket before the first frame: only the last page's sockets count.
        add(s.name, 'websocket', `websocket ${w.url} never received a frame${w.error ? `: ${w.error}` : ''}`);
      }
    }
    if (!(s.text || '').trim()) add(s.name, 'blank-page', `nothing visible at ${s.finalUrl}`);
    const below = s.finalUrl ? belowMount(s.finalUrl, run.mount) : null;
    if (s.finalUrl && below === null) add(s.name, 'outside-prefix', `the page itself ended at ${s.finalUrl}`);
    if (s.expect && below !== null && stripQuery(below) !== s.expect) {
      add(s.name, 'path', `ended at ${below}, the fixture expects ${s.expect}`);
    }
  }
  run.wsConnected = wsConnected;
  const opened = run.steps.reduce((n, s) => n + s.websockets.filter((w) => isLoopbackWs(w.url)).length, 0);
  if (opened && !wsConnected) add('(run)', 'websocket', 'no websocket ever connected');
  return findings;
}

function namesNonLoopback(c) {
  const inText = c.text.match(/\b(?:https?|wss?):\/\/[^\s'"]+/);
  const url = inText ? inText[0] : c.url;
  return Boolean(url) && !isLoopbackWs(url);
}

function finalDoc(step, w) {
  return step.doc === undefined || w.doc === undefined || w.doc === step.doc;
}

function connectedOnLastPage(step) {
  return step.websockets.filter((w) => w.frames.length && finalDoc(step, w)).length;
}

function isLoopbackWs(url) {
  try {
    const h = new URL(url).hostname;
    return h === 'localhost' || h === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(h);
  } catch {
    return true;
  }
}

function stripQuery(p) {
  return p.replace(/[?#].*$/, '');
}

/** Findings of `run` held against `ref`, step by step. */
export function compareRuns(run, ref) {
  const findings = [];
  const add = (step, kind, detail) => findings.push({ step, kind, detail });
  run.steps.forEach((s, i) => {
    const r = ref.steps[i];
    if (!r || r.name !== s.name) {
      add(s.name, 'driver', 'the reference run has no such step');
      return;
    }
    const p = s.finalUrl ? belowMount(s.finalUrl, run.mount) : null;
    const rp = r.finalUrl ? belowMount(r.finalUrl, ref.mount) : null;
    if (p !== rp) add(s.name, 'path', `ended at ${p ?? s.finalUrl}, the reference at ${rp}`);
    if (s.title !== r.title) add(s.name, 'title', `title ${JSON.stringify(s.title)}, the reference ${JSON.stringify(r.title)}`);
    if (norm(s.text) !== norm(r.text)) add(s.name, 'text', textDiff(s.text, r.text));
    else if (!norm(s.text)) add(s.name, 'blank-page', 'blank in both runs');
    const ws = connectedOnLastPage(s);
    const rws = connectedOnLastPage(r);
    if (ws !== rws) add(s.name, 'websocket-count', `${ws} websocket(s) connected on the last page, the reference ${rws}`);
  });
  return findings;
}

function norm(t) {
  return (t || '').replace(/[ \t]+\n/g, '\n').trim();
}

// The lines that differ, at most a few, as "-reference / +this run".
export function textDiff(text, ref) {
  const a = norm(text).split('\n');
  const b = norm(ref).split('\n');
  const out = [];
  for (let i = 0; i < Math.max(a.length, b.length) && out.length < 6; i++) {
    if (a[i] !== b[i]) out.push(`line ${i + 1}: -${JSON.stringify(b[i] ?? '')} +${JSON.stringify(a[i] ?? '')}`);
  }
  return `visible text differs: ${out.join('; ')}`;
}

/** Counts for the summary line. */
export function counts(run) {
  let requests = 0;
  for (const s of run.steps) requests += s.requests.length;
  return {
    pages: run.steps.length,
    requests,
    websockets: run.steps.reduce((n, s) => n + s.websockets.filter((w) => w.frames.length).length, 0),
    blocked: run.blocked.length,
  };
}

export function tally(findings) {
  const t = {};
  for (const f of findings) t[f.kind] = (t[f.kind] || 0) + 1;
  return t;
}
