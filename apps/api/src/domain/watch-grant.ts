/** What a share link let a viewer in with: ends when the link is revoked or expires (channels/watch-access.ts). */
export interface WatchGrant {
  channelId: string;
  /** The channel's playback token version the link was signed with. */
  version: number;
  expiresAt: Date;
}
