import { Browser, chromium } from 'playwright-core';

/**
 * Debian's Chromium (never a downloaded browser), headless, with a fake camera and mic.
 * playwright gives every launch a fresh, temporary profile.
 */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      '--autoplay-policy=no-user-gesture-required',
      ...extraArgs,
    ],
  });
}

/**
 * Like OBS, the encoder never makes a keyframe on request: libwebrtc's minimum interval
 * between requested keyframes is pushed to ~24 days, so PLIs and FIRs change nothing.
 */
export const IGNORE_KEYFRAME_REQUESTS = '--force-fieldtrials=WebRTC-KeyframeInterval/min_keyframe_send_interval_ms:2147483647/';
