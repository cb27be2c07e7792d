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
}

/**
 * The channel player: a `<video>` kept playing by {@link WhepPlayer}, with an offline
 * slate, a LIVE badge and mute/fullscreen controls. The root carries
 * `data-testid="player"` and `data-state` = the WhepPlayer state.
 */
export function WatchPlayer({ channel, title, publicApiUrl, expectLive }: WatchPlayerProps) {
  const stageRef = useRef<HTMLDivElement>(null);
  const videoRef = useRef<HTMLVideoElement>(null);
  const playerRef = useRef<WhepPlayer | null>(null);
  const [state, setState] = useState<WhepPlayerState>('connecting');
  const [detail, setDetail] = useState<string | undefined>();
  const [retrying, setRetrying] = useState(true);
  const [everLive, setEverLive] = useState(false);
  const [muted, setMuted] = useState(true);
  const [autoplayBlocked, setAutoplayBlocked] = useState(false);

  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    const apiBaseUrl = resolvePublicApiBaseUrl(publicApiUrl, window.location);
    const player = new WhepPlayer({
      video,
      endpoint: channelWhepEndpoint(apiBaseUrl, channel),
      channelName: channel,
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
  }, [channel, publicApiUrl]);

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
          <span className="badge badge-live player-badge">LIVE</span>
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
