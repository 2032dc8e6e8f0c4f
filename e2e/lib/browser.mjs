// Debian's headless Chromium, started here by pid with a fresh profile and
// driven through playwright-core over the DevTools protocol; Playwright never
// launches or downloads a browser. Every address other than loopback is
// unreachable (a dead proxy for everything but loopback, names resolving
// nowhere), and the attempts are counted by the recorder.

import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { start, stop, waitForLine } from './procs.mjs';

export const CHROMIUM = process.env.E2E_CHROMIUM || '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
  '--no-default-browser-check',
  '--mute-audio',
  '--window-size=1280,900',
  // Loopback only: everything else goes to a closed port on 127.0.0.1 and
  // names other than localhost do not resolve.
  '--proxy-server=http://127.0.0.1:9',
  '--proxy-bypass-list=127.0.0.1;localhost;[::1]',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
];

/** True when `url` names a loopback address (127.0.0.0/8, ::1, localhost). */
export function isLoopback(url) {
  let host;
  try {
    host = new URL(url).hostname;
  } catch {
    return true; // not a network URL (data:, blob:, about:)
  }
  if (!host) return true;
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Starts Chromium with a fresh --user-data-dir under `workDir` and connects
 * to it. Resolves to { browser, context, pid, close }.
 */
export async function launchBrowser(workDir, label) {
  const profile = mkdtempSync(path.join(workDir, `chromium-${label}-`));
  const args = [
    ...CHROMIUM_FLAGS,
    `--user-data-dir=${profile}`,
    '--remote-debugging-address=127.0.0.1',
    '--remote-debugging-port=0',
    'about:blank',
  ];
  const child = start(`chromium (${label})`, CHROMIUM, args, { pipe: true });
  child.stdout.resume();
  let endpoint;
  try {
    endpoint = await waitForLine(
      child,
      'stderr',
      (line) => (line.match(/DevTools listening on (ws:\/\/\S+)/) || [])[1],
      20000,
    );
  } catch (err) {
    await stop(child);
    throw new Error(`chromium did not start: ${err.message}`);
  }
  child.stderr.resume();
  const browser = await chromium.connectOverCDP(endpoint, { timeout: 20000 });
  const context = browser.contexts()[0];
  return {
    browser,
    context,
    pid: child.pid,
    close: async () => {
      await browser.close().catch(() => {});
      await stop(child);
    },
  };
}
