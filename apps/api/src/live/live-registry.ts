import { Injectable } from '@nestjs/common';
import { Channel } from '../domain/channel';
import type { WatchGrant } from '../domain/watch-grant';
import { LayerChoice, NegotiatedTrack, PublisherRef, ViewerRef } from '../media/media-server';
import { IceState } from '../ice/ice-session';

export interface LiveBroadcast {
  sessionId: string;
  broadcastId: string;
  channel: Channel;
  /** The stream key the publisher authenticated with (revoking it can end the broadcast). */
  streamKeyId: string;
  startedAt: Date;
  publisher?: PublisherRef;
  /** ICE session of the WHIP client (set once the media server has answered). */
  ice?: IceState;
  /** What the publisher sends, as negotiated (simulcast rids included). */
  tracks: NegotiatedTrack[];
  /** Simulcast encodings viewers can switch between, largest first (empty: one layer). */
  layers: string[];
  /** True once the mountpoint is fed and the key confirmed: viewers can attach. */
  playable: boolean;
  /** While it builds its feed after the 201: settles once it is playable or will not be. */
  goingLive?: Promise<void>;
  /** Its key was revoked while it was starting (not yet playable): it must not go live. */
  revokedWhileStarting?: boolean;
  viewers: Set<string>;
  peakViewers: number;
}

export interface LiveViewer {
  sessionId: string;
  channelId: string;
  viewer: ViewerRef;
  ice: IceState;
  /** The simulcast layer the viewer receives, when the stream has layers. */
  layer?: LayerChoice;
  /** m-line index of the video in the player's offer: the WHEP extensions' mediaId. */
  videoMediaId: string;
  /** The share link a private channel's viewer came in with (revoking it ends the viewer). */
  grant?: WatchGrant;
}

/**
 * What is live on this API node right now, in memory. The database holds the durable side
 * (broadcast rows); this holds the media references that only make sense while this
 * process's Janus session lives.
 */
@Injectable()
export class LiveRegistry {
  private readonly broadcastsBySession = new Map<string, LiveBroadcast>();
  private readonly broadcastsByChannel = new Map<string, LiveBroadcast>();
  private readonly viewersBySession = new Map<string, LiveViewer>();

  addBroadcast(b: LiveBroadcast): void {
    this.broadcastsBySession.set(b.sessionId, b);
    this.broadcastsByChannel.set(b.channel.id, b);
  }

  removeBroadcast(sessionId: string): LiveBroadcast | undefined {
    const b = this.broadcastsBySession.get(sessionId);
    if (!b) return undefined;
    this.broadcastsBySession.delete(sessionId);
    if (this.broadcastsByChannel.get(b.channel.id) === b) this.broadcastsByChannel.delete(b.channel.id);
    return b;
  }

  broadcast(sessionId: string): LiveBroadcast | undefined {
    return this.broadcastsBySession.get(sessionId);
  }

  broadcastOnChannel(channelId: string): LiveBroadcast | undefined {
    return this.broadcastsByChannel.get(channelId);
  }

  broadcastOfPublisher(publisherId: string): LiveBroadcast | undefined {
    return [...this.broadcastsBySession.values()].find((b) => b.publisher?.id === publisherId);
  }

  allBroadcasts(): LiveBroadcast[] {
    return [...this.broadcastsBySession.values()];
  }

  addViewer(v: LiveViewer): void {
    this.viewersBySession.set(v.sessionId, v);
    const b = this.broadcastsByChannel.get(v.channelId);
    if (b) {
      b.viewers.add(v.sessionId);
      b.peakViewers = Math.max(b.peakViewers, b.viewers.size);
    }
  }

  removeViewer(sessionId: string): LiveViewer | undefined {
    const v = this.viewersBySession.get(sessionId);
    if (!v) return undefined;
    this.viewersBySession.delete(sessionId);
    this.broadcastsByChannel.get(v.channelId)?.viewers.delete(sessionId);
    return v;
  }

  viewer(sessionId: string): LiveViewer | undefined {
    return this.viewersBySession.get(sessionId);
  }

  allViewers(): LiveViewer[] {
    return [...this.viewersBySession.values()];
  }

  viewerOf(viewerId: string): LiveViewer | undefined {
    return [...this.viewersBySession.values()].find((v) => v.viewer.id === viewerId);
  }
}
