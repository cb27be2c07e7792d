-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "ChannelVisibility" AS ENUM ('PUBLIC', 'UNLISTED', 'PRIVATE');

-- CreateEnum
CREATE TYPE "BroadcastEndReason" AS ENUM ('PUBLISHER_LEFT', 'MEDIA_TIMEOUT', 'MEDIA_SERVER_LOST', 'SHUTDOWN', 'KEY_REVOKED');

-- CreateTable
CREATE TABLE "channels" (
    "id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "visibility" "ChannelVisibility" NOT NULL DEFAULT 'PUBLIC',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "channels_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stream_keys" (
    "id" UUID NOT NULL,
    "channel_id" UUID NOT NULL,
    "label" TEXT NOT NULL DEFAULT '',
    "key_hash" TEXT NOT NULL,
    "hint" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "stream_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "broadcasts" (
    "id" UUID NOT NULL,
    "channel_id" UUID NOT NULL,
    "stream_key_id" UUID,
    "media_node" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ended_at" TIMESTAMPTZ(3),
    "end_reason" "BroadcastEndReason",
    "video_codec" TEXT,
    "audio_codec" TEXT,
    "user_agent" TEXT,
    "peak_viewers" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "broadcasts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "channels_slug_key" ON "channels"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "stream_keys_key_hash_key" ON "stream_keys"("key_hash");

-- CreateIndex
CREATE INDEX "stream_keys_channel_id_idx" ON "stream_keys"("channel_id");

-- CreateIndex
CREATE INDEX "broadcasts_channel_id_started_at_idx" ON "broadcasts"("channel_id", "started_at" DESC);

-- AddForeignKey
ALTER TABLE "stream_keys" ADD CONSTRAINT "stream_keys_channel_id_fkey" FOREIGN KEY ("channel_id") REFERENCES "channels"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "broadcasts" ADD CONSTRAINT "broadcasts_channel_id_fkey" FOREIGN KEY ("channel_id") REFERENCES "channels"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "broadcasts" ADD CONSTRAINT "broadcasts_stream_key_id_fkey" FOREIGN KEY ("stream_key_id") REFERENCES "stream_keys"("id") ON DELETE SET NULL ON UPDATE CASCADE;


-- At most one open broadcast per channel, whichever API replica takes the WHIP POST.
CREATE UNIQUE INDEX "broadcasts_one_live_per_channel" ON "broadcasts"("channel_id") WHERE "ended_at" IS NULL;
