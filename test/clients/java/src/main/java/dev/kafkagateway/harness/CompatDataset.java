package dev.kafkagateway.harness;

import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * A test/compat dataset file, as the producing commands read it: one record per line, tab-separated
 * partition, timestamp, key, value and headers (base64 fields, "-" for null; headers as
 * base64(name):base64(value) pairs separated by commas).
 */
final class CompatDataset {
  private CompatDataset() {}

  record Line(int partition, long timestamp, byte[] key, byte[] value, List<Header> headers) {}

  static List<Line> read(Path file) throws Exception {
    List<Line> lines = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
      String s;
      while ((s = r.readLine()) != null) {
        if (s.isEmpty()) {
          continue;
        }
        String[] f = s.split("\t", -1);
        if (f.length != 5) {
          throw new IllegalArgumentException("dataset line " + (lines.size() + 1) + ": want 5 fields");
        }
        List<Header> headers = new ArrayList<>();
        if (!f[4].isEmpty()) {
          for (String pair : f[4].split(",")) {
            int colon = pair.indexOf(':');
            String name = new String(Base64.getDecoder().decode(pair.substring(0, colon)), StandardCharsets.UTF_8);
            headers.add(new RecordHeader(name, bytes(pair.substring(colon + 1))));
          }
        }
        lines.add(new Line(Integer.parseInt(f[0]), Long.parseLong(f[1]), bytes(f[2]), bytes(f[3]), headers));
      }
    }
    return lines;
  }

  private static byte[] bytes(String field) {
    return field.equals("-") ? null : Base64.getDecoder().decode(field);
  }
}
