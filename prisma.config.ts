// Prisma CLI configuration. The CLI runs on the JavaScript schema engine through the pg
// driver adapter, so no native engine binary is ever downloaded.
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const PgResult = require('pg/lib/result');

// The schema engine reads pg_catalog columns of type `name` (oid 19) and `"char"` (oid 18),
// which @prisma/adapter-pg 6 cannot map (prisma/prisma#27403). Both are text on the wire:
// report them as `text` (oid 25). This patch lives only in the CLI's process.
const NAME_OID = 19;
const CHAR_OID = 18;
const TEXT_OID = 25;
const addFields = PgResult.prototype.addFields;
PgResult.prototype.addFields = function (fields: { dataTypeID: number }[]) {
  for (const field of fields) {
    if (field.dataTypeID === NAME_OID || field.dataTypeID === CHAR_OID) field.dataTypeID = TEXT_OID;
  }
  return addFields.call(this, fields);
};

const url = process.env.DATABASE_URL;
if (!url) {
  // Without a URL the CLI would fall back to fetching a native engine: fail clearly instead.
  throw new Error('DATABASE_URL is not set: run prisma through `npm run up` / infra/scripts, or export it');
}

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  // allowExitOnIdle: the CLI otherwise lingers on the idle pool for up to a minute.
  adapter: async () => new PrismaPg({ connectionString: url, allowExitOnIdle: true, idleTimeoutMillis: 100 }),
});
