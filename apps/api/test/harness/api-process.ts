import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './janus-process';

/**
 * The built API (`node apps/api/dist/main.js`) as its own process, so a test can SIGKILL it
 * like a crash and start it again. `env` is the API's whole onair environment.
 */
export class ApiProcess {
  private child?: ChildProcess;
  readonly log: string[] = [];

  /** `nodeArgs` go to node before the script (e.g. `--cpu-prof`, not allowed in NODE_OPTIONS). */
  constructor(
    private readonly env: Record<string, string>,
    private readonly nodeArgs: string[] = [],
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.env.ONAIR_API_PORT}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the API and waits until /health says Janus and Postgres answer (bounded). */
  async start(timeoutMs = 60000): Promise<void> {
    const main = join(REPO_ROOT, 'apps/api/dist/main.js');
    if (!existsSync(main)) throw new Error('apps/api is not built: run `npm test` (it builds first)');
    this.log.length = 0;
    const child = spawn(process.execPath, [...this.nodeArgs, main], { env: { ...process.env, ...this.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const keep = (b: Buffer) => this.log.push(...b.toString().split('\n').filter(Boolean));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const deadline = Date.now() + timeoutMs;
    let last = 'not listening';
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the API exited (${child.exitCode}):\n${this.log.slice(-30).join('\n')}`);
      try {
        const res = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(2000) });
        if (res.status === 200) return;
        last = `${res.status} ${await res.text()}`;
      } catch (err) {
        last = (err as Error).message; // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`the API was not healthy within ${timeoutMs} ms (last: ${last}):\n${this.log.slice(-30).join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** SIGKILL: no shutdown hooks, no DELETEs, no goodbye to Janus. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  private async signal(sig: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(sig);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
    await exited;
    clearTimeout(timer);
  }
}
