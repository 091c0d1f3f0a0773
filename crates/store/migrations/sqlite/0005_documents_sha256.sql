-- The document sweep looks documents up by content hash.
CREATE INDEX documents_sha256 ON documents(sha256);
