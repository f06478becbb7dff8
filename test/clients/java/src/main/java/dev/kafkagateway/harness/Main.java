package dev.kafkagateway.harness;

import java.io.PrintStream;

/** Entry point: java -cp harness.jar:lib/* dev.kafkagateway.harness.Main SUBCOMMAND --flag value ... */
public final class Main {
  private Main() {}

  public static void main(String[] argv) {
    if (argv.length == 0) {
      usage();
      System.exit(2);
    }
    PrintStream out = System.out;
    int code;
    try {
      Args args = new Args(argv, 1);
      code = switch (argv[0]) {
        case "produce" -> ProduceCommand.run(args, out);
        case "consume" -> ConsumeCommand.run(args, out);
        case "consume-perf" -> ConsumePerfCommand.run(args, out);
        case "e2e-latency" -> E2eLatencyCommand.run(args, out);
        case "create-topic" -> AdminCommands.createTopic(args, out);
        case "delete-topic" -> AdminCommands.deleteTopic(args, out);
        case "describe-topic" -> AdminCommands.describeTopic(args, out);
        case "list-offsets" -> AdminCommands.listOffsets(args, out);
        case "txn-produce" -> TxnCommands.produce(args, out);
        case "txn-fence" -> TxnCommands.fence(args, out);
        case "txn-timeout" -> TxnCommands.timeout(args, out);
        case "version" -> {
          out.println(new Json().put("kafkaClients", clientsVersion()));
          yield 0;
        }
        default -> {
          usage();
          yield 2;
        }
      };
    } catch (IllegalArgumentException e) {
      System.err.println("harness: " + e.getMessage());
      code = 2;
    } catch (Exception e) {
      System.err.println("harness: " + argv[0] + " failed");
      e.printStackTrace(System.err);
      code = 1;
    }
    out.flush();
    // Client threads (metadata, heartbeats) must not keep the JVM alive after the work is done.
    System.exit(code);
  }

  private static void usage() {
    System.err.println(
        "usage: Main produce|consume|consume-perf|e2e-latency|create-topic|delete-topic|describe-topic"
            + "|list-offsets|txn-produce|txn-fence|txn-timeout|version"
            + " --bootstrap HOST:PORT --topic T ...");
  }

  /** Read from the jar's own version file: AppInfoParser moved to an internal package in 4.4. */
  private static String clientsVersion() throws java.io.IOException {
    var props = new java.util.Properties();
    try (var in = org.apache.kafka.clients.producer.KafkaProducer.class.getResourceAsStream("/kafka/kafka-version.properties")) {
      if (in != null) props.load(in);
    }
    return props.getProperty("version", "unknown");
  }
}
