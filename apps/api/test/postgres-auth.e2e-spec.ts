/**
 * The embedded Postgres (infra/scripts/postgres.sh) lets nobody in without the onair role's
 * password (issue 9, hole 7): a cluster that trusted every local user let any account on the
 * machine run `update users set role='ADMIN'`. Checked on this run's own cluster, which
 * test-in-netns.sh starts through the same script as `npm run up`, and on a cluster made the
 * way earlier onair versions made it (`initdb --auth=trust`), which the script must upgrade in
 * place without losing data. Needs no Janus; runs in the test namespace with the other e2e specs.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, ClientConfig } from 'pg';

const SCRIPT = resolve(__dirname, '../../../infra/scripts/postgres.sh');
const UPGRADE_PORT = 5442;

function pgBin(name: string): string {
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  return join('/usr/lib/postgresql', versions[0]!, 'bin', name);
}

/** Runs a server-side binary as Postgres's own user, as the script does (Postgres refuses root). */
function asPg(file: string, args: string[]): string {
  const asRoot = process.getuid?.() === 0;
  return execFileSync(asRoot ? 'runuser' : file, asRoot ? ['-u', 'postgres', '--', file, ...args] : args, { encoding: 'utf8' });
}

/** Connects, runs one query and closes; resolves to the rows or rejects with pg's error. */
async function query(config: ClientConfig, sql: string): Promise<unknown[]> {
  const client = new Client({ ...config, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    return (await client.query(sql)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function fromUrl(url: string, override: Partial<ClientConfig> = {}): ClientConfig {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password), database: u.pathname.slice(1), ...override };
}

/** The three ways in that must all be shut without the password. */
async function expectRefusedWithoutPassword(url: string, socketDir?: string): Promise<void> {
  const config = fromUrl(url);
  expect(config.password).toMatch(/^[0-9a-f]{32,}$/);
  // No password at all: under trust this connects; with SCRAM the server asks for one.
  await expect(query({ ...config, password: undefined }, 'SELECT 1')).rejects.toThrow(/password/i);
  await expect(query({ ...config, password: 'onair' }, 'SELECT 1')).rejects.toMatchObject({ code: '28P01' });
  if (socketDir !== undefined) {
    await expect(query({ ...config, host: socketDir, password: 'not-the-password' }, 'SELECT 1')).rejects.toMatchObject({ code: '28P01' });
  }
}

describe('embedded Postgres authentication', () => {
  it('refuses the test run\'s cluster to anyone without the password, over TCP and the Unix socket', async () => {
    const url = process.env.DATABASE_URL!;
    await expectRefusedWithoutPassword(url, process.env.ONAIR_TEST_PG_DIR);
    expect(await query(fromUrl(url), 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  describe('a cluster an earlier onair made with --auth=trust', () => {
    const root = mkdtempSync(join(tmpdir(), 'onair-pg-upgrade-'));
    const datadir = join(root, 'postgres');
    afterAll(() => {
      try {
        execFileSync('bash', [SCRIPT, 'stop', datadir]);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });

    it('gets a password in place on its next start, keeping its data', async () => {
      chmodSync(root, 0o755);
      execFileSync('mkdir', ['-p', datadir]);
      if (process.getuid?.() === 0) execFileSync('chown', ['postgres:postgres', datadir]);
      chmodSync(datadir, 0o700);
      // What postgres.sh did before: trust for everyone, a socket in the data directory.
      asPg(pgBin('initdb'), ['-D', datadir, '-U', 'onair', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync']);
      appendFileSync(join(datadir, 'postgresql.conf'), `listen_addresses = '127.0.0.1'\nunix_socket_directories = '${datadir}'\nfsync = off\n`);
      // -l: the server must not hold this process's stdout pipe open.
      asPg(pgBin('pg_ctl'), ['-D', datadir, '-l', join(datadir, 'server.log'), '-o', `-p ${UPGRADE_PORT}`, '-w', 'start']);
      const trusting = { host: '127.0.0.1', port: UPGRADE_PORT, user: 'onair', database: 'postgres' };
      await query(trusting, 'CREATE DATABASE onair');
      await query({ ...trusting, database: 'onair' }, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('from before the upgrade')");
      asPg(pgBin('pg_ctl'), ['-D', datadir, '-m', 'fast', '-w', 'stop']);

      const url = execFileSync('bash', [SCRIPT, 'start', datadir, String(UPGRADE_PORT)], { encoding: 'utf8' }).trim();

      await expectRefusedWithoutPassword(url, datadir);
      expect(await query(fromUrl(url), 'SELECT v FROM kept')).toEqual([{ v: 'from before the upgrade' }]);
      // The password is kept private beside the cluster, and a second start gives the same URL.
      const secrets = join(root, 'secrets.env');
      expect(existsSync(secrets)).toBe(true);
      expect(statSync(secrets).mode & 0o777).toBe(0o600);
      expect(execFileSync('bash', [SCRIPT, 'start', datadir, String(UPGRADE_PORT)], { encoding: 'utf8' }).trim()).toBe(url);
    });
  });
});
