import { answerFragment, answerOnBehalfOfClient, offerWithNewIce } from './ice-restart';
import { parseSdp, SdpError } from './sdp';
import { parseSdpFragment } from './sdpfrag';
import { CHROMIUM_PUBLISHER_OFFER, crlf, JANUS_ANSWER_VIDEO_REJECTED, OBS_OFFER, toLf, WHIP_ICE_RESTART_FRAGMENT } from './testing/fixtures';

const NEW = { iceUfrag: 'ysXw', icePwd: 'vw5LmwG4y/e6dPP/zAP9Gp5k' };
const HOST = 'candidate:1 1 udp 2122260223 192.0.2.1 61764 typ host';

const lines = (sdp: string) => sdp.split(/\r?\n/).filter(Boolean);
const count = (sdp: string, prefix: string) => lines(sdp).filter((l) => l.startsWith(prefix)).length;

describe('offerWithNewIce', () => {
  it.each([
    ['OBS (credentials at session level, no candidates)', OBS_OFFER],
    ['Chromium (credentials and candidates per section)', CHROMIUM_PUBLISHER_OFFER],
  ])('%s: every credential replaced, old candidates dropped, media untouched', (_name, offer) => {
    const out = offerWithNewIce(offer, { ...NEW, media: [] });
    const before = parseSdp(offer);
    const after = parseSdp(out);
    expect(after.iceUfrag).toBe('ysXw');
    expect(after.icePwd).toBe(NEW.icePwd);
    expect(count(out, 'a=ice-ufrag:')).toBe(count(offer, 'a=ice-ufrag:'));
    expect(lines(out).filter((l) => l.startsWith('a=ice-ufrag:')).every((l) => l === 'a=ice-ufrag:ysXw')).toBe(true);
    expect(count(out, 'a=candidate:')).toBe(0);
    expect(after.media).toStrictEqual(before.media);
    expect(out.endsWith('\r\n')).toBe(true);
    expect(out).not.toMatch(/[^\r]\n/);
  });

  it('puts the fragment candidates in the section with the same mid, then end-of-candidates', () => {
    const out = offerWithNewIce(OBS_OFFER, { ...NEW, media: [{ mid: '1', candidates: [HOST], endOfCandidates: true }] });
    const l = lines(out);
    const video = l.findIndex((x) => x.startsWith('m=video'));
    const cand = l.indexOf(`a=${HOST}`);
    expect(cand).toBeGreaterThan(video);
    expect(l[cand + 1]).toBe('a=end-of-candidates');
    expect(count(out, 'a=end-of-candidates')).toBe(1);
  });

  it('a session-level end-of-candidates closes every section', () => {
    const out = offerWithNewIce(OBS_OFFER, { ...NEW, endOfCandidates: true, media: [] });
    expect(count(out, 'a=end-of-candidates')).toBe(2);
  });

  it('keeps bare-LF line ends when the offer used them', () => {
    const out = offerWithNewIce(toLf(OBS_OFFER), { ...NEW, media: [] });
    expect(out).not.toContain('\r');
    expect(out.endsWith('\n')).toBe(true);
  });

  it('reads a real restart body end to end', () => {
    const out = offerWithNewIce(OBS_OFFER, parseSdpFragment(WHIP_ICE_RESTART_FRAGMENT));
    expect(parseSdp(out).iceUfrag).toBe('ysXw');
  });

  it.each([
    ['no credentials', { media: [] }, /ice-ufrag and a=ice-pwd/],
    ['only a ufrag', { iceUfrag: 'abcd', media: [] }, /ice-ufrag and a=ice-pwd/],
    ['an unknown mid', { ...NEW, media: [{ mid: '7', candidates: [HOST], endOfCandidates: false }] }, /mid "7"/],
  ])('refuses %s', (_name, frag, message) => {
    expect(() => offerWithNewIce(OBS_OFFER, frag)).toThrow(SdpError);
    expect(() => offerWithNewIce(OBS_OFFER, frag)).toThrow(message);
  });
});

describe('answerFragment', () => {
  it('takes the credentials and the first section candidates, closed', () => {
    expect(answerFragment(JANUS_ANSWER_VIDEO_REJECTED)).toStrictEqual({
      iceUfrag: 'jX2q',
      icePwd: 'r5bZ0kqVwT2pH7yXn9mC1a',
      media: [
        {
          mid: '0',
          candidates: [
            'candidate:1 1 udp 2015363327 198.51.100.10 20108 typ host',
            'candidate:2 1 tcp 1015021823 198.51.100.10 9 typ host tcptype active',
            'candidate:3 1 tcp 1010827519 198.51.100.10 42335 typ host tcptype passive',
          ],
          endOfCandidates: true,
        },
      ],
    });
  });

  it.each([
    ['no credentials', crlf(['v=0', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=mid:0']), /no ICE credentials/],
    ['no mid', crlf(['v=0', 'a=ice-ufrag:abcd', 'a=ice-pwd:abcdefghijklmnopqrstuv', 'm=audio 9 UDP/TLS/RTP/SAVPF 111']), /no m= section with a mid/],
  ])('refuses an answer with %s', (_name, sdp, message) => {
    expect(() => answerFragment(sdp)).toThrow(message);
  });
});

describe('answerOnBehalfOfClient', () => {
  const serverOffer = crlf([
    'v=0', 'o=- 42 2 IN IP4 127.0.0.2', 's=Streaming', 't=0 0', 'a=group:BUNDLE 0 1',
    'a=fingerprint:sha-256 AA:BB', 'a=ice-options:trickle',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'c=IN IP4 127.0.0.2', 'a=sendonly', 'a=mid:0', 'a=rtcp-mux',
    'a=ice-ufrag:srvN', 'a=ice-pwd:serverpasswordserverpwd', 'a=setup:actpass',
    'a=rtpmap:111 opus/48000/2', 'a=ssrc:1 cname:janus', 'a=msid:janus janusa0',
    'a=candidate:1 1 udp 2015363327 127.0.0.2 20108 typ host', 'a=end-of-candidates',
    'm=video 9 UDP/TLS/RTP/SAVPF 102', 'c=IN IP4 127.0.0.2', 'a=sendonly', 'a=mid:1',
    'a=ice-ufrag:srvN', 'a=ice-pwd:serverpasswordserverpwd', 'a=setup:actpass', 'a=rtpmap:102 H264/90000',
  ]);
  const clientOffer = offerWithNewIce(CHROMIUM_PUBLISHER_OFFER, { ...NEW, media: [] });

  it('mirrors the server offer with the client credentials, fingerprint and passive role', () => {
    const answer = answerOnBehalfOfClient(serverOffer, clientOffer);
    const l = lines(answer);
    expect(l.filter((x) => x.startsWith('a=ice-ufrag:'))).toEqual(['a=ice-ufrag:ysXw', 'a=ice-ufrag:ysXw']);
    expect(l.filter((x) => x.startsWith('a=fingerprint:'))).toEqual([lines(CHROMIUM_PUBLISHER_OFFER).find((x) => x.startsWith('a=fingerprint:'))]);
    expect(l.filter((x) => x.startsWith('a=setup:'))).toEqual(['a=setup:passive', 'a=setup:passive']);
    expect(l.filter((x) => /^a=(sendonly|recvonly)$/.test(x))).toEqual(['a=recvonly', 'a=recvonly']);
    expect(answer).not.toMatch(/a=(candidate|ssrc|msid:|end-of-candidates|ice-options)/);
    expect(l).toContain('a=rtpmap:102 H264/90000');
    expect(parseSdp(answer).media.map((m) => m.mid)).toEqual(['0', '1']);
  });

  it('refuses a client description without credentials', () => {
    expect(() => answerOnBehalfOfClient(serverOffer, 'v=0\r\n')).toThrow(SdpError);
  });
});
