import type { ChannelProfile } from './channel';

/** A channel in its streamer's studio (`/studio/channels...`). */
export interface StudioChannel extends ChannelProfile {
  id: string;
  /** The account that manages it; null for channels made on the command line before any account existed. */
  ownerId: string | null;
  /** Null while offline. */
  live: StudioChannelLive | null;
}

export interface StudioChannelLive {
  /** ISO 8601. */
  since: string;
  viewers: number;
  /** The simulcast layers' encoding ids (rids), empty without simulcast. */
  layers: string[];
}

export interface StudioChannelList {
  channels: StudioChannel[];
}

/** `POST /studio/channels`: the new channel and its first key, shown once. */
export interface CreatedChannel {
  channel: StudioChannel;
  streamKey: MintedKey;
}

/** A stream key as listed: never the key itself, which onair stores only hashed. */
export interface StreamKey {
  id: string;
  label: string;
  /** The key's first characters, to tell keys apart. */
  hint: string;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601; null until OBS first publishes with it. */
  lastUsedAt: string | null;
}

export interface StreamKeyList {
  keys: StreamKey[];
}

/** A key just made (`POST .../keys`): the only time the key itself is sent. */
export interface MintedKey {
  id: string;
  label: string;
  hint: string;
  key: string;
}

/** `DELETE .../keys/{keyId}`: whether a broadcast live on that key was ended with it. */
export interface KeyRevocation {
  endedBroadcast: boolean;
}

/** `POST .../keys/{keyId}/rotate`: the replacement key, shown once. */
export interface KeyRotation extends KeyRevocation {
  streamKey: MintedKey;
}

export type BroadcastEndReason = 'publisher-left' | 'media-timeout' | 'media-server-lost' | 'shutdown' | 'key-revoked';

/** One broadcast of the channel's history (`GET .../broadcasts`), newest first. */
export interface PastBroadcast {
  id: string;
  /** ISO 8601. */
  startedAt: string;
  /** ISO 8601; null while it is live. */
  endedAt: string | null;
  endReason: BroadcastEndReason | null;
  peakViewers: number;
  videoCodec: string | null;
  audioCodec: string | null;
}

export interface PastBroadcastList {
  broadcasts: PastBroadcast[];
}

/** `POST .../share-links`: a private channel's signed playback token and the watch path that carries it. */
export interface ShareLink {
  token: string;
  /** `/watch/{slug}?token=...`, to be put after the web app's origin. */
  path: string;
  /** ISO 8601. */
  expiresAt: string;
}

/** The `state` event of the studio's live view (`GET .../live`): at once and on every change. */
export type StudioLiveState = { live: true; since: string; viewers: number; layers: string[] } | { live: false; viewers: number };

/** The `health` event of the studio's live view, every two seconds while live: figures plus plain-language warnings. */
export interface StreamHealth {
  video?: {
    codec: string;
    bitrateKbps: number;
    packetLossPct: number;
    nacks: number;
    layers: number;
    /** From onair's own probe of the stream (absent when it has not seen enough yet). */
    fps?: number;
    width?: number;
    height?: number;
    keyframeIntervalS?: number;
  };
  audio?: { codec: string; bitrateKbps: number; packetLossPct: number };
  warnings: string[];
}

/** The studio's live view: each event name with its JSON data. */
export interface StudioLiveEvents {
  state: StudioLiveState;
  health: StreamHealth;
}
