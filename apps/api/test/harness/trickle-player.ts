import type { Page } from 'playwright-core';

/**
 * A WHEP player that trickles, as browser players do (RFC 9725 §4.3.2 client rules): it POSTs
 * its offer at once, buffers candidates until the 201, then PATCHes them with If-Match; an
 * ICE restart PATCHes new credentials with If-Match: "*" and applies the server's fragment
 * to the last answer. State lives on `window.__tp` so later calls can continue the session.
 */
export function startTricklePlayer(page: Page, whepUrl: string): Promise<{ status: number; patches: number[] }> {
  return page.evaluate(async (whepUrl) => {
    const pc = new RTCPeerConnection();
    pc.addTransceiver('audio', { direction: 'recvonly' });
    pc.addTransceiver('video', { direction: 'recvonly' });
    const tp = { pc, url: '', etag: '', answer: '', patches: [] as number[], pending: [] as RTCIceCandidate[], done: false };
    (window as unknown as { __tp: typeof tp }).__tp = tp;
    const frag = (cands: RTCIceCandidate[], end: boolean) => {
      const local = pc.localDescription!.sdp;
      const ufrag = /a=ice-ufrag:(\S+)/.exec(local)![1];
      const pwd = /a=ice-pwd:(\S+)/.exec(local)![1];
      const mid = /a=mid:(\S+)/.exec(local)![1];
      return [`a=ice-ufrag:${ufrag}`, `a=ice-pwd:${pwd}`, 'm=audio 9 UDP/TLS/RTP/SAVPF 0', `a=mid:${mid}`, ...cands.map((c) => `a=${c.candidate}`), ...(end ? ['a=end-of-candidates'] : []), ''].join('\r\n');
    };
    const send = async (cands: RTCIceCandidate[], end: boolean) => {
      const res = await fetch(tp.url, { method: 'PATCH', headers: { 'Content-Type': 'application/trickle-ice-sdpfrag', 'If-Match': tp.etag }, body: frag(cands, end) });
      tp.patches.push(res.status);
    };
    pc.onicecandidate = (e) => {
      if (!tp.url) {
        if (e.candidate) tp.pending.push(e.candidate);
        else tp.done = true;
        return;
      }
      void send(e.candidate ? [e.candidate] : [], !e.candidate);
    };
    await pc.setLocalDescription(await pc.createOffer());
    // No waiting for gathering: the offer goes out at once, without candidates.
    const res = await fetch(whepUrl, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription!.sdp });
    if (res.status !== 201) return { status: res.status, patches: [] };
    tp.url = new URL(res.headers.get('Location')!, whepUrl).toString();
    tp.etag = res.headers.get('ETag')!;
    tp.answer = await res.text();
    await pc.setRemoteDescription({ type: 'answer', sdp: tp.answer });
    if (tp.pending.length > 0 || tp.done) await send(tp.pending.splice(0), tp.done);
    return { status: 201, patches: tp.patches };
  }, whepUrl);
}

/**
 * Restarts ICE from the page's client (`window.__tp`: the trickle player, or an OBS-shaped
 * publisher): new credentials PATCHed, the server's fragment applied to the last answer.
 */
export function restartIceFromPage(page: Page): Promise<{ status: number; etagChanged: boolean; ufragChanged: boolean }> {
  return page.evaluate(async () => {
    const tp = (window as unknown as { __tp: { pc: RTCPeerConnection; url: string; etag: string; answer: string } }).__tp;
    const { pc } = tp;
    pc.onicecandidate = null; // candidates of the new generation go in the restart request
    pc.restartIce();
    await pc.setLocalDescription(await pc.createOffer());
    // Right after setLocalDescription the gathering state can still read the old "complete":
    // wait for the new generation's candidates (they carry the new ufrag) to be gathered.
    const newUfragOfOffer = /a=ice-ufrag:(\S+)/.exec(pc.localDescription!.sdp)![1];
    const gathered = () => pc.iceGatheringState === 'complete' && pc.localDescription!.sdp.includes(`ufrag ${newUfragOfOffer}`);
    await new Promise<void>((resolve) => {
      if (gathered()) return resolve();
      const check = () => gathered() && resolve();
      pc.addEventListener('icegatheringstatechange', check);
      const timer = setInterval(check, 50);
      setTimeout(() => (clearInterval(timer), resolve()), 3000);
    });
    const local = pc.localDescription!.sdp;
    const ufrag = /a=ice-ufrag:(\S+)/.exec(local)![1];
    const pwd = /a=ice-pwd:(\S+)/.exec(local)![1];
    const mid = /a=mid:(\S+)/.exec(local)![1];
    const cands = local.split(/\r\n/).filter((l) => l.startsWith('a=candidate:') && l.includes(' udp '));
    const body = [`a=ice-ufrag:${ufrag}`, `a=ice-pwd:${pwd}`, 'm=audio 9 UDP/TLS/RTP/SAVPF 0', `a=mid:${mid}`, ...cands, 'a=end-of-candidates', ''].join('\r\n');
    const res = await fetch(tp.url, { method: 'PATCH', headers: { 'Content-Type': 'application/trickle-ice-sdpfrag', 'If-Match': '"*"' }, body });
    if (res.status !== 200) return { status: res.status, etagChanged: false, ufragChanged: false };
    const etag = res.headers.get('ETag')!;
    const frag = await res.text();
    const newUfrag = /a=ice-ufrag:(\S+)/.exec(frag)![1];
    const newPwd = /a=ice-pwd:(\S+)/.exec(frag)![1];
    const newCands = frag.split(/\r\n/).filter((l) => l.startsWith('a=candidate:'));
    const oldUfrag = /a=ice-ufrag:(\S+)/.exec(tp.answer)![1];
    // The last answer with the server's new ICE credentials and candidates.
    const lines = tp.answer.split(/\r\n/).filter((l) => l && !l.startsWith('a=candidate:') && l !== 'a=end-of-candidates');
    const answer: string[] = [];
    for (const l of lines) {
      if (l.startsWith('a=ice-ufrag:')) answer.push(`a=ice-ufrag:${newUfrag}`);
      else if (l.startsWith('a=ice-pwd:')) answer.push(`a=ice-pwd:${newPwd}`);
      else answer.push(l);
      if (l.startsWith('a=mid:') && answer.filter((x) => x.startsWith('a=mid:')).length === 1) answer.push(...newCands, 'a=end-of-candidates');
    }
    tp.answer = answer.join('\r\n') + '\r\n';
    await pc.setRemoteDescription({ type: 'answer', sdp: tp.answer });
    const changed = etag !== tp.etag;
    tp.etag = etag;
    return { status: 200, etagChanged: changed, ufragChanged: newUfrag !== oldUfrag };
  });
}

/** Inbound video stats of the page's trickle player. */
export function playerVideoStats(page: Page): Promise<{ framesDecoded: number; frameWidth: number; iceState: string }> {
  return page.evaluate(async () => {
    const { pc } = (window as unknown as { __tp: { pc: RTCPeerConnection } }).__tp;
    let out = { framesDecoded: 0, frameWidth: 0, iceState: pc.iceConnectionState as string };
    (await pc.getStats()).forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') out = { framesDecoded: s.framesDecoded ?? 0, frameWidth: s.frameWidth ?? 0, iceState: pc.iceConnectionState };
    });
    return out;
  });
}
