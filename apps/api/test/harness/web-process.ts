import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './janus-process';

/** The built Next.js app (apps/web/server.mjs, as `npm start` runs it), as users get it. */
export class WebProcess {
  private child?: ChildProcess;
  readonly log: string[] = [];

  /**
   * `env` adds web settings (ONAIR_WEB_TRUST_PROXY_HOPS...) and must hold the API's
   * ONAIR_GATEWAY_SECRET (e.g. TestStack.env's): the web app refuses to start without it.
   */
  constructor(
    readonly port: number,
    private readonly apiUrl: string,
    private readonly env: Record<string, string> = {},
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const webDir = join(REPO_ROOT, 'apps/web');
    if (!existsSync(join(webDir, '.next/BUILD_ID'))) throw new Error('apps/web is not built: run `npm test` (it builds first)');
    this.child = spawn(process.execPath, ['server.mjs', '-p', String(this.port), '-H', '127.0.0.1'], {
      cwd: webDir,
      env: { ...process.env, ONAIR_PUBLIC_API_URL: this.apiUrl, ONAIR_API_URL: this.apiUrl, NEXT_TELEMETRY_DISABLED: '1', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (b: Buffer) => this.log.push(...b.toString().split('\n').filter(Boolean));
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    const deadline = Date.now() + 30000;
    for (;;) {
      if (this.child.exitCode !== null) throw new Error(`the web app exited:\n${this.log.join('\n')}`);
      try {
        const res = await fetch(this.url + '/', { signal: AbortSignal.timeout(2000) });
        if (res.status < 500) return;
      } catch {
        /* not up yet */
      }
      if (Date.now() > deadline) throw new Error(`web app did not answer within 30 s:\n${this.log.join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}
