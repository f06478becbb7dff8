package dev.kafkagateway.harness;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.consumer.RoundRobinAssignor;
import org.apache.kafka.clients.consumer.StickyAssignor;

/**
 * group-consume --bootstrap H:P --topic T --group G [--member NAME ...] [--assignor range|roundrobin|sticky|
 *   cooperative-sticky] [--static true] [--session-timeout-ms MS] [--heartbeat-interval-ms MS]
 *   [--max-poll-interval-ms MS] [--max-poll-records N] [--stop-after N] [--batch-delay-ms MS]
 *   [--exit-when-done true] [--watch-interval-ms MS] [--max-runtime-ms MS] [--consumer-prop k=v ...]
 *
 * Runs group members (one KafkaConsumer thread each; client.id = member name, and group.instance.id =
 * member name with --static true) and prints JSON-line events: started, assigned, revoked, lost, rec,
 * commit, commit-retry, commit-failed, closing, closed, fenced, error; with --watch-interval-ms also
 * "group" events (DescribeGroups state and members, printed when they change).
 *
 * stdin lines control it: "add NAME" starts a member, "remove NAME" closes one cleanly, "stop" (or end
 * of input, e.g. when the test runner dies) closes all and exits. --stop-after N makes each member stop
 * after processing N records; with --exit-when-done true the process exits once no member is running.
 * --max-runtime-ms bounds the whole process whatever happens.
 */
final class GroupConsumeCommand {
  private GroupConsumeCommand() {}

  static int run(Args args) throws Exception {
    EventLog log = new EventLog();
    Map<String, GroupMember> members = new ConcurrentHashMap<>();
    CountDownLatch stop = new CountDownLatch(1);
    long maxRuntimeMs = args.getLong("max-runtime-ms", 300_000);
    boolean exitWhenDone = args.getBool("exit-when-done", false);
    List<String> topics = Arrays.asList(args.required("topic").split(","));

    GroupWatcher watcher = null;
    long watchInterval = args.getLong("watch-interval-ms", 0);
    if (watchInterval > 0) {
      watcher = new GroupWatcher(args.required("bootstrap"), args.required("group"), watchInterval, log);
      watcher.start();
    }
    for (String name : args.all("member")) {
      startMember(args, topics, log, members, name);
    }
    Thread input = new Thread(() -> readCommands(args, topics, log, members, stop), "stdin");
    input.setDaemon(true);
    input.start();
    log.emit(EventLog.event("ready", null));
    log.flush();

    long deadline = System.currentTimeMillis() + maxRuntimeMs;
    boolean timedOut = true;
    while (System.currentTimeMillis() < deadline) {
      if (stop.await(100, TimeUnit.MILLISECONDS)) {
        timedOut = false;
        break;
      }
      if (exitWhenDone && !members.isEmpty() && members.values().stream().noneMatch(GroupMember::alive)) {
        timedOut = false;
        break;
      }
    }
    if (timedOut) {
      log.emit(EventLog.event("max-runtime", null));
    }
    for (GroupMember m : members.values()) {
      m.requestStop();
    }
    boolean clean = true;
    for (GroupMember m : members.values()) {
      clean &= m.join(60_000);
    }
    if (watcher != null) {
      watcher.stop();
    }
    log.emit(EventLog.event("exit", null).put("clean", clean));
    log.flush();
    return timedOut ? 4 : clean ? 0 : 5;
  }

  private static void readCommands(Args args, List<String> topics, EventLog log, Map<String, GroupMember> members,
      CountDownLatch stop) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        String[] parts = line.trim().split("\\s+");
        if (parts[0].equals("stop")) {
          break;
        } else if (parts.length == 2 && parts[0].equals("add")) {
          startMember(args, topics, log, members, parts[1]);
        } else if (parts.length == 2 && parts[0].equals("remove")) {
          GroupMember m = members.get(parts[1]);
          if (m != null) {
            m.requestStop();
          }
        } else if (!line.isBlank()) {
          log.emit(EventLog.event("bad-command", null).put("line", line));
          log.flush();
        }
      }
    } catch (Exception e) {
      log.emit(EventLog.event("stdin-error", null).put("err", e.toString()));
    }
    stop.countDown();
  }

  private static synchronized void startMember(Args args, List<String> topics, EventLog log,
      Map<String, GroupMember> members, String name) {
    GroupMember previous = members.get(name);
    if (previous != null && previous.alive()) {
      log.emit(EventLog.event("bad-command", name).put("line", "add: member is still running"));
      return;
    }
    GroupMember m = new GroupMember(name, consumerProps(args, name), topics, log, args.getLong("stop-after", 0),
        args.getLong("batch-delay-ms", 0));
    members.put(name, m);
    m.start();
  }

  static Properties consumerProps(Args args, String name) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args.required("bootstrap"));
    props.put(ConsumerConfig.GROUP_ID_CONFIG, args.required("group"));
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, name);
    if (args.getBool("static", false)) {
      props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, name);
    }
    props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, assignor(args.get("assignor", "range")));
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, args.get("auto-offset-reset", "earliest"));
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, args.get("session-timeout-ms", "10000"));
    props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, args.get("heartbeat-interval-ms", "1000"));
    props.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, args.get("max-poll-interval-ms", "60000"));
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, args.get("max-poll-records", "200"));
    for (String kv : args.all("consumer-prop")) {
      int eq = kv.indexOf('=');
      props.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    return props;
  }

  private static String assignor(String name) {
    return switch (name) {
      case "range" -> RangeAssignor.class.getName();
      case "roundrobin" -> RoundRobinAssignor.class.getName();
      case "sticky" -> StickyAssignor.class.getName();
      case "cooperative-sticky" -> CooperativeStickyAssignor.class.getName();
      default -> throw new IllegalArgumentException("unknown --assignor " + name);
    };
  }
}
