import { createSocket } from 'node:dgram';
import { FakeMediaServer } from '../media/testing/fake-media-server';
import { MediaNotFoundError } from '../media/media-server';
import { LiveBroadcast } from '../live/live-registry';
import { StreamProbes } from './stream-probes';

const broadcast = (sessionId: string): LiveBroadcast => ({
  sessionId,
  broadcastId: `b-${sessionId}`,
  channel: { id: 'c1', ownerId: null, slug: 'demo', title: 'Demo', description: '', visibility: 'public', playbackTokenVersion: 0 },
  streamKeyId: 'k1',
  startedAt: new Date(),
  publisher: { kind: 'publisher', id: `p-${sessionId}` },
  tracks: [{ mid: '1', kind: 'video', codec: 'h264' }],
  layers: [],
  playable: true,
  viewers: new Set(),
  peakViewers: 0,
});

/** One RTP packet (by default an IDR slice, marker) to the probe's port. */
async function sendRtp(port: number, payload = Buffer.from([0x65, 0x88])): Promise<void> {
  const sock = createSocket('udp4');
  const packet = Buffer.concat([Buffer.from([0x80, 0xe0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 9]), payload]);
  await new Promise<void>((resolve) => sock.send(packet, port, '127.0.0.1', () => resolve()));
  sock.close();
}

describe('StreamProbes', () => {
  it('taps the video to a loopback port and reads what arrives', async () => {
    const media = new FakeMediaServer();
    const probes = new StreamProbes(media);
    await probes.start(broadcast('s1'));
    const [[, port]] = media.callsOf('tapVideo') as [unknown, number][];
    await sendRtp(port);
    await new Promise((r) => setTimeout(r, 50));
    expect(probes.snapshot('c1')!.idleMs).toBeLessThan(1000);
    probes.stop('c1', 's1');
    expect(probes.snapshot('c1')).toBeUndefined();
  });

  it('believes only the first sender and its SSRC: another local socket cannot plant a thumbnail', async () => {
    const media = new FakeMediaServer();
    const probes = new StreamProbes(media);
    await probes.start(broadcast('s1'));
    const [[, port]] = media.callsOf('tapVideo') as [unknown, number][];
    // A one-packet keyframe: STAP-A with SPS, PPS and an IDR slice whose last byte marks who sent it.
    const keyframe = (ssrc: number, seq: number, mark: number) => {
      const head = Buffer.from([0x80, 0xe0, 0, seq, 0, 0, 0, seq, 0, 0, 0, 0]);
      head.writeUInt32BE(ssrc, 8);
      return Buffer.concat([head, Buffer.from([0x18, 0, 3, 0x67, 0x42, 0, 0, 2, 0x68, 0xce, 0, 2, 0x65, mark])]);
    };
    const forwarder = createSocket('udp4');
    const intruder = createSocket('udp4');
    const send = (sock: ReturnType<typeof createSocket>, packet: Buffer) => new Promise<void>((resolve) => sock.send(packet, port, '127.0.0.1', () => resolve()));
    const settle = () => new Promise((r) => setTimeout(r, 50));
    await send(forwarder, keyframe(1, 1, 0xaa));
    await settle();
    await send(intruder, keyframe(1, 2, 0xbb)); // same SSRC, other socket
    await send(forwarder, keyframe(2, 3, 0xcc)); // same socket, other SSRC
    await settle();
    expect(probes.latestKeyframe('c1')?.at(-1)).toBe(0xaa);
    await send(forwarder, keyframe(1, 4, 0xdd));
    await settle();
    expect(probes.latestKeyframe('c1')?.at(-1)).toBe(0xdd);
    forwarder.close();
    intruder.close();
    probes.stop('c1', 's1');
  });

  it('a tap the media server refuses leaves no probe and never rejects', async () => {
    const media = new FakeMediaServer();
    media.failNext.set('tapVideo', new MediaNotFoundError('the publisher is gone'));
    const probes = new StreamProbes(media);
    await expect(probes.start(broadcast('s1'))).resolves.toBeUndefined();
    expect(probes.snapshot('c1')).toBeUndefined();
  });

  it('stopping an old broadcast leaves the newer one on the same channel alone', async () => {
    const media = new FakeMediaServer();
    const probes = new StreamProbes(media);
    await probes.start(broadcast('old'));
    await probes.start(broadcast('new'));
    probes.stop('c1', 'old');
    expect(probes.snapshot('c1')).toBeDefined();
    probes.stop('c1', 'new');
    expect(probes.snapshot('c1')).toBeUndefined();
  });

  it('a broadcast that ends while its probe starts gets no probe', async () => {
    const media = new FakeMediaServer();
    const probes = new StreamProbes(media);
    const starting = probes.start(broadcast('s1'));
    probes.stop('c1', 's1');
    await starting;
    expect(probes.snapshot('c1')).toBeUndefined();
    expect(media.callsOf('tapVideo')).toHaveLength(0);
  });

  describe('the H.264 profile of the stream', () => {
    const HIGH_SPS = Buffer.from('6764001facd9405005bb0110000003001000000303c0f1831960', 'hex');
    const port = (media: FakeMediaServer) => (media.callsOf('tapVideo') as [unknown, number][])[0][1];

    it('is read from the SPS that arrives; a waiter gets it the moment it does', async () => {
      const media = new FakeMediaServer();
      const probes = new StreamProbes(media);
      const waiting = probes.waitForH264ProfileLevelId('c1', 's1', 5000); // before the probe exists
      await probes.start(broadcast('s1'));
      expect(probes.h264ProfileLevelId('c1', 's1')).toBeUndefined();
      const t0 = performance.now();
      await sendRtp(port(media), HIGH_SPS);
      expect(await waiting).toBe('64001f');
      expect(performance.now() - t0).toBeLessThan(1000);
      expect(probes.h264ProfileLevelId('c1', 's1')).toBe('64001f');
      expect(probes.h264ProfileLevelId('c1', 'another broadcast')).toBeUndefined();
      expect(await probes.waitForH264ProfileLevelId('c1', 's1', 5000)).toBe('64001f');
      probes.stop('c1', 's1');
    });

    it.each<[string, (probes: StreamProbes, media: FakeMediaServer) => Promise<void> | void]>([
      ['the wait runs out', () => undefined],
      ['the broadcast ends', (probes) => probes.stop('c1', 's1')],
      ['the probe cannot start', async (probes, media) => {
        media.failNext.set('tapVideo', new MediaNotFoundError('the publisher is gone'));
        await probes.start(broadcast('s1'));
      }],
      ['a newer broadcast takes the channel', async (probes) => {
        await probes.start(broadcast('s1'));
        await probes.start(broadcast('s2'));
      }],
    ])('a waiter gets undefined, without waiting longer, when %s', async (_name, act) => {
      const media = new FakeMediaServer();
      const probes = new StreamProbes(media);
      const t0 = performance.now();
      const waiting = probes.waitForH264ProfileLevelId('c1', 's1', 300);
      await act(probes, media);
      expect(await waiting).toBeUndefined();
      expect(performance.now() - t0).toBeLessThan(1000);
      probes.onApplicationShutdown();
    });
  });
});
