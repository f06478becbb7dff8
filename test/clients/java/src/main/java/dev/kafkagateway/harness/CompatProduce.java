package dev.kafkagateway.harness;

import java.io.BufferedReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * produce-dataset --bootstrap H:P --topic T --input FILE [--compression C] [--idempotent true|false]
 *
 * Sends the records of a test/compat dataset file (partition, timestamp, key, value, headers; byte
 * fields base64 or "-" for null) and prints {"count":N,"acks":[[partition,offset],...]} in file order.
 */
final class CompatProduce {
  private CompatProduce() {}

  private record Line(int partition, long timestamp, byte[] key, byte[] value, List<Header> headers) {}

  static int run(Args args, PrintStream out) throws Exception {
    String topic = args.required("topic");
    long timeoutMs = args.getLong("timeout-ms", 120_000);
    List<Line> lines = read(Path.of(args.required("input")));
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
      for (Line l : lines) {
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

  private static List<Line> read(Path file) throws Exception {
    List<Line> lines = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
      String s;
      while ((s = r.readLine()) != null) {
        if (s.isEmpty()) {
          continue;
        }
        String[] f = s.split("\t", -1);
        if (f.length != 5) {
          throw new IllegalArgumentException("dataset line " + (lines.size() + 1) + ": want 5 fields");
        }
        List<Header> headers = new ArrayList<>();
        if (!f[4].isEmpty()) {
          for (String pair : f[4].split(",")) {
            int colon = pair.indexOf(':');
            String name = new String(Base64.getDecoder().decode(pair.substring(0, colon)), StandardCharsets.UTF_8);
            headers.add(new RecordHeader(name, bytes(pair.substring(colon + 1))));
          }
        }
        lines.add(new Line(Integer.parseInt(f[0]), Long.parseLong(f[1]), bytes(f[2]), bytes(f[3]), headers));
      }
    }
    return lines;
  }

  private static byte[] bytes(String field) {
    return field.equals("-") ? null : Base64.getDecoder().decode(field);
  }
}
