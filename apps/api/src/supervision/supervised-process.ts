import { ChildProcess, spawn } from 'node:child_process';

/** What health and the studio say about a helper process. */
export interface ProcessStatus {
  name: string;
  /**
   * starting: spawned, not yet seen running for `healthyAfterMs`; running; restarting: died,
   * waiting out its backoff; stopped: never started or stopped on purpose; failed: died
   * `maxRapidRestarts` times in a row without ever running for `healthyAfterMs`.
   */
  state: 'starting' | 'running' | 'restarting' | 'stopped' | 'failed';
  pid?: number;
  /** Times it died and was started again. */
  restarts: number;
  /** How the last run ended ("exit 1", "signal SIGKILL"), if one has. */
  lastExit?: string;
  /** Its last lines of output, newest last (for a person reading health). */
  recentLog: string[];
}

export interface SupervisedProcessOptions {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** A run that lasted this long counts as healthy: the backoff starts over. */
  healthyAfterMs?: number;
  /** First wait before a restart; doubled after each quick death, up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Quick deaths in a row before giving up (state 'failed'); 0 = never give up. */
  maxRapidRestarts?: number;
  /** After SIGTERM on stop, how long before SIGKILL. */
  stopTimeoutMs?: number;
  /** Called with each line the process prints (stdout and stderr). */
  onLine?: (line: string) => void;
  /** Called each time the process ends by itself (not through stop()). */
  onExit?: (how: string) => void;
  /** For specs: the spawn function and the clock. */
  spawnFn?: typeof spawn;
}

const LOG_LINES = 20;

/**
 * One long-lived helper process (coturn, an HLS ffmpeg) with one owner: start() runs it,
 * a death restarts it after a backoff (doubling while it keeps dying quickly), stop() ends it
 * (SIGTERM, then SIGKILL) and keeps it ended, status() says what it is doing for /health.
 * stop() is idempotent and waits for the process to be gone.
 */
export class SupervisedProcess {
  private child?: ChildProcess;
  private wanted = false;
  private restarts = 0;
  private rapidDeaths = 0;
  private lastExit?: string;
  private startedAt = 0;
  private restartTimer?: NodeJS.Timeout;
  private state: ProcessStatus['state'] = 'stopped';
  private readonly log: string[] = [];
  private exited?: Promise<void>;
  private readonly o: Required<Omit<SupervisedProcessOptions, 'env' | 'cwd' | 'onLine' | 'onExit'>> & SupervisedProcessOptions;

  constructor(options: SupervisedProcessOptions) {
    this.o = {
      healthyAfterMs: 5000,
      backoffMs: 500,
      maxBackoffMs: 10_000,
      maxRapidRestarts: 0,
      stopTimeoutMs: 3000,
      spawnFn: spawn,
      ...options,
    };
  }

  get name(): string {
    return this.o.name;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (this.wanted) return;
    this.wanted = true;
    this.rapidDeaths = 0;
    this.spawnOnce();
  }

  async stop(): Promise<void> {
    this.wanted = false;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const killer = setTimeout(() => child.kill('SIGKILL'), this.o.stopTimeoutMs);
      child.kill('SIGTERM');
      await this.exited;
      clearTimeout(killer);
    }
    this.state = 'stopped';
  }

  status(): ProcessStatus {
    if (this.state === 'starting' && this.child && performance.now() - this.startedAt >= this.o.healthyAfterMs) this.state = 'running';
    return { name: this.o.name, state: this.state, pid: this.child?.pid, restarts: this.restarts, lastExit: this.lastExit, recentLog: [...this.log] };
  }

  private spawnOnce(): void {
    this.restartTimer = undefined;
    if (!this.wanted) return;
    this.state = 'starting';
    this.startedAt = performance.now();
    let child: ChildProcess;
    try {
      // Without `env`, the child inherits the API's environment (spawn's default).
      child = this.o.spawnFn(this.o.command, this.o.args, { ...(this.o.env ? { env: this.o.env } : {}), cwd: this.o.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      this.died(`could not start: ${(err as Error).message}`);
      return;
    }
    this.child = child;
    let pending = '';
    const onData = (chunk: Buffer) => {
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) this.keep(line);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    this.exited = new Promise<void>((resolve) => {
      let done = false;
      const finish = (how: string) => {
        if (done) return;
        done = true;
        if (pending) this.keep(pending);
        if (this.child === child) this.child = undefined;
        resolve();
        if (this.wanted) this.died(how);
        else this.lastExit = how;
      };
      // 'error' without 'exit' when the command does not exist (ENOENT).
      child.once('error', (err) => finish(`could not start: ${err.message}`));
      child.once('exit', (code, signal) => finish(signal ? `signal ${signal}` : `exit ${code}`));
    });
  }

  private died(how: string): void {
    this.lastExit = how;
    this.o.onExit?.(how);
    const quick = performance.now() - this.startedAt < this.o.healthyAfterMs;
    this.rapidDeaths = quick ? this.rapidDeaths + 1 : 0;
    if (this.o.maxRapidRestarts > 0 && this.rapidDeaths >= this.o.maxRapidRestarts) {
      this.state = 'failed';
      this.wanted = false;
      return;
    }
    this.restarts++;
    this.state = 'restarting';
    const wait = Math.min(this.o.maxBackoffMs, this.o.backoffMs * 2 ** Math.max(0, this.rapidDeaths - 1));
    this.restartTimer = setTimeout(() => this.spawnOnce(), wait);
    this.restartTimer.unref();
  }

  private keep(line: string): void {
    const trimmed = line.trimEnd();
    if (!trimmed) return;
    this.log.push(trimmed.length > 300 ? `${trimmed.slice(0, 297)}...` : trimmed);
    if (this.log.length > LOG_LINES) this.log.shift();
    this.o.onLine?.(trimmed);
  }
}
