import { Channel } from '../domain/channel';
import { LiveBroadcast, LiveRegistry } from '../live/live-registry';
import { Ffmpeg, FfmpegRun } from './ffmpeg';
import { StreamProbes } from './stream-probes';
import { ThumbnailService } from './thumbnails';

/** onair's Ffmpeg interface, faked: a "JPEG" naming the keyframe it was made from, or a failure. */
class FakeFfmpeg implements Ffmpeg {
  readonly runs: FfmpegRun[] = [];
  failFor = new Set<string>();
  async run(run: FfmpegRun): Promise<Buffer> {
    this.runs.push(run);
    const input = run.input?.toString() ?? '';
    if (this.failFor.has(input)) throw new Error('ffmpeg exited 1: Invalid data found');
    return Buffer.from(`jpeg of ${input}`);
  }
}

const channel = (id: string, visibility: Channel['visibility'] = 'public'): Channel => ({
  id, ownerId: null, slug: id, title: id, description: '', visibility, playbackTokenVersion: 0,
});
const broadcast = (c: Channel, playable = true): LiveBroadcast => ({
  sessionId: `s-${c.id}`, broadcastId: `b-${c.id}`, channel: c, streamKeyId: 'k', startedAt: new Date(),
  playable, tracks: [], layers: [], viewers: new Set(), peakViewers: 0,
});

function setup() {
  const ffmpeg = new FakeFfmpeg();
  const live = new LiveRegistry();
  const probes = { latestKeyframe: (channelId: string) => (channelId === 'no-keyframe' ? undefined : Buffer.from(`keyframe ${channelId}`)) } as unknown as StreamProbes;
  return { ffmpeg, live, thumbnails: new ThumbnailService(ffmpeg, live, probes) };
}

describe('ThumbnailService', () => {
  it('decodes the latest keyframe of each live, public or unlisted, playable channel into a 480-wide JPEG within a time limit', async () => {
    const { ffmpeg, live, thumbnails } = setup();
    for (const b of [broadcast(channel('pub')), broadcast(channel('unl', 'unlisted')), broadcast(channel('priv', 'private')), broadcast(channel('starting'), false), broadcast(channel('no-keyframe'))]) {
      live.addBroadcast(b);
    }
    await thumbnails.refresh();
    expect(ffmpeg.runs.map((r) => r.input?.toString())).toEqual(['keyframe pub', 'keyframe unl']);
    expect(ffmpeg.runs[0].args).toEqual(expect.arrayContaining(['pipe:0', 'scale=480:-2', 'mjpeg', 'pipe:1']));
    expect(ffmpeg.runs[0].timeoutMs).toBeGreaterThan(0);
    expect(thumbnails.get('pub')?.jpeg.toString()).toBe('jpeg of keyframe pub');
    expect(thumbnails.get('priv')).toBeUndefined();
  });

  it('one channel failing to decode does not keep the others from theirs', async () => {
    const { ffmpeg, live, thumbnails } = setup();
    live.addBroadcast(broadcast(channel('bad')));
    live.addBroadcast(broadcast(channel('good')));
    ffmpeg.failFor.add('keyframe bad');
    await thumbnails.refresh();
    expect(thumbnails.get('bad')).toBeUndefined();
    expect(thumbnails.get('good')?.jpeg.toString()).toBe('jpeg of keyframe good');
  });

  it('forgets the still of a channel that is no longer live', async () => {
    const { live, thumbnails } = setup();
    live.addBroadcast(broadcast(channel('pub')));
    await thumbnails.refresh();
    live.removeBroadcast('s-pub');
    await thumbnails.refresh();
    expect(thumbnails.get('pub')).toBeUndefined();
  });
});
