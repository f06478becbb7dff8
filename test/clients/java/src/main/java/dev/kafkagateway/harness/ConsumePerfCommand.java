package dev.kafkagateway.harness;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * consume-perf --bootstrap H:P --topic T --messages N [--timeout-ms MS] [--consumer-prop k=v ...]
 *
 * Group-less read throughput: assign all partitions, read N records from the beginning, print one JSON
 * line with records, bytes and elapsed time. The clock starts at the first poll, after metadata and
 * offset lookups, to match what ConsumerPerformance calls fetch time.
 */
final class ConsumePerfCommand {
  private ConsumePerfCommand() {}

  static int run(Args args, PrintStream out) {
    String topic = args.required("topic");
    long messages = args.getLong("messages", 0);
    long timeoutMs = args.getLong("timeout-ms", 300_000);
    long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
    long count = 0;
    long bytes = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = Consumers.open(args, "harness-consume-perf")) {
      List<TopicPartition> tps = Consumers.partitions(consumer, topic, deadline);
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      for (TopicPartition tp : tps) {
        consumer.position(tp, Duration.ofMillis(timeoutMs));
      }
      long start = System.nanoTime();
      while (count < messages && System.nanoTime() < deadline) {
        ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(500));
        for (ConsumerRecord<byte[], byte[]> r : batch) {
          count++;
          bytes += Math.max(0, r.serializedKeySize()) + Math.max(0, r.serializedValueSize());
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      out.println(new Json()
          .put("records", count)
          .put("bytes", bytes)
          .put("elapsedMs", Math.round(seconds * 1000))
          .put("recordsPerSec", count / seconds)
          .put("mbPerSec", bytes / (1024.0 * 1024.0) / seconds)
          .put("timedOut", count < messages));
      return count < messages ? 4 : 0;
    }
  }
}
