import { checkPlaybackToken, signPlaybackToken } from './playback-token';

const SECRET = 'test-secret-test-secret-test-secret';
const CHANNEL = '7f8e4b7e-3c0e-4a53-9b6a-0a4f1f3c2d10';
const NOW = new Date('2026-11-24T12:00:00Z');
const inOneHour = new Date(NOW.getTime() + 3600_000);

describe('playback tokens', () => {
  const token = signPlaybackToken(SECRET, CHANNEL, 3, inOneHour);

  it.each<[string, string, string, number, Date, string]>([
    ['a fresh token', token, CHANNEL, 3, NOW, 'valid'],
    ['one second before expiry', token, CHANNEL, 3, new Date(inOneHour.getTime() - 1000), 'valid'],
    ['at expiry', token, CHANNEL, 3, inOneHour, 'expired'],
    ['after the channel revoked its links', token, CHANNEL, 4, NOW, 'revoked'],
    ['another channel', token, '00000000-0000-4000-8000-000000000000', 3, NOW, 'invalid'],
    ['a forged expiry', token.replace(/\.(\d+)\.([\w-]+)$/, (_, e, m) => `.${Number(e) + 3600}.${m}`), CHANNEL, 3, NOW, 'invalid'],
    ['a forged version', token.replace(`${CHANNEL}.3.`, `${CHANNEL}.4.`), CHANNEL, 4, NOW, 'invalid'],
    ['a truncated signature', token.slice(0, -2), CHANNEL, 3, NOW, 'invalid'],
    ['garbage', 'nope', CHANNEL, 3, NOW, 'invalid'],
    ['an empty token', '', CHANNEL, 3, NOW, 'invalid'],
  ])('%s → %s', (_name, t, channelId, version, now, expected) => {
    expect(checkPlaybackToken(SECRET, t, channelId, version, now)).toBe(expected);
  });

  it('another secret does not verify', () => {
    expect(checkPlaybackToken('another-secret-another-secret-xx', token, CHANNEL, 3, NOW)).toBe('invalid');
  });
});
