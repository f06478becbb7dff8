package dev.kafkagateway.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;

/**
 * Polls DescribeGroups through the AdminClient and prints a "group" event whenever the state, the
 * members or their assignments change, so a test can see every Stable the group passed through.
 */
final class GroupWatcher implements Runnable {
  private final String bootstrap;
  private final String group;
  private final long intervalMs;
  private final EventLog log;
  private final Thread thread = new Thread(this, "group-watcher");
  private volatile boolean stopping;

  GroupWatcher(String bootstrap, String group, long intervalMs, EventLog log) {
    this.bootstrap = bootstrap;
    this.group = group;
    this.intervalMs = intervalMs;
    this.log = log;
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  void stop() throws InterruptedException {
    stopping = true;
    thread.join(10_000);
  }

  @Override
  public void run() {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "group-watcher");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    String last = "";
    try (Admin admin = Admin.create(props)) {
      while (!stopping) {
        String now;
        try {
          ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group)
              .get(10, TimeUnit.SECONDS);
          now = describe(d);
        } catch (Exception e) {
          now = new Json().put("error", e.getClass().getSimpleName()).toString();
        }
        if (!now.equals(last)) {
          log.emit(EventLog.event("group", null).putRaw("d", now));
          log.flush();
          last = now;
        }
        Thread.sleep(intervalMs);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** State, assignor and members sorted by client id (= member name), as stable JSON for comparison. */
  static String describe(ConsumerGroupDescription d) {
    List<MemberDescription> members = new ArrayList<>(d.members());
    members.sort((a, b) -> (a.clientId() + a.consumerId()).compareTo(b.clientId() + b.consumerId()));
    StringBuilder arr = new StringBuilder("[");
    for (MemberDescription m : members) {
      if (arr.length() > 1) {
        arr.append(',');
      }
      arr.append(new Json()
          .put("client", m.clientId())
          .put("id", m.consumerId())
          .put("instance", m.groupInstanceId().orElse(null))
          .put("host", m.host())
          .putRaw("parts", EventLog.partitions(m.assignment().topicPartitions())));
    }
    return new Json()
        .put("state", d.state().toString())
        .put("assignor", d.partitionAssignor())
        .put("simple", d.isSimpleConsumerGroup())
        .putRaw("members", arr.append(']').toString())
        .toString();
  }
}
