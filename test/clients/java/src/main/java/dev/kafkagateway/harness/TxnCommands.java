package dev.kafkagateway.harness;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Transactional producer scenarios. Every record value is "&lt;txn-label&gt;-&lt;n&gt;", so a reader can tell
 * which transaction (and whether it was meant to commit) each record it sees came from.
 *
 * txn-produce --bootstrap H:P --topic T --partitions P --transactional-id ID --plan c5,a3,c4[,o2]
 *   Runs the plan's transactions in order on one producer: cN commits N records, aN aborts N
 *   records, oN leaves N records in a transaction that is never ended (the JVM exits with it open).
 *   Prints {"transactions":[{"label","outcome","records":[{"partition","offset","value"}]}]}.
 *
 * txn-fence --bootstrap H:P --topic T --transactional-id ID
 *   Zombie fencing: producer A begins a transaction and sends; producer B (same transactional id)
 *   initializes, which aborts A's transaction; A's next send/commit must fail; B commits its own.
 *   Prints {"zombieSendError","zombieCommitError","committed":[values]}.
 *
 * txn-timeout --bootstrap H:P --topic T --transactional-id ID --transaction-timeout-ms MS --wait-ms MS
 *   Begins a transaction, sends, waits past the timeout, then tries to commit. Prints {"commitError"}.
 */
final class TxnCommands {
  private TxnCommands() {}

  static KafkaProducer<byte[], byte[]> producer(Args args, String transactionalId, int timeoutMs) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args.required("bootstrap"));
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Integer.toString(timeoutMs));
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "60000");
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "harness-txn-" + transactionalId);
    for (String kv : args.all("producer-prop")) {
      int eq = kv.indexOf('=');
      props.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static ProducerRecord<byte[], byte[]> record(String topic, int partition, String value) {
    byte[] v = value.getBytes(StandardCharsets.UTF_8);
    return new ProducerRecord<>(topic, partition, v, v);
  }

  static int produce(Args args, PrintStream out) throws Exception {
    String topic = args.required("topic");
    int partitions = args.getInt("partitions", 1);
    String[] plan = args.required("plan").split(",");
    StringBuilder txns = new StringBuilder("[");
    KafkaProducer<byte[], byte[]> producer =
        producer(args, args.required("transactional-id"), args.getInt("transaction-timeout-ms", 60_000));
    producer.initTransactions();
    int next = 0;
    for (int t = 0; t < plan.length; t++) {
      char outcome = plan[t].charAt(0);
      int count = Integer.parseInt(plan[t].substring(1));
      String label = "t" + t + outcome;
      producer.beginTransaction();
      List<Future<RecordMetadata>> acks = new ArrayList<>();
      List<String> values = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        String value = label + "-" + i;
        values.add(value);
        acks.add(producer.send(record(topic, next++ % partitions, value)));
      }
      producer.flush();
      StringBuilder records = new StringBuilder("[");
      for (int i = 0; i < count; i++) {
        RecordMetadata m = acks.get(i).get();
        if (i > 0) records.append(',');
        records.append(new Json().put("partition", m.partition()).put("offset", m.offset()).put("value", values.get(i)));
      }
      if (outcome == 'c') producer.commitTransaction();
      else if (outcome == 'a') producer.abortTransaction();
      if (t > 0) txns.append(',');
      txns.append(new Json().put("label", label).put("outcome", String.valueOf(outcome)).putRaw("records", records + "]"));
      if (outcome == 'o') break;
    }
    out.println(new Json().putRaw("transactions", txns + "]"));
    out.flush();
    // An open transaction is left to the coordinator: no close(), which would abort it.
    if (!plan[plan.length - 1].startsWith("o")) producer.close();
    return 0;
  }

  private static String errorOf(Exception e) {
    Throwable t = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
    return t.getClass().getSimpleName();
  }

  static int fence(Args args, PrintStream out) throws Exception {
    String topic = args.required("topic");
    String id = args.required("transactional-id");
    KafkaProducer<byte[], byte[]> zombie = producer(args, id, 60_000);
    zombie.initTransactions();
    zombie.beginTransaction();
    zombie.send(record(topic, 0, "zombie-0")).get();
    KafkaProducer<byte[], byte[]> fresh = producer(args, id, 60_000);
    fresh.initTransactions();
    String sendError = null;
    try {
      zombie.send(record(topic, 0, "zombie-1")).get();
    } catch (Exception e) {
      sendError = errorOf(e);
    }
    String commitError = null;
    try {
      zombie.commitTransaction();
    } catch (Exception e) {
      commitError = errorOf(e);
    }
    fresh.beginTransaction();
    List<String> committed = List.of("fresh-0", "fresh-1");
    for (String v : committed) fresh.send(record(topic, 0, v));
    fresh.commitTransaction();
    fresh.close();
    zombie.close(java.time.Duration.ofSeconds(5));
    StringBuilder values = new StringBuilder("[");
    for (String v : committed) values.append(values.length() > 1 ? "," : "").append(Json.quote(v));
    out.println(new Json()
        .put("zombieSendError", sendError)
        .put("zombieCommitError", commitError)
        .putRaw("committed", values + "]"));
    return 0;
  }

  static int timeout(Args args, PrintStream out) throws Exception {
    String topic = args.required("topic");
    int timeoutMs = args.getInt("transaction-timeout-ms", 3000);
    KafkaProducer<byte[], byte[]> producer = producer(args, args.required("transactional-id"), timeoutMs);
    producer.initTransactions();
    producer.beginTransaction();
    producer.send(record(topic, 0, "late-0")).get();
    Thread.sleep(args.getLong("wait-ms", timeoutMs * 3L));
    String commitError = null;
    try {
      producer.commitTransaction();
    } catch (Exception e) {
      commitError = errorOf(e);
    }
    producer.close(java.time.Duration.ofSeconds(5));
    out.println(new Json().put("commitError", commitError));
    return 0;
  }
}
