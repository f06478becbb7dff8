package dev.kafkagateway.harness;

import org.apache.kafka.common.header.Header;

/** JSON shapes shared by produce (what was sent) and consume (what came back), so tests compare like with like. */
final class Records {
  private Records() {}

  /** Headers as [[name, base64-or-null], ...]: order and duplicates matter to Kafka, so not an object. */
  static String headers(Iterable<Header> headers) {
    StringBuilder sb = new StringBuilder("[");
    boolean first = true;
    for (Header h : headers) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      sb.append('[').append(Json.quote(h.key())).append(',').append(Json.base64(h.value())).append(']');
    }
    return sb.append(']').toString();
  }
}
