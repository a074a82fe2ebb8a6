-- The W3C trace context of the scored listing that created the delivery, so that sending it (possibly much later,
-- after retries or in a digest) continues the listing's trace.
ALTER TABLE deliveries ADD COLUMN trace_parent TEXT;
