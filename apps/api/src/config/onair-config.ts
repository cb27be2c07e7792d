import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { CandidatePolicy, candidatePolicy, DEFAULT_CANDIDATE_DENY, parseCidrList } from '@onair/protocol';
import { z } from 'zod';

/**
 * onair's configuration, read from the environment once at start-up. Nothing else in the
 * API reads process.env: everything receives this typed object (see ConfigModule).
 * The README's configuration table mirrors this schema; keep them together.
 */

const port = z.coerce.number().int().min(1).max(65535);
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const portRange = z
  .string()
  .regex(/^\d{1,5}-\d{1,5}$/, 'expected MIN-MAX, e.g. 20000-40000')
  .transform((v) => v.split('-').map(Number) as [number, number])
  .refine(([min, max]) => min >= 1024 && max <= 65535 && min < max, 'expected 1024 <= MIN < MAX <= 65535');

const cidrList = z.string().superRefine((v, ctx) => {
  try {
    parseCidrList(v);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

const urlWs = z.string().regex(/^wss?:\/\/[^\s]+$/, 'expected a ws:// or wss:// URL');

const EnvSchema = z.object({
  ONAIR_API_HOST: z.string().default('0.0.0.0'),
  ONAIR_API_PORT: port.default(8080),
  ONAIR_CORS_ORIGINS: z.string().default('*'),
  ONAIR_NODE_ID: optionalString,
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgresql:// URL'),
  JANUS_WS_URL: urlWs.default('ws://127.0.0.1:8188'),
  JANUS_API_SECRET: optionalString,
  JANUS_ADMIN_WS_URL: urlWs.default('ws://127.0.0.1:7188'),
  JANUS_ADMIN_SECRET: optionalString,
  JANUS_EVENT_LOOPS: z.coerce.number().int().min(0).max(256).default(0),
  ONAIR_ICE_INTERFACE: optionalString,
  ONAIR_PUBLIC_IP: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()))
    .refine((v) => v === undefined || /^[0-9.]+$|^[0-9a-fA-F:]+$/.test(v), 'expected an IP address'),
  ONAIR_STUN_SERVER: optionalString.refine(
    (v) => v === undefined || /^[^\s:]+:\d{1,5}$/.test(v),
    'expected host:port, e.g. stun.example.org:3478',
  ),
  ONAIR_TURN_URLS: z
    .string()
    .optional()
    .transform((v) => (v ?? '').split(',').map((u) => u.trim()).filter(Boolean))
    .refine((urls) => urls.every((u) => /^turns?:[^\s<>"]+$/.test(u)), 'expected comma-separated turn: or turns: URIs, e.g. turn:turn.example.org:3478?transport=udp'),
  ONAIR_TURN_SECRET: optionalString,
  ONAIR_TURN_TTL_S: z.coerce.number().int().min(60).max(7 * 86400).default(86400),
  // The TURN server onair runs itself (coturn), or none (a TURN server of your own goes in ONAIR_TURN_URLS).
  ONAIR_TURN_SERVER: z.enum(['off', 'embedded'], { error: 'expected off or embedded' }).default('off'),
  ONAIR_TURN_HOST: optionalString.refine((v) => v === undefined || /^[A-Za-z0-9.:[\]-]+$/.test(v), 'expected a host name or IP address'),
  ONAIR_TURN_PORT: port.default(3478),
  ONAIR_TURN_TLS_PORT: port.default(5349),
  ONAIR_TURN_TLS_CERT: optionalString,
  ONAIR_TURN_TLS_KEY: optionalString,
  ONAIR_TURN_LISTEN_IP: optionalString.refine((v) => v === undefined || isIP(v) !== 0, 'expected an IP address'),
  ONAIR_TURN_RELAY_PORTS: portRange.default([49152, 65535]),
  ONAIR_TURN_PEER_IPS: z
    .string()
    .optional()
    .transform((v) => (v ?? '').split(',').map((u) => u.trim()).filter(Boolean))
    .refine((ips) => ips.every((ip) => isIP(ip) !== 0), 'expected comma-separated IP addresses'),
  ONAIR_TURNSERVER_PATH: z.string().trim().min(1).default('turnserver'),
  ONAIR_HOME: optionalString,
  ONAIR_ICE_TCP: bool.default(false),
  ONAIR_RTP_PORT_RANGE: portRange.default([20000, 40000]),
  ONAIR_IPV6: bool.default(false),
  ONAIR_ICE_DENY_CIDRS: cidrList.default(DEFAULT_CANDIDATE_DENY),
  ONAIR_ICE_ALLOW_CIDRS: cidrList.default(''),
  ONAIR_KEYFRAME_BUFFER_MS: z.coerce.number().int().min(0).max(60000).default(10000),
  ONAIR_MEDIA_TIMEOUT_S: z.coerce.number().int().min(1).max(600).default(15),
  ONAIR_VIEWER_PROFILE_WAIT_MS: z.coerce.number().int().min(0).max(10000).default(2000),
  ONAIR_RATE_LIMIT_BURST: z.coerce.number().int().min(1).max(100000).default(60),
  ONAIR_RATE_LIMIT_PER_S: z.coerce.number().min(0.1).max(100000).default(10),
  ONAIR_AUTH_FAILURES_PER_MIN: z.coerce.number().int().min(1).max(100000).default(10),
  ONAIR_TRUST_PROXY: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? false : v.trim()))
    .refine((v) => v === false || /^(true|loopback|linklocal|uniquelocal|\d+|[0-9a-fA-F.:/, ]+)$/.test(v), 'expected true, a hop count, loopback, or addresses/CIDRs'),
  // The web app's gateway states client addresses with this; anything else sending it is ignored.
  ONAIR_GATEWAY_SECRET: optionalString.refine((v) => v === undefined || v.length >= 32, 'must be at least 32 characters (e.g. openssl rand -hex 32)'),
  ONAIR_STREAMS_PER_CLIENT: z.coerce.number().int().min(1).max(100000).default(20),
  ONAIR_STREAMS_MAX: z.coerce.number().int().min(1).max(1000000).default(2000),
  ONAIR_STREAM_MAX_AGE_S: z.coerce.number().int().min(1).max(7 * 86400).default(3600),
  ONAIR_WHEP_SESSIONS_PER_CLIENT: z.coerce.number().int().min(1).max(100000).default(50),
  ONAIR_WHEP_SESSIONS_MAX: z.coerce.number().int().min(1).max(1000000).default(1000),
  ONAIR_WHEP_EVENT_STREAMS_PER_SESSION: z.coerce.number().int().min(1).max(100).default(4),
  ONAIR_MAX_CHANNELS_PER_ACCOUNT: z.coerce.number().int().min(1).max(100000).default(20),
  ONAIR_MAX_KEYS_PER_CHANNEL: z.coerce.number().int().min(1).max(1000).default(10),
  ONAIR_MAX_SESSIONS_PER_ACCOUNT: z.coerce.number().int().min(1).max(1000).default(10),
  ONAIR_MAX_LIVE_PER_ACCOUNT: z.coerce.number().int().min(1).max(1000).default(2),
  ONAIR_SIGNUP: z.enum(['open', 'closed'], { error: 'expected open or closed' }).default('open'),
  ONAIR_FFMPEG_PATH: z.string().trim().min(1).default('ffmpeg'),
  ONAIR_SECRET: optionalString.refine((v) => v === undefined || v.length >= 32, 'must be at least 32 characters (e.g. openssl rand -hex 32)'),
  ONAIR_LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
})
  .refine((e) => (e.ONAIR_TURN_URLS.length === 0 && e.ONAIR_TURN_SERVER === 'off') || e.ONAIR_TURN_SECRET !== undefined, {
    path: ['ONAIR_TURN_SECRET'],
    message: 'required when ONAIR_TURN_URLS is set or ONAIR_TURN_SERVER=embedded (the TURN server\'s static-auth-secret)',
  })
  .refine((e) => e.ONAIR_TURN_SECRET === undefined || e.ONAIR_TURN_SECRET.length >= 32 || e.ONAIR_TURN_SERVER === 'off', {
    path: ['ONAIR_TURN_SECRET'],
    message: 'must be at least 32 characters for the embedded TURN server (e.g. openssl rand -hex 32)',
  })
  .refine((e) => e.ONAIR_TURN_SERVER === 'off' || e.ONAIR_TURN_URLS.length > 0 || e.ONAIR_TURN_HOST !== undefined || e.ONAIR_PUBLIC_IP !== undefined, {
    path: ['ONAIR_TURN_HOST'],
    message: 'required with ONAIR_TURN_SERVER=embedded (the host name or IP clients reach the TURN server at), unless ONAIR_PUBLIC_IP or ONAIR_TURN_URLS is set',
  })
  .refine((e) => (e.ONAIR_TURN_TLS_CERT === undefined) === (e.ONAIR_TURN_TLS_KEY === undefined), {
    path: ['ONAIR_TURN_TLS_CERT'],
    message: 'ONAIR_TURN_TLS_CERT and ONAIR_TURN_TLS_KEY go together (a PEM certificate chain and its private key)',
  })
  // Janus runs ICE-TCP only as an ICE-Lite agent, and ICE-Lite is wrong behind a 1:1 NAT.
  .refine((e) => !(e.ONAIR_ICE_TCP && e.ONAIR_PUBLIC_IP), {
    path: ['ONAIR_ICE_TCP'],
    message: 'cannot be combined with ONAIR_PUBLIC_IP (ICE-TCP needs ICE-Lite, which needs a directly reachable address)',
  });

export interface OnairConfig {
  http: {
    host: string;
    port: number;
    corsOrigins: '*' | string[];
    /** Express "trust proxy": which proxies' X-Forwarded-For to believe for client addresses. */
    trustProxy: false | string;
  };
  /** A stable name for this API/Janus pair, stored with each broadcast. */
  nodeId: string;
  databaseUrl: string;
  /** eventLoops: Janus's static event loops (0: a thread per handle, Janus's own default). */
  janus: { wsUrl: string; apiSecret?: string; adminWsUrl: string; adminSecret?: string; eventLoops: number };
  ice: {
    /** Interface name or IP that Janus gathers candidates on (ice_enforce_list). */
    enforceInterface?: string;
    /** Public IP announced by Janus in its candidates (nat_1_1_mapping). */
    publicIp?: string;
    stunServer?: { host: string; port: number };
    /** TURN relays handed to clients, with per-session TURN REST credentials (coturn use-auth-secret). */
    turn?: { urls: string[]; secret: string; ttlS: number };
    /** The TURN server onair runs and supervises itself (coturn), when ONAIR_TURN_SERVER=embedded. */
    turnServer?: TurnServerConfig;
    /** ICE over TCP on Janus (needs ICE-Lite, which Janus then runs in). */
    iceTcp: boolean;
    rtpPortRange: [number, number];
    ipv6: boolean;
    /** Remote candidates (in offers and trickle PATCHes) Janus must never send checks to. */
    remoteCandidates: CandidatePolicy;
  };
  /** Per client address, on WHIP/WHEP POST, PATCH, DELETE and discovery OPTIONS, and /auth writes. */
  rateLimit: { burst: number; perSecond: number; authFailuresPerMinute: number };
  /** The web app's same-origin gateway: its requests state the browser's address and scheme, signed with this secret. */
  gateway: { secret?: string };
  /** Caps on long-lived things a client holds open (event streams, WHEP sessions). */
  limits: {
    /** Open event streams (SSE) per client address, and in all. */
    streamsPerClient: number;
    streams: number;
    /** An event stream ends after this long; EventSource reconnects by itself. */
    streamMaxAgeS: number;
    whepSessionsPerClient: number;
    /** WHEP sessions in all (each a Janus handle and a PeerConnection). */
    whepSessions: number;
    /** WHEP events-extension registrations per WHEP session. */
    eventStreamsPerSession: number;
  };
  media: {
    /** How much of the latest GOP the Streaming mountpoint keeps for new viewers. */
    keyframeBufferMs: number;
    /** Seconds without media after which Janus declares a peer gone. */
    mediaTimeoutS: number;
    /**
     * How long into a broadcast a viewer's answer may wait for the stream's first H.264 SPS
     * (its real profile); later, or without one, the answer carries the negotiated profile.
     */
    viewerProfileWaitMs: number;
  };
  /**
   * Channels a streamer owns (admins are exempt), broadcasts live at once on one account's
   * channels (channels made on the command line have no owner: exempt), active stream keys per
   * channel, signed-in browsers per account (past it the oldest session ends).
   */
  quotas: { channelsPerAccount: number; keysPerChannel: number; sessionsPerAccount: number; liveBroadcastsPerAccount: number };
  /** Who may create a studio account: anyone, or (closed) only the first, admin, account. */
  signup: 'open' | 'closed';
  /** ffmpeg, for directory thumbnails. */
  ffmpegPath: string;
  /** onair's data directory (generated helper configs; later HLS and recordings). */
  home: string;
  /** Signs playback tokens (private channels' share links). */
  secret: { value: string; ephemeral: boolean };
  logLevel: 'error' | 'warn' | 'log' | 'debug' | 'verbose';
}

export interface TurnServerConfig {
  /** coturn's turnserver binary. */
  binary: string;
  secret: string;
  /** Where it listens (all addresses when unset) and relays from. */
  listenIp?: string;
  /** ONAIR_PUBLIC_IP, announced as coturn's external-ip behind a 1:1 NAT. */
  externalIp?: string;
  port: number;
  tlsPort: number;
  tls?: { certFile: string; keyFile: string };
  relayPorts: [number, number];
  /** Addresses it may relay to (Janus's); empty = this machine's own addresses, found at start-up. */
  peerIps: string[];
}

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid onair configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Settings whose value is a secret: an error names them but never quotes them (logs outlive secrets). */
const SECRET_SETTINGS = new Set(['ONAIR_SECRET', 'ONAIR_TURN_SECRET', 'ONAIR_GATEWAY_SECRET', 'JANUS_API_SECRET', 'JANUS_ADMIN_SECRET']);

/** What a config error quotes of the bad value: nothing for secrets, a URL without its password. */
function shownValue(name: string, value: string | undefined): string {
  if (value === undefined) return ' (not set)';
  if (SECRET_SETTINGS.has(name) || /SECRET|PASSWORD/.test(name)) return ` (value not shown: it is a secret)`;
  return ` (got ${JSON.stringify(redactUrlPassword(value))})`;
}

/**
 * `scheme://user:password@host/db` → `scheme://user:***@host/db`. The password runs to the
 * last "@" (passwords with an unencoded "@", "/" or "?" are common; hiding too much beats
 * showing a piece); a `password=` query parameter (libpq style) is hidden too.
 */
export function redactUrlPassword(value: string): string {
  let out = value;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(value);
  if (scheme) {
    const rest = value.slice(scheme[0].length);
    const at = rest.lastIndexOf('@');
    const colon = rest.indexOf(':');
    if (at > 0 && colon >= 0 && colon < at) out = scheme[0] + rest.slice(0, colon) + ':***' + rest.slice(at);
  }
  return out.replace(/((?:^|[?&\s])password=)[^&#\s]*/gi, '$1***');
}

export function loadConfig(env: Record<string, string | undefined>): OnairConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}${shownValue(String(i.path[0]), env[String(i.path[0])])}`));
  }
  const e = parsed.data;
  const stun = e.ONAIR_STUN_SERVER?.split(':');
  const corsOrigins = e.ONAIR_CORS_ORIGINS.trim() === '*' ? '*' : e.ONAIR_CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean);
  const tls = e.ONAIR_TURN_TLS_CERT && e.ONAIR_TURN_TLS_KEY ? { certFile: e.ONAIR_TURN_TLS_CERT, keyFile: e.ONAIR_TURN_TLS_KEY } : undefined;
  const turnServer: TurnServerConfig | undefined =
    e.ONAIR_TURN_SERVER === 'embedded'
      ? {
          binary: e.ONAIR_TURNSERVER_PATH,
          secret: e.ONAIR_TURN_SECRET!,
          listenIp: e.ONAIR_TURN_LISTEN_IP,
          externalIp: e.ONAIR_PUBLIC_IP,
          port: e.ONAIR_TURN_PORT,
          tlsPort: e.ONAIR_TURN_TLS_PORT,
          tls,
          relayPorts: e.ONAIR_TURN_RELAY_PORTS,
          peerIps: e.ONAIR_TURN_PEER_IPS,
        }
      : undefined;
  // The embedded server's URIs, unless given: UDP and TCP on one port, TLS when a certificate is set.
  const turnUrls =
    e.ONAIR_TURN_URLS.length > 0 || !turnServer ? e.ONAIR_TURN_URLS : embeddedTurnUrls(e.ONAIR_TURN_HOST ?? e.ONAIR_PUBLIC_IP!, turnServer);
  return {
    http: { host: e.ONAIR_API_HOST, port: e.ONAIR_API_PORT, corsOrigins, trustProxy: e.ONAIR_TRUST_PROXY },
    nodeId: e.ONAIR_NODE_ID ?? e.JANUS_WS_URL,
    databaseUrl: e.DATABASE_URL,
    janus: {
      wsUrl: e.JANUS_WS_URL,
      apiSecret: e.JANUS_API_SECRET,
      adminWsUrl: e.JANUS_ADMIN_WS_URL,
      adminSecret: e.JANUS_ADMIN_SECRET,
      eventLoops: e.JANUS_EVENT_LOOPS,
    },
    ice: {
      enforceInterface: e.ONAIR_ICE_INTERFACE,
      publicIp: e.ONAIR_PUBLIC_IP,
      stunServer: stun ? { host: stun[0], port: Number(stun[1]) } : undefined,
      turn: turnUrls.length > 0 ? { urls: turnUrls, secret: e.ONAIR_TURN_SECRET!, ttlS: e.ONAIR_TURN_TTL_S } : undefined,
      turnServer,
      iceTcp: e.ONAIR_ICE_TCP,
      rtpPortRange: e.ONAIR_RTP_PORT_RANGE,
      ipv6: e.ONAIR_IPV6,
      remoteCandidates: candidatePolicy(e.ONAIR_ICE_DENY_CIDRS, e.ONAIR_ICE_ALLOW_CIDRS),
    },
    media: { keyframeBufferMs: e.ONAIR_KEYFRAME_BUFFER_MS, mediaTimeoutS: e.ONAIR_MEDIA_TIMEOUT_S, viewerProfileWaitMs: e.ONAIR_VIEWER_PROFILE_WAIT_MS },
    rateLimit: { burst: e.ONAIR_RATE_LIMIT_BURST, perSecond: e.ONAIR_RATE_LIMIT_PER_S, authFailuresPerMinute: e.ONAIR_AUTH_FAILURES_PER_MIN },
    gateway: { secret: e.ONAIR_GATEWAY_SECRET },
    limits: {
      streamsPerClient: e.ONAIR_STREAMS_PER_CLIENT,
      streams: e.ONAIR_STREAMS_MAX,
      streamMaxAgeS: e.ONAIR_STREAM_MAX_AGE_S,
      whepSessionsPerClient: e.ONAIR_WHEP_SESSIONS_PER_CLIENT,
      whepSessions: e.ONAIR_WHEP_SESSIONS_MAX,
      eventStreamsPerSession: e.ONAIR_WHEP_EVENT_STREAMS_PER_SESSION,
    },
    quotas: {
      channelsPerAccount: e.ONAIR_MAX_CHANNELS_PER_ACCOUNT,
      keysPerChannel: e.ONAIR_MAX_KEYS_PER_CHANNEL,
      sessionsPerAccount: e.ONAIR_MAX_SESSIONS_PER_ACCOUNT,
      liveBroadcastsPerAccount: e.ONAIR_MAX_LIVE_PER_ACCOUNT,
    },
    signup: e.ONAIR_SIGNUP,
    ffmpegPath: e.ONAIR_FFMPEG_PATH,
    home: e.ONAIR_HOME ?? defaultHome(env),
    // Without ONAIR_SECRET share links last as long as the process (main.ts warns).
    secret: e.ONAIR_SECRET ? { value: e.ONAIR_SECRET, ephemeral: false } : { value: randomBytes(32).toString('hex'), ephemeral: true },
    logLevel: e.ONAIR_LOG_LEVEL,
  };
}

/** The URIs clients get for the embedded TURN server (RFC 7065): UDP and TCP, and TLS with a certificate. */
export function embeddedTurnUrls(host: string, server: Pick<TurnServerConfig, 'port' | 'tlsPort' | 'tls'>): string[] {
  const h = isIP(host) === 6 ? `[${host}]` : host;
  const urls = [`turn:${h}:${server.port}?transport=udp`, `turn:${h}:${server.port}?transport=tcp`];
  if (server.tls) urls.push(`turns:${h}:${server.tlsPort}?transport=tcp`);
  return urls;
}

/** As infra/scripts/lib.sh: /var/lib/onair for root, else the user's data directory. */
function defaultHome(env: Record<string, string | undefined>): string {
  if (process.getuid?.() === 0) return '/var/lib/onair';
  return join(env.XDG_DATA_HOME ?? join(env.HOME ?? '/tmp', '.local/share'), 'onair');
}

/** Nest injection token for the validated OnairConfig. */
export const ONAIR_CONFIG = Symbol('ONAIR_CONFIG');
