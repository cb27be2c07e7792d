import { Injectable, Logger } from '@nestjs/common';
import { KeyedSets } from '../limits/keyed-sets';

/** A simulcast layer of the live video, as players see it (WHEP layer extension). */
export interface VideoLayer {
  /** The publisher's RTP stream id (rid): OBS sends "0" for full size, "1", "2" smaller. */
  encodingId: string;
  width?: number;
  height?: number;
  bitrate?: number;
}

/**
 * What players and the studio learn about a channel without polling (WHEP events
 * extension names): the stream went live or ended, how many watch it, which layers exist.
 */
export type ChannelEvent =
  | { type: 'active' }
  | { type: 'inactive' }
  | { type: 'viewercount'; viewercount: number }
  | { type: 'layers'; layers: VideoLayer[] };

export type ChannelEventType = ChannelEvent['type'];
export const CHANNEL_EVENT_TYPES: readonly ChannelEventType[] = ['active', 'inactive', 'viewercount', 'layers'];

/**
 * The `layers` event of a stream with these simulcast encodings (rids, largest first): the
 * one way it is built, for the broadcast going live, channel feeds and WHEP event streams.
 * Undefined for a single-layer stream, which has no such event.
 */
export function layersEvent(encodingIds: readonly string[]): ChannelEvent | undefined {
  return encodingIds.length > 0 ? { type: 'layers', layers: encodingIds.map((encodingId) => ({ encodingId })) } : undefined;
}

type Listener = (event: ChannelEvent) => void;

/** In-process fan-out of channel events, keyed by channel id. */
@Injectable()
export class ChannelEvents {
  private readonly log = new Logger('ChannelEvents');
  private readonly listeners = new KeyedSets<string, Listener>();

  publish(channelId: string, event: ChannelEvent): void {
    for (const l of [...this.listeners.get(channelId)]) {
      try {
        l(event);
      } catch (err) {
        this.log.error(`channel event listener failed: ${(err as Error).message}`);
      }
    }
  }

  /** Returns the unsubscribe function; call it when the stream closes. */
  subscribe(channelId: string, listener: Listener): () => void {
    return this.listeners.add(channelId, listener);
  }
}

/**
 * The JSON data of an event as the WHEP events extension defines it; the layer list goes
 * under `layersKey` (the video's mediaId for WHEP, "layers" for onair's channel feed).
 */
export function channelEventData(e: ChannelEvent, layersKey: string): unknown {
  switch (e.type) {
    case 'active':
    case 'inactive':
      return {};
    case 'viewercount':
      return { viewercount: e.viewercount };
    case 'layers':
      return {
        [layersKey]: e.layers.map((l) => ({ rid: l.encodingId, ...(l.width ? { width: l.width, height: l.height } : {}), ...(l.bitrate ? { bitrate: l.bitrate } : {}) })),
      };
  }
}
