import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { mintSetupToken } from '../accounts/auth.service';
import { UserRepository } from '../accounts/user.repository';
import { CHANNEL_SLUG, RESERVED_SLUGS } from '../domain/channel';
import { ChannelRepository } from '../channels/channel.repository';
import { StreamKeyRepository } from '../channels/stream-key.repository';
import { StreamKeyService } from '../channels/stream-key.service';
import { ConfigError, loadConfig } from '../config/onair-config';
import { renderJanusConfig } from '../janus-config/janus-config';
import { CliModule } from './cli.module';

const USAGE = `usage: onair <command> [options]

  janus-config --templates DIR --out DIR --prefix JANUS_PREFIX
      write Janus's configuration, generated from onair's environment settings
  channel --slug SLUG [--title TITLE]
      create the channel unless it exists; mints a stream key when the channel has none.
      Prints JSON: {"slug", "title", "created", "streamKey" (only when minted)}
  key --slug SLUG [--label LABEL]
      mint one more stream key for a channel and print it (keys are shown only once)
  setup-link [--base URL]
      while no account exists: mint the one-time setup token the first sign-up (the admin)
      needs, replacing any earlier one, and print it with the link URL/signup?setup=TOKEN.
      Prints JSON: {"needed", "token", "link"} (needed false, nothing minted, once an account exists)`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      templates: { type: 'string' },
      out: { type: 'string' },
      prefix: { type: 'string' },
      slug: { type: 'string' },
      title: { type: 'string' },
      label: { type: 'string' },
      base: { type: 'string' },
    },
  });
  const config = loadConfig(process.env);
  switch (command) {
    case 'janus-config': {
      if (!values.templates || !values.out || !values.prefix) return usage('janus-config needs --templates, --out and --prefix');
      mkdirSync(values.out, { recursive: true });
      const files = renderJanusConfig(values.templates, config, { prefix: values.prefix, configsFolder: values.out });
      for (const [name, content] of Object.entries(files)) writeFileSync(join(values.out, name), content, { mode: 0o600 });
      return 0;
    }
    case 'setup-link': {
      const base = (values.base ?? '').replace(/\/+$/, '');
      if (base && !/^https?:\/\/\S+$/.test(base)) return usage('--base must be an http:// or https:// URL, e.g. http://192.0.2.10:3000');
      const app = await NestFactory.createApplicationContext(CliModule.forRoot(config), { logger: ['error', 'warn'] });
      try {
        const token = await mintSetupToken(app.get(UserRepository));
        const link = token && base ? `${base}/signup?setup=${token}` : null;
        process.stdout.write(JSON.stringify({ needed: token !== null, token, link }) + '\n');
        return 0;
      } finally {
        await app.close();
      }
    }
    case 'channel':
    case 'key': {
      const slug = values.slug ?? '';
      if (!CHANNEL_SLUG.test(slug) || RESERVED_SLUGS.has(slug)) {
        return usage(`--slug must be lower-case letters, digits and dashes (1-63 chars), not ${[...RESERVED_SLUGS].join('/')}`);
      }
      const app = await NestFactory.createApplicationContext(CliModule.forRoot(config), { logger: ['error', 'warn'] });
      try {
        const channels = app.get(ChannelRepository);
        const keys = app.get(StreamKeyService);
        let channel = await channels.findBySlug(slug);
        const created = !channel;
        if (command === 'key' && !channel) return usage(`no channel named "${slug}"`);
        channel ??= await channels.create({ slug, title: values.title ?? slug });
        if (!channel) return usage(`the slug "${slug}" was taken while creating it; run the command again`);
        const needsKey = command === 'key' || (await app.get(StreamKeyRepository).countActive(channel.id)) === 0;
        const minted = needsKey ? await keys.mint(channel.id, values.label ?? (command === 'key' ? 'cli' : 'first key')) : undefined;
        process.stdout.write(JSON.stringify({ slug: channel.slug, title: channel.title, created, streamKey: minted?.key ?? null }) + '\n');
        return 0;
      } finally {
        await app.close();
      }
    }
    default:
      return usage(command ? `unknown command "${command}"` : 'no command given');
  }
}

function usage(problem: string): number {
  process.stderr.write(`onair: ${problem}\n\n${USAGE}\n`);
  return 64; // EX_USAGE
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`onair: ${err instanceof ConfigError ? err.message : (err as Error).stack}\n`);
    process.exit(err instanceof ConfigError ? 78 : 1);
  },
);
