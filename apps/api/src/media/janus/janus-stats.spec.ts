import { reportedSilence } from './janus-stats';

describe('reportedSilence (the media timeout over what Janus reported on)', () => {
  const at = (entries: [string, number | null][]) => new Map(entries);

  it.each<[string, [string, number | null][], number]>([
    ['nothing reported yet', [], 0],
    ['audio still receiving, video silent', [['0/0', null], ['1/0', 1000]], 0],
    ['every reported stream silent: since the latest, plus Janus\'s no-media timer', [['0/0', 1000], ['1/0', 2000]], 4000 - 2000 + 1000],
    // Simulcast: layers 0 and 1 arrived and stopped; layer 2 was offered but never sent, so Janus never reported on it.
    ['a simulcast layer that never arrived does not keep the publisher alive', [['0/0', 3000], ['1/0', 3000], ['1/1', 3000]], 4000 - 3000 + 1000],
    ['one simulcast layer still receiving keeps it', [['1/0', 3000], ['1/1', null]], 0],
  ])('%s', (_name, entries, expected) => {
    expect(reportedSilence(at(entries), 4000)).toBe(expected);
  });
});
