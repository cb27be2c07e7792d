'use client';

import { WhepPlayer, channelWhepEndpoint, type WhepPlayerState } from '@onair/whep-client';
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { resolvePublicApiBaseUrl } from '@/lib/public-api-url';
import { AlertIcon, BroadcastIcon, FullscreenIcon, PlayIcon, VolumeOffIcon, VolumeOnIcon } from './icons';

export interface WatchPlayerProps {
  /** Channel slug (used for the WHEP endpoint). */
  channel: string;
  /** Display title. */
  title: string;
  /** `ONAIR_PUBLIC_API_URL` from the server, or `null` to use `${protocol}//${hostname}:8080`. */
  publicApiUrl: string | null;
  /** What the server last knew (`null` = unknown); only used to pick the first slate. */
  expectLive: boolean | null;
  /** Playback token of a private channel's share link. */
  token?: string;
}

/** The small quality readout: what the player receives right now. */
interface Readout {
  width: number;
  height: number;
  fps: number;
  kbps: number;
  /** Estimated glass-to-glass share we can see: network (RTT/2) + jitter buffer. */
  delayMs: number;
}

async function readStats(pc: RTCPeerConnection, last: { bytes: number; at: number } | null): Promise<{ readout: Readout; sample: { bytes: number; at: number } } | null> {
  let video: RTCInboundRtpStreamStats | undefined;
  let rtt = 0;
  (await pc.getStats()).forEach((s) => {
    if (s.type === 'inbound-rtp' && s.kind === 'video') video = s as RTCInboundRtpStreamStats;
    if (s.type === 'candidate-pair' && s.nominated && typeof s.currentRoundTripTime === 'number') rtt = s.currentRoundTripTime;
  });
  if (!video) return null;
  const v = video as RTCInboundRtpStreamStats & { jitterBufferDelay?: number; jitterBufferEmittedCount?: number };
  const sample = { bytes: v.bytesReceived ?? 0, at: v.timestamp };
  const kbps = last && sample.at > last.at ? Math.round(((sample.bytes - last.bytes) * 8) / (sample.at - last.at)) : 0;
  const jitter = v.jitterBufferEmittedCount ? (1000 * (v.jitterBufferDelay ?? 0)) / v.jitterBufferEmittedCount : 0;
  return {
    readout: { width: v.frameWidth ?? 0, height: v.frameHeight ?? 0, fps: Math.round(v.framesPerSecond ?? 0), kbps, delayMs: Math.round(jitter + (rtt * 1000) / 2) },
    sample,
  };
}

/**
 * The channel player: a `<video>` kept playing by {@link WhepPlayer}, with an offline
 * slate, a LIVE badge and mute/fullscreen controls. The root carries
 * `data-testid="player"` and `data-state` = the WhepPlayer state.
 */
export function WatchPlayer({ channel, title, publicApiUrl, expectLive, token }: WatchPlayerProps) {
  const stageRef = useRef<HTMLDivElement>(null);
  const videoRef = useRef<HTMLVideoElement>(null);
  const playerRef = useRef<WhepPlayer | null>(null);
  const [state, setState] = useState<WhepPlayerState>('connecting');
  const [detail, setDetail] = useState<string | undefined>();
  const [retrying, setRetrying] = useState(true);
  const [everLive, setEverLive] = useState(false);
  const [muted, setMuted] = useState(true);
  const [autoplayBlocked, setAutoplayBlocked] = useState(false);
  const [viewers, setViewers] = useState<number | null>(null);
  const [readout, setReadout] = useState<Readout | null>(null);

  // Live state and viewer count pushed by the API (no polling): the channel's event feed.
  useEffect(() => {
    const source = new EventSource(`/api/channels/${encodeURIComponent(channel)}/events${token ? `?token=${encodeURIComponent(token)}` : ''}`);
    source.addEventListener('viewercount', (e) => setViewers((JSON.parse((e as MessageEvent<string>).data) as { viewercount: number }).viewercount));
    source.addEventListener('inactive', () => setViewers(null));
    // A stream that just went live: don't wait for the player's next offline check.
    source.addEventListener('active', () => playerRef.current?.start());
    return () => source.close();
  }, [channel, token]);

  useEffect(() => {
    if (state !== 'live') {
      setReadout(null);
      return;
    }
    let last: { bytes: number; at: number } | null = null;
    const timer = setInterval(() => {
      const pc = playerRef.current?.connection?.peerConnection;
      if (!pc) return;
      // A stats call that fails (the connection closing) skips this sample.
      readStats(pc, last).then((got) => {
        if (!got) return;
        // The bitrate needs two samples: show the readout from the second on.
        if (last) setReadout(got.readout);
        last = got.sample;
      }, () => undefined);
    }, 1000);
    return () => clearInterval(timer);
  }, [state]);

  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    const apiBaseUrl = resolvePublicApiBaseUrl(publicApiUrl, window.location);
    const player = new WhepPlayer({
      video,
      endpoint: channelWhepEndpoint(apiBaseUrl, channel),
      channelName: channel,
      token,
      onStateChange: (next, nextDetail) => {
        setState(next);
        setDetail(nextDetail);
        setRetrying(player.retrying);
        if (next === 'live') setEverLive(true);
        else setAutoplayBlocked(false);
      },
      onAutoplayBlocked: () => setAutoplayBlocked(true),
    });
    playerRef.current = player;
    const onVolumeChange = () => setMuted(video.muted);
    const onPlaying = () => setAutoplayBlocked(false);
    video.addEventListener('volumechange', onVolumeChange);
    video.addEventListener('playing', onPlaying);
    player.start();
    setMuted(video.muted);
    return () => {
      video.removeEventListener('volumechange', onVolumeChange);
      video.removeEventListener('playing', onPlaying);
      void player.stop();
      playerRef.current = null;
    };
  }, [channel, publicApiUrl, token]);

  const toggleMute = useCallback(() => {
    const video = videoRef.current;
    if (!video) return;
    video.muted = !video.muted;
    if (!video.muted && video.volume === 0) video.volume = 1;
    if (video.paused) void video.play().catch(() => undefined);
  }, []);

  const resume = useCallback(() => {
    void playerRef.current?.play().catch(() => undefined);
  }, []);

  const retry = useCallback(() => {
    playerRef.current?.start();
  }, []);

  const toggleFullscreen = useCallback(() => {
    const stage = stageRef.current;
    const video = videoRef.current as (HTMLVideoElement & { webkitEnterFullscreen?: () => void }) | null;
    if (document.fullscreenElement) {
      void document.exitFullscreen().catch(() => undefined);
    } else if (stage?.requestFullscreen) {
      void stage.requestFullscreen().catch(() => undefined);
    } else {
      video?.webkitEnterFullscreen?.(); // iOS Safari
    }
  }, []);

  const live = state === 'live';
  const showOffline = state === 'offline' || (state === 'connecting' && !everLive && expectLive === false);

  let slate: ReactNode = null;
  if (showOffline) {
    slate = (
      <div className="slate slate-offline">
        <div className="slate-icon">
          <BroadcastIcon width={28} height={28} />
        </div>
        <p className="slate-text">
          <strong>{title} is offline.</strong> This page starts playing by itself when the stream goes live.
        </p>
        <p className="slate-hint">
          <span className="pulse-dot" aria-hidden="true" /> Waiting for the stream
        </p>
      </div>
    );
  } else if (state === 'connecting') {
    slate = (
      <div className="slate">
        <div className="spinner" aria-hidden="true" />
        <p className="slate-hint">{everLive ? 'Reconnecting…' : 'Connecting…'}</p>
      </div>
    );
  } else if (state === 'error') {
    slate = (
      <div className="slate slate-error" role="alert">
        <div className="slate-icon">
          <AlertIcon width={28} height={28} />
        </div>
        <p className="slate-text">{detail ?? 'Something went wrong.'}</p>
        {!retrying && (
          <button type="button" className="button" onClick={retry}>
            Try again
          </button>
        )}
      </div>
    );
  }

  return (
    <div
      ref={stageRef}
      className={`player player-${state}`}
      data-testid="player"
      data-state={state}
      aria-label={`${title} player`}
    >
      <video ref={videoRef} className="player-video" data-testid="video" playsInline autoPlay muted />

      {slate && (
        <div className="player-overlay" aria-live="polite">
          {slate}
        </div>
      )}

      {live && autoplayBlocked && (
        <button type="button" className="player-bigplay" onClick={resume} aria-label="Play">
          <PlayIcon width={36} height={36} />
        </button>
      )}

      {live && (
        <>
          <span className="badge badge-live player-badge" data-testid="live-badge">
            LIVE{viewers !== null ? ` · ${viewers} watching` : ''}
          </span>
          {readout && readout.width > 0 && (
            <span className="player-readout" data-testid="readout" title="Resolution · frame rate · bitrate · network + buffer delay">
              {readout.height}p{readout.fps} · {(readout.kbps / 1000).toFixed(1)} Mbps · ~{readout.delayMs} ms
            </span>
          )}
          <div className="player-controls">
            <button
              type="button"
              className={`control ${muted ? 'control-primary' : ''}`}
              onClick={toggleMute}
              aria-pressed={!muted}
            >
              {muted ? <VolumeOffIcon /> : <VolumeOnIcon />}
              <span>{muted ? 'Unmute' : 'Mute'}</span>
            </button>
            <button type="button" className="control control-icon" onClick={toggleFullscreen} aria-label="Fullscreen">
              <FullscreenIcon />
            </button>
          </div>
        </>
      )}
    </div>
  );
}
