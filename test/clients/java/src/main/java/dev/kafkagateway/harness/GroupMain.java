package dev.kafkagateway.harness;

import java.io.PrintStream;

/**
 * Entry point for the consumer-group tools, kept apart from Main so the group work adds files only:
 * java -cp harness.jar:lib/* dev.kafkagateway.harness.GroupMain SUBCOMMAND --flag value ...
 *
 *   group-consume   long-lived process running named group members, driven through stdin
 *   seq-produce     bounded continuous production of sequence-numbered records
 *   group-describe  one DescribeGroups + committed offsets + end offsets, as JSON
 *   group-list      ListGroups with states, as JSON lines
 */
public final class GroupMain {
  private GroupMain() {}

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
        case "group-consume" -> GroupConsumeCommand.run(args);
        case "seq-produce" -> SequenceProduceCommand.run(args);
        case "group-describe" -> GroupAdminCommands.describe(args, out);
        case "group-list" -> GroupAdminCommands.list(args, out);
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
    System.exit(code);
  }

  private static void usage() {
    System.err.println("usage: GroupMain group-consume|seq-produce|group-describe|group-list --bootstrap HOST:PORT ...");
  }
}
