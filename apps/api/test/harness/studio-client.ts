/**
 * A studio user over HTTP, as the web app's pages are: a session cookie kept between
 * requests and the CSRF header on everything that changes something.
 */
export class StudioClient {
  cookie = '';

  constructor(private readonly apiUrl: string) {}

  /** `json` is sent as application/json; `csrf: false` leaves out the studio header. */
  async req(method: string, path: string, json?: unknown, opts: { csrf?: boolean; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { ...(this.cookie ? { Cookie: this.cookie } : {}), ...opts.headers };
    if (opts.csrf !== false) headers['X-Onair-Studio'] = '1';
    if (json !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(`${this.apiUrl}${path}`, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) {
      const value = /^onair_session=([^;]*)/.exec(setCookie)?.[1];
      this.cookie = value ? `onair_session=${value}` : '';
    }
    const text = await res.text();
    let body: any = undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    return { status: res.status, body, headers: res.headers, setCookie };
  }

  async signUp(email: string, password = 'a long enough password') {
    return this.req('POST', '/auth/signup', { email, password });
  }
}
