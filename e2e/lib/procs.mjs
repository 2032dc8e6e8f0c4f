// Every process the browser test starts goes through here, so that all of
// them are stopped by pid on normal exit, on failure, on SIGINT/SIGTERM and
// when the overall deadline passes. Each child leads its own process group
// (detached), so its own children (Apache workers, Chromium renderers) go with it.

import { spawn } from 'node:child_process';
import { openSync, closeSync, appendFileSync } from 'node:fs';

const live = new Map(); // pid -> { name, child }

/**
 * Starts `cmd args` with stdout/stderr to `logFile` (or piped when null).
 * Returns the ChildProcess; `exited` resolves with the exit code.
 */
export function start(name, cmd, args, { logFile = null, env = process.env, pipe = false } = {}) {
  let fd = null;
  let stdio = ['ignore', 'pipe', 'pipe'];
  if (logFile && !pipe) {
    fd = openSync(logFile, 'a');
    stdio = ['ignore', fd, fd];
  }
  const child = spawn(cmd, args, { stdio, env, detached: true });
  if (fd !== null) closeSync(fd);
  child.exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child.pid);
      resolve(code ?? signal);
    });
    child.once('error', (err) => {
      live.delete(child.pid);
      resolve(`spawn error: ${err.message}`);
    });
  });
  if (child.pid) {
    live.set(child.pid, { name, child });
    // run.sh's own trap kills what is listed here should this process die hard.
    if (process.env.E2E_PIDFILE) appendFileSync(process.env.E2E_PIDFILE, `${child.pid} ${name}\n`);
  }
  return child;
}

/** Stops one started process: SIGTERM to its group, SIGKILL after `graceMs`. */
export async function stop(child, graceMs = 3000) {
  if (!child || !child.pid || !live.has(child.pid)) return;
  signalGroup(child.pid, 'SIGTERM');
  const timer = new Promise((resolve) => setTimeout(() => resolve('timeout'), graceMs));
  if ((await Promise.race([child.exited, timer])) === 'timeout') {
    signalGroup(child.pid, 'SIGKILL');
    await Promise.race([child.exited, new Promise((r) => setTimeout(r, 1000))]);
  }
  live.delete(child.pid);
}

/** Stops every process still running, in reverse order of start. */
export async function stopAll() {
  const children = [...live.values()].map((e) => e.child).reverse();
  await Promise.all(children.map((c) => stop(c)));
}

/** Last resort when the event loop is about to end: SIGKILL synchronously. */
export function killAllNow() {
  for (const pid of live.keys()) signalGroup(pid, 'SIGKILL');
  live.clear();
}

export function running() {
  return [...live.entries()].map(([pid, e]) => ({ pid, name: e.name }));
}

function signalGroup(pid, sig) {
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

/**
 * Installs the handlers that stop everything: on SIGINT (exit 130), SIGTERM
 * (143), when `deadlineMs` passes (exit 124), and on process exit.
 */
export function installCleanup({ deadlineMs, onDeadline = () => {} }) {
  const bail = (code, why) => async () => {
    process.stderr.write(`e2e: ${why}; stopping ${live.size} started process(es)\n`);
    await stopAll();
    process.exit(code);
  };
  process.once('SIGINT', bail(130, 'interrupted'));
  process.once('SIGTERM', bail(143, 'terminated'));
  process.once('exit', killAllNow);
  if (deadlineMs) {
    const t = setTimeout(async () => {
      onDeadline();
      await bail(124, `time limit of ${Math.round(deadlineMs / 1000)} s reached`)();
    }, deadlineMs);
    t.unref();
  }
}

/** Reads lines from a child's stdout until `pick(line)` returns a value. */
export function waitForLine(child, stream, pick, timeoutMs) {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (chunk) => {
      buf += chunk.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const v = pick(line);
        if (v !== undefined && v !== null) {
          done();
          resolve(v);
          return;
        }
      }
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`no ready line within ${timeoutMs} ms`));
    }, timeoutMs);
    const onExit = (code) => {
      done();
      reject(new Error(`exited (${code}) before it was ready`));
    };
    const done = () => {
      clearTimeout(timer);
      child[stream].off('data', onData);
      child.off('exit', onExit);
    };
    child[stream].on('data', onData);
    child.once('exit', onExit);
  });
}
