package dev.kafkagateway.harness;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The transaction commands of the compatibility matrix's driver contract (test/compat/README.md).
 *
 * txn-produce-dataset --bootstrap H:P --topic T --input FILE --transactional-id ID --plan c15,a20,c15
 *   One transactional producer sends the dataset file's records in order, cN committing the next N
 *   records in one transaction, aN aborting them. Prints {"count":N,"acks":[[partition,offset],...]}.
 *
 * txn-transform --bootstrap H:P --input-topic IN --output-topic OUT --group G --transactional-id ID
 *               --max N --tag TAG --outcome commit|abort
 *   Joins G (read_committed), reads exactly N records, and in one transaction sends one record per
 *   input to OUT (same partition and key, value TAG + ":" + value) and the consumed offsets
 *   (sendOffsetsToTransaction with the consumer's group metadata), then commits or aborts. Prints the
 *   records it consumed, one JSON line each.
 */
final class CompatTxn {
  private CompatTxn() {}


  private static KafkaProducer<byte[], byte[]> producer(Args args, long timeoutMs) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args.required("bootstrap"));
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "compat-java-txn");
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, args.required("transactional-id"));
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(Math.min(timeoutMs, 60_000)));
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(timeoutMs));
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.min(timeoutMs, 30_000)));
    return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  static int produce(Args args, PrintStream out) throws Exception {
    String topic = args.required("topic");
    long timeoutMs = args.getLong("timeout-ms", 120_000);
    List<CompatDataset.Line> lines = CompatDataset.read(Path.of(args.required("input")));
    StringBuilder acks = new StringBuilder("[");
    try (KafkaProducer<byte[], byte[]> producer = producer(args, timeoutMs)) {
      producer.initTransactions();
      int at = 0;
      for (String step : args.required("plan").split(",")) {
        char outcome = step.charAt(0);
        int count = Integer.parseInt(step.substring(1));
        if ((outcome != 'c' && outcome != 'a') || at + count > lines.size()) {
          throw new IllegalArgumentException("bad --plan step " + step);
        }
        producer.beginTransaction();
        List<Future<RecordMetadata>> sent = new ArrayList<>(count);
        for (CompatDataset.Line l : lines.subList(at, at + count)) {
          Long ts = l.timestamp() < 0 ? null : l.timestamp();
          sent.add(producer.send(new ProducerRecord<>(topic, l.partition(), ts, l.key(), l.value(), l.headers())));
        }
        producer.flush();
        for (Future<RecordMetadata> f : sent) {
          RecordMetadata md = f.get(timeoutMs, TimeUnit.MILLISECONDS);
          acks.append(acks.length() > 1 ? "," : "").append('[').append(md.partition()).append(',').append(md.offset()).append(']');
        }
        if (outcome == 'c') {
          producer.commitTransaction();
        } else {
          producer.abortTransaction();
        }
        at += count;
      }
      if (at != lines.size()) {
        throw new IllegalArgumentException("--plan covers " + at + " of " + lines.size() + " records");
      }
    }
    out.println(new Json().put("count", lines.size()).putRaw("acks", acks.append(']').toString()));
    return 0;
  }

  static int transform(Args args, PrintStream out) throws Exception {
    String input = args.required("input-topic");
    String output = args.required("output-topic");
    int max = args.getInt("max", 0);
    byte[] prefix = (args.required("tag") + ":").getBytes(StandardCharsets.UTF_8);
    boolean commit = switch (args.required("outcome")) {
      case "commit" -> true;
      case "abort" -> false;
      default -> throw new IllegalArgumentException("--outcome must be commit or abort");
    };
    long timeoutMs = args.getLong("timeout-ms", 120_000);
    long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args.required("bootstrap"));
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "compat-java-ctp");
    props.put(ConsumerConfig.GROUP_ID_CONFIG, args.required("group"));
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        KafkaProducer<byte[], byte[]> producer = producer(args, timeoutMs)) {
      producer.initTransactions();
      consumer.subscribe(List.of(input));
      List<ConsumerRecord<byte[], byte[]>> taken = new ArrayList<>();
      while (taken.size() < max) {
        if (System.nanoTime() > deadline) {
          throw new TimeoutException(taken.size() + " of " + max + " records");
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          if (taken.size() < max) {
            taken.add(r);
          }
        }
      }
      Map<TopicPartition, OffsetAndMetadata> positions = new HashMap<>();
      producer.beginTransaction();
      for (ConsumerRecord<byte[], byte[]> r : taken) {
        byte[] value = r.value() == null ? new byte[0] : r.value();
        byte[] transformed = new byte[prefix.length + value.length];
        System.arraycopy(prefix, 0, transformed, 0, prefix.length);
        System.arraycopy(value, 0, transformed, prefix.length, value.length);
        producer.send(new ProducerRecord<>(output, r.partition(), r.key(), transformed));
        positions.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
      }
      // Written before the end either way, so an abort leaves aborted data in the log to skip.
      producer.flush();
      producer.sendOffsetsToTransaction(positions, consumer.groupMetadata());
      if (commit) {
        producer.commitTransaction();
      } else {
        producer.abortTransaction();
      }
      for (ConsumerRecord<byte[], byte[]> r : taken) {
        out.println(ConsumeCommand.line(r));
      }
    }
    return 0;
  }
}
