import { randomBytes } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../../src/app.module';
import { ChannelRepository } from '../../src/channels/channel.repository';
import { StreamKeyService } from '../../src/channels/stream-key.service';
import { loadConfig, OnairConfig } from '../../src/config/onair-config';
import { setupHttp } from '../../src/http/setup';
import { JanusMediaServer } from '../../src/media/janus/janus-media-server';
import { JanusInventory } from '../../src/media/janus/janus-stats';
import { MEDIA_SERVER, MediaServer } from '../../src/media/media-server';
import { JanusProcess } from './janus-process';

/**
 * Real Janus + the real API (in this process, so tests can read the adapter's view) on
 * top of the Postgres that test.sh started. Must run inside onair's test network namespace.
 */
export class TestStack {
  readonly config: OnairConfig;
  readonly janus: JanusProcess;
  /** The onair settings of this stack, as environment (also for an API in its own process: ApiProcess). */
  readonly env: Record<string, string>;
  app?: INestApplication;

  /** `env` adds or overrides onair settings for this stack (TURN, limits, timeouts...). */
  constructor(readonly apiPort: number, janusPort: number, env: Record<string, string> = {}) {
    if (process.env.ONAIR_IN_NETNS !== '1') {
      throw new Error('media tests must run inside onair\'s test network namespace: use `npm test`');
    }
    this.env = {
      ONAIR_API_HOST: '127.0.0.1',
      ONAIR_API_PORT: String(apiPort),
      JANUS_WS_URL: `ws://127.0.0.1:${janusPort}`,
      JANUS_ADMIN_WS_URL: `ws://127.0.0.1:${janusPort + 1}`,
      JANUS_API_SECRET: randomBytes(12).toString('hex'),
      JANUS_ADMIN_SECRET: randomBytes(12).toString('hex'),
      ONAIR_ICE_INTERFACE: process.env.ONAIR_TEST_ICE_IP ?? '127.0.0.2',
      ONAIR_NODE_ID: `test-${janusPort}`,
      // Loopback is denied as a remote candidate address; the namespace's own test address is
      // where the tests' peers really are.
      ONAIR_ICE_ALLOW_CIDRS: `${process.env.ONAIR_TEST_ICE_IP ?? '127.0.0.2'}/32`,
      ONAIR_LOG_LEVEL: process.env.ONAIR_LOG_LEVEL ?? 'warn',
      // What the web app's gateway signs client addresses with (give a WebProcess the same).
      ONAIR_GATEWAY_SECRET: randomBytes(24).toString('hex'),
      ...env,
    };
    this.config = loadConfig({ ...process.env, ...this.env });
    this.janus = new JanusProcess(this.config);
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  get media(): MediaServer {
    return this.app!.get<MediaServer>(MEDIA_SERVER);
  }

  /**
   * What Janus holds for onair (rooms, mountpoints, forwarders, peer handles), read by the
   * Janus adapter: a test-only accessor of the adapter, not part of the MediaServer port.
   */
  janusInventory(): Promise<JanusInventory> {
    const media = this.media;
    if (!(media instanceof JanusMediaServer)) throw new Error('this stack\'s media server is not the Janus adapter');
    return media.inventory();
  }

  async start(): Promise<void> {
    await this.janus.start();
    this.app = await NestFactory.create(AppModule.forRoot({ config: this.config }), { logger: ['error', 'warn'], bodyParser: false });
    setupHttp(this.app, this.config);
    await this.app.listen(this.apiPort, '127.0.0.1');
    const deadline = Date.now() + 10000;
    while (!this.media.connected) {
      if (Date.now() > deadline) throw new Error(`API did not connect to Janus:\n${this.janus.log.slice(-20).join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** A fresh channel with a stream key, straight through onair's own services. */
  async createChannel(title: string, visibility: 'public' | 'unlisted' | 'private' = 'public') {
    const slug = `${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${randomBytes(3).toString('hex')}`;
    const channel = (await this.app!.get(ChannelRepository).create({ slug, title, visibility }))!;
    const { key } = await this.app!.get(StreamKeyService).mint(channel.id, 'test');
    return { channel, key };
  }

  /** Waits until the API has (re)connected to Janus. */
  async waitForMedia(timeoutMs = 15000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.media.connected) {
      if (Date.now() > deadline) throw new Error('the API did not reconnect to Janus');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    await this.app?.close();
    await this.janus.stop();
  }
}
