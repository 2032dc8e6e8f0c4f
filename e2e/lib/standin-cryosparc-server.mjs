// Stand-in for CryoSPARC's web server, for the browser test only. It is NOT
// CryoSPARC: it serves a built client folder at `/` the way CryoSPARC's own
// server does at the interface the client uses (files with their content
// types, index.html for every other page path with `%cryosparc.state%`
// filled in, a few /api routes, a websocket at /websocket). It knows nothing
// about any path prefix.
//
// Run on its own:
//   node standin-cryosparc-server.mjs --client DIR [--port N] [--log FILE]
// It prints one JSON line {"port":N,"pid":N} on stdout once it listens
// (port 0, the default, picks a free port) and stops on SIGTERM/SIGINT.

import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { WebSocketServer } from 'ws';

const STATE_PLACEHOLDER = '%cryosparc.state%';
const STATE_SCRIPT = '<script>window.__cryosparc_state={"standin":true}</script>';

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
};

// An 8x8 opaque PNG, the answer to /api/files/<id>.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR42mPQqDiBFTEMLQkA' +
    'AtVaAbl+5LMAAAAASUVORK5CYII=',
  'base64',
);

export function contentTypeOf(file) {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] || 'application/octet-stream';
}

/** Starts the stand-in on 127.0.0.1; resolves to { server, port, close }. */
export async function startStandin({ clientDir, port = 0, log = null }) {
  const root = path.resolve(clientDir);
  const indexFile = path.join(root, 'index.html');
  await stat(indexFile); // fail early: a client folder has an index.html

  const record = (entry) => {
    if (log) appendFileSync(log, JSON.stringify({ t: Date.now(), ...entry }) + '\n');
  };

  async function sendIndex(res) {
    const html = (await readFile(indexFile, 'utf8')).replaceAll(STATE_PLACEHOLDER, STATE_SCRIPT);
    send(res, 200, 'text/html; charset=utf-8', html);
  }

  // The file of the client folder that `urlPath` names, or null.
  async function fileFor(urlPath) {
    let decoded;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return null;
    }
    const file = path.join(root, path.normalize(decoded));
    if (file !== root && !file.startsWith(root + path.sep)) return null;
    try {
      return (await stat(file)).isFile() ? file : null;
    } catch {
      return null;
    }
  }

  async function handleApi(req, res, urlPath) {
    const json = (status, body, headers = {}) =>
      send(res, status, 'application/json; charset=utf-8', JSON.stringify(body), headers);
    const cmd = urlPath.match(/^\/api\/cmd\/[^/]+\/(.+)$/);
    const files = urlPath.match(/^\/api\/files\/(.+)$/);
    if (req.method === 'GET' && urlPath === '/api/ping') return json(200, { ok: true });
    if (req.method === 'GET' && cmd) return json(200, { ok: true, uid: safeDecode(cmd[1]) });
    if (req.method === 'GET' && files) return send(res, 200, 'image/png', PNG);
    if (req.method === 'POST' && urlPath === '/api/auth/login') {
      let body;
      try {
        body = JSON.parse(await readBody(req));
      } catch {
        body = null;
      }
      if (!body || typeof body.email !== 'string' || !/^[0-9a-f]{64}$/.test(body.password)) {
        return json(400, { ok: false, error: 'expected {"email":..,"password":<sha256 hex>}' });
      }
      return json(200, { ok: true }, { 'Set-Cookie': 'cs_session=1; Path=/' });
    }
    if (req.method === 'GET' && urlPath === '/api/auth/required') {
      const cookies = (req.headers.cookie || '').split(';').map((c) => c.trim().split('=')[0]);
      return cookies.includes('cs_session')
        ? json(200, { ok: true })
        : json(401, { ok: false, error: 'login required' });
    }
    await readBody(req);
    return json(200, { ok: true, path: urlPath });
  }

  const server = createServer(async (req, res) => {
    const urlPath = (req.url || '/').split('?')[0];
    record({
      method: req.method,
      url: req.url,
      host: req.headers.host,
      xff: req.headers['x-forwarded-for'],
      xfh: req.headers['x-forwarded-host'],
      xfp: req.headers['x-forwarded-proto'],
      xfu: req.headers['x-forwarded-user'],
    });
    try {
      if (urlPath === '/api' || urlPath.startsWith('/api/')) return await handleApi(req, res, urlPath);
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
      }
      const file = urlPath === '/index.html' ? null : await fileFor(urlPath);
      if (file) return send(res, 200, contentTypeOf(file), await readFile(file));
      return await sendIndex(res);
    } catch (err) {
      send(res, 500, 'text/plain; charset=utf-8', `stand-in error: ${err.message}\n`);
    }
  });

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const urlPath = (req.url || '/').split('?')[0];
    record({ method: 'UPGRADE', url: req.url, host: req.headers.host });
    if (urlPath !== '/websocket') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.send('{"msg":"connected"}');
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    });
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const close = () =>
    new Promise((resolve) => {
      for (const ws of wss.clients) ws.terminate();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { server, port: server.address().port, close };
}

function send(res, status, type, body, headers = {}) {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function safeDecode(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseArgs(argv) {
  const opts = { port: 0, log: null, clientDir: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--client') opts.clientDir = argv[++i];
    else if (a === '--port') opts.port = Number(argv[++i]);
    else if (a === '--log') opts.log = argv[++i];
    else throw new Error(`unknown argument: ${a}`);
  }
  if (!opts.clientDir) throw new Error('usage: standin-cryosparc-server.mjs --client DIR [--port N] [--log FILE]');
  return opts;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const { port, close } = await startStandin(parseArgs(process.argv.slice(2)));
    process.stdout.write(JSON.stringify({ port, pid: process.pid }) + '\n');
    const stop = async () => {
      await close();
      process.exit(0);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  } catch (err) {
    process.stderr.write(`stand-in: ${err.message}\n`);
    process.exit(2);
  }
}
