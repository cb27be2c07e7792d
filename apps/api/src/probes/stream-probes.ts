import { createSocket, Socket } from 'node:dgram';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { parseRtp, ProbeCodec, VideoProbe, VideoProbeSnapshot } from '@onair/protocol';
import { MEDIA_SERVER, MediaServer } from '../media/media-server';
import { LiveBroadcast } from '../live/live-registry';

interface Probe {
  sessionId: string;
  socket: Socket;
  probe: VideoProbe;
  /** The sender and stream the probe latched on to (the first packet's). */
  source?: { address: string; port: number; ssrc: number };
}

/**
 * onair's own look at each live video: the media server copies the publisher's video to a
 * loopback UDP port, and a VideoProbe reads frame rate, resolution, keyframe interval and
 * the latest keyframe (thumbnails) from it. Best effort: without a probe the studio shows
 * the media server's figures only. Probes belong to one broadcast (session): a late or
 * failing start of an old broadcast never touches a newer one on the same channel.
 */
@Injectable()
export class StreamProbes implements OnApplicationShutdown {
  private readonly log = new Logger('StreamProbes');
  private readonly probes = new Map<string, Probe>();
  /** Broadcasts whose probe is starting, and those of them that ended meanwhile. */
  private readonly starting = new Set<string>();
  private readonly ended = new Set<string>();
  /** Callers waiting for a broadcast's first SPS, by broadcast (session). */
  private readonly profileWaiters = new Map<string, Set<(profileLevelId: string | undefined) => void>>();

  constructor(@Inject(MEDIA_SERVER) private readonly media: MediaServer) {}

  /** Never rejects: a probe that can't start is logged and left out. */
  async start(b: LiveBroadcast): Promise<void> {
    const video = b.tracks.find((t) => t.kind === 'video');
    if (!video || !b.publisher) return;
    const codec: ProbeCodec = video.codec === 'h264' || video.codec === 'vp8' ? video.codec : 'other';
    const entry: Probe = { sessionId: b.sessionId, socket: createSocket('udp4'), probe: new VideoProbe(codec) };
    entry.socket.on('message', (msg, from) => {
      const packet = parseRtp(msg);
      if (!packet) return;
      // Any local user can send to a loopback port, and the latest keyframe becomes the
      // public thumbnail: only the first sender (Janus's forwarder) and its SSRC are believed.
      entry.source ??= { address: from.address, port: from.port, ssrc: packet.ssrc };
      const s = entry.source;
      if (from.address !== s.address || from.port !== s.port || packet.ssrc !== s.ssrc) return;
      entry.probe.feed(packet, performance.now());
      const profile = this.profileWaiters.has(entry.sessionId) ? entry.probe.profileLevelId() : undefined;
      if (profile) this.settleProfileWaiters(entry.sessionId, profile);
    });
    entry.socket.on('error', (err) => this.log.warn(`probe socket of ${b.channel.slug}: ${err.message}`));
    this.starting.add(b.sessionId);
    try {
      await new Promise<void>((resolve, reject) => {
        entry.socket.once('error', reject);
        entry.socket.bind(0, '127.0.0.1', () => resolve());
      });
      if (this.ended.delete(b.sessionId)) throw new Error('the broadcast ended');
      this.release(b.channel.id); // a leftover of an earlier broadcast, if any
      this.probes.set(b.channel.id, entry);
      await this.media.tapVideo(b.publisher, entry.socket.address().port);
    } catch (err) {
      this.log.warn(`no stream probe for ${b.channel.slug}: ${(err as Error).message}`);
      if (this.probes.get(b.channel.id) === entry) this.probes.delete(b.channel.id);
      close(entry.socket);
      this.settleProfileWaiters(b.sessionId, undefined);
    } finally {
      this.starting.delete(b.sessionId);
      this.ended.delete(b.sessionId);
    }
  }

  /** Ends the probe of this broadcast (and only of this one). */
  stop(channelId: string, sessionId: string): void {
    const p = this.probes.get(channelId);
    if (p?.sessionId === sessionId) this.release(channelId);
    else if (this.starting.has(sessionId)) this.ended.add(sessionId);
    this.settleProfileWaiters(sessionId, undefined);
  }

  /**
   * The RFC 6184 profile-level-id of the latest H.264 SPS in this broadcast's video (what the
   * encoder really sends), if its probe has seen one.
   */
  h264ProfileLevelId(channelId: string, sessionId: string): string | undefined {
    const p = this.probes.get(channelId);
    return p?.sessionId === sessionId ? p.probe.profileLevelId() : undefined;
  }

  /**
   * As h264ProfileLevelId(), waiting up to `waitMs` for the first SPS when none was seen yet:
   * resolves as soon as one arrives, with undefined when the time is up, the broadcast ends
   * or its probe can't start. Never rejects. The probe may not exist yet when this is called
   * (it starts once the broadcast is live): the wait is by broadcast, not by probe.
   */
  waitForH264ProfileLevelId(channelId: string, sessionId: string, waitMs: number): Promise<string | undefined> {
    const known = this.h264ProfileLevelId(channelId, sessionId);
    if (known !== undefined || waitMs <= 0) return Promise.resolve(known);
    return new Promise((resolve) => {
      let waiters = this.profileWaiters.get(sessionId);
      if (!waiters) this.profileWaiters.set(sessionId, (waiters = new Set()));
      const done = (profileLevelId: string | undefined) => {
        clearTimeout(timer);
        waiters.delete(done);
        if (waiters.size === 0 && this.profileWaiters.get(sessionId) === waiters) this.profileWaiters.delete(sessionId);
        resolve(profileLevelId);
      };
      const timer = setTimeout(() => done(undefined), waitMs);
      waiters.add(done);
    });
  }

  snapshot(channelId: string): VideoProbeSnapshot | undefined {
    return this.probes.get(channelId)?.probe.snapshot(performance.now());
  }

  /** The channel's latest H.264 keyframe as Annex B, if the probe has one. */
  latestKeyframe(channelId: string): Buffer | undefined {
    return this.probes.get(channelId)?.probe.latestKeyframe();
  }

  onApplicationShutdown(): void {
    for (const id of [...this.probes.keys()]) this.release(id);
    for (const sessionId of [...this.profileWaiters.keys()]) this.settleProfileWaiters(sessionId, undefined);
  }

  private release(channelId: string): void {
    const p = this.probes.get(channelId);
    if (!p) return;
    this.probes.delete(channelId);
    close(p.socket);
    this.settleProfileWaiters(p.sessionId, undefined);
  }

  private settleProfileWaiters(sessionId: string, profileLevelId: string | undefined): void {
    for (const done of [...(this.profileWaiters.get(sessionId) ?? [])]) done(profileLevelId);
  }
}

function close(socket: Socket): void {
  try {
    socket.close();
  } catch {
    /* not bound or already closed */
  }
}
