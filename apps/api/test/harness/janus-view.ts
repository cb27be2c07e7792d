import { Janode, JANUS_ERR, janusErrorCode, JanodeConnection, JanodeSession, StreamingHandle, StreamingPlugin, VideoRoomHandle, VideoRoomPlugin } from '../../src/media/janus/janode';

/** Janus as seen from outside onair: its own session, plus the Admin API. */
export class JanusView {
  private constructor(
    private readonly conn: JanodeConnection,
    private readonly admin: JanodeConnection,
    readonly session: JanodeSession,
    readonly rooms: VideoRoomHandle,
    readonly streaming: StreamingHandle,
  ) {}

  static async open(cfg: { janus: { wsUrl: string; apiSecret?: string; adminWsUrl: string; adminSecret?: string } }): Promise<JanusView> {
    Janode.Logger.setLevel('none'); // "transaction not found" noise under load
    const conn = await Janode.connect({ address: { url: cfg.janus.wsUrl, apisecret: cfg.janus.apiSecret } });
    const admin = await Janode.connect({ is_admin: true, address: { url: cfg.janus.adminWsUrl, apisecret: cfg.janus.adminSecret } });
    const session = await conn.create(15);
    return new JanusView(conn, admin, session, await session.attach<VideoRoomHandle>(VideoRoomPlugin), await session.attach<StreamingHandle>(StreamingPlugin));
  }

  async roomList(): Promise<{ room: string; description: string }[]> {
    const res = await this.rooms.message({ request: 'list' });
    return (res.plugindata?.data?.list ?? []).map((r: { room: unknown; description?: string }) => ({ room: String(r.room), description: r.description ?? '' }));
  }

  async mountpointList(): Promise<{ id: string; description: string }[]> {
    const res = await this.streaming.message({ request: 'list' });
    return (res.plugindata?.data?.list ?? []).map((m: { id: unknown; description?: string }) => ({ id: String(m.id), description: m.description ?? '' }));
  }

  async forwarders(room: string): Promise<number> {
    // A room that no longer exists holds no forwarders; any other failure is the test's to see.
    const res = await this.rooms.message({ request: 'listforwarders', room }).catch((err: unknown) => {
      if (janusErrorCode(err) === JANUS_ERR.VIDEOROOM_NO_SUCH_ROOM) return undefined;
      throw err;
    });
    const publishers = (res?.plugindata?.data?.publishers ?? []) as { forwarders?: unknown[] }[];
    return publishers.reduce((n, p) => n + (p.forwarders?.length ?? 0), 0);
  }

  /** Streaming viewers Janus counts on a mountpoint (`info`). */
  async mountpointViewers(id: string): Promise<number> {
    // A mountpoint that no longer exists has no viewers; any other failure is the test's to see.
    const res = await this.streaming.message({ request: 'info', id }).catch((err: unknown) => {
      if (janusErrorCode(err) === JANUS_ERR.STREAMING_NO_SUCH_MOUNTPOINT) return undefined;
      throw err;
    });
    return Number(res?.plugindata?.data?.info?.viewers ?? 0);
  }

  /** Sessions other than this view's own, with how many handles each holds. */
  async otherSessions(): Promise<{ id: number; handles: number }[]> {
    const { sessions } = await this.admin.listSessions();
    const out: { id: number; handles: number }[] = [];
    for (const id of sessions.filter((s) => s !== this.session.id)) {
      out.push({ id, handles: (await this.admin.listHandles(id).catch(() => ({ handles: [] }))).handles.length });
    }
    return out;
  }

  async close(): Promise<void> {
    await this.session.destroy().catch(() => undefined);
    await this.conn.close().catch(() => undefined);
    await this.admin.close().catch(() => undefined);
  }
}
