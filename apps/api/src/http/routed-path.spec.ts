import { routedPath, routes } from './routed-path';

describe('routedPath: a path as the router matches it', () => {
  it.each([
    ['/whip', '/whip'],
    ['/WHIP', '/whip'],
    ['/Whep/Demo/', '/whep/demo'],
    ['/whip/', '/whip'],
    ['/%77hip', '/whip'],
    ['/%2577hip', '/whip'],
    ['//whip///sessions', '/whip/sessions'],
    ['/', '/'],
    ['/%zz', '/%zz'],
    ['/api/AUTH/signin', '/api/auth/signin'],
  ])('%s → %s', (path, expected) => {
    expect(routedPath(path)).toBe(expected);
  });

  it('routes() tests a lower-case pattern against any spelling', () => {
    expect(routes(/^\/(whip|whep)(\/|$)/, '/WHEP/x')).toBe(true);
    expect(routes(/^\/(whip|whep)(\/|$)/, '/whipped')).toBe(false);
  });
});
