/** Notes shown beside an API in API_VERSION_MATRIX.md: what differs from a Kafka 3.9 broker. */
export const API_NOTES: Record<number, string> = {
  0: 'acks 0/1/-1; idempotent producers (sequence checks, retries answered with the original offset); magic 0/1 message sets refused with UNSUPPORTED_FOR_MESSAGE_FORMAT; transactional batches refused',
  1: 'long poll woken by appends; no fetch sessions (every response is full; a new session is answered with session id 0); v0-3 get magic-2 batches (no down-conversion)',
  2: 'earliest, latest, by timestamp (exact), max timestamp; latest-tiered answers -1 (nothing is tiered)',
  3: 'one broker (the gateway) leads every partition at leader epoch 0; auto-creation when enabled',
  19: 'basic: partitions, configs stored, validate_only; replication factor accepted and reported as 1',
  20: 'by name (v0-5) and by name or id (v6)',
  22: 'idempotent producers only; a transactional id is refused with INVALID_REQUEST',
};
