package dev.kafkagateway.harness;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One group member on its own thread: poll, "process" (log) each record, then commit exactly what was
 * processed. Partitions being revoked get their processed offsets committed in the revocation
 * callback, so a clean rebalance or a clean leave hands work over without duplicates; only a member
 * that dies leaves uncommitted work behind.
 */
final class GroupMember implements Runnable {
  private final String name;
  private final Properties props;
  private final List<String> topics;
  private final EventLog log;
  private final long stopAfter;
  private final long batchDelayMs;
  private final Map<TopicPartition, OffsetAndMetadata> pending = new HashMap<>();
  private volatile boolean stopping;
  private final Thread thread;
  private KafkaConsumer<byte[], byte[]> consumer;
  private long processed;

  GroupMember(String name, Properties props, List<String> topics, EventLog log, long stopAfter, long batchDelayMs) {
    this.name = name;
    this.props = props;
    this.topics = topics;
    this.log = log;
    this.stopAfter = stopAfter;
    this.batchDelayMs = batchDelayMs;
    this.thread = new Thread(this, "member-" + name);
  }

  void start() {
    thread.start();
  }

  void requestStop() {
    stopping = true;
  }

  boolean join(long millis) throws InterruptedException {
    thread.join(millis);
    return !thread.isAlive();
  }

  boolean alive() {
    return thread.isAlive();
  }

  @Override
  public void run() {
    try {
      consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
      consumer.subscribe(topics, new Listener());
      log.emit(EventLog.event("started", name).put("instance", props.getProperty("group.instance.id")));
      log.flush();
      while (!stopping && (stopAfter <= 0 || processed < stopAfter)) {
        ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(200));
        for (ConsumerRecord<byte[], byte[]> r : batch) {
          process(r);
          if (stopAfter > 0 && processed >= stopAfter) {
            break;
          }
        }
        if (batchDelayMs > 0 && !batch.isEmpty()) {
          // The processed records reach the ledger before the pause, so a kill during it leaves work
          // that is processed but not committed, which the next owner must process again.
          log.flush();
          Thread.sleep(batchDelayMs);
        }
        commitPending("batch");
      }
      commitPending("close");
      log.emit(EventLog.event("closing", name).put("processed", processed));
      log.flush();
      consumer.close(Duration.ofSeconds(30));
      log.emit(EventLog.event("closed", name).put("processed", processed));
    } catch (FencedInstanceIdException e) {
      log.emit(EventLog.event("fenced", name).put("err", e.toString()));
      closeQuietly();
    } catch (Exception e) {
      log.emit(EventLog.event("error", name).put("err", e.toString()));
      closeQuietly();
    } finally {
      log.flush();
    }
  }

  private void process(ConsumerRecord<byte[], byte[]> r) {
    log.emit(EventLog.event("rec", name)
        .put("p", r.partition())
        .put("o", r.offset())
        .put("k", r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8))
        .put("v", r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8)));
    // The metadata string names the member, so describe output can show who committed what.
    pending.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1, name));
    processed++;
  }

  /** Commits processed offsets; on REBALANCE_IN_PROGRESS they stay pending for the next attempt. */
  private void commitPending(String reason) {
    if (pending.isEmpty()) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(pending);
    log.flush();
    try {
      consumer.commitSync(offsets, Duration.ofSeconds(30));
      pending.keySet().removeAll(offsets.keySet());
      log.emit(EventLog.event("commit", name).put("why", reason).putRaw("offs", EventLog.offsets(offsets)));
    } catch (RebalanceInProgressException e) {
      log.emit(EventLog.event("commit-retry", name).put("why", reason).putRaw("offs", EventLog.offsets(offsets)));
    } catch (CommitFailedException e) {
      pending.keySet().removeAll(offsets.keySet());
      log.emit(EventLog.event("commit-failed", name).put("why", reason).put("err", e.getMessage())
          .putRaw("offs", EventLog.offsets(offsets)));
    }
    log.flush();
  }

  private void closeQuietly() {
    if (consumer != null) {
      try {
        consumer.close(Duration.ofSeconds(5));
      } catch (Exception ignored) {
        // Already failing; the error event says why.
      }
    }
  }

  private Json withGroup(Json event) {
    ConsumerGroupMetadata g = consumer.groupMetadata();
    return event.put("gen", g.generationId()).put("memberId", g.memberId());
  }

  private final class Listener implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> parts) {
      Map<TopicPartition, OffsetAndMetadata> mine = new HashMap<>();
      for (TopicPartition tp : parts) {
        OffsetAndMetadata o = pending.get(tp);
        if (o != null) {
          mine.put(tp, o);
        }
      }
      if (!mine.isEmpty()) {
        log.flush();
        try {
          consumer.commitSync(mine, Duration.ofSeconds(30));
          log.emit(EventLog.event("commit", name).put("why", "revoke").putRaw("offs", EventLog.offsets(mine)));
        } catch (RuntimeException e) {
          log.emit(EventLog.event("commit-failed", name).put("why", "revoke").put("err", e.toString())
              .putRaw("offs", EventLog.offsets(mine)));
        }
      }
      pending.keySet().removeAll(parts);
      log.emit(withGroup(EventLog.event("revoked", name)).putRaw("parts", EventLog.partitions(parts)));
      log.flush();
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> parts) {
      log.emit(withGroup(EventLog.event("assigned", name))
          .putRaw("parts", EventLog.partitions(parts))
          .putRaw("owned", EventLog.partitions(consumer.assignment())));
      log.flush();
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> parts) {
      Map<TopicPartition, OffsetAndMetadata> dropped = new HashMap<>();
      for (TopicPartition tp : parts) {
        OffsetAndMetadata o = pending.remove(tp);
        if (o != null) {
          dropped.put(tp, o);
        }
      }
      log.emit(withGroup(EventLog.event("lost", name)).putRaw("parts", EventLog.partitions(parts))
          .putRaw("uncommitted", EventLog.offsets(dropped)));
      log.flush();
    }
  }
}
