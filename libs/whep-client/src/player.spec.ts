import { channelWhepEndpoint } from './player';

describe('channelWhepEndpoint', () => {
  it('joins the API base and the channel, tolerating trailing slashes', () => {
    expect(channelWhepEndpoint('http://127.0.0.1:8080', 'demo')).toBe('http://127.0.0.1:8080/whep/demo');
    expect(channelWhepEndpoint('https://live.example.com/api/', 'my-show')).toBe('https://live.example.com/api/whep/my-show');
  });

  it('encodes the channel name', () => {
    expect(channelWhepEndpoint('http://h', 'a b/c')).toBe('http://h/whep/a%20b%2Fc');
  });
});
