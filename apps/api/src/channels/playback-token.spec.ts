import { checkPlaybackToken, signPlaybackToken } from './playback-token';

const SECRET = 'test-secret-test-secret-test-secret';
const CHANNEL = '7f8e4b7e-3c0e-4a53-9b6a-0a4f1f3c2d10';
const NOW = new Date('2026-11-24T12:00:00Z');
const inOneHour = new Date(NOW.getTime() + 3600_000);

describe('playback tokens', () => {
  const token = signPlaybackToken(SECRET, CHANNEL, inOneHour);

  it.each<[string, string, string, Date, string]>([
    ['a fresh token', token, CHANNEL, NOW, 'valid'],
    ['one second before expiry', token, CHANNEL, new Date(inOneHour.getTime() - 1000), 'valid'],
    ['at expiry', token, CHANNEL, inOneHour, 'expired'],
    ['another channel', token, '00000000-0000-4000-8000-000000000000', NOW, 'invalid'],
    ['a forged expiry', token.replace(/\.(\d+)\./, (_, e) => `.${Number(e) + 3600}.`), CHANNEL, NOW, 'invalid'],
    ['a truncated signature', token.slice(0, -2), CHANNEL, NOW, 'invalid'],
    ['garbage', 'nope', CHANNEL, NOW, 'invalid'],
    ['an empty token', '', CHANNEL, NOW, 'invalid'],
  ])('%s → %s', (_name, t, channelId, now, expected) => {
    expect(checkPlaybackToken(SECRET, t, channelId, now)).toBe(expected);
  });

  it('another secret does not verify', () => {
    expect(checkPlaybackToken('another-secret-another-secret-xx', token, CHANNEL, NOW)).toBe('invalid');
  });
});
