import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SupervisedProcess } from './supervised-process';

/** Real child processes (sh, sleep): the class under test is onair's own, nothing is faked. */
const until = async (what: string, check: () => boolean, timeoutMs = 5000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};
const alive = (pid: number | undefined): boolean => {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('SupervisedProcess', () => {
  const procs: SupervisedProcess[] = [];
  const make = (args: string[], extra: Partial<ConstructorParameters<typeof SupervisedProcess>[0]> = {}) => {
    const p = new SupervisedProcess({ name: 'test', command: 'sh', args, backoffMs: 50, healthyAfterMs: 300, ...extra });
    procs.push(p);
    return p;
  };
  afterEach(async () => {
    await Promise.all(procs.splice(0).map((p) => p.stop()));
  });

  it('runs the process, keeps its output, and counts as running after the healthy time', async () => {
    const p = make(['-c', 'echo hello; echo world >&2; exec sleep 30']);
    p.start();
    await until('two lines', () => p.status().recentLog.length === 2);
    expect(p.status()).toMatchObject({ name: 'test', state: 'starting', restarts: 0, recentLog: ['hello', 'world'] });
    await until('running', () => p.status().state === 'running');
    expect(alive(p.pid)).toBe(true);
  });

  it('restarts a process killed with SIGKILL, with a new pid', async () => {
    const exits: string[] = [];
    const p = make(['-c', 'exec sleep 30'], { onExit: (how) => exits.push(how) });
    p.start();
    await until('a pid', () => p.pid !== undefined);
    const first = p.pid!;
    process.kill(first, 'SIGKILL');
    await until('a new pid', () => p.pid !== undefined && p.pid !== first);
    expect(exits).toEqual(['signal SIGKILL']);
    expect(p.status()).toMatchObject({ restarts: 1, lastExit: 'signal SIGKILL' });
    expect(alive(p.pid)).toBe(true);
  });

  it('stop() ends the process, waits for it, does not restart it, and may be called twice', async () => {
    const p = make(['-c', 'exec sleep 30']);
    p.start();
    await until('a pid', () => p.pid !== undefined);
    const pid = p.pid!;
    await p.stop();
    expect(alive(pid)).toBe(false);
    await p.stop();
    await new Promise((r) => setTimeout(r, 200));
    expect(p.status()).toMatchObject({ state: 'stopped', restarts: 0, pid: undefined });
  });

  it('SIGKILLs a process that ignores SIGTERM once the stop timeout has passed', async () => {
    const p = make(['-c', "trap '' TERM; echo ready; while :; do sleep 0.05; done"], { stopTimeoutMs: 300 });
    p.start();
    await until('ready', () => p.status().recentLog.includes('ready'));
    const pid = p.pid!;
    const t0 = Date.now();
    await p.stop();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(alive(pid)).toBe(false);
  });

  it('backs off while the process keeps dying at once, and gives up after maxRapidRestarts', async () => {
    const p = make(['-c', 'echo broken config; exit 3'], { maxRapidRestarts: 3 });
    p.start();
    await until('failed', () => p.status().state === 'failed');
    expect(p.status()).toMatchObject({ state: 'failed', restarts: 2, lastExit: 'exit 3' });
    expect(p.status().recentLog).toContain('broken config');
  });

  it('says why when the command does not exist', async () => {
    const p = new SupervisedProcess({ name: 'missing', command: '/nonexistent/turnserver', args: [], maxRapidRestarts: 1 });
    procs.push(p);
    p.start();
    await until('failed', () => p.status().state === 'failed');
    expect(p.status().lastExit).toMatch(/could not start: .*ENOENT/);
  });

  describe('pidFile: a child its SIGKILLed owner left running', () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'onair-supervised-'))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('is ended by the next start(), which then runs its own and keeps its pid in the file', async () => {
      const pidFile = join(dir, 'helper.pid');
      // The orphan: the same command, started by an owner that no longer exists.
      const orphan = spawn('sleep', ['30'], { stdio: 'ignore' });
      await until('orphan pid', () => orphan.pid !== undefined);
      writeFileSync(pidFile, `${orphan.pid}\n`);
      const gone = new Promise((r) => orphan.once('exit', r));
      const p = new SupervisedProcess({ name: 'test', command: 'sleep', args: ['30'], pidFile });
      procs.push(p);
      p.start();
      await gone;
      expect(alive(orphan.pid)).toBe(false);
      expect(p.status().recentLog).toContain(`ended pid ${orphan.pid}, left running by an earlier owner`);
      await until('a pid', () => p.pid !== undefined);
      expect(readFileSync(pidFile, 'utf8').trim()).toBe(String(p.pid));
      await p.stop();
      expect(existsSync(pidFile)).toBe(false);
    });

    it('leaves alone a pid now used by another program', async () => {
      const pidFile = join(dir, 'helper.pid');
      const other = spawn('sleep', ['31'], { stdio: 'ignore' });
      await until('other pid', () => other.pid !== undefined);
      writeFileSync(pidFile, `${other.pid}\n`);
      const p = new SupervisedProcess({ name: 'test', command: 'sleep', args: ['30'], pidFile });
      procs.push(p);
      p.start();
      await until('a pid', () => p.pid !== undefined);
      expect(alive(other.pid)).toBe(true);
      other.kill('SIGKILL');
    });
  });
});
