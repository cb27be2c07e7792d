import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, openSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { OnairConfig } from '../../src/config/onair-config';
import { renderJanusConfig } from '../../src/janus-config/janus-config';

export const REPO_ROOT = resolve(__dirname, '../../../..');

/** A real Janus, configured from onair's config exactly as `npm run up` does. */
export class JanusProcess {
  private child?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'onair-janus-'));
  readonly log: string[] = [];

  constructor(private readonly config: OnairConfig) {}

  async start(): Promise<void> {
    const prefix = process.env.JANUS_PREFIX;
    if (!prefix) throw new Error('JANUS_PREFIX is not set: run the suite with `npm test` (infra/scripts/test.sh)');
    mkdirSync(this.dir, { recursive: true }); // again after a stop()
    const files = renderJanusConfig(join(REPO_ROOT, 'infra/janus'), this.config, { prefix, configsFolder: this.dir });
    for (const [name, content] of Object.entries(files)) writeFileSync(join(this.dir, name), content);
    // JANUS_DEBUG_LEVEL (0-7) turns up Janus's log, which failing tests print from `log`.
    const debug = process.env.JANUS_DEBUG_LEVEL ? ['-d', process.env.JANUS_DEBUG_LEVEL, '-L', this.logFile] : [];
    this.child = spawn(join(prefix, 'bin/janus'), ['-C', join(this.dir, 'janus.jcfg'), '-F', this.dir, '-N', ...debug], {
      stdio: ['ignore', 'pipe', process.env.JANUS_LOG_FILE ? openSync(`${process.env.JANUS_LOG_FILE}.stderr`, 'a') : 'pipe'],
    });
    const keep = (b: Buffer) => this.log.push(...b.toString().split('\n').filter(Boolean));
    this.child.stdout!.on('data', keep);
    this.child.stderr?.on('data', keep);
    const port = Number(new URL(this.config.janus.wsUrl).port);
    const deadline = Date.now() + 15000;
    while (!(await canConnect(port))) {
      if (this.child.exitCode !== null) throw new Error(`janus exited (${this.child.exitCode}):\n${this.log.slice(-30).join('\n')}`);
      if (Date.now() > deadline) throw new Error(`janus did not listen on ${port} within 15 s:\n${this.log.slice(-30).join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Where Janus logs with JANUS_DEBUG_LEVEL set (JANUS_LOG_FILE to keep it after the run). */
  private get logFile(): string {
    return process.env.JANUS_LOG_FILE ?? join(this.dir, 'janus.log');
  }

  /** The last `n` lines Janus logged (from its log file with JANUS_DEBUG_LEVEL), for failure messages. */
  recentLog(n = 80, keep: RegExp = /./): string[] {
    const file = this.logFile;
    const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : this.log;
    return lines.filter((l) => keep.test(l)).slice(-n);
  }

  /** Janus's process id while it runs (CPU figures in the benchmark). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** How Janus ended, while it is not running ("exit 1", "signal SIGSEGV"); undefined while it runs. */
  get ended(): string | undefined {
    const child = this.child;
    if (!child) return 'not started';
    if (child.signalCode !== null) return `signal ${child.signalCode}`;
    return child.exitCode !== null ? `exit ${child.exitCode}` : undefined;
  }

  /** Kills Janus with SIGKILL (a crash: no clean-up, no goodbye to its clients) and waits for it to exit. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolveConn) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolveConn(true);
    });
    s.once('error', () => resolveConn(false));
  });
}
