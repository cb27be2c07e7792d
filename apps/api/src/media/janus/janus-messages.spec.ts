import { SdpError } from '@onair/protocol';
import { MediaNegotiationError, MediaServerUnavailableError } from '../media-server';
import { readForwarderIds, readMediaReport, readMountpointPorts, readRoomList, readTrackStats, translateError } from './janus-messages';

const answer = (data: Record<string, unknown>) => ({ janus: 'success', plugindata: { plugin: 'janus.plugin.videoroom', data } });

describe('Janus messages, parsed where they arrive', () => {
  it('reads room lists whatever type Janus gives the ids', () => {
    expect(readRoomList(answer({ list: [{ room: 1234, description: 'onair:demo' }, { room: 'c1' }] }))).toEqual([
      { id: '1234', description: 'onair:demo' },
      { id: 'c1', description: undefined },
    ]);
    expect(readRoomList(answer({}))).toEqual([]);
  });

  it('reads forwarder ids and mountpoint ports', () => {
    expect(readForwarderIds(answer({ forwarders: [{ stream_id: 7, port: 5002 }, { stream_id: 8 }] }))).toEqual([7, 8]);
    expect(readMountpointPorts(answer({ stream: { ports: [{ mid: '1', port: 20000, rtcp_port: 20001 }] } }))).toEqual([{ mid: '1', port: 20000, rtcp_port: 20001 }]);
  });

  it('refuses an answer it cannot read, naming the request', () => {
    expect(() => readForwarderIds(answer({ forwarders: [{ stream_id: 'seven' }] }))).toThrow(/Janus answered 'rtp_forward' with a message onair cannot read/);
  });

  it.each<[string, unknown, ReturnType<typeof readMediaReport>]>([
    ['video stops', { type: 'video', mid: '1', substream: 2, receiving: false }, { stream: '1/2', receiving: false }],
    ['audio receives', { type: 'audio', mid: '0', receiving: true }, { stream: '0/0', receiving: true }],
    ['not audio or video', { type: 'data', receiving: false }, undefined],
    ['not a media report', 'nonsense', undefined],
  ])('reads a media report: %s', (_name, data, expected) => {
    expect(readMediaReport(data)).toEqual(expected);
  });

  it('sums a simulcast track\'s layers and RTCP losses from handle_info', () => {
    const info = {
      webrtc: {
        media: {
          '0': { type: 'audio', codecs: { codec: 'opus' }, rtcp: { main: { lost: 3 } }, stats: { in: { packets: 100, bytes_lastsec: 4000, nacks: 0 } } },
          '1': {
            type: 'video',
            codecs: { codec: 'h264' },
            rtcp: { main: { lost: 2 }, 'video-simulcast-1': { lost: -1 } },
            stats: {
              in: {
                packets: 10,
                bytes_lastsec: 1000,
                nacks: 1,
                'video-simulcast-1': { packets: 20, bytes_lastsec: 2000, nacks: 2 },
                'video-simulcast-2': { packets: 30, bytes_lastsec: 3000 },
              },
            },
          },
          '2': { type: 'data' },
        },
      },
    };
    expect(readTrackStats(info)).toEqual([
      { mid: '0', kind: 'audio', codec: 'opus', bitrateKbps: 32, packets: 100, packetsLost: 3, nacks: 0, layers: 1 },
      { mid: '1', kind: 'video', codec: 'h264', bitrateKbps: 48, packets: 60, packetsLost: 2, nacks: 3, layers: 3 },
    ]);
    expect(readTrackStats(undefined)).toEqual([]);
    expect(readTrackStats({ webrtc: { media: { '0': { type: 'audio' } } } })).toEqual([
      { mid: '0', kind: 'audio', codec: '', bitrateKbps: 0, packets: 0, packetsLost: 0, nacks: 0, layers: 1 },
    ]);
  });
});

describe('translateError', () => {
  it('an answer onair cannot read is a negotiation failure (422), not Janus down (503)', () => {
    const err = translateError(new SdpError('body is not an SDP session description (it must start with v=0)'), 'publish');
    expect(err).toBeInstanceOf(MediaNegotiationError);
    expect(err.message).toMatch(/could not be read: body is not an SDP/);
  });

  it('a failure with no Janus error code is Janus unreachable', () => {
    expect(translateError(new Error('connection closed'), 'publish')).toBeInstanceOf(MediaServerUnavailableError);
  });
});
