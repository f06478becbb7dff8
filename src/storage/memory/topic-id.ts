import { randomUUID } from 'node:crypto';

/** A fresh topic id as 32 lowercase hex digits; a v4 UUID is never Kafka's all-zero "no id". */
export function newTopicId(): string {
  return randomUUID().replace(/-/g, '');
}
