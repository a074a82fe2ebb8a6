-- The W3C trace context of the operation that wrote the row, so that the relay's publish (later, from a background
-- loop) continues that operation's trace.
ALTER TABLE outbox_messages ADD COLUMN trace_parent TEXT;
