/** Protocol type of the Java consumer's embedded protocol (ConsumerProtocolSubscription). */
export const CONSUMER_PROTOCOL_TYPE = 'consumer';

/**
 * Reads the topic list of a ConsumerProtocolSubscription: a version (int16) and then the version-0 fields,
 * which prefix every later version (topics: int32 count of int16-length strings; user data: nullable
 * int32-length bytes). Later fields are ignored, so future versions parse too. Returns undefined when the
 * bytes do not follow the schema; callers then assume the group may consume any topic, as Kafka does.
 */
export function parseSubscriptionTopics(metadata: Buffer): string[] | undefined {
  let pos = 0;
  const need = (n: number): boolean => pos + n <= metadata.length;
  if (!need(2)) return undefined;
  pos += 2; // version: any value, version 0 is the common prefix
  if (!need(4)) return undefined;
  const count = metadata.readInt32BE(pos);
  pos += 4;
  if (count < 0) return undefined;
  const topics: string[] = [];
  for (let i = 0; i < count; i++) {
    if (!need(2)) return undefined;
    const len = metadata.readInt16BE(pos);
    pos += 2;
    if (len < 0 || !need(len)) return undefined;
    topics.push(metadata.toString('utf8', pos, pos + len));
    pos += len;
  }
  if (!need(4)) return undefined;
  const userDataLen = metadata.readInt32BE(pos);
  pos += 4;
  if (userDataLen >= 0 && !need(userDataLen)) return undefined;
  return topics;
}
