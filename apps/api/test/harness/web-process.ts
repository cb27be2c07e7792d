import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './janus-process';

/** The built Next.js app (`next start`), as users get it. */
export class WebProcess {
  private child?: ChildProcess;
  readonly log: string[] = [];

  constructor(
    readonly port: number,
    private readonly apiUrl: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const webDir = join(REPO_ROOT, 'apps/web');
    if (!existsSync(join(webDir, '.next/BUILD_ID'))) throw new Error('apps/web is not built: run `npm test` (it builds first)');
    const next = join(REPO_ROOT, 'node_modules/next/dist/bin/next');
    this.child = spawn(process.execPath, [next, 'start', '-p', String(this.port), '-H', '127.0.0.1'], {
      cwd: webDir,
      env: { ...process.env, ONAIR_PUBLIC_API_URL: this.apiUrl, ONAIR_API_URL: this.apiUrl, NEXT_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (b: Buffer) => this.log.push(...b.toString().split('\n').filter(Boolean));
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    const deadline = Date.now() + 30000;
    for (;;) {
      if (this.child.exitCode !== null) throw new Error(`next start exited:\n${this.log.join('\n')}`);
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
