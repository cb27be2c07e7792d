/** Who may watch a channel: listed on the home page, anyone with the link, or share links only. */
export type ChannelVisibility = 'public' | 'unlisted' | 'private';

/** What a streamer sets about a channel, and viewers see of it. */
export interface ChannelProfile {
  /** The channel's address: `/watch/{slug}`. */
  slug: string;
  title: string;
  description: string;
  visibility: ChannelVisibility;
}

/** A channel as viewers see it: `GET /channels/{slug}`, and each entry of `GET /channels`. */
export interface ChannelStatus extends ChannelProfile {
  live: boolean;
  /** ISO 8601; null while offline. */
  liveSince: string | null;
  viewers: number;
}

/** `GET /channels?live=true`: public channels that are live now, newest first. */
export interface LiveChannelList {
  channels: ChannelStatus[];
}
