/**
 * The studio and the viewer pages in a real browser (Debian's Chromium through Playwright),
 * on the built web app, the real API, Janus and Postgres, in the test namespace. A first-time
 * streamer signs up, creates a channel, copies the key from the Connect OBS card, publishes
 * with it (OBS-shaped), and watches the studio turn live with health figures and the viewer
 * count rise when a viewer opens the watch page. A private channel refuses a viewer without
 * a token and plays from a share link. Screenshots go to test-output/screenshots.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, Page } from 'playwright-core';
import { IGNORE_KEYFRAME_REQUESTS, launchChromium } from './harness/browser';
import { REPO_ROOT } from './harness/janus-process';
import { publishObsShaped } from './harness/publisher';
import { TestStack } from './harness/stack';
import { WebProcess } from './harness/web-process';
import { ThumbnailService } from '../src/probes/thumbnails';
import { mintSetupToken } from '../src/accounts/auth.service';
import { UserRepository } from '../src/accounts/user.repository';
import { PrismaService } from '../src/database/prisma.service';

const stack = new TestStack(18880, 18988);
const web = new WebProcess(13100, stack.apiUrl, { ONAIR_GATEWAY_SECRET: stack.env.ONAIR_GATEWAY_SECRET });
const SHOTS = join(REPO_ROOT, 'test-output/screenshots');
let browser: Browser;
let obs: Browser;
let studio: BrowserContext;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  await stack.start();
  await web.start();
  browser = await launchChromium();
  // OBS ignores keyframe requests; its stand-in does too.
  obs = await launchChromium([IGNORE_KEYFRAME_REQUESTS]);
  studio = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  // A fresh onair: the first account (the admin) is made through the setup link `npm run up` prints.
  await stack.app!.get(PrismaService).user.deleteMany();
  await studio.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: web.url });
});

afterAll(async () => {
  await obs?.close();
  await browser?.close();
  await web.stop();
  await stack.stop();
});

const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

async function watchPage(path: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.on('pageerror', (err) => console.warn(`[page error] ${err.message}`));
  await page.goto(`${web.url}${path}`);
  return page;
}

describe('a first-time streamer, from the setup link to live', () => {
  let page: Page;
  let slug: string;
  let whepPublisher: Page;

  it('signs up through the setup link, creates a channel and copies the WHIP URL and key from the Connect OBS card', async () => {
    page = await studio.newPage();
    page.on('pageerror', (err) => console.warn(`[studio page error] ${err.message}`));
    const setupToken = await mintSetupToken(stack.app!.get(UserRepository));
    await page.goto(`${web.url}/signup?setup=${setupToken}`);
    expect(await page.textContent('[data-testid="signup-subtitle"]')).toMatch(/setup link: the account you create now is the admin/);
    await page.fill('input[name="email"]', `streamer-${Date.now()}@onair.test`);
    await page.fill('input[name="password"]', 'correct horse battery');
    await page.click('button[type="submit"]');
    await page.waitForURL(`${web.url}/studio`);
    await page.fill('[data-testid="new-channel-title"]', 'Studio Test Channel');
    await page.click('[data-testid="create-channel"]');
    await page.waitForURL(/\/studio\/[0-9a-f-]{36}$/);
    await page.click('[data-testid="stream-key-copy"]');
    const key = await page.evaluate(() => navigator.clipboard.readText());
    expect(key).toMatch(/^onair_[\w-]{43}$/);
    const whip = await page.inputValue('[data-testid="whip-url"]');
    expect(whip).toBe(`${stack.apiUrl}/whip`);
    slug = (await page.textContent('a.channel-slug'))!.replace('/watch/', '');
    await expect(page.locator('[data-testid="live-panel"]').getAttribute('data-live')).resolves.toBe('false');
    await shot(page, 'studio-offline');

    // "OBS" publishes with what the card said.
    whepPublisher = await obs.newPage();
    await whepPublisher.goto(`${stack.apiUrl}/health`);
    const published = await publishObsShaped(whepPublisher, whip, key, { keyframeIntervalMs: 2000, width: 1280, height: 720 });
    expect(published.status).toBe(201);
  });

  it('the studio turns live by itself and shows the stream\'s health', async () => {
    await page.waitForSelector('[data-testid="live-panel"][data-live="true"]', { timeout: 15000 });
    const bitrate = page.locator('[data-testid="health-video-bitrate"] dd');
    await bitrate.waitFor({ timeout: 15000 });
    await page.waitForFunction(() => {
      const dd = document.querySelector('[data-testid="health-video-bitrate"] dd');
      return dd !== null && Number.parseInt(dd.textContent ?? '0', 10) > 50;
    });
    expect(await page.textContent('[data-testid="health-video"] dd')).toMatch(/H264/);
    // onair's own probe of the stream: size from the SPS, keyframe interval from the GOP.
    await page.waitForSelector('[data-testid="health-keyframe-interval"]', { timeout: 15000 });
    expect(await page.textContent('[data-testid="health-resolution"] dd')).toBe('1280×720');
    expect(Number.parseFloat((await page.textContent('[data-testid="health-keyframe-interval"] dd'))!)).toBeCloseTo(2, 0);
    expect(Number.parseInt((await page.textContent('[data-testid="health-frame-rate"] dd'))!, 10)).toBeGreaterThan(5);
    // The studio's own preview plays the stream.
    await page.waitForFunction(() => ((document.querySelector('[data-testid="studio-preview"]') as HTMLVideoElement | null)?.videoWidth ?? 0) > 0, undefined, { timeout: 15000 });
  });

  it('the viewer count rises when a viewer opens the watch page', async () => {
    const count = async () => Number.parseInt((await page.textContent('[data-testid="studio-viewers"]')) ?? '0', 10);
    const before = await count(); // the studio preview is a viewer too
    const viewer = await watchPage(`/watch/${slug}`);
    await viewer.waitForSelector('[data-testid="player"][data-state="live"]', { timeout: 20000 });
    await page.waitForFunction((n) => Number.parseInt(document.querySelector('[data-testid="studio-viewers"]')?.textContent ?? '0', 10) > n, before, { timeout: 10000 });
    expect(await count()).toBe(before + 1);
    await viewer.waitForSelector('[data-testid="live-badge"]:has-text("watching")');
    await viewer.waitForSelector('[data-testid="readout"]', { timeout: 10000 });
    await shot(viewer, 'watch-live');
    await shot(page, 'studio-live');
    await viewer.close();
  });

  it('the directory lists the channel with a still of the stream and its viewer count', async () => {
    await stack.app!.get(ThumbnailService).refresh(); // what the 15 s timer does
    const home = await watchPage('/');
    const card = home.locator(`a[href="/watch/${slug}"]`);
    await card.waitFor();
    await home.waitForFunction((s) => {
      const img = document.querySelector(`a[href="/watch/${s}"] img[data-testid="thumbnail"]`) as HTMLImageElement | null;
      return img !== null && img.complete && img.naturalWidth === 480;
    }, slug);
    expect(await card.textContent()).toMatch(/LIVE · \d+ watching/);
    await shot(home, 'directory');
    await home.close();
  });

  it('a private channel refuses a viewer without a token and plays from a share link', async () => {
    await page.selectOption('select[name="visibility"]', 'private');
    await page.click('button:has-text("Save")');
    await page.waitForSelector('text=Saved.');
    const refused = await watchPage(`/watch/${slug}`);
    await refused.waitForSelector('[data-testid="private-notice"]');
    expect(await refused.textContent('[data-testid="private-notice"]')).toMatch(/This channel is private.*share link/);
    await shot(refused, 'watch-private-refused');

    await page.click('[data-testid="make-share-link"]');
    const link = await page.inputValue('[data-testid="share-link"]');
    expect(link).toMatch(new RegExp(`/watch/${slug}\\?token=`));
    const viewer = await watchPage(link.replace(web.url, ''));
    await viewer.waitForSelector('[data-testid="player"][data-state="live"]', { timeout: 20000 });
    await viewer.waitForFunction(() => ((document.querySelector('[data-testid="video"]') as HTMLVideoElement | null)?.videoWidth ?? 0) > 0);
    await shot(viewer, 'watch-private-with-link');
    await shot(page, 'studio-private');
    await viewer.close();
    await refused.close();
  });
});

describe('health warnings', () => {
  it('an 8 s keyframe interval gets a plain-language warning in the studio', async () => {
    const page = await studio.newPage();
    await page.goto(`${web.url}/studio`);
    await page.fill('[data-testid="new-channel-title"]', 'Long GOP');
    await page.click('[data-testid="create-channel"]');
    await page.waitForURL(/\/studio\/[0-9a-f-]{36}$/);
    const key = await page.inputValue('[data-testid="stream-key"]');
    const publisher = await obs.newPage();
    await publisher.goto(`${stack.apiUrl}/health`);
    expect((await publishObsShaped(publisher, `${stack.apiUrl}/whip`, key, { keyframeIntervalMs: 8000 })).status).toBe(201);
    // Two keyframes 8 s apart before the interval is known.
    await page.waitForSelector('[data-testid="health-warnings"]:has-text("Keyframe every")', { timeout: 40000 });
    expect(await page.textContent('[data-testid="health-warnings"]')).toMatch(/Keyframe every [78](\.\d)? s: .*Set the keyframe interval to 2 s in OBS/);
    await shot(page, 'studio-warning');
    await publisher.close();
    await page.close();
  });
});
