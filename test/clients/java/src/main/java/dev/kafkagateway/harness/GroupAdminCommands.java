package dev.kafkagateway.harness;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * group-describe --bootstrap H:P --group G
 *   One JSON object: the DescribeGroups view (state, assignor, members with assignments), the committed
 *   offsets with their metadata strings, and the log-end offset and lag of each committed partition.
 * group-list --bootstrap H:P
 *   One JSON line per group: id and state.
 */
final class GroupAdminCommands {
  private GroupAdminCommands() {}

  private static Admin open(Args args) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args.required("bootstrap"));
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "harness-group-admin");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, args.get("timeout-ms", "60000"));
    return Admin.create(props);
  }

  static int describe(Args args, PrintStream out) throws Exception {
    String group = args.required("group");
    long t = args.getLong("timeout-ms", 60_000);
    try (Admin admin = open(args)) {
      ConsumerGroupDescription d =
          admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get(t, TimeUnit.MILLISECONDS);
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(t, TimeUnit.MILLISECONDS);
      Map<TopicPartition, OffsetSpec> latestSpec = new HashMap<>();
      for (TopicPartition tp : committed.keySet()) {
        latestSpec.put(tp, OffsetSpec.latest());
      }
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> latest =
          latestSpec.isEmpty() ? Map.of() : admin.listOffsets(latestSpec).all().get(t, TimeUnit.MILLISECONDS);
      TreeMap<String, TopicPartition> sorted = new TreeMap<>();
      for (TopicPartition tp : committed.keySet()) {
        sorted.put(String.format("%s-%09d", tp.topic(), tp.partition()), tp);
      }
      StringBuilder offsets = new StringBuilder("[");
      for (TopicPartition tp : sorted.values()) {
        OffsetAndMetadata o = committed.get(tp);
        long end = latest.get(tp).offset();
        if (offsets.length() > 1) {
          offsets.append(',');
        }
        offsets.append(new Json()
            .put("topic", tp.topic())
            .put("partition", tp.partition())
            .put("offset", o == null ? -1 : o.offset())
            .put("metadata", o == null ? null : o.metadata())
            .put("end", end)
            .put("lag", o == null ? -1 : end - o.offset()));
      }
      out.println(new Json()
          .put("group", group)
          .put("coordinator", d.coordinator() == null ? -1 : d.coordinator().id())
          .putRaw("description", GroupWatcher.describe(d))
          .putRaw("offsets", offsets.append(']').toString()));
    }
    return 0;
  }

  static int list(Args args, PrintStream out) throws Exception {
    long t = args.getLong("timeout-ms", 60_000);
    try (Admin admin = open(args)) {
      for (ConsumerGroupListing g : admin.listConsumerGroups().all().get(t, TimeUnit.MILLISECONDS)) {
        out.println(new Json()
            .put("group", g.groupId())
            .put("state", g.state().map(Object::toString).orElse(null))
            .put("simple", g.isSimpleConsumerGroup()));
      }
    }
    return 0;
  }
}
