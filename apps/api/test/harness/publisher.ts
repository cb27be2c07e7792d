import type { Page } from 'playwright-core';

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
export function publishObsShaped(page: Page, whipUrl: string, streamKey: string): Promise<PublishOutcome> {
  return page.evaluate(
    async ({ whipUrl, streamKey }) => {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 360, frameRate: 30 } });
      const pc = new RTCPeerConnection();
      const audio = pc.addTransceiver(stream.getAudioTracks()[0], { direction: 'sendonly', streams: [stream] });
      const video = pc.addTransceiver(stream.getVideoTracks()[0], { direction: 'sendonly', streams: [stream] });
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
      const offer = pc.localDescription!.sdp;
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
      await pc.setRemoteDescription({ type: 'answer', sdp: body });
      (window as unknown as { __publisher: RTCPeerConnection }).__publisher = pc;
      return { status: 201, location: new URL(res.headers.get('Location')!, whipUrl).toString(), postMs, offer };
    },
    { whipUrl, streamKey },
  );
}

/** A bare WHEP player measuring POST -> 201 and POST -> first decoded video frame. */
export function measureWhep(page: Page, whepUrl: string): Promise<{ status: number; postMs: number; firstFrameMs: number; location: string }> {
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
    if (res.status !== 201) return { status: res.status, postMs, firstFrameMs: -1, location: '' };
    await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
    const firstFrameMs = await Promise.race([firstFrame, new Promise<number>((r) => setTimeout(() => r(-1), 15000))]);
    (window as unknown as { __player: RTCPeerConnection }).__player = pc;
    return { status: 201, postMs, firstFrameMs, location: new URL(res.headers.get('Location')!, whepUrl).toString() };
  }, whepUrl);
}
