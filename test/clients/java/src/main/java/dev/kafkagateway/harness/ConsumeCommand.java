package dev.kafkagateway.harness;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * consume --bootstrap H:P --topic T [--expect N] [--timeout-ms MS] [--consumer-prop k=v ...]
 *
 * Assigns every partition, seeks to the beginning and reads until each partition's position reaches
 * the end offset it had at the start (and, with --expect, until N records arrived). Prints each record
 * as a JSON line, then a summary line {"summary":true,...}. Exit 3 if the count differs from --expect,
 * 4 on timeout.
 */
final class ConsumeCommand {
  private ConsumeCommand() {}

  static int run(Args args, PrintStream out) {
    String topic = args.required("topic");
    int expect = args.getInt("expect", -1);
    long timeoutMs = args.getLong("timeout-ms", 90_000);
    long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
    int count = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = Consumers.open(args, "harness-consume")) {
      List<TopicPartition> tps = Consumers.partitions(consumer, topic, deadline);
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      Map<TopicPartition, Long> end = consumer.endOffsets(tps, Duration.ofMillis(timeoutMs));
      boolean timedOut = false;
      while (!(Consumers.reachedEnd(consumer, end) && (expect < 0 || count >= expect))) {
        if (System.nanoTime() > deadline) {
          timedOut = true;
          break;
        }
        ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(500));
        for (ConsumerRecord<byte[], byte[]> r : batch) {
          out.println(line(r));
          count++;
        }
      }
      StringBuilder ends = new StringBuilder("{");
      for (TopicPartition tp : tps) {
        if (ends.length() > 1) {
          ends.append(',');
        }
        ends.append('"').append(tp.partition()).append("\":").append(end.get(tp));
      }
      out.println(new Json()
          .put("summary", true)
          .put("count", count)
          .put("timedOut", timedOut)
          .putRaw("endOffsets", ends.append('}').toString()));
      out.flush();
      if (timedOut) {
        return 4;
      }
      return expect >= 0 && count != expect ? 3 : 0;
    }
  }

  static String line(ConsumerRecord<byte[], byte[]> r) {
    return new Json()
        .put("partition", r.partition())
        .put("offset", r.offset())
        .put("timestamp", r.timestamp())
        .put("timestampType", r.timestampType().name)
        .put("leaderEpoch", r.leaderEpoch().orElse(-1))
        .putBytes("key", r.key())
        .putBytes("value", r.value())
        .putRaw("headers", Records.headers(r.headers()))
        .toString();
  }
}
