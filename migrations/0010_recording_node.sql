-- Which media node records each track, so a node that restarts can close what it left "recording" (it
-- crashed or was killed mid-call) as failed, with the partial file's hash, instead of listing it as running.
ALTER TABLE "video_recordings" ADD COLUMN "node_id" text;
