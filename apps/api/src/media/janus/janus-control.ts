import { Logger } from '@nestjs/common';
import { withTimeout } from './deadline';
import { JANUS_ERR, janusErrorCode, VideoRoomHandle } from './janode';
import { JanusConnection, JanusControlHandles } from './janus-connection';
import { errMsg, readForwarderCount, readMountpointList, readParticipantCount, readRoomList, translateError } from './janus-messages';

/** Rooms and mountpoints onair creates carry this description prefix (see reconcile()). */
export const OWNER_TAG = 'onair:';
/** Codecs a channel room accepts, in Janus's order of preference (the room's order wins). */
export const ROOM_CODECS = { video: ['h264', 'vp8', 'vp9', 'av1', 'h265'], audio: ['opus'] } as const;
/** Host, publisher and guests: room for later multi-host without a new room. */
const ROOM_MAX_PUBLISHERS = 6;

/**
 * Janus housekeeping through the two control handles: the rooms (a channel's stage) and
 * mountpoints (a channel's feed) onair creates, lists and removes.
 */
export class JanusControl {
  constructor(
    private readonly connection: JanusConnection,
    private readonly log: Logger,
  ) {}

  /**
   * After (re)connecting nothing of onair's is live on this node any more (the old session
   * and its handles died with the connection), so rooms and mountpoints onair created
   * earlier are leftovers: remove them, or a new broadcast would collide with them.
   */
  async reconcile(control: JanusControlHandles): Promise<void> {
    const rooms = await this.listOwnedRooms(control);
    for (const room of rooms) await this.destroyRoom(room);
    const mountpoints = await this.listOwnedMountpoints(control);
    for (const id of mountpoints) await this.destroyMountpoint(id);
    if (rooms.length + mountpoints.length > 0) {
      this.log.warn(`removed ${rooms.length} stale room(s) and ${mountpoints.length} stale mountpoint(s)`);
    }
  }

  /**
   * Creates the room unless it exists; true when this call created it. A room whose create
   * answered after the deadline is not released: the next publish finds it (427) and joins
   * it, and closing the publisher removes a room left empty.
   */
  async ensureRoom(rooms: VideoRoomHandle, room: string, name: string): Promise<boolean> {
    try {
      await withTimeout(
        rooms.message({
          request: 'create',
          room,
          description: `${OWNER_TAG}${name}`,
          publishers: ROOM_MAX_PUBLISHERS,
          videocodec: ROOM_CODECS.video.join(','),
          audiocodec: ROOM_CODECS.audio.join(','),
          // Don't ask OBS for keyframes on a timer: it ignores PLI/FIR anyway.
          fir_freq: 0,
          notify_joining: false,
          // Listable, so reconcile() and inventory() see it (only onair's API talks to Janus).
          is_private: false,
          permanent: false,
        }),
        'create room',
      );
      return true;
    } catch (err) {
      if (janusErrorCode(err) === JANUS_ERR.VIDEOROOM_ROOM_EXISTS) return false;
      throw translateError(err, 'create the room');
    }
  }

  async destroyRoom(room: string): Promise<void> {
    await this.deadline(this.connection.controlHandles?.rooms.message({ request: 'destroy', room, permanent: false }), 'destroy room').catch((err) => {
      if (janusErrorCode(err) !== JANUS_ERR.VIDEOROOM_NO_SUCH_ROOM) this.log.warn(`destroy room ${room}: ${errMsg(err)}`);
    });
  }

  async roomIsEmpty(room: string): Promise<boolean> {
    const res = await this.deadline(this.connection.controlHandles?.rooms.message({ request: 'listparticipants', room }), 'listparticipants').catch(() => undefined);
    return readParticipantCount(res) === 0;
  }

  async destroyMountpoint(id: string): Promise<void> {
    await this.deadline(this.connection.controlHandles?.streaming.message({ request: 'destroy', id, permanent: false }), 'destroy mountpoint').catch((err) => {
      if (janusErrorCode(err) !== JANUS_ERR.STREAMING_NO_SUCH_MOUNTPOINT) this.log.warn(`destroy mountpoint ${id}: ${errMsg(err)}`);
    });
  }

  /** Stops forwarders of a publisher (by Janus feed) in a room; each failure is logged. */
  async stopForwarders(room: string, feed: string | number, streamIds: number[]): Promise<void> {
    for (const streamId of streamIds) {
      await this.deadline(this.connection.controlHandles?.rooms.message({ request: 'stop_rtp_forward', room, publisher_id: feed, stream_id: streamId }), 'stop_rtp_forward')
        .catch((err) => this.log.warn(`stop_rtp_forward ${streamId}: ${errMsg(err)}`));
    }
  }

  /**
   * Teardown requests get the usual deadline too: a Janus that keeps the socket open but
   * stops answering must not hang a DELETE or a shutdown. No connection: nothing to do.
   */
  private deadline<T>(request: Promise<T> | undefined, what: string): Promise<T | undefined> {
    return request ? withTimeout(request, what) : Promise.resolve(undefined);
  }

  async countForwarders(control: JanusControlHandles, room: string): Promise<number> {
    return readForwarderCount(await control.rooms.message({ request: 'listforwarders', room }));
  }

  async listOwnedRooms(control: JanusControlHandles): Promise<string[]> {
    const list = readRoomList(await control.rooms.message({ request: 'list' }));
    return list.filter((r) => r.description?.startsWith(OWNER_TAG)).map((r) => r.id);
  }

  async listOwnedMountpoints(control: JanusControlHandles): Promise<string[]> {
    const list = readMountpointList(await control.streaming.message({ request: 'list' }));
    return list.filter((m) => m.description?.startsWith(OWNER_TAG)).map((m) => m.id);
  }
}
