package dev.kafkagateway.harness;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * The deterministic data set that "produce" sends. Every edge case a broker can get wrong appears once:
 * record 0 has no headers, 1 a null key, 2 an empty key and empty value, 3 a tombstone (null value),
 * 4 a value of almost 1 MiB; the rest mix text and binary values, null/empty/binary/UTF-8/duplicate
 * headers, and some timestamps that go backwards within a partition.
 *
 * Header values never contain ',', '=', '\n', NUL or the text "NULL", so kcat's %h output of the same
 * records stays unambiguous (kcat prints a null header value as NULL and joins headers with commas).
 */
final class Dataset {
  /** Smallest count that still contains every edge case above. */
  static final int MIN_COUNT = 10;

  /**
   * Largest value that fits a broker's default max.message.bytes (1048588) once batch and record
   * overhead are added, even uncompressed.
   */
  static final int DEFAULT_LARGE_VALUE_BYTES = 1024 * 1024 - 1024;

  record Spec(int index, int partition, long timestamp, byte[] key, byte[] value, List<Header> headers) {}

  private Dataset() {}

  static List<Spec> build(int count, int partitions, long baseTimestamp, int largeValueBytes) {
    if (count < MIN_COUNT) {
      throw new IllegalArgumentException("--count must be at least " + MIN_COUNT);
    }
    List<Spec> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(spec(i, partitions, baseTimestamp, largeValueBytes));
    }
    return out;
  }

  private static Spec spec(int i, int partitions, long base, int largeValueBytes) {
    int partition = i % partitions;
    // Every tenth record steps back in time so a broker that assumes monotonic timestamps shows it.
    long timestamp = i % 10 == 9 ? base - 5_000 - i : base + i;
    byte[] key = utf8("key-" + i);
    byte[] value;
    List<Header> headers = new ArrayList<>();
    switch (i) {
      case 0 -> value = utf8("value-0");
      case 1 -> {
        key = null;
        value = utf8("value-without-key");
      }
      case 2 -> {
        key = new byte[0];
        value = new byte[0];
      }
      case 3 -> value = null;
      case 4 -> {
        key = utf8("large");
        value = randomBytes(4, largeValueBytes);
      }
      default -> value = i % 2 == 0 ? utf8(("value-" + i + "-").repeat(1 + i % 50)) : randomBytes(i, (i * 37) % 400);
    }
    if (i > 0) {
      headers.add(new RecordHeader("idx", utf8(Integer.toString(i))));
      if (i % 3 == 0) {
        headers.add(new RecordHeader("h-null", null));
      }
      if (i % 4 == 0) {
        headers.add(new RecordHeader("h-empty", new byte[0]));
      }
      if (i % 5 == 0) {
        headers.add(new RecordHeader("h-bin", new byte[] {0x01, (byte) 0x80, (byte) 0xfe, 0x7f, (byte) 0xc3}));
      }
      if (i % 6 == 0) {
        headers.add(new RecordHeader("h-utf8", utf8("h\u00e9llo \u2713")));
      }
      if (i % 7 == 0) {
        headers.add(new RecordHeader("dup", utf8("a")));
        headers.add(new RecordHeader("dup", utf8("b")));
      }
    }
    return new Spec(i, partition, timestamp, key, value, headers);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] randomBytes(long seed, int length) {
    byte[] b = new byte[length];
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < length; i++) {
      b[i] = (byte) r.nextInt(256);
    }
    return b;
  }
}
