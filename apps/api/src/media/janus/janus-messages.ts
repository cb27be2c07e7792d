/**
 * The shapes of the Janus messages the adapter reads, parsed once where they arrive (a
 * plugin's answer, a handle event, the Admin API's handle_info) into typed values, and
 * Janus's refusals translated into the port's errors. Nothing else in the adapter reads
 * `plugindata` or casts a Janus answer.
 */
import { SdpError } from '@onair/protocol';
import { z } from 'zod';
import { MediaKind, MediaNegotiationError, MediaNotFoundError, MediaServerUnavailableError, TrackStats } from '../media-server';
import { JANUS_ERR, janusErrorCode, JanusMessage } from './janode';

/** Janus gives room and mountpoint ids as numbers or strings (onair's are strings). */
const janusId = z.union([z.string(), z.number()]).transform(String);
/** A counter as Janus reports it: absent or unreadable counts as 0. */
const count = z.unknown().optional().transform((v) => Number(v) || 0);

const RoomList = z.object({ list: z.array(z.object({ room: janusId, description: z.string().optional() })).default([]) });
const MountpointList = z.object({ list: z.array(z.object({ id: janusId, description: z.string().optional() })).default([]) });
const Forwarders = z.object({ forwarders: z.array(z.object({ stream_id: z.number() })).default([]) });
const ForwarderList = z.object({ publishers: z.array(z.object({ forwarders: z.array(z.unknown()).default([]) })).default([]) });
const Participants = z.object({ participants: z.array(z.unknown()).default([]) });

/** One media item of a Streaming `create` answer (note the underscores, unlike `info`). */
const MountpointPorts = z.object({
  mid: z.string(),
  port: z.number().optional(),
  rtcp_port: z.number().optional(),
  port_2: z.number().optional(),
  port_3: z.number().optional(),
});
export type MountpointPorts = z.output<typeof MountpointPorts>;
const MountpointCreated = z.object({ stream: z.object({ ports: z.array(MountpointPorts).default([]) }).default({ ports: [] }) });

function pluginData<S extends z.ZodType>(schema: S, res: JanusMessage | undefined, what: string): z.output<S> {
  const parsed = schema.safeParse(res?.plugindata?.data ?? {});
  if (!parsed.success) throw new Error(`Janus answered '${what}' with a message onair cannot read: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** A VideoRoom or Streaming `list`: each entry's id and description. */
export function readRoomList(res: JanusMessage): { id: string; description?: string }[] {
  return pluginData(RoomList, res, 'list').list.map((r) => ({ id: r.room, description: r.description }));
}

export function readMountpointList(res: JanusMessage): { id: string; description?: string }[] {
  return pluginData(MountpointList, res, 'list').list;
}

/** The forwarder (stream) ids of an `rtp_forward` answer. */
export function readForwarderIds(res: JanusMessage): number[] {
  return pluginData(Forwarders, res, 'rtp_forward').forwarders.map((f) => f.stream_id);
}

/** Forwarders of every publisher of a room (`listforwarders`), together. */
export function readForwarderCount(res: JanusMessage | undefined): number {
  return pluginData(ForwarderList, res, 'listforwarders').publishers.reduce((n, p) => n + p.forwarders.length, 0);
}

export function readParticipantCount(res: JanusMessage | undefined): number {
  return pluginData(Participants, res, 'listparticipants').participants.length;
}

/** The ports of a new mountpoint, per mid (Streaming `create`). */
export function readMountpointPorts(res: JanusMessage): MountpointPorts[] {
  return pluginData(MountpointCreated, res, 'create mountpoint').stream.ports;
}

// Each field on its own: an odd one must not hide the report (it drives the media timeout).
const MediaReport = z.object({
  type: z.string().optional().catch(undefined),
  receiving: z.boolean().optional().catch(undefined),
  mid: janusId.optional().catch(undefined),
  substream: z.number().optional().catch(undefined),
});

/**
 * janode's HANDLE_MEDIA event (Janus's `media` report): whether one incoming stream
 * ("mid/substream") receives. Undefined for anything but audio or video.
 */
export function readMediaReport(data: unknown): { stream: string; receiving: boolean } | undefined {
  const parsed = MediaReport.safeParse(data);
  if (!parsed.success || (parsed.data.type !== 'video' && parsed.data.type !== 'audio')) return undefined;
  const { mid, substream, receiving } = parsed.data;
  return { stream: `${mid ?? ''}/${substream ?? 0}`, receiving: receiving !== false };
}

const Counters = z.object({ packets: count, bytes_lastsec: count, nacks: count });
type Counters = z.output<typeof Counters>;
const lenient = <S extends z.ZodType>(schema: S) => schema.optional().catch(undefined);
const Medium = z.object({
  type: z.string().optional(),
  codecs: lenient(z.object({ codec: z.string().optional() })),
  rtcp: lenient(z.record(z.string(), z.object({ lost: count }).catch({ lost: 0 }))),
  stats: lenient(
    z.object({
      in: lenient(z.object({ ...Counters.shape, 'video-simulcast-1': lenient(Counters), 'video-simulcast-2': lenient(Counters) })),
    }),
  ),
});
const HandleInfo = z.object({ webrtc: lenient(z.object({ media: lenient(z.record(z.string(), Medium.catch({}))) })) });

/**
 * Per-track figures from an Admin API handle_info (`webrtc.media`, keyed by mid): bitrate
 * over the last second, packets, losses from RTCP, NACKs sent, simulcast layers arriving.
 */
export function readTrackStats(info: unknown): TrackStats[] {
  const media = HandleInfo.catch({}).parse(info ?? {}).webrtc?.media ?? {};
  return Object.entries(media)
    .filter(([, m]) => m.type === 'audio' || m.type === 'video')
    .map(([mid, m]) => {
      const inStats = m.stats?.in ?? { packets: 0, bytes_lastsec: 0, nacks: 0 };
      const layers: Counters[] = [inStats, inStats['video-simulcast-1'], inStats['video-simulcast-2']].filter((l): l is Counters => l !== undefined);
      const sum = (k: keyof Counters) => layers.reduce((n, l) => n + l[k], 0);
      return {
        mid,
        kind: m.type as MediaKind,
        codec: m.codecs?.codec ?? '',
        bitrateKbps: Math.round((sum('bytes_lastsec') * 8) / 1000),
        packets: sum('packets'),
        packetsLost: Object.values(m.rtcp ?? {}).reduce((n, r) => n + Math.max(0, r.lost), 0),
        nacks: sum('nacks'),
        layers: layers.length,
      };
    });
}

/** Janus's refusal (or janode's failure) as one of the port's errors; `what` says what failed. */
export function translateError(err: unknown, what: string): Error {
  if (err instanceof MediaNegotiationError || err instanceof MediaNotFoundError || err instanceof MediaServerUnavailableError) {
    return err;
  }
  // Janus answered, but with SDP onair cannot read: a negotiation problem, not Janus down.
  if (err instanceof SdpError) return new MediaNegotiationError(`Janus's answer to ${what} could not be read: ${err.message}`);
  const code = janusErrorCode(err);
  const msg = errMsg(err).replace(/^\d{3} /, '');
  switch (code) {
    case JANUS_ERR.VIDEOROOM_INVALID_SDP:
    case JANUS_ERR.STREAMING_INVALID_SDP:
    case JANUS_ERR.JSEP_INVALID_SDP:
      return new MediaNegotiationError(`Janus could not ${what} with this SDP: ${msg}`);
    case JANUS_ERR.STREAMING_NO_SUCH_MOUNTPOINT:
    case JANUS_ERR.VIDEOROOM_NO_SUCH_ROOM:
      return new MediaNotFoundError(`nothing to ${what}: ${msg}`);
    default:
      if (code === undefined) return new MediaServerUnavailableError(`could not ${what}: ${msg}`);
      return new Error(`Janus refused to ${what} (${code}): ${msg}`);
  }
}

export function errMsg(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
