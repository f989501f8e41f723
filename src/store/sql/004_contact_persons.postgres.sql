-- 004: images (logos, contact photos), a bot's contact persons, and the message of a contact request
-- (PostgreSQL dialect); mirrors 004_contact_persons.sqlite.sql. Ids use the "C" collation, as in 001.
--
-- images.bytes holds the uploaded PNG or JPEG as sent (checked by content before it is stored; at most
-- 2 MiB); GET /media/{id} serves it. A bot has at most one logo (replacing it deletes the old row) and
-- each contact person at most one photo. Contact persons are the business's own staff as it publishes
-- them in the chat (name, position, work email and phone): not visitors' personal data, so not sealed.
-- Both tables go with their bot: ON DELETE CASCADE from bots(id), so store_bot_delete removes them in its
-- transaction.
--
-- A contact request (POST …/contact-requests) is a lead with source 'contact_request'. Its per-conversation
-- de-duplication key is kept in leads.email_bidx as 'contact_request:<person id>' (never a blind index of an
-- address, so it cannot collide with an email-capture lead of the same conversation); the visitor's own
-- words go, sealed with the contact key, into leads.message.

CREATE TABLE images (
  id            TEXT COLLATE "C" PRIMARY KEY,
  tenant_id     TEXT COLLATE "C" NOT NULL,
  bot_id        TEXT COLLATE "C" NOT NULL REFERENCES bots(id) ON DELETE CASCADE,
  kind          TEXT NOT NULL CHECK (kind IN ('logo','photo')),
  content_type  TEXT NOT NULL,
  width         INTEGER NOT NULL,
  height        INTEGER NOT NULL,
  bytes         BYTEA NOT NULL,
  created_at    BIGINT NOT NULL
);
CREATE INDEX images_bot ON images(bot_id, kind);

CREATE TABLE contact_persons (
  id              TEXT COLLATE "C" PRIMARY KEY,
  tenant_id       TEXT COLLATE "C" NOT NULL,
  bot_id          TEXT COLLATE "C" NOT NULL REFERENCES bots(id) ON DELETE CASCADE,
  ord             INTEGER NOT NULL,   -- 1.. in the order the chat shows them
  name            TEXT NOT NULL,
  position        TEXT,
  email           TEXT,
  phone           TEXT,
  photo_image_id  TEXT COLLATE "C",   -- images.id (kind photo) or NULL
  created_at      BIGINT NOT NULL,
  updated_at      BIGINT NOT NULL
);
CREATE INDEX contact_persons_bot ON contact_persons(bot_id, ord);

ALTER TABLE leads ADD COLUMN message TEXT; -- sealed
