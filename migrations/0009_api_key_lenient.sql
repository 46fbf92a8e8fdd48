-- Ingest keys may ask for lenient mode (aliases mapped, unknown fields kept in attributes)
-- for their native batches: a shipper that cannot be configured gets it by its key.
ALTER TABLE "api_keys" ADD COLUMN "lenient" boolean DEFAULT false NOT NULL;