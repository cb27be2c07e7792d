import { IncomingHttpHeaders, request } from 'node:http';

/**
 * HTTP from a chosen loopback source address (127.0.0.0/8 is all loopback inside the test
 * namespace), so one test can be several clients as the server sees them. fetch() can't
 * pick its source address; http.request's localAddress can.
 */
export interface FromResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

export function httpFrom(
  localAddress: string,
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<FromResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers, localAddress, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`${opts.method ?? 'GET'} ${url}: no answer within 10 s`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** An event stream held open from `localAddress`: its status, what arrived, when it ended. */
export interface HeldStream {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body so far (the whole problem document for a refused stream). */
  body(): string;
  /** Resolves when the server ends the stream (or the connection drops). */
  ended: Promise<void>;
  close(): void;
}

export function holdStream(localAddress: string, url: string, headers: Record<string, string> = {}): Promise<HeldStream> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { Accept: 'text/event-stream', ...headers }, localAddress, agent: false }, (res) => {
      // Headers arrived: from here the stream may idle between heartbeats.
      req.setTimeout(0);
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      const ended = new Promise<void>((done) => {
        res.once('end', () => done());
        res.once('close', () => done());
      });
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: () => body, ended, close: () => req.destroy() });
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`GET ${url}: no answer within 10 s`)));
    req.on('error', reject);
    req.end();
  });
}
