// serve.mjs: a small static server for the site folder, cross-origin isolated.
//
//   node web/serve.mjs [PORT (8080)] [DIR (build/wasm/site)] [--plain]
//
// --plain leaves out the isolation headers, as an ordinary static host would (the page then runs
// on one thread); the browser tests use it to check that fallback.
// Index: 1. arguments  2. MIME types  3. request handling  4. start
//
// Why not python -m http.server: ONNX Runtime Web's threads and the core's pthreads need
// SharedArrayBuffer, which browsers give only to cross-origin isolated pages, i.e. pages served
// with COOP same-origin and COEP require-corp. It listens on 127.0.0.1 only.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// 1. Arguments --------------------------------------------------------------------------------------
const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const plain = process.argv.includes('--plain');
const port = Number(args[0] ?? 8080);
const root = path.resolve(args[1] ?? path.join(here, '..', 'build', 'wasm', 'site'));
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`serve.mjs: bad port '${args[0]}'`);
  process.exit(1);
}
if (!fs.existsSync(path.join(root, 'index.html'))) {
  console.error(`serve.mjs: ${root} has no index.html (build the wasm preset first)`);
  process.exit(1);
}

// 2. MIME types (.wasm must be application/wasm for streaming compilation; .mjs must be JavaScript).
const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.css': 'text/css',
  '.png': 'image/png',
  '.onnx': 'application/octet-stream',
  '.npy': 'application/octet-stream',
  '.map': 'application/json',
};

// 3. Requests: GET/HEAD of files under root; anything else is 404/405.
// The Content-Security-Policy of index.html, as a header: a header also covers the workers.
const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; " +
  "img-src 'self' data: blob:; style-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; " +
  "frame-ancestors 'none'";
function handle(req, res) {
  const headers = plain
    ? { 'Cache-Control': 'no-cache' }
    : {
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
        'Cross-Origin-Resource-Policy': 'same-origin',
        'Cache-Control': 'no-cache',
        'Content-Security-Policy': CSP,
      };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, headers).end();
    return;
  }
  let rel;
  try {
    rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  } catch {
    res.writeHead(400, headers).end();
    return;
  }
  if (rel.endsWith('/')) rel += 'index.html';
  const file = path.join(root, rel);
  if (!file.startsWith(root + path.sep)) {
    // no way out of the site folder
    res.writeHead(403, headers).end();
    return;
  }
  fs.stat(file, (err, st) => {
    if (err || !st.isFile()) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    headers['Content-Type'] = types[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    headers['Content-Length'] = st.size;
    res.writeHead(200, headers);
    if (req.method === 'HEAD') res.end();
    else fs.createReadStream(file).pipe(res);
  });
}

// 4. Start ----------------------------------------------------------------------------------------------
const server = http.createServer(handle);
server.on('error', (e) => {
  console.error(`serve.mjs: ${e.message}`);
  process.exit(1);
});
server.listen(port, '127.0.0.1', () => {
  console.log(
    `Strata explorer: http://127.0.0.1:${server.address().port}/  (serving ${root}` +
      `${plain ? ', without isolation headers' : ''}; Ctrl-C stops)`,
  );
});
// Browsers keep connections open: close them too, or close() would wait for them.
for (const sig of ['SIGINT', 'SIGTERM'])
  process.on(sig, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
