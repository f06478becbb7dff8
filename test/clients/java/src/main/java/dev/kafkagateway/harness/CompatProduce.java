package dev.kafkagateway.harness;

import java.io.PrintStream;
import java.nio.file.Path;
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
 * produce-dataset --bootstrap H:P --topic T --input FILE [--compression C] [--idempotent true|false]
 *
 * Sends the records of a test/compat dataset file (partition, timestamp, key, value, headers; byte
 * fields base64 or "-" for null) and prints {"count":N,"acks":[[partition,offset],...]} in file order.
 */
final class CompatProduce {
  private CompatProduce() {}


  static int run(Args args, PrintStream out) throws Exception {
    String topic = args.required("topic");
    long timeoutMs = args.getLong("timeout-ms", 120_000);
    List<CompatDataset.Line> lines = CompatDataset.read(Path.of(args.required("input")));
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args.required("bootstrap"));
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "compat-java");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, args.get("idempotent", "true"));
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, args.get("compression", "none"));
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(8 * 1024 * 1024));
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(timeoutMs));
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.min(timeoutMs, 30_000)));
    List<Future<RecordMetadata>> acked = new ArrayList<>(lines.size());
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (CompatDataset.Line l : lines) {
        Long ts = l.timestamp() < 0 ? null : l.timestamp();
        acked.add(producer.send(new ProducerRecord<>(topic, l.partition(), ts, l.key(), l.value(), l.headers())));
      }
      producer.flush();
      StringBuilder acks = new StringBuilder("[");
      for (Future<RecordMetadata> f : acked) {
        RecordMetadata md = f.get(timeoutMs, TimeUnit.MILLISECONDS);
        if (acks.length() > 1) {
          acks.append(',');
        }
        acks.append('[').append(md.partition()).append(',').append(md.offset()).append(']');
      }
      out.println(new Json().put("count", lines.size()).putRaw("acks", acks.append(']').toString()));
    }
    return 0;
  }
}
