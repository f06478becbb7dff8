package dev.kafkagateway.streams;

import java.util.Arrays;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * WordCount with processing.guarantee=exactly_once_v2:
 *   java -cp harness.jar:lib/* dev.kafkagateway.streams.WordCount BOOTSTRAP APP_ID INPUT OUTPUT STATE_DIR
 *
 * Lines from INPUT are split into words; the running count of each word goes to OUTPUT (key: word,
 * value: 8-byte count), one update per word occurrence: record caching is off, so with exactly-once a
 * read_committed reader sees each word's counts go 1, 2, 3, ... without a repeat or a gap. The count
 * store is in memory, so a task moved to another instance is rebuilt from its changelog. Prints
 * {"t":ms,"ev":"state","state":"..."} lines as the instance changes state; runs until killed.
 */
public final class WordCount {
  private WordCount() {}

  public static void main(String[] argv) throws InterruptedException {
    if (argv.length < 5) {
      System.err.println("usage: WordCount BOOTSTRAP APP_ID INPUT OUTPUT STATE_DIR [k=v ...]");
      System.exit(2);
    }
    Properties props = new Properties();
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, argv[0]);
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, argv[1]);
    props.put(StreamsConfig.STATE_DIR_CONFIG, argv[4]);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, "0");
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "2");
    props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, "1");
    props.put(StreamsConfig.consumerPrefix("session.timeout.ms"), "10000");
    props.put(StreamsConfig.consumerPrefix("heartbeat.interval.ms"), "1000");
    props.put(StreamsConfig.producerPrefix("transaction.timeout.ms"), "10000");
    for (int i = 5; i < argv.length; i++) {
      int eq = argv[i].indexOf('=');
      props.put(argv[i].substring(0, eq), argv[i].substring(eq + 1));
    }

    // A pause per line keeps transactions open long enough that a kill always lands inside one.
    long delayMs = Long.parseLong(System.getenv().getOrDefault("WORDCOUNT_DELAY_MS", "0"));
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(argv[2], Consumed.with(Serdes.String(), Serdes.String()))
        .peek((key, line) -> pause(delayMs))
        .flatMapValues(line -> Arrays.asList(line.toLowerCase(Locale.ROOT).split("\\W+")))
        .filter((key, word) -> !word.isEmpty())
        .groupBy((key, word) -> word, Grouped.with(Serdes.String(), Serdes.String()))
        .count(Materialized.<String, Long>as(Stores.inMemoryKeyValueStore("counts"))
            .withKeySerde(Serdes.String())
            .withValueSerde(Serdes.Long()))
        .toStream()
        .to(argv[3], Produced.with(Serdes.String(), Serdes.Long()));

    KafkaStreams streams = new KafkaStreams(builder.build(), props);
    CountDownLatch done = new CountDownLatch(1);
    streams.setStateListener((now, before) -> {
      System.out.println("{\"t\":" + System.currentTimeMillis() + ",\"ev\":\"state\",\"state\":\"" + now + "\"}");
      System.out.flush();
      if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) done.countDown();
    });
    Runtime.getRuntime().addShutdownHook(new Thread(streams::close));
    streams.start();
    done.await();
    System.exit(streams.state() == KafkaStreams.State.ERROR ? 1 : 0);
  }

  private static void pause(long ms) {
    if (ms <= 0) return;
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
