package dev.kafkagateway.harness;

import java.io.PrintStream;

/**
 * Entry point for the compatibility matrix (test/compat): the driver contract's commands that the
 * general harness (Main) lacks, and Main's own for the rest (create-topic, delete-topic, consume).
 *
 * java -cp harness.jar:lib/* dev.kafkagateway.harness.CompatMain COMMAND --bootstrap H:P ...
 *   metadata | produce-dataset --input FILE | group-consume --group G --max N | describe-group --group G
 *   | txn-produce-dataset | txn-transform (CompatTxn)
 */
public final class CompatMain {
  private CompatMain() {}

  public static void main(String[] argv) {
    if (argv.length == 0) {
      Main.main(argv);
      return;
    }
    PrintStream out = System.out;
    int code;
    try {
      Args args = new Args(argv, 1);
      code = switch (argv[0]) {
        case "metadata" -> CompatAdmin.metadata(args, out);
        case "produce-dataset" -> CompatProduce.run(args, out);
        case "group-consume" -> CompatGroups.consume(args, out);
        case "describe-group" -> CompatGroups.describe(args, out);
        case "txn-produce-dataset" -> CompatTxn.produce(args, out);
        case "txn-transform" -> CompatTxn.transform(args, out);
        default -> -1;
      };
    } catch (IllegalArgumentException e) {
      System.err.println("harness: " + e.getMessage());
      code = 2;
    } catch (java.util.concurrent.TimeoutException e) {
      System.err.println("harness: " + argv[0] + " timed out");
      code = 4;
    } catch (Exception e) {
      System.err.println("harness: " + argv[0] + " failed");
      e.printStackTrace(System.err);
      code = 1;
    }
    if (code == -1) {
      Main.main(argv);
      return;
    }
    out.flush();
    System.exit(code);
  }
}
