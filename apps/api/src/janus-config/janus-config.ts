import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OnairConfig } from '../config/onair-config';

/**
 * Janus's configuration, generated from onair's: the templates live in infra/janus and use
 * {{name}} placeholders. Pure apart from reading the templates, so it is table-tested.
 */
export interface JanusPaths {
  /** Janus install prefix: lib/janus/{plugins,transports,...} under it. */
  prefix: string;
  /** Where the generated *.jcfg files go (Janus's configs_folder). */
  configsFolder: string;
}

export function janusTemplateValues(config: OnairConfig, paths: JanusPaths): Record<string, string> {
  const ws = new URL(config.janus.wsUrl);
  const admin = new URL(config.janus.adminWsUrl);
  const [min, max] = config.ice.rtpPortRange;
  // ICE (PeerConnections) and mountpoints (loopback RTP from the forwarders) get separate halves.
  const mid = min + Math.floor((max - min) / 2);
  const nat: string[] = [];
  if (config.ice.enforceInterface) nat.push(`ice_enforce_list = "${config.ice.enforceInterface}"`);
  if (config.ice.publicIp) nat.push(`nat_1_1_mapping = "${config.ice.publicIp}"`, 'keep_private_host = false');
  if (config.ice.stunServer) nat.push(`stun_server = "${config.ice.stunServer.host}"`, `stun_port = ${config.ice.stunServer.port}`);
  const lib = join(paths.prefix, 'lib', 'janus');
  return {
    configsFolder: paths.configsFolder,
    pluginsFolder: join(lib, 'plugins'),
    transportsFolder: join(lib, 'transports'),
    eventsFolder: join(lib, 'events'),
    loggersFolder: join(lib, 'loggers'),
    debugLevel: config.logLevel === 'debug' || config.logLevel === 'verbose' ? '5' : '4',
    apiSecret: config.janus.apiSecret ?? '',
    adminSecret: config.janus.adminSecret ?? '',
    ipv6: String(config.ice.ipv6),
    iceTcp: String(config.ice.iceTcp),
    iceRtpPortRange: `${min}-${mid - 1}`,
    mountpointPortRange: `${mid}-${max}`,
    natLines: nat.map((l) => `\t${l}`).join('\n'),
    // Absent: Janus gives each handle its own thread and loop (its default).
    generalLines: config.janus.eventLoops > 0 ? `\tevent_loops = ${config.janus.eventLoops}` : '',
    wsHost: ws.hostname,
    wsPort: ws.port || '8188',
    adminWsHost: admin.hostname,
    adminWsPort: admin.port || '7188',
  };
}

export function renderTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`Janus template uses unknown value {{${name}}}`);
    const v = values[name];
    // A quote or backslash would break out of a libconfig string.
    if (/["\\]/.test(v) && !name.endsWith('Lines')) throw new Error(`value for ${name} may not contain quotes or backslashes`);
    return v;
  });
}

/** Renders every *.jcfg.template in `templatesDir`; returns file name -> content. */
export function renderJanusConfig(templatesDir: string, config: OnairConfig, paths: JanusPaths): Record<string, string> {
  const values = janusTemplateValues(config, paths);
  const out: Record<string, string> = {};
  for (const file of readdirSync(templatesDir).filter((f) => f.endsWith('.jcfg.template'))) {
    out[file.replace(/\.template$/, '')] = renderTemplate(readFileSync(join(templatesDir, file), 'utf8'), values);
  }
  return out;
}
