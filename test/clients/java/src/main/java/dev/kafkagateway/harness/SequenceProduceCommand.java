package dev.kafkagateway.harness;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * seq-produce --bootstrap H:P --topic T --partitions P [--count N] [--duration-ms MS] [--rate R]
 *             [--start N] [--producer-prop k=v ...]
 *
 * Sends records numbered start, start+1, ... (key "k<n>", value "<n>", partition n mod P) at about R
 * records per second until N were sent, the duration passed, or a "stop" line arrives on stdin (end of
 * input alone does not stop it, so it also runs with stdin closed; the duration bounds it). Prints
 * {"ev":"ack","n":..,"p":..,"o":..} for every acknowledged record (idempotent, acks=all) and ends with
 * {"ev":"done",...}. Exit 3 if any send failed.
 */
final class SequenceProduceCommand {
  private SequenceProduceCommand() {}

  static int run(Args args) throws Exception {
    EventLog log = new EventLog();
    String topic = args.required("topic");
    int partitions = args.getInt("partitions", 1);
    long count = args.getLong("count", Long.MAX_VALUE);
    long durationMs = args.getLong("duration-ms", 600_000);
    double rate = Double.parseDouble(args.get("rate", "0"));
    long start = args.getLong("start", 0);

    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args.required("bootstrap"));
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "seq-produce");
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000");
    for (String kv : args.all("producer-prop")) {
      int eq = kv.indexOf('=');
      props.put(kv.substring(0, eq), kv.substring(eq + 1));
    }

    Thread input = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          if (line.trim().equals("stop")) {
            stopRequested = true;
            return;
          }
        }
      } catch (Exception ignored) {
        // Like end of input: production goes on until its count or duration.
      }
    }, "stdin");
    input.setDaemon(true);
    input.start();

    AtomicLong acked = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long began = System.nanoTime();
    long deadline = began + durationMs * 1_000_000L;
    long sent = 0;
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      while (sent < count && !stopRequested && System.nanoTime() < deadline) {
        if (rate > 0) {
          long due = began + (long) (sent * 1e9 / rate);
          long wait = due - System.nanoTime();
          if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
          }
        }
        long n = start + sent;
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, (int) (n % partitions),
            ("k" + n).getBytes(StandardCharsets.UTF_8), Long.toString(n).getBytes(StandardCharsets.UTF_8));
        producer.send(r, (md, e) -> {
          if (e == null) {
            acked.incrementAndGet();
            log.emit(EventLog.event("ack", null).put("n", n).put("p", md.partition()).put("o", md.offset()));
          } else {
            failed.incrementAndGet();
            log.emit(EventLog.event("send-error", null).put("n", n).put("err", e.toString()));
          }
        });
        sent++;
      }
      producer.flush();
    }
    log.emit(EventLog.event("done", null)
        .put("sent", sent)
        .put("acked", acked.get())
        .put("failed", failed.get())
        .put("elapsedMs", (System.nanoTime() - began) / 1_000_000));
    log.flush();
    return failed.get() > 0 ? 3 : 0;
  }

  private static volatile boolean stopRequested;
}
