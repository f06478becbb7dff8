package dev.kafkagateway.harness;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * group-consume --bootstrap H:P --topic T --group G --max N: joins G, prints exactly N records (JSON
 * lines as ConsumeCommand), commits exactly those synchronously and leaves.
 * describe-group --bootstrap H:P --topic T --group G: state, members, committed offsets and lag.
 */
final class CompatGroups {
  private CompatGroups() {}

  static int consume(Args args, PrintStream out) throws Exception {
    String topic = args.required("topic");
    int max = args.getInt("max", 0);
    long deadline = System.nanoTime() + args.getLong("timeout-ms", 120_000) * 1_000_000L;
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args.required("bootstrap"));
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "compat-java");
    props.put(ConsumerConfig.GROUP_ID_CONFIG, args.required("group"));
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    Map<TopicPartition, OffsetAndMetadata> positions = new HashMap<>();
    int got = 0;
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      while (got < max) {
        if (System.nanoTime() > deadline) {
          out.flush();
          throw new TimeoutException(got + " of " + max + " records");
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          if (got == max) {
            break;
          }
          out.println(ConsumeCommand.line(r));
          positions.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
          got++;
        }
      }
      consumer.commitSync(positions, Duration.ofSeconds(30));
    }
    return 0;
  }

  static int describe(Args args, PrintStream out) throws Exception {
    String topic = args.required("topic");
    String group = args.required("group");
    long t = CompatAdmin.timeout(args);
    try (Admin admin = CompatAdmin.open(args)) {
      ConsumerGroupDescription d =
          admin.describeConsumerGroups(List.of(group)).all().get(t, TimeUnit.MILLISECONDS).get(group);
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(t, TimeUnit.MILLISECONDS);
      TopicDescription td = admin.describeTopics(List.of(topic)).allTopicNames().get(t, TimeUnit.MILLISECONDS).get(topic);
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      List<TopicPartition> tps = new ArrayList<>();
      for (TopicPartitionInfo p : td.partitions()) {
        TopicPartition tp = new TopicPartition(topic, p.partition());
        tps.add(tp);
        latest.put(tp, OffsetSpec.latest());
      }
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
          admin.listOffsets(latest).all().get(t, TimeUnit.MILLISECONDS);
      Json offsets = new Json();
      Json lag = new Json();
      for (TopicPartition tp : tps) {
        OffsetAndMetadata om = committed.get(tp);
        long c = om == null ? -1 : om.offset();
        offsets.put(Integer.toString(tp.partition()), c);
        lag.put(Integer.toString(tp.partition()), ends.get(tp).offset() - Math.max(c, 0));
      }
      out.println(new Json()
          .put("group", group)
          .put("state", state(d))
          .put("members", d.members().size())
          .putRaw("offsets", offsets.toString())
          .putRaw("lag", lag.toString()));
    }
    return 0;
  }

  /** groupState() in kafka-clients 4.x, state() before; one source builds against both. */
  private static String state(ConsumerGroupDescription d) throws Exception {
    for (String name : new String[] {"groupState", "state"}) {
      try {
        return String.valueOf(ConsumerGroupDescription.class.getMethod(name).invoke(d));
      } catch (NoSuchMethodException e) {
        // try the next name
      }
    }
    return "unknown";
  }
}
