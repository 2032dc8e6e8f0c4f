// The browser test's driver program: checks the proxy, then for every case
// starts the stand-in server(s), runs Chromium over the client at "/" and
// under the /rnode prefix, judges the runs, prints one summary line per case,
// writes screenshots and report.json, and exits 0 only if every case passed.
// run.sh prepares the cases (it runs the rewriter); see README.md.
//
//   node lib/main.mjs --out DIR --work DIR [--deadline SECONDS] [--must-fail-only]
//     (--name NAME [--original DIR] [--rewritten DIR] [--client DIR] [--steps FILE])...
//
// A case with --original and --rewritten runs four times: original at "/"
// (the reference), rewritten at "/", rewritten under the prefix, original
// under the prefix (which must fail). --client DIR alone: at "/" and under
// the prefix. --original alone: the reference and the run that must fail.

import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { installCleanup, start, stop, waitForLine, stopAll } from './procs.mjs';
import { startProxy, prefixFor } from './proxy.mjs';
import { proxySelfTest } from './proxy-selftest.mjs';
import { launchBrowser } from './browser.mjs';
import { visit, stepsFor } from './visit.mjs';
import { checkRun, compareRuns, counts, tally } from './checks.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const STANDIN = path.join(HERE, 'standin-cryosparc-server.mjs');

function parseArgs(argv) {
  const opts = { out: null, work: null, deadline: 900, mustFailOnly: false, cases: [] };
  let c = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--out') opts.out = val();
    else if (a === '--work') opts.work = val();
    else if (a === '--deadline') opts.deadline = Number(val());
    else if (a === '--must-fail-only') opts.mustFailOnly = true;
    else if (a === '--name') opts.cases.push((c = { name: val() }));
    else if (['--original', '--rewritten', '--client', '--steps'].includes(a)) {
      if (!c) throw new Error(`${a} before --name`);
      c[a.slice(2)] = val();
    } else throw new Error(`unknown argument: ${a}`);
  }
  if (!opts.out || !opts.work || !opts.cases.length) {
    throw new Error('usage: main.mjs --out DIR --work DIR [--deadline S] (--name N [--original D] [--rewritten D] [--client D] [--steps F])...');
  }
  return opts;
}

async function startStandinProcess(clientDir, work, label) {
  const log = path.join(work, `standin-${label}.log`);
  const child = start(`stand-in (${label})`, process.execPath, [STANDIN, '--client', clientDir, '--log', log], {
    pipe: true,
  });
  child.stderr.on('data', (d) => process.stderr.write(`stand-in (${label}): ${d}`));
  const port = await waitForLine(child, 'stdout', (l) => {
    try {
      return JSON.parse(l).port;
    } catch {
      return undefined;
    }
  }, 10000);
  child.stdout.resume();
  return { port, child, stop: () => stop(child) };
}

function fmtTally(t) {
  const parts = Object.entries(t).map(([k, v]) => `${k} ${v}`);
  return parts.length ? parts.join(', ') : 'none';
}

// "11 pages, 143 requests, 0 outside prefix, ..." for one judged run.
function runCounts(run, findings) {
  const c = counts(run);
  const t = tally(findings);
  const n = (k) => t[k] || 0;
  return (
    `${c.pages} pages, ${c.requests} requests, ${n('outside-prefix')} outside prefix, ` +
    `${n('direct-to-app')} direct to app, ${n('failed-request')} failed, ${n('html-fallback')} html fallback, ` +
    `${n('console-error')} console errors, ${n('page-error')} page errors, ` +
    `${c.websockets} websockets connected (${n('websocket')} bad), ${c.blocked} blocked, ` +
    `${c.pages - countSteps(findings, ['path', 'title', 'text', 'blank-page', 'websocket-count'])}/${c.pages} pages match`
  );
}

function countSteps(findings, kinds) {
  return new Set(findings.filter((f) => kinds.includes(f.kind)).map((f) => f.step)).size;
}

async function runCase(c, ctx) {
  const t0 = Date.now();
  const fixture = c.steps ? JSON.parse(readFileSync(c.steps, 'utf8')) : {};
  const steps = stepsFor(fixture);
  const caseOut = path.join(ctx.out, c.name);
  const result = { name: c.name, inputs: { ...c }, steps: steps.map((s) => s.name), runs: {}, problems: [] };
  const servers = {};
  try {
    for (const kind of ['original', 'rewritten', 'client']) {
      if (c[kind]) servers[kind] = await startStandinProcess(c[kind], ctx.work, `${c.name}-${kind}`);
    }
    const doRun = async (label, kind, viaProxy) => {
      const app = servers[kind];
      const origin = viaProxy ? ctx.proxy.origin : `http://127.0.0.1:${app.port}`;
      const mount = viaProxy ? prefixFor(app.port) : '/';
      const b = await launchBrowser(ctx.work, `${c.name}-${label}`);
      try {
        const run = await visit({
          context: b.context,
          origin,
          mount,
          steps,
          shotDir: path.join(caseOut, label),
        });
        run.label = label;
        run.appPort = app.port;
        return run;
      } finally {
        await b.close();
      }
    };
    const judge = (run, ref, appPort) => {
      // Addresses the reference run also tried to reach are not held against this run.
      const allowed = new Set(ref ? ref.blocked.map((b) => b.url) : []);
      const own = checkRun(run, { appPort, allowedBlocked: allowed });
      const cmp = ref ? compareRuns(run, ref) : [];
      return [...own, ...cmp];
    };
    const record = (run, findings, against) => {
      result.runs[run.label] = { against, mount: run.mount, origin: run.origin, counts: counts(run), findings, run };
    };

    const parts = [];
    let pass = true;
    if (c.original) {
      const ref = await doRun('original-at-root', 'original', false);
      const refF = judge(ref, null, null);
      record(ref, refF, null);
      if (refF.length) {
        pass = false;
        result.problems.push(`the original client fails at "/" on its own (${fmtTally(tally(refF))}): the fixture or the stand-in is wrong`);
      }
      let rwRoot = null;
      if (c.rewritten) {
        rwRoot = await doRun('rewritten-at-root', 'rewritten', false);
        const f = judge(rwRoot, ref, null);
        record(rwRoot, f, 'original-at-root');
        if (f.length) pass = false;
        parts.push(`rewritten at /: ${f.length ? 'FAIL' : 'ok'} vs original at /: ${runCounts(rwRoot, f)}`);
        const rwPre = await doRun('rewritten-under-prefix', 'rewritten', true);
        const g = judge(rwPre, rwRoot, servers.rewritten.port);
        record(rwPre, g, 'rewritten-at-root');
        if (g.length) pass = false;
        parts.unshift(`rewritten under ${rwPre.mount}: ${g.length ? 'FAIL' : 'ok'} vs rewritten at /: ${runCounts(rwPre, g)}`);
      }
      const bad = await doRun('original-under-prefix', 'original', true);
      const h = judge(bad, ref, servers.original.port);
      record(bad, h, 'original-at-root');
      result.mustFail = { findings: h.length, kinds: tally(h) };
      if (!h.length) {
        pass = false;
        result.problems.push('the unmodified client passed under the prefix: the checks cannot tell a broken client from a working one');
      }
      parts.push(`original under prefix: ${h.length ? `fails as required (${h.length} findings: ${fmtTally(tally(h))})` : 'PASSED, which it must not'}`);
      if (!c.rewritten && !ctx.mustFailOnly) {
        result.problems.push('no rewritten client: only the reference run and the must-fail run were done');
        pass = false;
      }
    } else if (c.client) {
      const root = await doRun('client-at-root', 'client', false);
      const rf = judge(root, null, null);
      record(root, rf, null);
      const pre = await doRun('client-under-prefix', 'client', true);
      const pf = judge(pre, root, servers.client.port);
      record(pre, pf, 'client-at-root');
      if (rf.length || pf.length) pass = false;
      parts.push(`under ${pre.mount}: ${pf.length ? 'FAIL' : 'ok'} vs at /: ${runCounts(pre, pf)}`);
      parts.push(`at /: ${rf.length ? 'FAIL' : 'ok'} (${fmtTally(tally(rf))})`);
    } else {
      throw new Error(`case ${c.name}: nothing to test`);
    }
    result.pass = pass;
    result.seconds = (Date.now() - t0) / 1000;
    result.summary = `e2e ${c.name}: ${pass ? 'PASS' : 'FAIL'} in ${result.seconds.toFixed(1)} s | ${parts.join(' | ')}`;
  } catch (err) {
    result.pass = false;
    result.problems.push(`harness error: ${err.stack || err}`);
    result.summary = `e2e ${c.name}: FAIL (harness error: ${String(err.message || err).split('\n')[0]})`;
  } finally {
    for (const s of Object.values(servers)) await s.stop();
  }
  return result;
}

function printDetails(result) {
  for (const p of result.problems) console.log(`  ${result.name}: ${p}`);
  if (result.pass) return;
  for (const [label, r] of Object.entries(result.runs)) {
    if (label === 'original-under-prefix') continue; // expected to fail; see report.json
    for (const f of r.findings.slice(0, 40)) console.log(`  ${result.name} ${label} [${f.step}] ${f.kind}: ${f.detail}`);
    if (r.findings.length > 40) console.log(`  ${result.name} ${label}: ... ${r.findings.length - 40} more in report.json`);
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  mkdirSync(opts.out, { recursive: true });
  mkdirSync(opts.work, { recursive: true });
  const report = { started: new Date(t0).toISOString(), proxy: null, cases: [] };
  const writeReport = () => {
    report.seconds = (Date.now() - t0) / 1000;
    writeFileSync(path.join(opts.out, 'report.json'), JSON.stringify(report, null, 1));
  };
  installCleanup({
    deadlineMs: opts.deadline * 1000,
    onDeadline: () => {
      report.timed_out = true;
      writeReport();
    },
  });

  const self = await proxySelfTest(mkdtempSync(path.join(opts.work, 'selftest-')));
  report.proxy = self;
  const selfOk = self.every((r) => r.ok);
  console.log(`e2e proxy: ${selfOk ? 'PASS' : 'FAIL'} | ${self.filter((r) => r.ok).length}/${self.length} checks of the /rnode route (prefix stripped, Host and X-Forwarded-*, Location and Set-Cookie rewritten, websocket upgrade)`);
  for (const r of self.filter((x) => !x.ok)) console.log(`  proxy: ${r.name}: ${r.detail}`);
  if (!selfOk) {
    writeReport();
    return 1;
  }

  const proxy = await startProxy(mkdtempSync(path.join(opts.work, 'apache-')));
  report.proxy_port = proxy.port;
  let allPass = true;
  try {
    for (const c of opts.cases) {
      const result = await runCase(c, { out: opts.out, work: opts.work, proxy, mustFailOnly: opts.mustFailOnly });
      report.cases.push(result);
      writeReport();
      console.log(result.summary);
      printDetails(result);
      if (!result.pass) allPass = false;
    }
  } finally {
    await proxy.stop();
  }
  writeReport();
  console.log(`e2e: ${allPass ? 'PASS' : 'FAIL'}, ${report.cases.length} client(s) in ${report.seconds.toFixed(1)} s; screenshots and report.json in ${opts.out}`);
  return allPass ? 0 : 1;
}

main()
  .then(async (code) => {
    await stopAll();
    process.exit(code);
  })
  .catch(async (err) => {
    console.error(`e2e: ${err.stack || err}`);
    await stopAll();
    process.exit(2);
  });
