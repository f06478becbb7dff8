package dev.kafkagateway.harness;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * create-topic --bootstrap H:P --topic T --partitions P [--replication-factor 1] [--config k=v ...]
 *              [--if-not-exists true]
 * delete-topic --bootstrap H:P --topic T
 * describe-topic --bootstrap H:P --topic T
 * list-offsets --bootstrap H:P --topic T      (earliest, latest and max-timestamp per partition)
 */
final class AdminCommands {
  private AdminCommands() {}

  private static Admin open(Args args) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args.required("bootstrap"));
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "harness-admin");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, args.get("timeout-ms", "60000"));
    return Admin.create(props);
  }

  private static long timeout(Args args) {
    return args.getLong("timeout-ms", 60_000);
  }

  static int createTopic(Args args, PrintStream out) throws Exception {
    String topic = args.required("topic");
    int partitions = args.getInt("partitions", 1);
    short rf = (short) args.getInt("replication-factor", 1);
    Map<String, String> configs = new HashMap<>();
    for (String kv : args.all("config")) {
      int eq = kv.indexOf('=');
      configs.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    boolean created = true;
    try (Admin admin = open(args)) {
      NewTopic nt = new NewTopic(topic, partitions, rf).configs(configs);
      try {
        admin.createTopics(List.of(nt)).all().get(timeout(args), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException) || !args.getBool("if-not-exists", false)) {
          throw e;
        }
        created = false;
      }
      out.println(new Json().put("topic", topic).put("partitions", partitions).put("created", created));
    }
    return 0;
  }

  static int deleteTopic(Args args, PrintStream out) throws Exception {
    String topic = args.required("topic");
    try (Admin admin = open(args)) {
      admin.deleteTopics(List.of(topic)).all().get(timeout(args), TimeUnit.MILLISECONDS);
      out.println(new Json().put("topic", topic).put("deleted", true));
    }
    return 0;
  }

  static int describeTopic(Args args, PrintStream out) throws Exception {
    String topic = args.required("topic");
    try (Admin admin = open(args)) {
      TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames()
          .get(timeout(args), TimeUnit.MILLISECONDS).get(topic);
      StringBuilder parts = new StringBuilder("[");
      for (TopicPartitionInfo p : d.partitions()) {
        if (parts.length() > 1) {
          parts.append(',');
        }
        parts.append(new Json()
            .put("partition", p.partition())
            .put("leader", p.leader() == null ? -1 : p.leader().id())
            .put("replicas", p.replicas().size())
            .put("isr", p.isr().size()));
      }
      out.println(new Json()
          .put("topic", d.name())
          .put("topicId", d.topicId().toString())
          .put("internal", d.isInternal())
          .putRaw("partitions", parts.append(']').toString()));
    }
    return 0;
  }

  static int listOffsets(Args args, PrintStream out) throws Exception {
    String topic = args.required("topic");
    long t = timeout(args);
    try (Admin admin = open(args)) {
      TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(t, TimeUnit.MILLISECONDS).get(topic);
      List<TopicPartition> tps = new ArrayList<>();
      for (TopicPartitionInfo p : d.partitions()) {
        tps.add(new TopicPartition(topic, p.partition()));
      }
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> earliest = query(admin, tps, OffsetSpec.earliest(), t);
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> latest = query(admin, tps, OffsetSpec.latest(), t);
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> maxTs = query(admin, tps, OffsetSpec.maxTimestamp(), t);
      for (TopicPartition tp : tps) {
        ListOffsetsResult.ListOffsetsResultInfo mt = maxTs.get(tp);
        out.println(new Json()
            .put("partition", tp.partition())
            .put("earliest", earliest.get(tp).offset())
            .put("latest", latest.get(tp).offset())
            .put("maxTimestampOffset", mt.offset())
            .put("maxTimestamp", mt.timestamp()));
      }
    }
    return 0;
  }

  private static Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> query(
      Admin admin, List<TopicPartition> tps, OffsetSpec spec, long timeoutMs) throws Exception {
    Map<TopicPartition, OffsetSpec> req = new HashMap<>();
    for (TopicPartition tp : tps) {
      req.put(tp, spec);
    }
    return admin.listOffsets(req).all().get(timeoutMs, TimeUnit.MILLISECONDS);
  }
}
