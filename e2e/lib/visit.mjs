// One run of the browser over one client: visits the mount root, every deep
// link, every click (start page, click, wait) and a reload after each click,
// and records what happened at each step: every request with its resource
// type, status and content type, failures, console errors, uncaught
// exceptions, websockets and their frames, the final URL, the title, the
// visible text and a screenshot. Judging is left to checks.mjs.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { isLoopback } from './browser.mjs';

const NAV_TIMEOUT = 15000;
const SETTLE_TIMEOUT = 8000; // longest wait for a page to come to rest
const QUIET_MS = 500; // no request started or ended, text unchanged, this long
const CLICK_TIMEOUT = 3000;

/** The steps a fixture asks for, in order; paths are relative to the mount root. */
export function stepsFor(fixture) {
  const steps = [{ name: 'root', kind: 'goto', path: '/' }];
  for (const p of fixture.deep_links || []) steps.push({ name: `deep ${p}`, kind: 'goto', path: p });
  (fixture.clicks || []).forEach((c, i) => {
    const label = `click ${i + 1} ${c.selector}`;
    steps.push({ name: label, kind: 'click', path: c.start || '/', selector: c.selector, expect: c.expect_path });
    steps.push({ name: `reload after ${label}`, kind: 'reload', expect: c.expect_path });
  });
  return steps;
}

function slug(s) {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 80);
}

/**
 * Runs `steps` in `context` against the client mounted at `origin + mount`
 * (mount is "/" or "/rnode/<host>/<port>/"). Resolves to a run record.
 */
export async function visit({ context, origin, mount, steps, shotDir }) {
  mkdirSync(shotDir, { recursive: true });
  const run = { origin, mount, steps: [], blocked: [] };
  let step = null;
  const reqs = new Map();
  let activity = Date.now(); // last request started, answered or ended
  const touch = () => (activity = Date.now());
  // Documents loaded in the tab so far. A step can load more than one (a
  // script redirect from /private to /login); only the last one's websockets
  // are expected to stay connected. A document counts from its commit (the
  // main frame navigated after a navigation request): until then, sockets
  // still belong to the page being left. History API moves send no request.
  let doc = 0;
  let docPending = false;
  let page = null;

  const onRequest = (req) => {
    touch();
    if (isMainDocument(req, page)) docPending = true;
    const url = req.url();
    if (!isLoopback(url)) run.blocked.push({ step: step?.name, url });
    const r = {
      url,
      method: req.method(),
      type: req.resourceType(),
      status: null,
      contentType: null,
      failure: null,
      loopback: isLoopback(url),
    };
    reqs.set(req, r);
    step?.requests.push(r);
  };
  const onResponse = (res) => {
    touch();
    const r = reqs.get(res.request());
    if (!r) return;
    r.status = res.status();
    r.contentType = res.headers()['content-type'] || null;
  };
  const onFailed = (req) => {
    touch();
    const r = reqs.get(req);
    if (r) r.failure = req.failure()?.errorText || 'failed';
  };
  context.on('request', onRequest);
  context.on('response', onResponse);
  context.on('requestfailed', onFailed);
  context.on('requestfinished', touch);

  page = await context.newPage();
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame() && docPending) {
      docPending = false;
      doc++;
    }
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error') {
      const loc = msg.location();
      step?.console.push({ text: msg.text(), url: loc?.url || '' });
    }
  });
  page.on('pageerror', (err) => step?.pageErrors.push(String(err?.stack || err)));
  page.on('websocket', (ws) => {
    const w = { url: ws.url(), doc, frames: [], error: null, closed: false };
    if (!isLoopback(w.url)) run.blocked.push({ step: step?.name, url: w.url });
    step?.websockets.push(w);
    ws.on('framereceived', (f) => w.frames.length < 5 && w.frames.push(String(f.payload).slice(0, 200)));
    ws.on('socketerror', (e) => (w.error = String(e)));
    ws.on('close', () => (w.closed = true));
  });

  const url = (p) => origin + mount + p.replace(/^\//, '');

  for (const [i, s] of steps.entries()) {
    step = {
      name: s.name,
      kind: s.kind,
      expect: s.expect ?? null,
      requests: [],
      console: [],
      pageErrors: [],
      websockets: [],
      errors: [], // the driver's own: navigation timeout, click target missing
    };
    run.steps.push(step);
    const t0 = Date.now();
    try {
      if (s.kind === 'goto' || s.kind === 'click') {
        step.url = url(s.path);
        await page.goto(step.url, { waitUntil: 'load', timeout: NAV_TIMEOUT });
        await settle(page, () => activity);
      }
      if (s.kind === 'click') {
        let clicked = true;
        try {
          await page.click(s.selector, { timeout: CLICK_TIMEOUT });
        } catch (err) {
          clicked = false;
          step.errors.push(`click ${s.selector}: ${firstLine(err)}`);
        }
        if (clicked && s.expect) {
          const want = new URL(url(s.expect)).pathname;
          await page
            .waitForURL((u) => u.pathname === want, { timeout: CLICK_TIMEOUT })
            .catch(() => {});
        }
        await settle(page, () => activity);
      }
      if (s.kind === 'reload') {
        step.url = page.url();
        await page.reload({ waitUntil: 'load', timeout: NAV_TIMEOUT });
        await settle(page, () => activity);
      }
    } catch (err) {
      step.errors.push(firstLine(err));
    }
    step.doc = doc;
    await waitForSockets(step.websockets.filter((w) => w.doc === doc));
    step.ms = Date.now() - t0;
    step.finalUrl = page.url();
    step.links = await documentLinks(page);
    step.title = await page.title().catch(() => '');
    step.text = await visibleText(page);
    step.screenshot = path.join(shotDir, `${String(i + 1).padStart(2, '0')}-${slug(s.name)}.png`);
    // A picture is for people reading the report, not a check: some pages
    // never hand Chromium's headless compositor a frame, so a timeout here is
    // noted in the report and judged by nothing.
    await page.screenshot({ path: step.screenshot, fullPage: true, timeout: 5000 }).catch((err) => {
      step.screenshotError = firstLine(err);
      step.screenshot = null;
    });
  }
  step = null;
  await page.close().catch(() => {});
  context.off('request', onRequest);
  context.off('response', onResponse);
  context.off('requestfailed', onFailed);
  context.off('requestfinished', touch);
  return run;
}

function isMainDocument(req, page) {
  try {
    const f = req.frame();
    return req.isNavigationRequest() && f.page() === page && f.parentFrame() === null;
  } catch {
    return false; // service worker requests have no frame
  }
}

function firstLine(err) {
  return String(err?.message || err).split('\n')[0];
}

// URLs the document names for the browser to fetch on its own (icons,
// manifest, preloads): favicon and manifest loads are made by the browser,
// not the page, so they never show up as the page's requests.
async function documentLinks(page) {
  return page
    .evaluate(() =>
      [...document.querySelectorAll('link[href]')]
        .filter((l) => /\b(icon|apple-touch-icon|manifest|preload|modulepreload|prefetch|stylesheet)\b/i.test(l.rel))
        .map((l) => ({ rel: l.rel, href: l.href })),
    )
    .catch(() => []);
}

async function visibleText(page) {
  return page.evaluate(() => (document.body ? document.body.innerText : '')).catch(() => '');
}

// Waits until no request has started or ended and the visible text has not
// changed for QUIET_MS. Playwright's "networkidle" is not used: a response
// whose body the app never reads keeps it from ever being reached.
async function settle(page, lastActivity) {
  const end = Date.now() + SETTLE_TIMEOUT;
  let last = await visibleText(page);
  let since = Date.now();
  while (Date.now() < end) {
    await page.waitForTimeout(100);
    const now = await visibleText(page);
    if (now !== last) {
      last = now;
      since = Date.now();
    }
    const quietFor = Date.now() - Math.max(since, lastActivity());
    if (quietFor >= QUIET_MS) return;
  }
}

// Gives each websocket of the step a moment to connect or fail.
async function waitForSockets(sockets) {
  const end = Date.now() + 3000;
  while (Date.now() < end && sockets.some((w) => !w.frames.length && !w.error && !w.closed)) {
    await new Promise((r) => setTimeout(r, 100));
  }
}
