import { answerFragment, offerWithNewIce } from './ice-restart';
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
    // Found by ice-restart.prop.spec.ts: these gave a fragment formatSdpFragment then refused.
    ['a malformed candidate', crlf(['v=0', 'a=ice-ufrag:abcd', 'a=ice-pwd:abcdefghijklmnopqrstuv', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=mid:0', 'a=candidate: 1 udp 0 192.0.2.1 9 typ host']), /line 6 is not a valid candidate/],
    ['a ufrag outside ice-chars', crlf(['v=0', 'a=ice-ufrag:ab:cd', 'a=ice-pwd:abcdefghijklmnopqrstuv', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=mid:0']), /a=ice-ufrag must be made of/],
    ['a pwd outside ice-chars', crlf(['v=0', 'a=ice-ufrag:abcd', 'a=ice-pwd:abc def', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=mid:0']), /a=ice-pwd must be made of/],
    ['a mid that is not a token', crlf(['v=0', 'a=ice-ufrag:abcd', 'a=ice-pwd:abcdefghijklmnopqrstuv', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=mid:a"b']), /a=mid must be an SDP token/],
  ])('refuses an answer with %s', (_name, sdp, message) => {
    expect(() => answerFragment(sdp)).toThrow(SdpError);
    expect(() => answerFragment(sdp)).toThrow(message);
  });
});

