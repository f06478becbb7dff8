import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { unavailable, type Availability } from '../clients/availability.js';
import { checkResult, runProcess } from '../clients/process.js';
import { LineProcess } from '../groups/line-process.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

/** The Kafka Streams WordCount of test/clients/java-streams, built for one Kafka version. */
export interface StreamsApp {
  start(o: {
    bootstrap: string;
    appId: string;
    input: string;
    output: string;
    stateDir: string;
    label: string;
  }): LineProcess;
}

export async function streamsApp(version = '3.9.2'): Promise<Availability<StreamsApp>> {
  const build = await runProcess('bash', [path.join(root, 'scripts/clients/build-java.sh'), version], {
    timeoutMs: 900_000,
    env: { ...process.env, JAVA_HARNESS_PROJECT: 'java-streams' },
  });
  if (build.code === 127) return unavailable(`Kafka Streams harness: ${build.stderr.trim()}`);
  const dir = checkResult('build-java.sh (streams)', build).stdout.toString('utf8').trim();
  const classpath = `${dir}/harness.jar${path.delimiter}${dir}/lib/*`;
  return {
    ok: true,
    client: {
      start: (o) =>
        new LineProcess(
          'java',
          [
            '-Xmx384m',
            '-cp',
            classpath,
            'dev.kafkagateway.streams.WordCount',
            o.bootstrap,
            o.appId,
            o.input,
            o.output,
            o.stateDir,
          ],
          { timeoutMs: 600_000, label: o.label },
        ),
    },
  };
}

/** The words of input line i: a fixed pattern over a small vocabulary, so counts are known. */
const VOCABULARY = [
  'alpha',
  'bravo',
  'charlie',
  'delta',
  'echo',
  'foxtrot',
  'golf',
  'hotel',
  'india',
  'juliet',
  'kilo',
];

export function lineOf(i: number): string {
  return Array.from({ length: 5 }, (_, j) => VOCABULARY[(i * 7 + j * 3) % VOCABULARY.length]!).join(' ');
}

export function expectedCounts(lines: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < lines; i++) {
    for (const w of lineOf(i).split(' ')) counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  return counts;
}
