import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

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
  /**
   * Where the running child's pid is kept. An owner killed with SIGKILL can't stop its child,
   * which would live on unsupervised (holding its ports: the next one could not bind them); the
   * next start() reads this file and ends that leftover first, if it is still this very
   * command (its /proc command line), so a pid reused by another program is never touched.
   */
  pidFile?: string;
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
  private readonly o: Required<Omit<SupervisedProcessOptions, 'pidFile' | 'onLine' | 'onExit'>> & SupervisedProcessOptions;

  constructor(options: SupervisedProcessOptions) {
    this.o = {
      healthyAfterMs: 5000,
      backoffMs: 500,
      maxBackoffMs: 10_000,
      maxRapidRestarts: 0,
      stopTimeoutMs: 3000,
      ...options,
    };
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (this.wanted) return;
    this.wanted = true;
    this.rapidDeaths = 0;
    this.endLeftover();
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
      child = spawn(this.o.command, this.o.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      this.died(`could not start: ${(err as Error).message}`);
      return;
    }
    this.child = child;
    if (this.o.pidFile && child.pid !== undefined) writeFileSync(this.o.pidFile, `${child.pid}\n`);
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
        if (this.child === child) {
          this.child = undefined;
          if (this.o.pidFile) rmSync(this.o.pidFile, { force: true });
        }
        resolve();
        if (this.wanted) this.died(how);
        else this.lastExit = how;
      };
      // 'error' without 'exit' when the command does not exist (ENOENT).
      child.once('error', (err) => finish(`could not start: ${err.message}`));
      child.once('exit', (code, signal) => finish(signal ? `signal ${signal}` : `exit ${code}`));
    });
  }

  /** Ends the child a SIGKILLed owner left running (see `pidFile`), and waits for it, bounded. */
  private endLeftover(): void {
    if (!this.o.pidFile) return;
    let pid: number;
    try {
      pid = Number(readFileSync(this.o.pidFile, 'utf8').trim());
    } catch {
      return; // no file: nothing was left
    }
    const expected = [this.o.command, ...this.o.args].join('\0');
    const commandOf = (): string | undefined => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0$/, '');
      } catch {
        return undefined; // gone
      }
    };
    if (Number.isInteger(pid) && pid > 0 && commandOf() === expected) {
      process.kill(pid, 'SIGKILL');
      // SIGKILL is not refused; the process is gone within moments (at most ~1 s waited here).
      const deadline = Date.now() + 1000;
      while (commandOf() === expected && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
      this.keep(`ended pid ${pid}, left running by an earlier owner`);
    }
    rmSync(this.o.pidFile, { force: true });
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
