package dev.kafkagateway.harness;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * JSON-lines event stream on stdout shared by every thread of a group process. Output is buffered and
 * flushed explicitly: a consumer flushes before each commit, so every committed record is already in
 * the ledger even when the process is later killed with SIGKILL.
 */
final class EventLog {
  private final PrintStream out =
      new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16), false,
          StandardCharsets.UTF_8);

  /** A new event: wall-clock time (comparable across processes on one host), kind and member name. */
  static Json event(String kind, String member) {
    Json j = new Json().put("t", System.currentTimeMillis()).put("ev", kind);
    return member == null ? j : j.put("m", member);
  }

  synchronized void emit(Json event) {
    out.println(event.toString());
  }

  synchronized void flush() {
    out.flush();
  }

  /** Partition numbers as a sorted JSON array (the processes consume one topic each). */
  static String partitions(Collection<TopicPartition> tps) {
    TreeSet<Integer> sorted = new TreeSet<>();
    for (TopicPartition tp : tps) {
      sorted.add(tp.partition());
    }
    StringBuilder sb = new StringBuilder("[");
    for (int p : sorted) {
      if (sb.length() > 1) {
        sb.append(',');
      }
      sb.append(p);
    }
    return sb.append(']').toString();
  }

  /** Offsets as {"partition": nextOffset, ...}. */
  static String offsets(Map<TopicPartition, OffsetAndMetadata> offsets) {
    StringBuilder sb = new StringBuilder("{");
    for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
      if (sb.length() > 1) {
        sb.append(',');
      }
      sb.append('"').append(e.getKey().partition()).append("\":").append(e.getValue().offset());
    }
    return sb.append('}').toString();
  }
}
