/**
 * The studio API against real Postgres (and a real Janus for the rules that involve a live
 * broadcast): accounts and sessions, the ownership matrix of every studio endpoint, input
 * validation messages, stream keys (hashed, rotated, revoked), private channels' playback
 * tokens and past broadcasts. Test ids: A = accounts, M = matrix, C = channels, K = keys,
 * T = playback tokens, B = broadcasts.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { OBS_OFFER, CHROMIUM_PLAYER_OFFER } from '@onair/protocol/testing';
import { signPlaybackToken } from '../src/channels/playback-token';
import { PrismaService } from '../src/database/prisma.service';
import { readEvents } from './harness/events';
import { REPO_ROOT } from './harness/janus-process';
import { withIceCredentials, withoutCandidates } from './harness/sdp';
import { TestStack } from './harness/stack';
import { StudioClient } from './harness/studio-client';

// Alice's channels stay live from one test to the next: a roomy live quota (its own test below).
const stack = new TestStack(18680, 18788, { ONAIR_RATE_LIMIT_BURST: '10000', ONAIR_RATE_LIMIT_PER_S: '1000', ONAIR_MAX_LIVE_PER_ACCOUNT: '10', ONAIR_VIEWER_PROFILE_WAIT_MS: '0' });
const api = (path: string) => `${stack.apiUrl}${path}`;
let seq = 0;
const fresh = (sdp: string) => {
  seq += 1;
  return withIceCredentials(withoutCandidates(sdp), `st${seq}`, `studiopassword${String(seq).padStart(10, '0')}`);
};
const publish = (key: string) =>
  fetch(api('/whip'), { method: 'POST', headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${key}` }, body: fresh(OBS_OFFER) });
const watch = (slug: string, token?: string) =>
  fetch(api(`/whep/${slug}${token ? `?token=${encodeURIComponent(token)}` : ''}`), { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: fresh(CHROMIUM_PLAYER_OFFER) });

let admin: StudioClient;
let alice: StudioClient;
let bob: StudioClient;
const anonymous = () => new StudioClient(stack.apiUrl);

beforeAll(async () => {
  await stack.start();
  // Spec files run one at a time on one database: start from no accounts, so the
  // first-account rule is observable.
  await stack.app!.get(PrismaService).user.deleteMany();
  admin = new StudioClient(stack.apiUrl);
  alice = new StudioClient(stack.apiUrl);
  bob = new StudioClient(stack.apiUrl);
});

afterAll(async () => {
  await stack.stop();
});

let setupToken: string;
/** What `npm run up` runs: the CLI mints the one-time setup token while no account exists. */
const setupLink = async () => {
  // Not execFileSync: the API under test runs in this process and must keep answering.
  const { stdout } = await promisify(execFile)('node', ['apps/api/dist/cli/main.js', 'setup-link', '--base', 'http://onair.test:3000'], { cwd: REPO_ROOT, env: process.env, timeout: 30_000 });
  return JSON.parse(stdout);
};

describe('accounts', () => {
  it('A00 a fresh onair refuses a first sign-up without the setup link that npm run up prints; the link serves once', async () => {
    const stranger = await anonymous().signUp('stranger@onair.test');
    expect(stranger.status).toBe(403);
    expect(stranger.body.detail).toMatch(/no account yet: the first one \(its admin\) needs the one-time setup link that `npm run up` printed.*setup-link/);
    const first = await setupLink();
    const second = await setupLink(); // a new link replaces the earlier one
    expect(second).toMatchObject({ needed: true, token: expect.stringMatching(/^[\w-]{32}$/), link: `http://onair.test:3000/signup?setup=${second.token}` });
    const stale = await anonymous().signUp('stranger@onair.test', 'a long enough password', first.token);
    expect(stale.status).toBe(403);
    expect(stale.body.detail).toMatch(/setup link is not valid/);
    // Stored hashed only.
    const rows = await stack.app!.get(PrismaService).setupToken.findMany();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(second.token);
    setupToken = second.token;
  });

  it('A01 the first account is the admin, the next ones streamers; the session cookie is httpOnly and SameSite', async () => {
    const first = await admin.signUp('Admin@Onair.Test', 'a long enough password', setupToken);
    expect(first.status).toBe(201);
    // The link is used up: no token left, the CLI mints no more, reusing it changes nothing.
    expect(await stack.app!.get(PrismaService).setupToken.count()).toBe(0);
    expect(await setupLink()).toEqual({ needed: false, token: null, link: null });
    expect(first.body.user).toMatchObject({ email: 'admin@onair.test', role: 'admin' });
    expect(first.setCookie).toMatch(/^onair_session=[\w-]{43};/);
    expect(first.setCookie).toMatch(/HttpOnly/);
    expect(first.setCookie).toMatch(/SameSite=Lax/);
    expect(first.setCookie).toMatch(/Path=\//);
    expect((await alice.signUp('alice@onair.test')).body.user.role).toBe('streamer');
    expect((await bob.signUp('bob@onair.test')).body.user.role).toBe('streamer');
    expect((await alice.req('GET', '/auth/me')).body.user.email).toBe('alice@onair.test');
  });

  it('A02 passwords are stored as scrypt hashes, sessions as SHA-256 of the cookie', async () => {
    const prisma = stack.app!.get(PrismaService);
    const row = await prisma.user.findUniqueOrThrow({ where: { email: 'alice@onair.test' } });
    expect(row.passwordHash).toMatch(/^scrypt\$15\$8\$1\$/);
    expect(row.passwordHash).not.toContain('a long enough password');
    const token = alice.cookie.split('=')[1];
    const session = await prisma.userSession.findUnique({ where: { tokenHash: createHash('sha256').update(token).digest('hex') } });
    expect(session?.userId).toBe(row.id);
  });

  it.each<[string, unknown, number, RegExp]>([
    ['a malformed email', { email: 'not-an-email', password: 'a long enough password' }, 400, /email must look like name@example.org/],
    ['a short password', { email: 'c@onair.test', password: 'short' }, 400, /password must be at least 10 characters/],
    ['no password', { email: 'c@onair.test' }, 400, /password is required/],
    ['a taken email', { email: 'ALICE@onair.test', password: 'a long enough password' }, 409, /already exists: sign in instead/],
    ['an unknown field', { email: 'c@onair.test', password: 'a long enough password', role: 'admin' }, 201, /./],
  ])('A03 sign-up with %s → %i', async (_name, body, status, detail) => {
    const res = await anonymous().req('POST', '/auth/signup', body);
    expect(res.status).toBe(status);
    if (status === 201) expect(res.body.user.role).toBe('streamer');
    else expect(res.body.detail).toMatch(detail);
  });

  it('A04 sign-up and sign-in need JSON and the studio header', async () => {
    const noHeader = await anonymous().req('POST', '/auth/signup', { email: 'd@onair.test', password: 'a long enough password' }, { csrf: false });
    expect(noHeader.status).toBe(403);
    expect(noHeader.body.detail).toMatch(/x-onair-studio: 1/);
    const form = await fetch(api('/auth/signin'), { method: 'POST', headers: { 'X-Onair-Studio': '1', 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'email=a&password=b' });
    expect(form.status).toBe(415);
  });

  it('A05 a wrong password and an unknown email get the same 401; sign-in then sign-out ends the session', async () => {
    const wrong = await anonymous().req('POST', '/auth/signin', { email: 'alice@onair.test', password: 'not her password' });
    const unknown = await anonymous().req('POST', '/auth/signin', { email: 'nobody@onair.test', password: 'not her password' });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.body.detail).toBe(unknown.body.detail);
    const again = new StudioClient(stack.apiUrl);
    expect((await again.req('POST', '/auth/signin', { email: 'alice@onair.test', password: 'a long enough password' })).status).toBe(200);
    const cookie = again.cookie;
    expect((await again.req('POST', '/auth/signout')).status).toBe(204);
    const reused = await fetch(api('/auth/me'), { headers: { Cookie: cookie } });
    expect(reused.status).toBe(401);
  });
});

describe('password change', () => {
  it('A07 needs the current password, ends the other sessions and keeps this one', async () => {
    const elsewhere = new StudioClient(stack.apiUrl);
    expect((await elsewhere.req('POST', '/auth/signin', { email: 'bob@onair.test', password: 'a long enough password' })).status).toBe(200);
    const wrong = await bob.req('POST', '/auth/password', { currentPassword: 'not the password', newPassword: 'another long password' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.detail).toMatch(/current password is not right/);
    expect((await bob.req('POST', '/auth/password', { currentPassword: 'a long enough password', newPassword: 'short' })).body.detail).toMatch(/newPassword: password must be at least 10/);
    expect((await bob.req('POST', '/auth/password', { currentPassword: 'a long enough password', newPassword: 'another long password' })).status).toBe(204);
    expect((await bob.req('GET', '/auth/me')).status).toBe(200);
    expect((await elsewhere.req('GET', '/auth/me')).status).toBe(401);
    expect((await anonymous().req('POST', '/auth/signin', { email: 'bob@onair.test', password: 'a long enough password' })).status).toBe(401);
    const again = new StudioClient(stack.apiUrl);
    expect((await again.req('POST', '/auth/signin', { email: 'bob@onair.test', password: 'another long password' })).status).toBe(200);
  });
});

describe('ownership matrix', () => {
  let channelId: string;
  let keyId: string;
  beforeAll(async () => {
    const created = await alice.req('POST', '/studio/channels', { title: 'Alice Live' });
    expect(created.status).toBe(201);
    channelId = created.body.channel.id;
    keyId = created.body.streamKey.id;
  });

  // Every studio endpoint; `ok` is the owner's (and admin's) success status.
  const endpoints: [string, string, (id: string, key: string) => string, unknown, number][] = [
    ['list channels', 'GET', () => '/studio/channels', undefined, 200],
    ['read a channel', 'GET', (id) => `/studio/channels/${id}`, undefined, 200],
    ['rename a channel', 'PATCH', (id) => `/studio/channels/${id}`, { title: 'Alice Live!' }, 200],
    ['list keys', 'GET', (id) => `/studio/channels/${id}/keys`, undefined, 200],
    ['mint a key', 'POST', (id) => `/studio/channels/${id}/keys`, { label: 'Laptop' }, 201],
    ['past broadcasts', 'GET', (id) => `/studio/channels/${id}/broadcasts`, undefined, 200],
    ['make a share link', 'POST', (id) => `/studio/channels/${id}/share-links`, { expiresInS: 3600 }, 201],
    ['rotate a key', 'POST', (id, key) => `/studio/channels/${id}/keys/${key}/rotate`, {}, 201],
  ];

  it.each(endpoints)('M01 %s: anonymous 401, another streamer 404, the owner and the admin succeed', async (_name, method, path, body, ok) => {
    const url = path(channelId, keyId);
    const anon = await anonymous().req(method, url, body);
    expect(anon.status).toBe(401);
    expect(anon.body.detail).toMatch(/sign in/);
    if (url !== '/studio/channels') {
      const other = await bob.req(method, url, body);
      expect(other.status).toBe(404);
      expect(other.body.detail).toMatch(/no channel with id .* in your studio/);
    }
    const owner = await alice.req(method, url, body);
    expect(owner.status).toBe(ok);
    if (url.endsWith('/rotate')) keyId = owner.body.streamKey.id; // the old key is gone now
    const byAdmin = await admin.req(method, path(channelId, keyId), body);
    expect(byAdmin.status).toBe(ok);
    if (url.endsWith('/rotate')) keyId = byAdmin.body.streamKey.id;
  });

  it('M02 lists show each streamer their own channels and the admin all of them', async () => {
    await bob.req('POST', '/studio/channels', { title: 'Bob Plays' });
    const titles = async (c: StudioClient) => ((await c.req('GET', '/studio/channels')).body.channels as { title: string }[]).map((x) => x.title);
    expect(await titles(alice)).toEqual(['Alice Live!']);
    expect(await titles(bob)).toEqual(['Bob Plays']);
    expect(await titles(admin)).toEqual(expect.arrayContaining(['Alice Live!', 'Bob Plays']));
  });

  it('M03 another streamer can neither revoke a key nor delete the channel; the studio header is required', async () => {
    expect((await bob.req('DELETE', `/studio/channels/${channelId}/keys/${keyId}`)).status).toBe(404);
    expect((await bob.req('DELETE', `/studio/channels/${channelId}`)).status).toBe(404);
    expect((await anonymous().req('DELETE', `/studio/channels/${channelId}`)).status).toBe(401);
    const noCsrf = await alice.req('PATCH', `/studio/channels/${channelId}`, { title: 'x' }, { csrf: false });
    expect(noCsrf.status).toBe(403);
    expect((await alice.req('GET', `/studio/channels/${channelId}`)).body.title).toBe('Alice Live!');
  });
});

describe('roles', () => {
  it('M04 only the admin lists accounts; a streamer gets 403 with a reason', async () => {
    const byAdmin = await admin.req('GET', '/auth/users');
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.users.map((u: { email: string }) => u.email)).toEqual(expect.arrayContaining(['admin@onair.test', 'alice@onair.test', 'bob@onair.test']));
    expect(byAdmin.body.users.find((u: { email: string }) => u.email === 'alice@onair.test').channels).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(byAdmin.body)).not.toMatch(/scrypt|passwordHash/);
    const byStreamer = await alice.req('GET', '/auth/users');
    expect(byStreamer.status).toBe(403);
    expect(byStreamer.body.detail).toMatch(/only an admin/);
    expect((await anonymous().req('GET', '/auth/users')).status).toBe(401);
    // ...and only the admin makes accounts for others.
    const made = await admin.req('POST', '/auth/users', { email: 'dave@onair.test', password: 'a long enough password' });
    expect(made.status).toBe(201);
    expect(made.body.user).toMatchObject({ email: 'dave@onair.test', role: 'streamer' });
    expect(made.setCookie).toBeNull(); // the admin stays signed in as the admin
    expect((await alice.req('POST', '/auth/users', { email: 'eve@onair.test', password: 'a long enough password' })).status).toBe(403);
    expect((await admin.req('POST', '/auth/users', { email: 'dave@onair.test', password: 'a long enough password' })).status).toBe(409);
  });
});

describe('sessions and their event streams', () => {
  it('A08 sign-out closes the studio live streams opened with that session; a password change those of the other sessions', async () => {
    const erin = anonymous();
    expect((await erin.signUp('erin@onair.test')).status).toBe(201);
    const { body } = await erin.req('POST', '/studio/channels', { title: 'Erin Live' });
    const liveUrl = api(`/studio/channels/${body.channel.id}/live`);
    const signedOut = await readEvents(liveUrl, () => false, 5000, async () => {
      expect((await erin.req('POST', '/auth/signout')).status).toBe(204);
    }, { Cookie: erin.cookie });
    expect(signedOut.status).toBe(200);
    expect(signedOut.events.map((e) => e.event)).toContain('state');
    expect(signedOut.ended).toBe(true);

    const laptop = anonymous();
    const phone = anonymous();
    for (const c of [laptop, phone]) expect((await c.req('POST', '/auth/signin', { email: 'erin@onair.test', password: 'a long enough password' })).status).toBe(200);
    let phoneOpen!: () => void;
    const phoneOpened = new Promise<void>((r) => (phoneOpen = r));
    const phoneStream = readEvents(liveUrl, () => false, 5000, () => phoneOpen(), { Cookie: phone.cookie });
    await phoneOpened;
    const laptopStream = await readEvents(liveUrl, () => false, 2500, async () => {
      expect((await laptop.req('POST', '/auth/password', { currentPassword: 'a long enough password', newPassword: 'erin has a new one' })).status).toBe(204);
    }, { Cookie: laptop.cookie });
    expect((await phoneStream).ended).toBe(true); // the phone's session ended with the change
    expect(laptopStream.ended).toBe(false); // the laptop's own stream runs on (read until the timeout)
  });

  it('A09 past ONAIR_MAX_SESSIONS_PER_ACCOUNT (10) signed-in browsers, the oldest session ends', async () => {
    const first = anonymous();
    expect((await first.signUp('gus@onair.test')).status).toBe(201);
    for (let i = 0; i < 9; i++) expect((await anonymous().req('POST', '/auth/signin', { email: 'gus@onair.test', password: 'a long enough password' })).status).toBe(200);
    expect((await first.req('GET', '/auth/me')).status).toBe(200);
    expect((await anonymous().req('POST', '/auth/signin', { email: 'gus@onair.test', password: 'a long enough password' })).status).toBe(200);
    expect((await first.req('GET', '/auth/me')).status).toBe(401);
  });
});

describe('quotas', () => {
  it('Q01 a channel takes 10 active keys (rotation still works); a streamer owns 20 channels; the messages name the setting', async () => {
    const fay = anonymous();
    expect((await fay.signUp('fay@onair.test')).status).toBe(201);
    const { body } = await fay.req('POST', '/studio/channels', { title: 'Fay 1' });
    for (let i = 0; i < 9; i++) expect((await fay.req('POST', `/studio/channels/${body.channel.id}/keys`, { label: `k${i}` })).status).toBe(201);
    const full = await fay.req('POST', `/studio/channels/${body.channel.id}/keys`);
    expect(full.status).toBe(403);
    expect(full.body.detail).toMatch(/has 10 active stream keys, the most a channel may have.*ONAIR_MAX_KEYS_PER_CHANNEL.*revoke one/);
    expect((await fay.req('POST', `/studio/channels/${body.channel.id}/keys/${body.streamKey.id}/rotate`, {})).status).toBe(201);
    for (let i = 2; i <= 20; i++) expect((await fay.req('POST', '/studio/channels', { title: `Fay ${i}` })).status).toBe(201);
    const tooMany = await fay.req('POST', '/studio/channels', { title: 'Fay 21' });
    expect(tooMany.status).toBe(403);
    expect(tooMany.body.detail).toMatch(/you have 20 channels, the most one account may have.*ONAIR_MAX_CHANNELS_PER_ACCOUNT/);
  });
});

describe('channels', () => {
  it.each<[string, unknown, number, RegExp]>([
    ['an empty title', { title: '  ' }, 400, /title must not be empty/],
    ['a bad slug', { title: 'X', slug: 'Has Spaces!' }, 400, /slug must be 1-63 lower-case letters/],
    ['a reserved slug', { title: 'X', slug: 'studio' }, 400, /slug can't be one of/],
    ['a bad visibility', { title: 'X', visibility: 'secret' }, 400, /visibility must be "public", "unlisted" or "private"/],
    ['an unknown field', { title: 'X', owner: 'me' }, 400, /Unrecognized key/],
  ])('C01 creating with %s → %i and a message', async (_name, body, status, detail) => {
    const res = await alice.req('POST', '/studio/channels', body);
    expect(res.status).toBe(status);
    expect(res.body.detail).toMatch(detail);
  });

  it('C02 slugs come from the title, are unique, and can be changed', async () => {
    const a = await alice.req('POST', '/studio/channels', { title: 'Friday Night Jams!' });
    expect(a.body.channel.slug).toMatch(/^friday-night-jams(-[0-9a-f]{4})?$/);
    const b = await alice.req('POST', '/studio/channels', { title: 'Friday Night Jams!' });
    expect(b.body.channel.slug).not.toBe(a.body.channel.slug);
    const taken = await alice.req('PATCH', `/studio/channels/${b.body.channel.id}`, { slug: a.body.channel.slug });
    expect(taken.status).toBe(409);
    expect(taken.body.detail).toMatch(/is taken: choose another/);
    const moved = await alice.req('PATCH', `/studio/channels/${b.body.channel.id}`, { slug: 'jams-two', description: 'Second set', visibility: 'unlisted' });
    expect(moved.body).toMatchObject({ slug: 'jams-two', description: 'Second set', visibility: 'unlisted' });
    // Field by field (libs/api-types): nothing internal, such as the share links' token version, reaches the browser.
    expect(Object.keys(moved.body).sort()).toEqual(['description', 'id', 'live', 'ownerId', 'slug', 'title', 'visibility']);
    expect((await alice.req('PATCH', `/studio/channels/${b.body.channel.id}`, {})).body.detail).toMatch(/send at least one of/);
  });

  it('C03 a live channel cannot be deleted; once the broadcast ends it can', async () => {
    const { body } = await alice.req('POST', '/studio/channels', { title: 'Delete Me' });
    const res = await publish(body.streamKey.key);
    expect(res.status).toBe(201);
    const refused = await alice.req('DELETE', `/studio/channels/${body.channel.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/is live: stop the stream in OBS/);
    expect((await alice.req('GET', `/studio/channels/${body.channel.id}`)).body.live).toMatchObject({ viewers: 0 });
    await fetch(api(res.headers.get('location')!), { method: 'DELETE' });
    expect((await alice.req('DELETE', `/studio/channels/${body.channel.id}`)).status).toBe(204);
    expect((await alice.req('GET', `/studio/channels/${body.channel.id}`)).status).toBe(404);
  });
});

describe('stream keys', () => {
  it('K01 a key is shown once, stored only as its SHA-256, listed by hint; it publishes until revoked', async () => {
    const { body } = await alice.req('POST', '/studio/channels', { title: 'Keys' });
    const key: string = body.streamKey.key;
    expect(key).toMatch(/^onair_[\w-]{43}$/);
    const listed = (await alice.req('GET', `/studio/channels/${body.channel.id}/keys`)).body.keys;
    expect(listed).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(key);
    expect(listed[0].hint).toBe(key.slice(0, 10));
    expect(Object.keys(listed[0]).sort()).toEqual(['createdAt', 'hint', 'id', 'label', 'lastUsedAt']);
    const row = await stack.app!.get(PrismaService).streamKey.findUniqueOrThrow({ where: { id: listed[0].id } });
    expect(row.keyHash).toBe(createHash('sha256').update(key).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(key);

    const second = (await alice.req('POST', `/studio/channels/${body.channel.id}/keys`, { label: 'Backup PC' })).body;
    expect(second).toMatchObject({ label: 'Backup PC', key: expect.stringMatching(/^onair_/) });
    expect((await alice.req('DELETE', `/studio/channels/${body.channel.id}/keys/${listed[0].id}`)).body).toEqual({ endedBroadcast: false });
    expect((await publish(key)).status).toBe(401);
    const live = await publish(second.key);
    expect(live.status).toBe(201);
    await fetch(api(live.headers.get('location')!), { method: 'DELETE' });
    expect((await alice.req('DELETE', `/studio/channels/${body.channel.id}/keys/${listed[0].id}`)).status).toBe(404);
    expect((await alice.req('DELETE', `/studio/channels/${body.channel.id}/keys/${second.id}?endBroadcast=maybe`)).status).toBe(400);
    // A key needs no body at all: it gets the default label.
    const bare = await alice.req('POST', `/studio/channels/${body.channel.id}/keys`);
    expect(bare.status).toBe(201);
    expect(bare.body.label).toBe('Key');
  });

  it('K02 rotating the key of a live broadcast keeps it live unless the streamer asks to end it', async () => {
    const { body } = await alice.req('POST', '/studio/channels', { title: 'Rotate' });
    const id = body.channel.id;
    expect((await publish(body.streamKey.key)).status).toBe(201);
    const kept = await alice.req('POST', `/studio/channels/${id}/keys/${body.streamKey.id}/rotate`, {});
    expect(kept.status).toBe(201);
    expect(kept.body.endedBroadcast).toBe(false);
    expect((await alice.req('GET', `/studio/channels/${id}`)).body.live).not.toBeNull();
    // The broadcast runs on the first key, now revoked: rotating the new one doesn't touch it...
    const again = await alice.req('POST', `/studio/channels/${id}/keys/${kept.body.streamKey.id}/rotate`, { endBroadcast: true });
    expect(again.body.endedBroadcast).toBe(false);
    expect((await alice.req('GET', `/studio/channels/${id}`)).body.live).not.toBeNull();
    // ...while revoking with endBroadcast on a key that is live ends it.
    const other = await alice.req('POST', '/studio/channels', { title: 'Rotate Two' });
    expect((await publish(other.body.streamKey.key)).status).toBe(201);
    const ended = await alice.req('POST', `/studio/channels/${other.body.channel.id}/keys/${other.body.streamKey.id}/rotate`, { endBroadcast: true });
    expect(ended.body.endedBroadcast).toBe(true);
    expect((await alice.req('GET', `/studio/channels/${other.body.channel.id}`)).body.live).toBeNull();
    const [past] = (await alice.req('GET', `/studio/channels/${other.body.channel.id}/broadcasts`)).body.broadcasts;
    expect(past.endReason).toBe('key-revoked');
  });
});

describe('private channels and playback tokens', () => {
  let channel: { id: string; slug: string };
  beforeAll(async () => {
    const { body } = await alice.req('POST', '/studio/channels', { title: 'Secret', visibility: 'private' });
    channel = body.channel;
    expect((await publish(body.streamKey.key)).status).toBe(201);
  });

  it('T01 a private channel refuses a viewer without a token and plays with a share link', async () => {
    const refused = await watch(channel.slug);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { detail: string }).detail).toMatch(/is private: open it with a share link/);
    const link = (await alice.req('POST', `/studio/channels/${channel.id}/share-links`, { expiresInS: 600 })).body;
    expect(link.path).toBe(`/watch/${channel.slug}?token=${encodeURIComponent(link.token)}`);
    expect(new Date(link.expiresAt).getTime()).toBeGreaterThan(Date.now() + 590_000);
    expect((await watch(channel.slug, link.token)).status).toBe(201);
    const byHeader = await fetch(api(`/whep/${channel.slug}`), { method: 'POST', headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${link.token}` }, body: fresh(CHROMIUM_PLAYER_OFFER) });
    expect(byHeader.status).toBe(201);
    expect((await fetch(api(`/channels/${channel.slug}?token=${encodeURIComponent(link.token)}`))).status).toBe(200);
    expect((await fetch(api(`/channels/${channel.slug}`))).status).toBe(401);
  });

  it('T02 an expired or foreign token is refused with a message that says which', async () => {
    const expired = signPlaybackToken(stack.config.secret.value, channel.id, 0, new Date(Date.now() - 1000));
    const res = await watch(channel.slug, expired);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/has expired: ask the owner for a new one/);
    const other = (await alice.req('POST', '/studio/channels', { title: 'Other', visibility: 'private' })).body.channel;
    const foreign = signPlaybackToken(stack.config.secret.value, other.id, 0, new Date(Date.now() + 60_000));
    const wrong = await watch(channel.slug, foreign);
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { detail: string }).detail).toMatch(/not valid for/);
    expect((await alice.req('POST', `/studio/channels/${channel.id}/share-links`, { expiresInS: 5 })).body.detail).toMatch(/at least 60/);
  });

  it('T04 the owner revokes every share link at once; a visibility change does too', async () => {
    const link = (await alice.req('POST', `/studio/channels/${channel.id}/share-links`, { expiresInS: 600 })).body;
    expect((await watch(channel.slug, link.token)).status).toBe(201);
    expect((await bob.req('POST', `/studio/channels/${channel.id}/share-links/revoke`)).status).toBe(404);
    expect((await alice.req('POST', `/studio/channels/${channel.id}/share-links/revoke`)).status).toBe(204);
    const revoked = await watch(channel.slug, link.token);
    expect(revoked.status).toBe(401);
    expect(((await revoked.json()) as { detail: string }).detail).toMatch(/was revoked by its owner/);
    const fresh = (await alice.req('POST', `/studio/channels/${channel.id}/share-links`, { expiresInS: 600 })).body;
    expect((await watch(channel.slug, fresh.token)).status).toBe(201);
    // private → public → private: links from before don't come back.
    await alice.req('PATCH', `/studio/channels/${channel.id}`, { visibility: 'public' });
    await alice.req('PATCH', `/studio/channels/${channel.id}`, { visibility: 'private' });
    expect((await watch(channel.slug, fresh.token)).status).toBe(401);
  });

  it('T05 revoking the links ends the viewers watching with them (hung up) and their channel event streams', async () => {
    const link = (await alice.req('POST', `/studio/channels/${channel.id}/share-links`, { expiresInS: 600 })).body;
    const res = await watch(channel.slug, link.token);
    expect(res.status).toBe(201);
    const session = api(res.headers.get('location')!);
    const feed = await readEvents(api(`/channels/${channel.slug}/events?token=${encodeURIComponent(link.token)}`), () => false, 5000, async () => {
      expect((await alice.req('POST', `/studio/channels/${channel.id}/share-links/revoke`)).status).toBe(204);
    });
    expect(feed.status).toBe(200);
    expect(feed.ended).toBe(true);
    expect((await fetch(session, { method: 'DELETE' })).status).toBe(404); // already ended
  });

  it('T03 unlisted channels play by link but are not in the directory', async () => {
    const { body } = await alice.req('POST', '/studio/channels', { title: 'Hidden', visibility: 'unlisted' });
    expect((await publish(body.streamKey.key)).status).toBe(201);
    expect((await watch(body.channel.slug)).status).toBe(201);
    const directory = (await (await fetch(api('/channels'))).json()) as { channels: { slug: string }[] };
    expect(directory.channels.map((c) => c.slug)).not.toContain(body.channel.slug);
    expect(directory.channels.map((c) => c.slug)).not.toContain(channel.slug);
  });
});

describe('past broadcasts', () => {
  it('B01 list start, end, duration inputs and peak viewers, newest first', async () => {
    const { body } = await alice.req('POST', '/studio/channels', { title: 'History' });
    for (const viewers of [2, 1]) {
      const res = await publish(body.streamKey.key);
      for (let i = 0; i < viewers; i++) expect((await watch(body.channel.slug)).status).toBe(201);
      await fetch(api(res.headers.get('location')!), { method: 'DELETE' });
    }
    const list = (await alice.req('GET', `/studio/channels/${body.channel.id}/broadcasts`)).body.broadcasts;
    expect(list.map((b: { peakViewers: number }) => b.peakViewers)).toEqual([1, 2]);
    for (const b of list) {
      expect(new Date(b.endedAt).getTime()).toBeGreaterThanOrEqual(new Date(b.startedAt).getTime());
      expect(b).toMatchObject({ endReason: 'publisher-left', videoCodec: 'h264', audioCodec: 'opus' });
    }
  });
});

// Last in the file: it uses up the attacker's allowance and changes alice's password.
describe('password guessing', () => {
  it('A06 an attacker guessing one account from one address gets 429; the owner signs in from another at once', async () => {
    const attacker = new StudioClient(stack.apiUrl, '127.0.0.3');
    const statuses: number[] = [];
    for (let i = 0; i < 50; i++) statuses.push((await attacker.req('POST', '/auth/signin', { email: 'alice@onair.test', password: `guess number ${i}` })).status);
    // Ten a minute: the 11th attempt is refused, or a little later when tokens refilled while a
    // busy machine hashed the guesses (one comes back every 6 s).
    const firstLimited = statuses.indexOf(429) + 1;
    expect(firstLimited).toBeGreaterThanOrEqual(11);
    expect(firstLimited).toBeLessThanOrEqual(13);
    expect(statuses.slice(0, firstLimited - 1).every((st) => st === 401)).toBe(true);
    expect(statuses.filter((st) => st === 401).length).toBeLessThanOrEqual(13);
    const right = await attacker.req('POST', '/auth/signin', { email: 'ALICE@onair.test', password: 'a long enough password' });
    expect(right.status).toBe(429);
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(right.body.detail).toMatch(/too many wrong passwords for alice@onair.test from this address; wait \d+ s/);
    // The owner, from their own address, is not slowed: signs in and changes the password at once.
    const owner = new StudioClient(stack.apiUrl, '127.0.0.1');
    expect((await owner.req('POST', '/auth/signin', { email: 'alice@onair.test', password: 'a long enough password' })).status).toBe(200);
    expect((await owner.req('POST', '/auth/password', { currentPassword: 'a long enough password', newPassword: 'alice has a new one' })).status).toBe(204);
    // Other accounts from the attacker's address are not locked by it either (until that address runs out overall).
    expect((await attacker.req('POST', '/auth/signin', { email: 'bob@onair.test', password: 'another long password' })).status).toBe(200);
  });
});
