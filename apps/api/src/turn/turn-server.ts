import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ONAIR_CONFIG, OnairConfig, TurnServerConfig } from '../config/onair-config';
import { HelperProcesses } from '../supervision/helper-processes';
import { SupervisedProcess } from '../supervision/supervised-process';
import { renderTurnConfig, TurnRuntime } from './turn-config';

/**
 * The embedded TURN server (ONAIR_TURN_SERVER=embedded): coturn, run and supervised by the API,
 * so it starts with onair, comes back when it dies (kill -9 included) and shows in /health.
 * Its configuration is written anew at each start from onair's settings, mode 600 (it holds
 * the shared secret), under $ONAIR_HOME/turn.
 */
@Injectable()
export class TurnServer implements OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger('TURN');
  private process?: SupervisedProcess;

  constructor(
    @Inject(ONAIR_CONFIG) private readonly config: OnairConfig,
    private readonly helpers: HelperProcesses,
  ) {}

  onModuleInit(): void {
    const server = this.config.ice.turnServer;
    if (!server) return;
    const dir = join(this.config.home, 'turn');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const runtime: TurnRuntime = {
      peerIps: server.peerIps.length > 0 ? server.peerIps : ownAddresses(server, this.config.ice.ipv6),
      runAs: process.getuid?.() === 0 ? turnserverUser() : undefined,
    };
    const file = join(dir, 'turnserver.conf');
    writeFileSync(file, renderTurnConfig(server, runtime), { mode: 0o600 });
    chmodSync(file, 0o600); // an existing file keeps its old mode through writeFileSync
    this.process = new SupervisedProcess({
      name: 'turn',
      command: server.binary,
      // coturn reads its file before dropping root and writes nothing of its own (no pid file:
      // `--pidfile=`, as Debian's unit runs it); the supervisor keeps the pid, and ends with it
      // a coturn that a SIGKILLed API left running.
      args: ['-c', file, '--pidfile='],
      pidFile: join(dir, 'turnserver.pid'),
      onLine: (line) => {
        if (/error|cannot/i.test(line)) this.log.warn(line);
        else this.log.debug(line);
      },
      onExit: (how) => this.log.warn(`turnserver ended (${how}); starting it again`),
    });
    this.helpers.add(this.process);
    this.process.start();
    this.log.log(`TURN server on port ${server.port} (UDP and TCP${server.tls ? `, TLS on ${server.tlsPort}` : ''}), relaying only to ${runtime.peerIps.join(', ')}`);
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.process) return;
    await this.process.stop();
    this.helpers.remove(this.process);
  }
}

/**
 * Janus's addresses when none are configured: this machine's own (Janus runs beside the API)
 * and the addresses coturn announces and listens on.
 */
function ownAddresses(server: TurnServerConfig, ipv6: boolean): string[] {
  const own = Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((a) => !a.internal && (ipv6 || a.family === 'IPv4'))
    .map((a) => a.address);
  return [...new Set([...own, ...(server.externalIp ? [server.externalIp] : []), ...(server.listenIp ? [server.listenIp] : [])])];
}

/** Debian's coturn package runs as `turnserver`; root keeps root where that user is missing. */
function turnserverUser(): { user: string; group: string } | undefined {
  try {
    execFileSync('id', ['-u', 'turnserver'], { stdio: 'ignore' });
    return { user: 'turnserver', group: 'turnserver' };
  } catch {
    return undefined;
  }
}
