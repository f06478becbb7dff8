import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runLogged, ROOT } from './proc.js';

/**
 * Downloads Apache Kafka's kafka-tools (ProducerPerformance, ConsumerPerformance) and its runtime
 * dependencies from Maven Central into .cache/bench/kafka-tools-<version>/ once; returns a classpath.
 */
export async function kafkaToolsClasspath(version: string): Promise<string> {
  const dir = path.join(ROOT, '.cache', 'bench', `kafka-tools-${version}`);
  const marker = path.join(dir, '.complete');
  if (!existsSync(marker)) {
    mkdirSync(dir, { recursive: true });
    const pom = path.join(ROOT, 'bench', 'tools', 'pom.xml');
    await runLogged('mvn', [
      '-q',
      '-B',
      '-Dstyle.color=never',
      '-f',
      pom,
      `-Dkafka.version=${version}`,
      'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies',
      `-DoutputDirectory=${dir}`,
      '-DincludeScope=runtime',
    ]);
    writeFileSync(marker, '');
  }
  // The tools log through reload4j; keep them to warnings on stderr so stdout stays parseable.
  const log4j = path.join(dir, 'log4j.properties');
  if (!existsSync(log4j)) {
    writeFileSync(
      log4j,
      [
        'log4j.rootLogger=WARN, stderr',
        'log4j.appender.stderr=org.apache.log4j.ConsoleAppender',
        'log4j.appender.stderr.Target=System.err',
        'log4j.appender.stderr.layout=org.apache.log4j.PatternLayout',
        'log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n',
        '',
      ].join('\n'),
    );
  }
  return `${dir}/*`;
}

export function log4jOption(classpath: string): string {
  return `-Dlog4j.configuration=file:${path.join(path.dirname(classpath), 'log4j.properties')}`;
}

/** Builds the Java client harness (scripts/clients/build-java.sh) and returns its classpath. */
export async function harnessClasspath(): Promise<string> {
  const out = await runLogged('bash', [path.join(ROOT, 'scripts', 'clients', 'build-java.sh')], {
    capture: true,
  });
  const dir = out.trim();
  return `${dir}/harness.jar${path.delimiter}${dir}/lib/*`;
}
