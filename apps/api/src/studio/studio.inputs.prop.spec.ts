// Property-based: the slug made from any title is one the channel form accepts.
import fc from 'fast-check';
import { CreateChannelInput, slugFromTitle } from './studio.inputs';

describe('slugFromTitle under fuzzing', () => {
  it('always gives a slug the channel form accepts', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 120 }), fc.string({ unit: 'grapheme', maxLength: 120 })), (title) => {
        const slug = slugFromTitle(title);
        expect(CreateChannelInput.safeParse({ title: 'x', slug }).success).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
