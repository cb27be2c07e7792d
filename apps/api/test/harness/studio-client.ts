import { request } from 'node:http';

/**
 * A studio user over HTTP, as the web app's pages are: a session cookie kept between
 * requests and the CSRF header on everything that changes something. `from` picks the
 * client's source address (any of 127.0.0.0/8), so a spec can be two different clients.
 */
export class StudioClient {
  cookie = '';

  constructor(
    private readonly apiUrl: string,
    private readonly from?: string,
  ) {}

  /** `json` is sent as application/json; `csrf: false` leaves out the studio header. */
  async req(method: string, path: string, json?: unknown, opts: { csrf?: boolean; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { ...(this.cookie ? { Cookie: this.cookie } : {}), ...opts.headers };
    if (opts.csrf !== false) headers['X-Onair-Studio'] = '1';
    if (json !== undefined) headers['Content-Type'] = 'application/json';
    const res = await send(`${this.apiUrl}${path}`, { method, headers, body: json === undefined ? undefined : JSON.stringify(json), localAddress: this.from });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) {
      const value = /^onair_session=([^;]*)/.exec(setCookie)?.[1];
      this.cookie = value ? `onair_session=${value}` : '';
    }
    let body: any = undefined;
    try {
      body = res.text ? JSON.parse(res.text) : undefined;
    } catch {
      body = res.text;
    }
    return { status: res.status, body, headers: res.headers, setCookie };
  }

  async signUp(email: string, password = 'a long enough password', setupToken?: string) {
    return this.req('POST', '/auth/signup', { email, password, ...(setupToken ? { setupToken } : {}) });
  }
}

/** node:http rather than fetch: fetch can't choose the source address. */
function send(url: string, init: { method: string; headers: Record<string, string>; body?: string; localAddress?: string }) {
  return new Promise<{ status: number; headers: Headers; text: string }>((resolve, reject) => {
    const headers = init.body === undefined ? init.headers : { ...init.headers, 'Content-Length': String(Buffer.byteLength(init.body)) };
    // No keep-alive: a socket the server closed while the test slept would reset the next request.
    const req = request(url, { method: init.method, headers, localAddress: init.localAddress, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const got = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (value === undefined) continue;
          for (const v of Array.isArray(value) ? value : [value]) got.append(name, v);
        }
        resolve({ status: res.statusCode ?? 0, headers: got, text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.on('error', reject);
    // A bounded request: nothing here should take long.
    req.setTimeout(30_000, () => req.destroy(new Error(`${init.method} ${url} timed out`)));
    req.end(init.body);
  });
}
