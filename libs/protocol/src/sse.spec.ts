import { formatServerSentComment, formatServerSentEvent, parseServerSentEvents } from './sse';

describe('formatServerSentEvent', () => {
  it.each([
    [{ data: 'x' }, 'data: x\n\n'],
    [{ event: 'active', data: '{}' }, 'event: active\ndata: {}\n\n'],
    [{ event: 'viewercount', data: '{"viewercount":3}', id: '7' }, 'event: viewercount\nid: 7\ndata: {"viewercount":3}\n\n'],
    [{ data: 'a\nb\r\nc\rd' }, 'data: a\ndata: b\ndata: c\ndata: d\n\n'],
    [{ data: '' }, 'data: \n\n'],
    [{ data: 'x', retry: 2000 }, 'retry: 2000\ndata: x\n\n'],
  ])('%j', (e, wire) => {
    expect(formatServerSentEvent(e)).toBe(wire);
  });

  it.each([
    [{ event: 'a\nb', data: '' }, /event name/],
    [{ event: '', data: '' }, /event name/],
    [{ id: 'a\rb', data: '' }, /event id/],
    [{ id: 'a\0b', data: '' }, /event id/],
    [{ retry: -1, data: '' }, /retry/],
    [{ retry: 1.5, data: '' }, /retry/],
  ])('refuses %j', (e, message) => {
    expect(() => formatServerSentEvent(e)).toThrow(message);
  });

  it('comments are one line', () => {
    expect(formatServerSentComment('keep\nalive')).toBe(':keep alive\n\n');
  });
});

describe('parseServerSentEvents', () => {
  it('reads back what formatServerSentEvent writes, skipping comments', () => {
    const events = [
      { event: 'active', data: '{}' },
      { event: 'layers', data: 'line1\nline2', id: '2' },
      { data: 'plain', retry: 10 },
    ];
    const body = events.map(formatServerSentEvent).join(formatServerSentComment('ping'));
    expect(parseServerSentEvents(body)).toEqual(events);
  });

  it('drops blocks without data', () => {
    expect(parseServerSentEvents('event: x\n\n:comment\n\n')).toEqual([]);
  });
});
