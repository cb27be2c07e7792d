import type { Page } from 'playwright-core';

export interface PublishOptions {
  /** Force a keyframe this often (ms), like an encoder's fixed keyframe interval. */
  keyframeIntervalMs?: number;
  /** Simulcast rids, largest first (OBS 32.1 style "0","1","2"); each next one half the size. */
  rids?: string[];
  width?: number;
  height?: number;
  /**
   * The profile-level-id the POSTed offer claims instead of the 42e01f Chromium really
   * negotiates, as OBS claims 42e01f whatever x264 encodes. The page keeps its own view (the
   * answer is read back with 42e01f), so the encoder is unaffected by the claim.
   */
  claimProfileLevelId?: string;
  /**
   * 'clock': the video is a canvas that paints its capture time (wall-clock ms) as a barcode
   * in every frame, for glass-to-glass measurement (readClockFrames decodes it); audio is
   * still the fake mic. Default 'camera': the fake camera's test pattern.
   */
  source?: 'camera' | 'clock';
}

/** The capture-time barcode: CLOCK_BITS blocks of CLOCK_BLOCK px in a band CLOCK_BAND px high at the top. */
export const CLOCK_BITS = 44;
export const CLOCK_BLOCK = 14;
export const CLOCK_BAND = 48;

export interface PublishOutcome {
  status: number;
  location?: string;
  body?: string;
  postMs?: number;
  offer?: string;
}

/**
 * Publishes the page's fake camera and mic the way OBS does: H.264
 * (profile-level-id=42e01f;packetization-mode=1) and Opus only, no RTX, ICE gathering
 * completed before one POST, and never a PATCH.
 */
export function publishObsShaped(page: Page, whipUrl: string, streamKey: string, options: PublishOptions = {}): Promise<PublishOutcome> {
  return page.evaluate(
    async ({ whipUrl, streamKey, options, clock }) => {
      const width = options.width ?? 640;
      const height = options.height ?? 360;
      let stream: MediaStream;
      if (options.source === 'clock') {
        // Each frame carries the wall-clock time it was painted: clock.bits bits, most significant
        // first, white = 1, black = 0, blocks wide enough to survive H.264 at any sane bitrate.
        const canvas = document.createElement('canvas');
        canvas.width = width;
        canvas.height = height;
        const ctx = canvas.getContext('2d')!;
        let frame = 0;
        const paint = () => {
          const t = Math.round(performance.timeOrigin + performance.now());
          ctx.fillStyle = '#808080';
          ctx.fillRect(0, 0, width, height);
          ctx.fillStyle = `hsl(${(frame++ * 7) % 360} 60% 50%)`;
          ctx.fillRect((frame * 4) % width, 80, 60, 60); // some motion below the band
          for (let bit = 0; bit < clock.bits; bit++) {
            ctx.fillStyle = Math.floor(t / 2 ** (clock.bits - 1 - bit)) % 2 === 1 ? '#ffffff' : '#000000';
            ctx.fillRect(bit * clock.block, 0, clock.block, clock.band);
          }
        };
        paint();
        const timer = setInterval(paint, 1000 / 30);
        (window as unknown as { __clockTimer: unknown }).__clockTimer = timer;
        const mic = await navigator.mediaDevices.getUserMedia({ audio: true });
        stream = new MediaStream([...mic.getAudioTracks(), ...canvas.captureStream(30).getVideoTracks()]);
      } else {
        stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width, height, frameRate: 30 } });
      }
      const pc = new RTCPeerConnection();
      const audio = pc.addTransceiver(stream.getAudioTracks()[0], { direction: 'sendonly', streams: [stream] });
      const video = pc.addTransceiver(stream.getVideoTracks()[0], {
        direction: 'sendonly',
        streams: [stream],
        sendEncodings: options.rids?.map((rid, i) => ({ rid, scaleResolutionDownBy: 2 ** i })),
      });
      const h264 = (RTCRtpSender.getCapabilities('video')?.codecs ?? []).filter(
        (c) => c.mimeType === 'video/H264' && /packetization-mode=1/.test(c.sdpFmtpLine ?? '') && /profile-level-id=42e01f/.test(c.sdpFmtpLine ?? ''),
      );
      if (h264.length === 0) throw new Error('this Chromium offers no H.264 42e01f packetization-mode=1');
      video.setCodecPreferences(h264.slice(0, 1));
      audio.setCodecPreferences((RTCRtpSender.getCapabilities('audio')?.codecs ?? []).filter((c) => c.mimeType === 'audio/opus'));
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise<void>((resolve) => {
        if (pc.iceGatheringState === 'complete') return resolve();
        pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
        setTimeout(resolve, 3000);
      });
      const local = pc.localDescription!.sdp;
      const offer = options.claimProfileLevelId ? local.replace(/profile-level-id=42e01f/g, `profile-level-id=${options.claimProfileLevelId}`) : local;
      const t0 = performance.now();
      const res = await fetch(whipUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${streamKey}` },
        body: offer,
      });
      const body = await res.text();
      const postMs = performance.now() - t0;
      if (res.status !== 201) {
        pc.close();
        stream.getTracks().forEach((t) => t.stop());
        return { status: res.status, body };
      }
      const answer = options.claimProfileLevelId ? body.replace(/profile-level-id=[0-9a-fA-F]{6}/g, 'profile-level-id=42e01f') : body;
      await pc.setRemoteDescription({ type: 'answer', sdp: answer });
      const w = window as unknown as { __publisher: RTCPeerConnection; __keyframesAt: number[]; __tp: unknown };
      w.__publisher = pc;
      // Session state for restartIceFromPage().
      w.__tp = { pc, url: new URL(res.headers.get('Location')!, whipUrl).toString(), etag: res.headers.get('ETag'), answer: body, patches: [] };
      w.__keyframesAt = [];
      if (options.keyframeIntervalMs) {
        const sender = video.sender;
        const p0 = sender.getParameters();
        p0.degradationPreference = 'maintain-resolution';
        await sender.setParameters(p0);
        // A fixed GOP: one forced keyframe per interval (bounded: at most 10 minutes' worth).
        let n = 0;
        const timer = setInterval(() => {
          if (++n > 600_000 / options.keyframeIntervalMs! || pc.connectionState === 'closed') return clearInterval(timer);
          const p = sender.getParameters();
          w.__keyframesAt.push(Date.now());
          void (sender.setParameters as (p: RTCRtpSendParameters, o: unknown) => Promise<void>)(p, {
            encodingOptions: p.encodings.map(() => ({ keyFrame: true })),
          });
        }, options.keyframeIntervalMs);
      }
      return { status: 201, location: new URL(res.headers.get('Location')!, whipUrl).toString(), postMs, offer };
    },
    { whipUrl, streamKey, options, clock: { bits: CLOCK_BITS, block: CLOCK_BLOCK, band: CLOCK_BAND } },
  );
}

/** A bare WHEP player measuring POST -> 201 and POST -> first decoded video frame; `answer` is the 201's SDP. */
export function measureWhep(
  page: Page,
  whepUrl: string,
): Promise<{ status: number; postMs: number; firstFrameMs: number; firstFrameAt: number; location: string; answer: string }> {
  return page.evaluate(async (whepUrl) => {
    const pc = new RTCPeerConnection();
    pc.addTransceiver('audio', { direction: 'recvonly' });
    pc.addTransceiver('video', { direction: 'recvonly' });
    const video = document.createElement('video');
    video.muted = true;
    video.playsInline = true;
    document.body.appendChild(video);
    pc.ontrack = (e) => {
      if (e.track.kind === 'video') {
        video.srcObject = new MediaStream([e.track]);
        void video.play();
      }
    };
    await pc.setLocalDescription(await pc.createOffer());
    const t0 = performance.now();
    const firstFrame = new Promise<number>((resolve) => {
      (video as any).requestVideoFrameCallback(() => resolve(performance.now() - t0));
    });
    const res = await fetch(whepUrl, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription!.sdp });
    const postMs = performance.now() - t0;
    if (res.status !== 201) return { status: res.status, postMs, firstFrameMs: -1, firstFrameAt: -1, location: '', answer: '' };
    const answer = await res.text();
    await pc.setRemoteDescription({ type: 'answer', sdp: answer });
    const firstFrameMs = await Promise.race([firstFrame, new Promise<number>((r) => setTimeout(() => r(-1), 15000))]);
    (window as unknown as { __player: RTCPeerConnection }).__player = pc;
    // Wall-clock time of the first frame, comparable with other pages of the same machine.
    const firstFrameAt = firstFrameMs < 0 ? -1 : Date.now() - (performance.now() - t0 - firstFrameMs);
    return { status: 201, postMs, firstFrameMs, firstFrameAt, location: new URL(res.headers.get('Location')!, whepUrl).toString(), answer };
  }, whepUrl);
}
