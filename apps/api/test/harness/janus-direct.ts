import { OnairConfig } from '../../src/config/onair-config';
import { Janode, JanodeConnection, JanodeSession, StreamingHandle, StreamingPlugin, VideoRoomHandle, VideoRoomPlugin } from '../../src/media/janus/janode';

/**
 * The test's own connection to Janus (API and Admin API), beside onair's: to look at what
 * Janus holds (a mountpoint's settings and ports, handles' remote candidates) and to leave
 * things behind the way a timed-out request or another process would. It goes through
 * janode like the adapter does; nothing of onair's is replaced.
 */
export class JanusDirect {
  private constructor(
    private readonly conn: JanodeConnection,
    private readonly session: JanodeSession,
    private readonly streaming: StreamingHandle,
    private readonly videoroom: VideoRoomHandle,
    private readonly admin: JanodeConnection,
  ) {}

  static async open(config: OnairConfig): Promise<JanusDirect> {
    const conn = await Janode.connect({ address: { url: config.janus.wsUrl, apisecret: config.janus.apiSecret }, retry_time_secs: 1, max_retries: 1 });
    const session = await conn.create(15);
    const streaming = await session.attach<StreamingHandle>(StreamingPlugin);
    const videoroom = await session.attach<VideoRoomHandle>(VideoRoomPlugin);
    const admin = await Janode.connect({ is_admin: true, address: { url: config.janus.adminWsUrl, apisecret: config.janus.adminSecret }, retry_time_secs: 1, max_retries: 1 });
    return new JanusDirect(conn, session, streaming, videoroom, admin);
  }

  /** The Streaming plugin's `info` on a mountpoint (ports included: onair sets no mountpoint secret). */
  async mountpointInfo(id: string): Promise<Record<string, any>> {
    const res = await this.streaming.message({ request: 'info', id });
    return res.plugindata!.data.info;
  }

  /** A mountpoint with onair's tag, as a late `create` would leave one. */
  async leaveMountpoint(id: string): Promise<void> {
    await this.streaming.message({
      request: 'create', type: 'rtp', id, description: 'onair:left-behind', is_private: false, permanent: false,
      media: [{ type: 'audio', mid: '0', port: 0, iface: '127.0.0.1', codec: 'opus', pt: 111 }],
    });
  }

  /** A room with onair's tag, as a late `create` would leave one. */
  async leaveRoom(id: string): Promise<void> {
    await this.videoroom.message({ request: 'create', room: id, description: 'onair:left-behind', is_private: false, permanent: false, publishers: 6, videocodec: 'h264,vp8', audiocodec: 'opus' });
  }

  async destroyMountpoint(id: string): Promise<void> {
    await this.streaming.message({ request: 'destroy', id, permanent: false }).catch(() => undefined);
  }

  /** Every handle's Admin API handle_info, as one JSON text (to look for remote candidates). */
  async allHandleInfo(): Promise<string> {
    const infos: unknown[] = [];
    for (const sessionId of (await this.admin.listSessions()).sessions) {
      for (const handleId of (await this.admin.listHandles(sessionId)).handles) {
        infos.push((await this.admin.handleInfo(sessionId, handleId).catch(() => ({ info: undefined }))).info);
      }
    }
    return JSON.stringify(infos);
  }

  async close(): Promise<void> {
    await this.session.destroy().catch(() => undefined);
    await this.conn.close().catch(() => undefined);
    await this.admin.close().catch(() => undefined);
  }
}
