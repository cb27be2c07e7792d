// Property-based fuzzing of server-sent events (text/event-stream): what onair formats, a
// client parses back; the formatter refuses (TypeError) what would corrupt the stream; the
// parser never throws.
import fc from 'fast-check';
import { formatServerSentComment, formatServerSentEvent, parseServerSentEvents, ServerSentEvent } from './sse';

const oneLine = fc.string({ unit: 'binary', maxLength: 30 }).filter((s) => !/[\r\n]/.test(s));
const event: fc.Arbitrary<ServerSentEvent> = fc.record(
  {
    event: oneLine.filter((s) => s !== ''),
    id: oneLine.filter((s) => !s.includes('\0')),
    retry: fc.maxSafeNat(),
    data: fc.string({ unit: 'binary', maxLength: 60 }),
  },
  { requiredKeys: ['data'] },
);

/** What a client sees: line breaks in data arrive as "\n". */
const received = (e: ServerSentEvent): ServerSentEvent => ({ ...e, data: e.data.replace(/\r\n|\r/g, '\n') });

describe('server-sent events under fuzzing', () => {
  it('parse(format(events)) gives the events back, comments in between ignored', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(event, fc.option(fc.string({ unit: 'binary', maxLength: 20 }), { nil: undefined })), { maxLength: 5 }), (items) => {
        const stream = items.map(([e, comment]) => (comment === undefined ? '' : formatServerSentComment(comment)) + formatServerSentEvent(e)).join('');
        expect(parseServerSentEvents(stream)).toEqual(items.map(([e]) => received(e)));
      }),
      { numRuns: 800 },
    );
  });

  it('format throws only TypeError on arbitrary fields; parse never throws', () => {
    const loose = fc.record(
      { event: fc.string({ unit: 'binary' }), id: fc.string({ unit: 'binary' }), retry: fc.oneof(fc.integer(), fc.double()), data: fc.string({ unit: 'binary' }) },
      { requiredKeys: ['data'] },
    );
    fc.assert(
      fc.property(loose, fc.string({ unit: 'binary', maxLength: 200 }), (e, junk) => {
        try {
          expect(parseServerSentEvents(formatServerSentEvent(e))).toHaveLength(1);
        } catch (err) {
          if (!(err instanceof TypeError)) throw err;
        }
        expect(Array.isArray(parseServerSentEvents(junk))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
