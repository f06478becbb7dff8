package dev.kafkagateway.harness;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Minimal JSON object writer: the harness prints flat records, so a dependency would be overkill. */
final class Json {
  private final StringBuilder sb = new StringBuilder();
  private boolean first = true;

  Json() {
    sb.append('{');
  }

  private Json key(String k) {
    if (!first) {
      sb.append(',');
    }
    first = false;
    string(sb, k);
    sb.append(':');
    return this;
  }

  Json put(String k, String v) {
    key(k);
    if (v == null) {
      sb.append("null");
    } else {
      string(sb, v);
    }
    return this;
  }

  Json put(String k, long v) {
    key(k).sb.append(v);
    return this;
  }

  Json put(String k, double v) {
    key(k).sb.append(Double.isFinite(v) ? Double.toString(v) : "null");
    return this;
  }

  Json put(String k, boolean v) {
    key(k).sb.append(v);
    return this;
  }

  /** Bytes go out as base64 so binary data and null-vs-empty survive the trip to the test. */
  Json putBytes(String k, byte[] v) {
    return put(k, v == null ? null : Base64.getEncoder().encodeToString(v));
  }

  /** Inserts already-serialized JSON (an array or object built by the caller). */
  Json putRaw(String k, String rawJson) {
    key(k).sb.append(rawJson);
    return this;
  }

  @Override
  public String toString() {
    return sb.toString() + '}';
  }

  static String quote(String s) {
    StringBuilder out = new StringBuilder();
    string(out, s);
    return out.toString();
  }

  static String base64(byte[] v) {
    return v == null ? "null" : quote(Base64.getEncoder().encodeToString(v));
  }

  static String utf8(byte[] v) {
    return new String(v, StandardCharsets.UTF_8);
  }

  private static void string(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
