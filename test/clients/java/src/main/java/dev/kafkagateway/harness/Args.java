package dev.kafkagateway.harness;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Parses "--name value" pairs; every flag takes exactly one value so scripts stay unambiguous. */
final class Args {
  private final Map<String, String> values = new HashMap<>();
  private final Map<String, List<String>> repeated = new HashMap<>();

  Args(String[] argv, int from) {
    for (int i = from; i < argv.length; i++) {
      String flag = argv[i];
      if (!flag.startsWith("--") || i + 1 >= argv.length) {
        throw new IllegalArgumentException("expected --flag value, got: " + flag);
      }
      String name = flag.substring(2);
      String value = argv[++i];
      values.put(name, value);
      repeated.computeIfAbsent(name, k -> new java.util.ArrayList<>()).add(value);
    }
  }

  String required(String name) {
    String v = values.get(name);
    if (v == null) {
      throw new IllegalArgumentException("missing --" + name);
    }
    return v;
  }

  String get(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  int getInt(String name, int fallback) {
    String v = values.get(name);
    return v == null ? fallback : Integer.parseInt(v);
  }

  long getLong(String name, long fallback) {
    String v = values.get(name);
    return v == null ? fallback : Long.parseLong(v);
  }

  boolean getBool(String name, boolean fallback) {
    String v = values.get(name);
    if (v == null) {
      return fallback;
    }
    if (!v.equals("true") && !v.equals("false")) {
      throw new IllegalArgumentException("--" + name + " must be true or false");
    }
    return Boolean.parseBoolean(v);
  }

  List<String> all(String name) {
    return repeated.getOrDefault(name, List.of());
  }
}
