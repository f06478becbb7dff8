package dev.kafkagateway.harness;

import java.io.PrintStream;
import java.util.Collection;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;

/** metadata --bootstrap H:P: the brokers and every topic with its partition count, through AdminClient. */
final class CompatAdmin {
  private CompatAdmin() {}

  static Admin open(Args args) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args.required("bootstrap"));
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "compat-java");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, args.get("timeout-ms", "60000"));
    return Admin.create(props);
  }

  static long timeout(Args args) {
    return args.getLong("timeout-ms", 60_000);
  }

  static int metadata(Args args, PrintStream out) throws Exception {
    long t = timeout(args);
    try (Admin admin = open(args)) {
      DescribeClusterResult cluster = admin.describeCluster();
      Collection<Node> nodes = cluster.nodes().get(t, TimeUnit.MILLISECONDS);
      StringBuilder brokers = new StringBuilder("[");
      for (Node n : nodes) {
        if (brokers.length() > 1) {
          brokers.append(',');
        }
        brokers.append(new Json().put("id", n.id()).put("host", n.host()).put("port", n.port()));
      }
      var names = admin.listTopics().names().get(t, TimeUnit.MILLISECONDS);
      Map<String, TopicDescription> described =
          admin.describeTopics(names).allTopicNames().get(t, TimeUnit.MILLISECONDS);
      Json topics = new Json();
      for (TopicDescription d : described.values()) {
        topics.put(d.name(), d.partitions().size());
      }
      out.println(new Json()
          .putRaw("brokers", brokers.append(']').toString())
          .putRaw("topics", topics.toString()));
    }
    return 0;
  }
}
