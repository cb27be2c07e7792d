import { formatSdpFragment, parseSdpFragment } from '@onair/protocol';
import { DomainError } from '../errors/domain-error';
import { MediaServerUnavailableError, PublisherRef } from '../media/media-server';
import { FakeMediaServer } from '../media/testing/fake-media-server';
import { IceSessionService, IceState, newIceState } from './ice-session';

const OFFER = [
  'v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0',
  'a=ice-ufrag:old1', 'a=ice-pwd:oldpasswordoldpassword',
  'a=fingerprint:sha-256 3F:1A:92:C4:77:0B:5E:D8:21:6C:A9:40:FE:13:88:7D:52:E6:0F:B1:9A:34:C7:2D:81:5B:EE:06:73:A2:4C:19',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'c=IN IP4 0.0.0.0', 'a=mid:0', 'a=sendonly', 'a=rtpmap:111 opus/48000/2', '',
].join('\r\n');
const ANSWER = [
  'v=0', 'o=- 2 2 IN IP4 127.0.0.2', 's=-', 't=0 0', 'a=group:BUNDLE 0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'c=IN IP4 127.0.0.2', 'a=mid:0', 'a=recvonly',
  'a=ice-ufrag:srv2', 'a=ice-pwd:serverpasswordserverpwd', 'a=rtpmap:111 opus/48000/2',
  'a=candidate:1 1 udp 2015363327 127.0.0.2 20108 typ host', 'a=end-of-candidates', '',
].join('\r\n');
const HOST = 'candidate:1 1 udp 2122260223 192.0.2.1 61764 typ host';
const peer: PublisherRef = { kind: 'publisher', id: 'p1' };

const trickle = (candidates: string[], opts: { ufrag?: string; end?: boolean } = {}) =>
  formatSdpFragment({
    iceUfrag: opts.ufrag ?? 'old1',
    icePwd: 'oldpasswordoldpassword',
    media: [{ mid: '0', candidates, endOfCandidates: opts.end ?? false }],
  });
const restart = formatSdpFragment({ iceUfrag: 'new2', icePwd: 'newpasswordnewpassword', media: [] });

describe('IceSessionService.patch', () => {
  let media: FakeMediaServer;
  let service: IceSessionService;
  let ice: IceState;

  beforeEach(() => {
    media = new FakeMediaServer();
    media.answerSdp = ANSWER;
    service = new IceSessionService(media);
    ice = newIceState(OFFER, 'old1');
  });

  it('issues strong, distinct entity-tags', () => {
    expect(ice.etag).toMatch(/^"[A-Za-z0-9_-]{16}"$/);
    expect(newIceState(OFFER, 'x').etag).not.toBe(ice.etag);
  });

  it.each([
    ['the current ETag', 'CURRENT'],
    ['"*"', '"*"'],
  ])('trickles candidates with %s', async (_name, ifMatch) => {
    const result = await service.patch(peer, ice, { ifMatch: ifMatch === 'CURRENT' ? ice.etag : ifMatch, body: trickle([HOST], { end: true }) });
    expect(result).toEqual({ kind: 'trickled' });
    expect(media.callsOf('trickle')).toEqual([[peer, [{ mid: '0', candidate: HOST }], true]]);
  });

  it('asks for If-Match on a trickle without one (428) and sends nothing', async () => {
    const err = await service.patch(peer, ice, { body: trickle([HOST]) }).catch((e) => e);
    expect(err.code).toBe('precondition-required');
    expect(err.message).toContain(ice.etag);
    expect(media.calls).toEqual([]);
  });

  it('drops candidates of an earlier ICE generation silently', async () => {
    await service.patch(peer, ice, { ifMatch: ice.etag, body: trickle([`${HOST} ufrag gone`, `${HOST} ufrag old1`]) });
    expect(media.callsOf('trickle')).toEqual([[peer, [{ mid: '0', candidate: `${HOST} ufrag old1` }], false]]);
  });

  it('a fragment with nothing usable reaches nobody', async () => {
    await service.patch(peer, ice, { ifMatch: ice.etag, body: trickle([`${HOST} ufrag gone`]) });
    expect(media.callsOf('trickle')).toEqual([]);
  });

  it('answers a stale ETag with 412 and sends nothing', async () => {
    const err = await service.patch(peer, ice, { ifMatch: '"stale"', body: trickle([HOST]) }).catch((e) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err.code).toBe('precondition-failed');
    expect(media.calls).toEqual([]);
  });

  it('a weak tag never matches (strong comparison)', async () => {
    const err = await service.patch(peer, ice, { ifMatch: `W/${ice.etag}`, body: trickle([HOST]) }).catch((e) => e);
    expect(err.code).toBe('precondition-failed');
  });

  it('rejects a malformed fragment with 400', async () => {
    const err = await service.patch(peer, ice, { ifMatch: ice.etag, body: 'a=candidate:garbage\r\n' }).catch((e) => e);
    expect(err.code).toBe('bad-request');
  });

  it('restarts ICE with If-Match "*": new offer to the media server, server credentials back, new ETag', async () => {
    const before = ice.etag;
    const result = await service.patch(peer, ice, { ifMatch: '"*"', body: restart });
    expect(result.kind).toBe('restarted');
    if (result.kind !== 'restarted') return;
    expect(result.etag).not.toBe(before);
    expect(ice.etag).toBe(result.etag);
    expect(ice.clientUfrag).toBe('new2');
    const [[, offer]] = media.callsOf('restartIce') as [PublisherRef, string][];
    expect(offer).toContain('a=ice-ufrag:new2');
    expect(offer).not.toContain('old1');
    expect(parseSdpFragment(result.fragment)).toEqual({
      iceUfrag: 'srv2',
      icePwd: 'serverpasswordserverpwd',
      endOfCandidates: undefined,
      media: [{ mid: '0', candidates: ['candidate:1 1 udp 2015363327 127.0.0.2 20108 typ host'], endOfCandidates: true }],
    });
  });

  it('refuses a restart without If-Match (428) and keeps the session', async () => {
    const err = await service.patch(peer, ice, { body: restart }).catch((e) => e);
    expect(err.code).toBe('precondition-required');
    expect(ice.clientUfrag).toBe('old1');
  });

  it('a failed restart keeps the old ICE session and ETag', async () => {
    const before = { ...ice };
    media.failNext.set('restartIce', new MediaServerUnavailableError('down'));
    await expect(service.patch(peer, ice, { ifMatch: '"*"', body: restart })).rejects.toThrow(MediaServerUnavailableError);
    expect(ice.etag).toBe(before.etag);
    expect(ice.offerSdp).toBe(before.offerSdp);
    expect(ice.clientUfrag).toBe('old1');
    // ...and the session still takes trickle for the old generation.
    await expect(service.patch(peer, ice, { ifMatch: before.etag, body: trickle([HOST]) })).resolves.toEqual({ kind: 'trickled' });
  });

  it('runs PATCHes of one session in order: a trickle after a restart needs the new ETag', async () => {
    const old = ice.etag;
    const a = service.patch(peer, ice, { ifMatch: '"*"', body: restart });
    const b = service.patch(peer, ice, { ifMatch: old, body: trickle([HOST], { ufrag: 'new2' }) }).catch((e) => e);
    await a;
    expect((await b).code).toBe('precondition-failed');
  });
});
