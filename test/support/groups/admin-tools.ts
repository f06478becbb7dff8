import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { unavailable, type Availability } from '../clients/availability.js';
import { runProcess, type ProcessResult } from '../clients/process.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

/** Output of one command-line run, text decoded. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function text(r: ProcessResult): CliRun {
  if (r.timedOut) {
    throw new Error(`command timed out\n${r.stderr}`);
  }
  return { code: r.code, stdout: r.stdout.toString('utf8'), stderr: r.stderr };
}

/**
 * Kafka's kafka-consumer-groups.sh, i.e. org.apache.kafka.tools.consumer.group.ConsumerGroupCommand
 * (kafka-tools 3.9; it moved there from kafka.admin in 3.7), from the jars that
 * scripts/clients/kafka-cli/install.sh caches.
 */
export interface ConsumerGroupsCli {
  run(bootstrap: string, args: readonly string[]): Promise<CliRun>;
}

export async function consumerGroupsCli(): Promise<Availability<ConsumerGroupsCli>> {
  const install = await runProcess('bash', [path.join(root, 'scripts/clients/kafka-cli/install.sh')], {
    timeoutMs: 900_000,
  });
  if (install.code !== 0) {
    return unavailable(`Kafka CLI tools: ${install.stderr.trim().split('\n').slice(-5).join('\n')}`);
  }
  const lib = install.stdout.toString('utf8').trim();
  const main = 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand';
  return {
    ok: true,
    client: {
      run: async (bootstrap, args) =>
        text(
          await runProcess(
            'java',
            [
              '-Xmx256m',
              '-XX:TieredStopAtLevel=1',
              '-cp',
              `${lib}/*`,
              main,
              '--bootstrap-server',
              bootstrap,
              // The default 5 s is too tight for a JVM starting on a busy two-core machine.
              '--timeout',
              '60000',
              ...args,
            ],
            { timeoutMs: 180_000 },
          ),
        ),
    },
  };
}

/**
 * Rows of a table printed by the Kafka CLI, as words. Columns are padded to a width chosen from the
 * header, and a longer value (a long group name) pushes the rest of its row right, so cells are found
 * by splitting on blanks rather than at header positions; the caller maps the words to columns.
 */
export function parseTable(output: string, header: readonly string[]): string[][] {
  const lines = output.split('\n');
  const at = lines.findIndex((l) => {
    const words = l.trim().split(/\s+/);
    return header.every((h, i) => words[i] === h);
  });
  if (at < 0) {
    throw new Error(`no table headed ${header.join(' ')} in:\n${output}`);
  }
  const rows: string[][] = [];
  for (const line of lines.slice(at + 1)) {
    if (line.trim() === '') {
      break;
    }
    rows.push(line.trim().split(/\s+/));
  }
  return rows;
}

/**
 * The tables of --reset-offsets and --delete-offsets, whose rows 3.9 prints without line breaks:
 * split into words after the header and regroup them by the column count (cells hold no spaces
 * when the operation succeeded).
 */
export function parseRunOnTable(output: string, columns: readonly string[]): string[][] {
  const words = output.split(/\s+/).filter((w) => w !== '');
  const at = words.findIndex((w, i) => columns.every((c, j) => words[i + j] === c));
  if (at < 0) {
    throw new Error(`no table with columns ${columns.join(' ')} in:\n${output}`);
  }
  const cells = words.slice(at + columns.length);
  const rows: string[][] = [];
  for (let i = 0; i + columns.length <= cells.length; i += columns.length) {
    rows.push(cells.slice(i, i + columns.length));
  }
  return rows;
}
