import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const MIGRATIONS = join(__dirname, '../../../../prisma/migrations');

/**
 * The schema engine onair runs (Prisma's, through the pg driver adapter) splits a migration
 * on every ";" — also one inside a comment, which then runs as SQL and fails the deploy.
 */
describe('prisma migrations', () => {
  const files = readdirSync(MIGRATIONS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join(MIGRATIONS, d.name, 'migration.sql'));

  it('exist', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });

  it.each(files.map((f) => [f.slice(MIGRATIONS.length + 1)]))('%s has no ";" inside a comment', (name) => {
    const commented = readFileSync(join(MIGRATIONS, name), 'utf8')
      .split('\n')
      .filter((line) => /--.*;/.test(line));
    expect(commented).toEqual([]);
  });
});
