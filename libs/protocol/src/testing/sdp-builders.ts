// SDP built line by line for the table tests of sdp*.ts: a small valid session plus the
// sections a case needs.
import { crlf } from './fixtures';

export const SESSION = [
  'v=0',
  'o=- 1 1 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=ice-ufrag:abcd',
  'a=ice-pwd:abcdefghijklmnopqrstuv',
  'a=fingerprint:sha-256 AB:CD:EF',
];

/** A small valid SDP: SESSION plus the given lines. */
export function sdp(...lines: string[]): string {
  return crlf([...SESSION, ...lines]);
}

/** A description with SESSION minus the lines that start with `drop`. */
export function sdpWithout(drop: string, ...lines: string[]): string {
  return crlf([...SESSION.filter((l) => !l.startsWith(drop)), ...lines]);
}

export const OPUS = ['a=rtpmap:111 opus/48000/2', 'a=fmtp:111 minptime=10;useinbandfec=1'];
export const H264 = ['a=rtpmap:96 H264/90000', 'a=fmtp:96 profile-level-id=42e01f;packetization-mode=1'];

export function audio(mid: string, direction: string, ...extra: string[]): string[] {
  return ['m=audio 9 UDP/TLS/RTP/SAVPF 111', `a=mid:${mid}`, `a=${direction}`, ...OPUS, ...extra];
}

export function video(mid: string, direction: string, ...extra: string[]): string[] {
  return ['m=video 9 UDP/TLS/RTP/SAVPF 96', `a=mid:${mid}`, `a=${direction}`, ...H264, ...extra];
}

export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to throw');
}
