import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { ConfigError, loadConfig } from './config/onair-config';
import { setupHttp } from './http/setup';

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const levels = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
  const app = await NestFactory.create(AppModule.forRoot({ config }), {
    logger: levels.slice(0, levels.indexOf(config.logLevel) + 1),
    bodyParser: false,
  });
  setupHttp(app, config);
  await app.listen(config.http.port, config.http.host);
  new Logger('onair').log(`API listening on http://${config.http.host}:${config.http.port}`);
  if (!config.gateway.secret) {
    new Logger('onair').warn('ONAIR_GATEWAY_SECRET is not set: everyone using the web app counts as the web server\'s one address for rate limits and stream caps (set the same value for the API and the web app)');
  }
  if (config.secret.ephemeral) {
    new Logger('onair').warn('ONAIR_SECRET is not set: private channels\' share links stop working when the API restarts');
  }
}

bootstrap().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
