import type { Page } from 'playwright-core';
import { CLOCK_BAND, CLOCK_BITS, CLOCK_BLOCK } from './publisher';

export interface ClockReading {
  /** Glass-to-glass delay of each decoded frame (ms): its presentation time minus the capture time painted in it. */
  delaysMs: number[];
  /** Frames whose barcode did not read as a plausible time (blurred, half-drawn). */
  unreadable: number;
  status: number;
  /** Candidate types in the player's offer (only 'relay' for a relay-only player). */
  offeredTypes: string[];
  /** The selected candidate pair's local side: 'host', 'relay'…, and the relay's protocol. */
  localType?: string;
  relayProtocol?: string;
}

/**
 * A WHEP player that reads the capture time a `source: 'clock'` publisher paints into each
 * frame (publisher.ts) and reports, for `samples` frames (at most `timeoutMs`), how long after
 * its capture each was presented here. Publisher and player pages share one machine's clock.
 * With `relayVia` (TURN servers, e.g. from discoverTurn) it is a relay-only player.
 */
export function readClockFrames(page: Page, whepUrl: string, opts: { relayVia?: RTCIceServer[]; samples: number; timeoutMs: number }): Promise<ClockReading> {
  return page.evaluate(
    async ({ whepUrl, opts, bits, block, band }) => {
      const pc = new RTCPeerConnection({ iceServers: opts.relayVia ?? [], iceTransportPolicy: opts.relayVia ? 'relay' : 'all', bundlePolicy: 'max-bundle' });
      pc.addTransceiver('audio', { direction: 'recvonly' });
      pc.addTransceiver('video', { direction: 'recvonly' });
      const video = document.createElement('video');
      video.muted = true;
      document.body.appendChild(video);
      const canvas = document.createElement('canvas');
      const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
      const delaysMs: number[] = [];
      let unreadable = 0;
      let done!: () => void;
      const finished = new Promise<void>((r) => (done = r));
      const onFrame = (now: number) => {
        if (video.videoWidth > 0) {
          canvas.width = video.videoWidth;
          canvas.height = video.videoHeight;
          ctx.drawImage(video, 0, 0);
          // Scale the barcode's geometry to the decoded size (the encoder may have scaled it).
          const sx = video.videoWidth / 640;
          const row = ctx.getImageData(0, Math.round((band / 2) * sx), canvas.width, 1).data;
          let t = 0;
          for (let bit = 0; bit < bits; bit++) {
            const x = Math.round((bit * block + block / 2) * sx);
            const luma = 0.299 * row[x * 4] + 0.587 * row[x * 4 + 1] + 0.114 * row[x * 4 + 2];
            t = t * 2 + (luma > 128 ? 1 : 0);
          }
          const delay = performance.timeOrigin + now - t;
          if (delay > -5 && delay < 30000) delaysMs.push(delay);
          else unreadable++;
        }
        if (delaysMs.length >= opts.samples) done();
        else (video as any).requestVideoFrameCallback(onFrame);
      };
      pc.ontrack = (e) => {
        if (e.track.kind !== 'video') return;
        video.srcObject = new MediaStream([e.track]);
        void video.play();
        (video as any).requestVideoFrameCallback(onFrame);
      };
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 5000);
        pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && (clearTimeout(timer), resolve()));
      });
      const offeredTypes = [...pc.localDescription!.sdp.matchAll(/typ (\w+)/g)].map((m) => m[1]);
      const res = await fetch(whepUrl, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription!.sdp });
      if (res.status !== 201) return { delaysMs, unreadable, status: res.status, offeredTypes };
      await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
      const location = new URL(res.headers.get('location')!, whepUrl).toString();
      await Promise.race([finished, new Promise((r) => setTimeout(r, opts.timeoutMs))]);
      let localType: string | undefined;
      let relayProtocol: string | undefined;
      const stats = await pc.getStats();
      stats.forEach((s) => {
        if (s.type === 'transport' && s.selectedCandidatePairId) {
          const local = stats.get(stats.get(s.selectedCandidatePairId)?.localCandidateId);
          localType = local?.candidateType;
          relayProtocol = local?.relayProtocol;
        }
      });
      pc.close();
      video.remove();
      await fetch(location, { method: 'DELETE' });
      return { delaysMs, unreadable, status: 201, offeredTypes, localType, relayProtocol };
    },
    { whepUrl, opts, bits: CLOCK_BITS, block: CLOCK_BLOCK, band: CLOCK_BAND },
  );
}
