-- Share links carry the channel's playback token version: bumping it revokes them all.
ALTER TABLE "channels" ADD COLUMN "playback_token_version" INTEGER NOT NULL DEFAULT 0;
