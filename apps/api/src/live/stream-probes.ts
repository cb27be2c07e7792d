import { createSocket, Socket } from 'node:dgram';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { parseRtp, ProbeCodec, VideoProbe, VideoProbeSnapshot } from '@onair/protocol';
import { MEDIA_SERVER, MediaServer } from '../media/media-server';
import { LiveBroadcast } from './live-registry';

interface Probe {
  sessionId: string;
  socket: Socket;
  probe: VideoProbe;
}

/**
 * onair's own look at each live video: the media server copies the publisher's video to a
 * loopback UDP port, and a VideoProbe reads frame rate, resolution, keyframe interval and
 * the latest keyframe (thumbnails) from it. Best effort: without a probe the studio shows
 * the media server's figures only.
 */
@Injectable()
export class StreamProbes implements OnApplicationShutdown {
  private readonly log = new Logger('StreamProbes');
  private readonly probes = new Map<string, Probe>();

  constructor(@Inject(MEDIA_SERVER) private readonly media: MediaServer) {}

  async start(b: LiveBroadcast): Promise<void> {
    const video = b.tracks.find((t) => t.kind === 'video');
    if (!video || !b.publisher) return;
    const codec: ProbeCodec = video.codec === 'h264' || video.codec === 'vp8' ? video.codec : 'other';
    const socket = createSocket('udp4');
    const probe = new VideoProbe(codec);
    socket.on('message', (msg) => {
      const packet = parseRtp(msg);
      if (packet) probe.feed(packet, performance.now());
    });
    socket.on('error', (err) => this.log.warn(`probe socket of ${b.channel.slug}: ${err.message}`));
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(0, '127.0.0.1', () => resolve());
      });
      this.stop(b.channel.id);
      this.probes.set(b.channel.id, { sessionId: b.sessionId, socket, probe });
      await this.media.tapVideo(b.publisher, socket.address().port);
    } catch (err) {
      this.log.warn(`no stream probe for ${b.channel.slug}: ${(err as Error).message}`);
      this.stop(b.channel.id);
      socket.close();
    }
  }

  stop(channelId: string): void {
    const p = this.probes.get(channelId);
    if (!p) return;
    this.probes.delete(channelId);
    try {
      p.socket.close();
    } catch {
      /* already closed */
    }
  }

  snapshot(channelId: string): VideoProbeSnapshot | undefined {
    return this.probes.get(channelId)?.probe.snapshot(performance.now());
  }

  /** The channel's latest H.264 keyframe as Annex B, if the probe has one. */
  latestKeyframe(channelId: string): Buffer | undefined {
    return this.probes.get(channelId)?.probe.latestKeyframe();
  }

  onApplicationShutdown(): void {
    for (const id of [...this.probes.keys()]) this.stop(id);
  }
}
