/**
 * The web app's server: Next.js behind a thin HTTP front that decides who the client is.
 *
 * Why not `next start`: Next (16.x, base-server.js) fills X-Forwarded-For from the socket
 * only when the request has none (`??=`), and a route handler never sees the socket. So a
 * browser that sends its own X-Forwarded-For would choose the address the API gateway
 * (app/api/[...path]/route.ts) reports for it. Here the address and scheme are decided from
 * the socket and, with ONAIR_WEB_TRUST_PROXY_HOPS = N, from what the N reverse proxies in
 * front of the web app appended (the rightmost N entries; anything further left is the
 * client's own claim). The result replaces the request's X-Forwarded-For/-Proto before Next
 * sees it, marked with a per-process nonce so the gateway can tell our statement from a
 * header that arrived some other way (e.g. under plain `next start`, where it states nothing).
 *
 * Usage: node server.mjs [-p PORT] [-H HOST] [--dev]   (PORT/HOSTNAME env also work)
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const arg = (short, long) => {
  const i = args.findIndex((a) => a === short || a === long);
  return i >= 0 ? args[i + 1] : undefined;
};
const dev = args.includes('--dev');
// As `next start` / `next dev` do, before Next (and React) are loaded.
process.env.NODE_ENV ??= dev ? 'development' : 'production';
const port = Number(arg('-p', '--port') ?? process.env.PORT ?? 3000);
const hostname = arg('-H', '--hostname') ?? process.env.HOSTNAME ?? '0.0.0.0';

const hopsSetting = (process.env.ONAIR_WEB_TRUST_PROXY_HOPS ?? '').trim() || '0';
if (!/^\d{1,2}$/.test(hopsSetting)) {
  console.error('ONAIR_WEB_TRUST_PROXY_HOPS: expected the number of reverse proxies in front of the web app (0 when browsers connect directly)');
  process.exit(78);
}
const trustedHops = Number(hopsSetting);

// Without it the API counts every browser as this web server: one address for rate limits and
// stream caps, so one attacker's wrong passwords would lock every studio sign-in.
if (!process.env.ONAIR_GATEWAY_SECRET?.trim()) {
  console.error(
    'ONAIR_GATEWAY_SECRET is not set: give the web app and the API the same secret (at least 32 characters, e.g. `openssl rand -hex 32`); `npm run up` and infra/docker/make-env.sh generate one',
  );
  process.exit(78);
}

/** The gateway compares this with the header below; it never leaves this process. */
const nonce = randomBytes(16).toString('hex');
process.env.ONAIR_WEB_CLIENT_NONCE = nonce;
const NONCE_HEADER = 'x-onair-web-nonce';

const list = (v) => (Array.isArray(v) ? v.join(',') : (v ?? '')).split(',').map((s) => s.trim()).filter(Boolean);

/** Like Express's numeric "trust proxy": the address N hops left of the socket's peer. */
function resolveClient(req, hops) {
  const socketAddress = req.socket.remoteAddress ?? 'unknown';
  const socketProto = req.socket.encrypted ? 'https' : 'http';
  if (hops === 0) return { address: socketAddress, proto: socketProto };
  const chain = [...list(req.headers['x-forwarded-for']), socketAddress];
  const address = chain[Math.max(0, chain.length - 1 - hops)];
  // The outermost trusted proxy's entry: proxies that overwrite send one value, proxies that append add theirs last.
  const protos = list(req.headers['x-forwarded-proto']).map((p) => p.toLowerCase());
  const stated = protos.length > 0 ? protos[Math.max(0, protos.length - hops)] : undefined;
  return { address, proto: stated === 'https' || stated === 'http' ? stated : socketProto };
}

const { default: next } = await import('next');
const app = next({ dev, dir: dirname(fileURLToPath(import.meta.url)), hostname, port });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((req, res) => {
  const client = resolveClient(req, trustedHops);
  req.headers['x-forwarded-for'] = client.address;
  req.headers['x-forwarded-proto'] = client.proto;
  if (trustedHops === 0) {
    // Nothing in front of us: a client's own host/port claims are not a proxy's.
    delete req.headers['x-forwarded-host'];
    delete req.headers['x-forwarded-port'];
  }
  req.headers[NONCE_HEADER] = nonce;
  handle(req, res).catch((err) => {
    console.error(err);
    if (!res.headersSent) res.writeHead(500).end();
    else res.destroy();
  });
});
server.listen(port, hostname, () => {
  console.log(`onair web on http://${hostname}:${port}${trustedHops ? ` (trusting ${trustedHops} proxy hop${trustedHops > 1 ? 's' : ''})` : ''}`);
});

// Event streams never end by themselves: close them rather than wait.
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
