// Node peer of Fleet's POST /reports: the same work (chained SHA-256 passes over
// the body) on a pool of worker_threads with a bounded queue (503 when full), or
// on the event loop with ?run=loop; and GET /users/1 from memory, as
// ../../../shared/peers/node-cluster.mjs serves it. No npm packages.
//   PORT=3000 OFFLOAD_THREADS=2 OFFLOAD_QUEUE=64 node node-reports.mjs
import crypto from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import { Worker } from 'node:worker_threads';

const port = Number(process.env.PORT || 3000);
const threads = Number(process.env.OFFLOAD_THREADS || os.availableParallelism());
const queueLimit = Number(process.env.OFFLOAD_QUEUE || 64);
const bodyLimit = 1 << 20;
const user = JSON.stringify({ id: 1, name: 'user1', email: 'user1@example.com' });

function digest(body, rounds) {
  let d = crypto.createHash('sha256').update(body).digest();
  for (let i = 1; i < rounds; i++) d = crypto.createHash('sha256').update(d).update(body).digest();
  return d.toString('hex');
}

const source = `
const crypto = require('node:crypto');
const { parentPort } = require('node:worker_threads');
${digest.toString()}
parentPort.on('message', ({ id, body, rounds }) => parentPort.postMessage({ id, hex: digest(Buffer.from(body), rounds) }));
`;
const idle = [];
const waiting = [];
const pending = new Map();
let nextID = 0;
for (let i = 0; i < threads; i++) {
  const worker = new Worker(source, { eval: true });
  worker.on('message', ({ id, hex }) => {
    pending.get(id)(hex);
    pending.delete(id);
    const job = waiting.shift();
    if (job) dispatch(worker, job); else idle.push(worker);
  });
  idle.push(worker);
}
function dispatch(worker, job) {
  pending.set(job.id, job.resolve);
  worker.postMessage({ id: job.id, body: job.body, rounds: job.rounds }, [job.body.buffer]);
}
// Resolves with the digest, or with null when every worker is busy and the queue is full.
function offload(body, rounds) {
  return new Promise((resolve) => {
    const job = { id: nextID++, body: new Uint8Array(body), rounds, resolve };
    const worker = idle.pop();
    if (worker) dispatch(worker, job);
    else if (waiting.length < queueLimit) waiting.push(job);
    else resolve(null);
  });
}

function problem(res, status, title, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/problem+json', ...headers });
  res.end(JSON.stringify({ type: 'about:blank', title, status }));
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (req.method === 'GET' && url.pathname === '/users/1') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(user);
    return;
  }
  if (req.method === 'GET' && url.pathname === '/hello') { res.end('hello'); return; }
  if (req.method !== 'POST' || url.pathname !== '/reports') return problem(res, 404, 'Not found');
  const rounds = Number(url.searchParams.get('rounds') || 100);
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size > bodyLimit) { problem(res, 413, 'Request body too large'); req.destroy(); } else chunks.push(chunk);
  });
  req.on('end', async () => {
    if (size > bodyLimit) return;
    const body = Buffer.concat(chunks);
    const hex = url.searchParams.get('run') === 'loop' ? digest(body, rounds) : await offload(body, rounds);
    if (hex === null) return problem(res, 503, 'Server busy', { 'retry-after': '1' });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ bytes: body.length, rounds, sha256: hex }));
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => { server.close(); process.exit(0); });
