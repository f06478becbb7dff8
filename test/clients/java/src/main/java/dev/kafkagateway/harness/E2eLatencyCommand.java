package dev.kafkagateway.harness;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * e2e-latency --bootstrap H:P --topic T --rate R --count N [--record-size B] [--acks all|1]
 *             [--warmup N] [--producer-prop k=v ...] [--consumer-prop k=v ...]
 *
 * End-to-end latency at a fixed rate: one producer sends R records per second (paced by the clock,
 * not by acknowledgements), each carrying its send time; a group-less consumer in the same JVM reads
 * them from the end of the topic as they arrive. Latency is receive time minus send time (one clock,
 * System.nanoTime). The first --warmup records are not counted. Prints one JSON line: percentiles in
 * ms, the rate achieved and how many records arrived.
 */
final class E2eLatencyCommand {
  private E2eLatencyCommand() {}

  static int run(Args args, PrintStream out) throws Exception {
    String topic = args.required("topic");
    double rate = Double.parseDouble(args.required("rate"));
    int count = args.getInt("count", 100_000);
    int size = Math.max(8, args.getInt("record-size", 1024));
    int warmup = args.getInt("warmup", (int) Math.min(count / 10, rate * 2));
    long[] latencies = new long[count];
    Arrays.fill(latencies, -1);

    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args.required("bootstrap"));
    props.put(ProducerConfig.ACKS_CONFIG, args.get("acks", "all"));
    props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "e2e-latency");
    for (String kv : args.all("producer-prop")) {
      int eq = kv.indexOf('=');
      props.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
    AtomicLong received = new AtomicLong();
    try (KafkaConsumer<byte[], byte[]> consumer = Consumers.open(args, "e2e-latency-reader");
        KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      List<TopicPartition> tps = Consumers.partitions(consumer, topic, deadline);
      consumer.assign(tps);
      consumer.seekToEnd(tps);
      for (TopicPartition tp : tps) {
        consumer.position(tp, Duration.ofSeconds(30));
      }
      Thread reader = new Thread(() -> {
        while (received.get() < count && System.nanoTime() < deadline) {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            long now = System.nanoTime();
            ByteBuffer v = ByteBuffer.wrap(r.value());
            int index = v.getInt(0);
            long sent = v.getLong(4);
            if (index >= 0 && index < count && latencies[index] < 0) {
              latencies[index] = now - sent;
              received.incrementAndGet();
            }
          }
        }
      }, "reader");
      reader.start();

      byte[] padding = new byte[size];
      long start = System.nanoTime();
      for (int i = 0; i < count; i++) {
        long due = start + (long) (i * 1e9 / rate);
        long wait;
        while ((wait = due - System.nanoTime()) > 0) {
          if (wait > 200_000) {
            Thread.sleep(0, 100_000);
          } else {
            Thread.onSpinWait();
          }
        }
        byte[] value = padding.clone();
        ByteBuffer.wrap(value).putInt(0, i).putLong(4, System.nanoTime());
        producer.send(new ProducerRecord<>(topic, value));
      }
      double sendSeconds = (System.nanoTime() - start) / 1e9;
      producer.flush();
      reader.join(Duration.ofMinutes(2).toMillis());

      long[] counted = Arrays.stream(latencies, Math.min(warmup, count), count).filter(l -> l >= 0).sorted().toArray();
      out.println(new Json()
          .put("sent", count)
          .put("received", received.get())
          .put("counted", counted.length)
          .put("rate", count / sendSeconds)
          .put("p50Ms", percentile(counted, 0.50))
          .put("p99Ms", percentile(counted, 0.99))
          .put("p999Ms", percentile(counted, 0.999))
          .put("maxMs", counted.length == 0 ? -1 : counted[counted.length - 1] / 1e6)
          .put("avgMs", Arrays.stream(counted).average().orElse(-1) / 1e6));
      return received.get() == count ? 0 : 4;
    }
  }

  private static double percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return -1;
    }
    int i = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
    return sorted[Math.max(0, i)] / 1e6;
  }
}
