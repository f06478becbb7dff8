// sarama-group: one IBM/sarama consumer-group member for the consumer-group end-to-end tests. Each
// claimed partition is processed (printed) record by record; offsets are marked after processing and
// committed synchronously whenever a partition's buffer drains and again in Cleanup, before the
// session ends, so clean rebalances neither lose nor repeat records. Events are JSON lines on stdout
// (see internal/events); "stop" on stdin or end of input leaves the group cleanly; -stop-after N
// leaves after processing N records.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/IBM/sarama"

	"kafkagateway/groupclients/internal/events"
)

type handler struct {
	log       *events.Log
	topic     string
	stopAfter int
	stop      context.CancelFunc

	mu        sync.Mutex
	processed int
	pending   map[int32]int64
}

func claimed(sess sarama.ConsumerGroupSession, topic string) []int32 {
	return events.Partitions(sess.Claims()[topic])
}

func (h *handler) Setup(sess sarama.ConsumerGroupSession) error {
	h.log.Emit("assigned", map[string]any{
		"parts": claimed(sess, h.topic), "owned": claimed(sess, h.topic),
		"gen": sess.GenerationID(), "memberId": sess.MemberID(),
	})
	h.log.Flush()
	return nil
}

// Cleanup runs after every ConsumeClaim returned and before the session's offsets are abandoned.
func (h *handler) Cleanup(sess sarama.ConsumerGroupSession) error {
	h.commit(sess, "revoke")
	h.log.Emit("revoked", map[string]any{
		"parts": claimed(sess, h.topic), "gen": sess.GenerationID(), "memberId": sess.MemberID(),
	})
	h.log.Flush()
	return nil
}

func (h *handler) commit(sess sarama.ConsumerGroupSession, why string) {
	h.mu.Lock()
	offs := h.pending
	h.pending = map[int32]int64{}
	h.mu.Unlock()
	if len(offs) == 0 {
		return
	}
	h.log.Flush()
	sess.Commit()
	h.log.Emit("commit", map[string]any{"why": why, "offs": events.Offsets(offs)})
	h.log.Flush()
}

func (h *handler) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	for {
		select {
		case msg, ok := <-claim.Messages():
			if !ok {
				return nil
			}
			h.mu.Lock()
			if h.stopAfter > 0 && h.processed >= h.stopAfter {
				h.mu.Unlock()
				continue
			}
			h.log.Emit("rec", map[string]any{"p": msg.Partition, "o": msg.Offset, "k": string(msg.Key), "v": string(msg.Value)})
			sess.MarkMessage(msg, "")
			h.pending[msg.Partition] = msg.Offset + 1
			h.processed++
			reached := h.stopAfter > 0 && h.processed >= h.stopAfter
			h.mu.Unlock()
			if reached || len(claim.Messages()) == 0 {
				h.commit(sess, "batch")
			}
			if reached {
				h.stop()
			}
		case <-sess.Context().Done():
			return nil
		}
	}
}

func main() {
	brokers := flag.String("brokers", "127.0.0.1:9092", "bootstrap brokers, comma separated")
	topic := flag.String("topic", "", "topic to consume")
	group := flag.String("group", "", "consumer group")
	member := flag.String("member", "sarama", "member name (client id)")
	balancer := flag.String("balancer", "range", "range|roundrobin|sticky")
	instance := flag.String("instance-id", "", "group.instance.id for static membership")
	stopAfter := flag.Int("stop-after", 0, "leave after processing this many records (0 = never)")
	sessionMs := flag.Int("session-timeout-ms", 10000, "session timeout")
	maxRuntime := flag.Duration("max-runtime", 5*time.Minute, "hard bound on the process lifetime")
	flag.Parse()

	log := events.New(*member)
	if err := run(log, *brokers, *topic, *group, *member, *balancer, *instance, *stopAfter, *sessionMs, *maxRuntime); err != nil {
		log.Emit("error", map[string]any{"err": err.Error()})
		log.Flush()
		fmt.Fprintln(os.Stderr, "sarama-group:", err)
		os.Exit(1)
	}
	log.Flush()
}

func run(log *events.Log, brokers, topic, group, member, balancerName, instance string, stopAfter, sessionMs int,
	maxRuntime time.Duration) error {
	cfg := sarama.NewConfig()
	cfg.Version = sarama.V3_6_0_0
	cfg.ClientID = member
	cfg.Consumer.Offsets.AutoCommit.Enable = false
	cfg.Consumer.Offsets.Initial = sarama.OffsetOldest
	cfg.Consumer.Group.Session.Timeout = time.Duration(sessionMs) * time.Millisecond
	cfg.Consumer.Group.Heartbeat.Interval = time.Second
	cfg.Consumer.Return.Errors = true
	if instance != "" {
		cfg.Consumer.Group.InstanceId = instance
	}
	switch balancerName {
	case "range":
		cfg.Consumer.Group.Rebalance.GroupStrategies = []sarama.BalanceStrategy{sarama.NewBalanceStrategyRange()}
	case "roundrobin":
		cfg.Consumer.Group.Rebalance.GroupStrategies = []sarama.BalanceStrategy{sarama.NewBalanceStrategyRoundRobin()}
	case "sticky":
		cfg.Consumer.Group.Rebalance.GroupStrategies = []sarama.BalanceStrategy{sarama.NewBalanceStrategySticky()}
	default:
		return fmt.Errorf("unknown balancer %q", balancerName)
	}
	cg, err := sarama.NewConsumerGroup(strings.Split(brokers, ","), group, cfg)
	if err != nil {
		return err
	}
	log.Emit("started", map[string]any{"instance": instance})
	log.Flush()
	go func() {
		for err := range cg.Errors() {
			log.Emit("group-error", map[string]any{"err": err.Error()})
		}
	}()

	ctx, cancel := context.WithTimeout(context.Background(), maxRuntime)
	defer cancel()
	stop := events.StopOnStdin()
	go func() {
		<-stop
		cancel()
	}()
	h := &handler{log: log, topic: topic, stopAfter: stopAfter, stop: cancel, pending: map[int32]int64{}}
	// Consume returns at the end of every session (rebalance); loop until told to stop.
	for ctx.Err() == nil {
		if err := cg.Consume(ctx, []string{topic}, h); err != nil && !errors.Is(err, sarama.ErrClosedConsumerGroup) {
			log.Emit("consume-error", map[string]any{"err": err.Error()})
			log.Flush()
			time.Sleep(200 * time.Millisecond)
		}
	}
	h.mu.Lock()
	processed := h.processed
	h.mu.Unlock()
	log.Emit("closing", map[string]any{"processed": processed})
	log.Flush()
	if err := cg.Close(); err != nil {
		return err
	}
	log.Emit("closed", map[string]any{"processed": processed})
	return nil
}
