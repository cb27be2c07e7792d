import { Browser, chromium } from 'playwright-core';

/**
 * Debian's Chromium (never a downloaded browser), headless, with a fake camera and mic.
 * playwright gives every launch a fresh, temporary profile.
 */
/** Debian's Chromium headless, with the flags every onair test browser needs (no network chatter, fake devices). */
function chromiumOptions(extraArgs: string[]) {
  return {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
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
  };
}

export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch(chromiumOptions(extraArgs));
}

/**
 * Like OBS, the encoder never makes a keyframe on request: libwebrtc's minimum interval
 * between requested keyframes is pushed to ~24 days, so PLIs and FIRs change nothing.
 */
export const IGNORE_KEYFRAME_REQUESTS = '--force-fieldtrials=WebRTC-KeyframeInterval/min_keyframe_send_interval_ms:2147483647/';

/**
 * A Chromium the test can kill like a crashing encoder: SIGKILL to its process group (the
 * browser and its renderer, GPU and network processes), by the id of the process this test
 * launched. No DELETE, no DTLS alert: its media just stops.
 */
export async function launchKillableChromium(extraArgs: string[] = []): Promise<{ browser: Browser; kill: () => void }> {
  const server = await chromium.launchServer(chromiumOptions(extraArgs));
  const browser = await chromium.connect(server.wsEndpoint());
  const pid = server.process().pid!;
  return {
    browser,
    // Safe to call again (a finally after a kill in the test): a gone process is not an error.
    kill: () => {
      for (const target of [-pid, pid]) {
        try {
          // playwright starts the browser as a process-group leader on Linux.
          process.kill(target, 'SIGKILL');
          return;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ESRCH') continue;
          throw err;
        }
      }
    },
  };
}
