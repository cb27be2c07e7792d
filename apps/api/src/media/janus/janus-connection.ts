import { Logger } from '@nestjs/common';
import { CandidatePolicy, isCandidateDenied, withoutDeniedCandidates } from '@onair/protocol';
import { OnairConfig } from '../../config/onair-config';
import { MediaHealth, MediaServerUnavailableError } from '../media-server';
import { withTimeout } from './deadline';
import { Janode, JanodeConnection, JanodeSession, StreamingHandle, StreamingPlugin, VideoRoomHandle, VideoRoomPlugin } from './janode';
import { errMsg } from './janus-messages';

/** onair's Janus session and its two control handles (VideoRoom and Streaming requests). */
export interface JanusControlHandles {
  session: JanodeSession;
  rooms: VideoRoomHandle;
  streaming: StreamingHandle;
}

/** What the rest of the adapter hears of the connection's life. */
export interface ConnectionListener {
  /** Connected, before anything is reported: remove what an earlier session left behind. */
  reconcile(control: JanusControlHandles): Promise<void>;
  /** The session is gone (lost, or a connect failed half-way): every handle in it died. */
  dropped(): void;
  connected(): void;
  disconnected(): void;
}

/**
 * The connection to Janus (janode: connection -> session -> handles): connect, keep the
 * session alive, reconnect with backoff after it drops, and the Admin API connection.
 * If the connection drops, Janus destroys the session and every handle in it.
 */
export class JanusConnection {
  private conn?: JanodeConnection;
  private control?: JanusControlHandles;
  private adminConn?: Promise<JanodeConnection>;
  private stopping = false;
  private reconnectTimer?: NodeJS.Timeout;
  private reconnectDelayMs = 250;
  private connecting?: Promise<void>;
  private lastError = 'not connected yet';

  constructor(
    private readonly config: OnairConfig,
    private readonly log: Logger,
    private readonly listener: ConnectionListener,
  ) {}

  get connected(): boolean {
    return this.control !== undefined;
  }

  /** The control handles, if connected (for best-effort cleanup). */
  get controlHandles(): JanusControlHandles | undefined {
    return this.control;
  }

  /** The session id, if connected. */
  get sessionId(): number | undefined {
    return this.control?.session.id;
  }

  requireConnected(): JanusControlHandles {
    if (!this.control) {
      throw new MediaServerUnavailableError(`Janus at ${this.config.janus.wsUrl} is not connected (${this.lastError})`);
    }
    return this.control;
  }

  /** Start-up must not fail because Janus is still starting: keep trying in the background. */
  async start(): Promise<void> {
    await this.connect().catch((err) => {
      this.log.warn(`Janus not reachable at ${this.config.janus.wsUrl} (${errMsg(err)}); retrying`);
      this.scheduleReconnect();
    });
  }

  /** No reconnecting from now on (the peers are being released). */
  beginShutdown(): void {
    this.stopping = true;
    clearTimeout(this.reconnectTimer);
  }

  async close(): Promise<void> {
    await this.control?.session.destroy().catch(() => undefined);
    await this.conn?.close().catch(() => undefined);
    await this.adminConn?.then((c) => c.close()).catch(() => undefined);
    this.dropConnection();
  }

  private connect(): Promise<void> {
    this.connecting ??= this.doConnect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async doConnect(): Promise<void> {
    const conn = await Janode.connect({
      address: { url: this.config.janus.wsUrl, apisecret: this.config.janus.apiSecret },
      retry_time_secs: 1,
      max_retries: 1,
    });
    try {
      // Deadlines: a Janus that accepts the socket but never answers must not leave
      // `connecting` pending for good (no reconnect would ever be scheduled).
      const session = await withTimeout(conn.create(15), 'create session');
      const rooms = await withTimeout(session.attach<VideoRoomHandle>(VideoRoomPlugin), 'attach videoroom');
      const streaming = await withTimeout(session.attach<StreamingHandle>(StreamingPlugin), 'attach streaming');
      const lost = (why: string) => () => this.onConnectionLost(conn, why);
      conn.once(Janode.EVENT.CONNECTION_CLOSED, lost('connection closed'));
      conn.once(Janode.EVENT.CONNECTION_ERROR, lost('connection error'));
      session.once(Janode.EVENT.SESSION_DESTROYED, lost('session destroyed'));
      this.conn = conn;
      this.control = { session, rooms, streaming };
      this.reconnectDelayMs = 250;
      await this.listener.reconcile(this.control);
      this.log.log(`connected to Janus at ${this.config.janus.wsUrl}`);
      this.listener.connected();
    } catch (err) {
      this.dropConnection();
      await conn.close().catch(() => undefined);
      throw err;
    }
  }

  private onConnectionLost(conn: JanodeConnection, why: string): void {
    if (conn !== this.conn || this.stopping) return;
    this.lastError = why;
    this.log.error(`lost Janus (${why}): every publisher and viewer on it is gone`);
    this.dropConnection();
    this.listener.disconnected();
    this.scheduleReconnect();
  }

  private dropConnection(): void {
    this.listener.dropped();
    this.conn = this.control = undefined;
  }

  private scheduleReconnect(): void {
    if (this.stopping || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect().catch((err) => {
        this.lastError = errMsg(err);
        this.reconnectDelayMs = Math.min(this.reconnectDelayMs * 2, 5000);
        this.scheduleReconnect();
      });
    }, this.reconnectDelayMs);
    this.reconnectTimer.unref();
  }

  async health(): Promise<MediaHealth> {
    const conn = this.conn;
    if (!conn || !this.connected) return { ok: false, detail: this.lastError };
    const started = performance.now();
    try {
      await withTimeout(conn.getInfo(), 'info', 2000);
      return { ok: true, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
    } catch (err) {
      return { ok: false, detail: errMsg(err) };
    }
  }

  /** One Admin API connection, opened on first use and reopened after it drops. */
  admin(): Promise<JanodeConnection> {
    this.adminConn ??= Janode.connect({
      is_admin: true,
      address: { url: this.config.janus.adminWsUrl, apisecret: this.config.janus.adminSecret },
      retry_time_secs: 1,
      max_retries: 1,
    }).then(
      (conn) => {
        const reset = () => {
          this.adminConn = undefined;
        };
        conn.once(Janode.EVENT.CONNECTION_CLOSED, reset);
        conn.once(Janode.EVENT.CONNECTION_ERROR, reset);
        return conn;
      },
      (err) => {
        this.adminConn = undefined;
        throw err;
      },
    );
    return this.adminConn;
  }

  /**
   * Drops remote candidates naming addresses Janus must never send connectivity checks to
   * (ONAIR_ICE_DENY_CIDRS): the one place offers pass on their way to Janus (trickled
   * candidates: usableCandidate). The client still connects from a real address: Janus
   * learns it from the client's own checks (peer-reflexive).
   */
  screenCandidates(sdp: string): string {
    const { sdp: screened, dropped } = withoutDeniedCandidates(sdp, this.candidatePolicy);
    if (dropped > 0) this.log.debug(`dropped ${dropped} remote candidate(s) naming a denied address`);
    return screened;
  }

  usableCandidate(candidate: string): boolean {
    return !isCandidateDenied(candidate, this.candidatePolicy);
  }

  private get candidatePolicy(): CandidatePolicy {
    return this.config.ice.remoteCandidates;
  }
}
