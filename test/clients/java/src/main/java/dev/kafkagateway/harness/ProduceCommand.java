package dev.kafkagateway.harness;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * produce --bootstrap H:P --topic T --count N [--partitions P] [--compression none|gzip|snappy|lz4|zstd]
 *         [--acks all|1|0] [--idempotence true|false] [--base-timestamp MS] [--large-value-bytes B]
 *         [--linger-ms MS] [--timeout-ms MS] [--producer-prop k=v ...]
 *
 * Sends the Dataset with an explicit partition and timestamp per record, waits for every ack and
 * prints one JSON object: the records as sent, each with the partition/offset/timestamp acknowledged.
 */
final class ProduceCommand {
  private ProduceCommand() {}

  static int run(Args args, PrintStream out) throws Exception {
    String topic = args.required("topic");
    int count = args.getInt("count", 20);
    int partitions = args.getInt("partitions", 1);
    String compression = args.get("compression", "none");
    String acks = args.get("acks", "all");
    boolean idempotence = args.getBool("idempotence", true);
    // Default: an hour ago on a whole second, so retention never deletes the data during a run.
    long base = args.getLong("base-timestamp", (System.currentTimeMillis() / 1000 - 3600) * 1000);
    int large = args.getInt("large-value-bytes", Dataset.DEFAULT_LARGE_VALUE_BYTES);
    long timeoutMs = args.getLong("timeout-ms", 120_000);

    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args.required("bootstrap"));
    props.put(ProducerConfig.ACKS_CONFIG, acks);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, Boolean.toString(idempotence));
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
    props.put(ProducerConfig.LINGER_MS_CONFIG, args.get("linger-ms", "5"));
    // The near-1 MiB record plus request overhead exceeds the 1 MiB default.
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(4 * 1024 * 1024));
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(timeoutMs));
    // delivery.timeout.ms must cover linger.ms + request.timeout.ms or the client refuses to start.
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.min(timeoutMs / 2, 30_000)));
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "harness-produce");
    for (String kv : args.all("producer-prop")) {
      int eq = kv.indexOf('=');
      props.put(kv.substring(0, eq), kv.substring(eq + 1));
    }

    List<Dataset.Spec> specs = Dataset.build(count, partitions, base, large);
    List<Future<RecordMetadata>> acked = new ArrayList<>(specs.size());
    long start = System.nanoTime();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (Dataset.Spec s : specs) {
        acked.add(producer.send(new ProducerRecord<>(topic, s.partition(), s.timestamp(), s.key(), s.value(), s.headers())));
      }
      producer.flush();
      StringBuilder records = new StringBuilder("[");
      for (int i = 0; i < specs.size(); i++) {
        Dataset.Spec s = specs.get(i);
        RecordMetadata md = acked.get(i).get(timeoutMs, TimeUnit.MILLISECONDS);
        if (i > 0) {
          records.append(',');
        }
        records.append(new Json()
            .put("index", s.index())
            .put("partition", md.partition())
            .put("offset", md.offset())
            .put("timestamp", s.timestamp())
            .put("ackTimestamp", md.timestamp())
            .putBytes("key", s.key())
            .putBytes("value", s.value())
            .putRaw("headers", Records.headers(s.headers())));
      }
      records.append(']');
      long elapsedMs = (System.nanoTime() - start) / 1_000_000;
      out.println(new Json()
          .put("topic", topic)
          .put("count", specs.size())
          .put("compression", compression)
          .put("acks", acks)
          .put("idempotence", idempotence)
          .put("elapsedMs", elapsedMs)
          .putRaw("records", records.toString()));
    }
    return 0;
  }
}
