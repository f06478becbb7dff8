import type { GatewayConfig } from '../config.js';
import type { Logger } from '../log.js';
import { ErrorCode, KafkaError } from '../protocol/error-codes.js';
import type { Storage, TopicConfigs, TopicInfo } from '../storage/storage.js';
import { topicNameProblem } from './topic-name.js';

/** Topic look-ups that handlers share: by name or id, with auto-creation where Kafka would do it. */
export class TopicService {
  constructor(
    private readonly storage: Storage,
    private readonly config: GatewayConfig,
    private readonly log: Logger,
  ) {}

  describe(name: string): Promise<TopicInfo | undefined> {
    return this.storage.describeTopic(name);
  }

  /** Fetch v13+ names topics by id on every request, so ids map to names without listing each time. */
  private readonly namesById = new Map<string, string>();

  async byId(id: string): Promise<TopicInfo | undefined> {
    const name = this.namesById.get(id);
    if (name !== undefined) {
      const topic = await this.storage.describeTopic(name);
      if (topic?.id === id) return topic;
      this.namesById.delete(id);
    }
    for (const t of await this.storage.listTopics()) this.namesById.set(t.id, t.name);
    const found = this.namesById.get(id);
    return found === undefined ? undefined : this.storage.describeTopic(found);
  }

  async create(name: string, partitions: number, configs: TopicConfigs): Promise<TopicInfo> {
    const problem = topicNameProblem(name);
    if (problem !== undefined) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, problem);
    if (!Number.isInteger(partitions) || partitions < 1) {
      throw new KafkaError(ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.');
    }
    const topic = await this.storage.createTopic({ name, partitions, configs });
    this.log.info({ topic: name, partitions }, 'topic created');
    return topic;
  }

  /**
   * The topic, created with the default partition count when auto-creation is on; undefined when
   * it does not exist and may not be created. Two clients racing to create it both get it.
   */
  async getOrCreate(name: string, allowAutoCreate = true): Promise<TopicInfo | undefined> {
    const existing = await this.storage.describeTopic(name);
    if (existing !== undefined || !allowAutoCreate || !this.config.autoCreateTopics) return existing;
    if (topicNameProblem(name) !== undefined) return undefined;
    try {
      return await this.create(name, this.config.defaultPartitions, {});
    } catch (err) {
      if (err instanceof KafkaError && err.code === ErrorCode.TOPIC_ALREADY_EXISTS) {
        return this.storage.describeTopic(name);
      }
      throw err;
    }
  }
}
