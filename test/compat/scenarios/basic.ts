import { TOPIC_CONFIGS } from '../dataset.js';
import { eventually } from '../support/fixture.js';
import { cell, check, mark, type ClientRun } from './context.js';

const METADATA = ['meta-ipv4', 'meta-localhost', 'meta-ipv6'] as const;

/** Connect on each bootstrap form and list metadata: a broker on the target's port, the probe topic. */
export async function metadataCells(run: ClientRun): Promise<void> {
  for (const scenario of METADATA) {
    const bootstrap = run.target.bootstraps[scenario];
    if (scenario === 'meta-ipv6' && run.spec.ipv6Note) {
      mark(run, scenario, 'n/a', run.spec.ipv6Note);
      continue;
    }
    if (typeof bootstrap !== 'string') {
      mark(run, scenario, 'skipped', bootstrap.skip);
      continue;
    }
    await cell(run, scenario, async () => {
      const md = await run.driver.metadata(bootstrap);
      check(md.brokers.length > 0, `no brokers listed: ${JSON.stringify(md)}`);
      check(
        md.brokers.some((b) => b.port === run.target.port),
        `no broker on port ${run.target.port}: ${JSON.stringify(md.brokers)}`,
      );
      const probe = md.topics[run.target.probeTopic];
      check(probe === 2, `topic ${run.target.probeTopic} listed with ${String(probe)} partitions, want 2`);
      return `${md.brokers.map((b) => `${b.id}@${b.host}:${b.port}`).join(' ')}`;
    });
  }
}

/** Topics for the client: through its own admin API where it has one, else the runner's. */
export async function createTopic(run: ClientRun, topic: string, partitions = 3): Promise<void> {
  if (run.driver.createTopic)
    await run.driver.createTopic(run.fixture.bootstrap, topic, partitions, TOPIC_CONFIGS);
  else await run.fixture.createTopic(topic, partitions, TOPIC_CONFIGS);
  const listed = await eventually(async () => (await run.fixture.partitionCount(topic)) === partitions);
  check(listed, `${topic}: metadata does not list ${partitions} partitions after creation`);
}

export async function createTopicCell(run: ClientRun): Promise<void> {
  if (!run.driver.createTopic) {
    mark(run, 'create-topic', 'n/a', `${run.spec.name} has no admin API (the runner creates its topics)`);
    await run.fixture.createTopic(run.base, 3, TOPIC_CONFIGS);
    return;
  }
  await cell(run, 'create-topic', async () => {
    await createTopic(run, run.base);
    return 'listed with 3 partitions';
  });
}

export async function deleteTopicCell(run: ClientRun): Promise<void> {
  if (!run.driver.deleteTopic) {
    mark(run, 'delete-topic', 'n/a', `${run.spec.name} has no admin API`);
    return;
  }
  await cell(run, 'delete-topic', async () => {
    check((await run.fixture.listTopics()).includes(run.base), `${run.base} is not there to delete`);
    await run.driver.deleteTopic!(run.fixture.bootstrap, run.base);
    const gone = await eventually(async () => !(await run.fixture.listTopics()).includes(run.base));
    check(gone, `${run.base} still listed after delete`);
    return 'gone from metadata';
  });
}
