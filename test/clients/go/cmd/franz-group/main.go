// franz-group: one franz-go (kgo) group member for the consumer-group end-to-end tests. It polls,
// "processes" (prints) each record, then commits exactly what it processed before allowing a
// rebalance (BlockRebalanceOnPoll), so clean rebalances neither lose nor repeat records.
// Events are JSON lines on stdout (see internal/events); "stop" on stdin or end of input leaves the
// group cleanly; -stop-after N leaves after processing N records.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"kafkagateway/groupclients/internal/events"
)

func main() {
	brokers := flag.String("brokers", "127.0.0.1:9092", "bootstrap brokers, comma separated")
	topic := flag.String("topic", "", "topic to consume")
	group := flag.String("group", "", "consumer group")
	member := flag.String("member", "franz", "member name (client id)")
	balancer := flag.String("balancer", "cooperative-sticky", "range|roundrobin|sticky|cooperative-sticky")
	instance := flag.String("instance-id", "", "group.instance.id for static membership")
	stopAfter := flag.Int("stop-after", 0, "leave after processing this many records (0 = never)")
	sessionMs := flag.Int("session-timeout-ms", 10000, "session timeout")
	maxRuntime := flag.Duration("max-runtime", 5*time.Minute, "hard bound on the process lifetime")
	flag.Parse()

	log := events.New(*member)
	if err := run(log, *brokers, *topic, *group, *member, *balancer, *instance, *stopAfter, *sessionMs, *maxRuntime); err != nil {
		log.Emit("error", map[string]any{"err": err.Error()})
		log.Flush()
		fmt.Fprintln(os.Stderr, "franz-group:", err)
		os.Exit(1)
	}
	log.Flush()
}

func pickBalancer(name string) (kgo.GroupBalancer, error) {
	switch name {
	case "range":
		return kgo.RangeBalancer(), nil
	case "roundrobin":
		return kgo.RoundRobinBalancer(), nil
	case "sticky":
		return kgo.StickyBalancer(), nil
	case "cooperative-sticky":
		return kgo.CooperativeStickyBalancer(), nil
	}
	return nil, fmt.Errorf("unknown balancer %q", name)
}

func parts(m map[string][]int32) []int32 {
	var out []int32
	for _, ps := range m {
		out = append(out, ps...)
	}
	return events.Partitions(out)
}

func run(log *events.Log, brokers, topic, group, member, balancerName, instance string, stopAfter, sessionMs int,
	maxRuntime time.Duration) error {
	balancer, err := pickBalancer(balancerName)
	if err != nil {
		return err
	}
	owned := map[int32]bool{}
	ownedList := func() []int32 {
		var out []int32
		for p := range owned {
			out = append(out, p)
		}
		return events.Partitions(out)
	}
	opts := []kgo.Opt{
		kgo.SeedBrokers(strings.Split(brokers, ",")...),
		kgo.ClientID(member),
		kgo.ConsumerGroup(group),
		kgo.ConsumeTopics(topic),
		kgo.Balancers(balancer),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.SessionTimeout(time.Duration(sessionMs) * time.Millisecond),
		kgo.HeartbeatInterval(time.Second),
		kgo.OnPartitionsAssigned(func(_ context.Context, cl *kgo.Client, m map[string][]int32) {
			for _, p := range m[topic] {
				owned[p] = true
			}
			id, gen := cl.GroupMetadata()
			log.Emit("assigned", map[string]any{"parts": parts(m), "owned": ownedList(), "gen": gen, "memberId": id})
			log.Flush()
		}),
		// Everything processed was committed before the rebalance was allowed, so there is nothing to commit here.
		kgo.OnPartitionsRevoked(func(_ context.Context, cl *kgo.Client, m map[string][]int32) {
			for _, p := range m[topic] {
				delete(owned, p)
			}
			id, gen := cl.GroupMetadata()
			log.Emit("revoked", map[string]any{"parts": parts(m), "gen": gen, "memberId": id})
			log.Flush()
		}),
		kgo.OnPartitionsLost(func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
			for _, p := range m[topic] {
				delete(owned, p)
			}
			log.Emit("lost", map[string]any{"parts": parts(m)})
			log.Flush()
		}),
	}
	if instance != "" {
		opts = append(opts, kgo.InstanceID(instance))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return err
	}
	log.Emit("started", map[string]any{"instance": instance})
	log.Flush()

	ctx, cancel := context.WithTimeout(context.Background(), maxRuntime)
	defer cancel()
	stop := events.StopOnStdin()
	go func() {
		<-stop
		cancel()
	}()
	processed := 0
	for ctx.Err() == nil && (stopAfter <= 0 || processed < stopAfter) {
		pollCtx, pollCancel := context.WithTimeout(ctx, 200*time.Millisecond)
		fetches := cl.PollRecords(pollCtx, 200)
		pollCancel()
		for _, e := range fetches.Errors() {
			if e.Err != context.DeadlineExceeded && e.Err != context.Canceled {
				log.Emit("fetch-error", map[string]any{"p": e.Partition, "err": e.Err.Error()})
			}
		}
		var done []*kgo.Record
		fetches.EachRecord(func(r *kgo.Record) {
			if stopAfter > 0 && processed >= stopAfter {
				return
			}
			log.Emit("rec", map[string]any{"p": r.Partition, "o": r.Offset, "k": string(r.Key), "v": string(r.Value)})
			done = append(done, r)
			processed++
		})
		if len(done) > 0 {
			log.Flush()
			next := map[int32]int64{}
			for _, r := range done {
				next[r.Partition] = r.Offset + 1
			}
			commitCtx, commitCancel := context.WithTimeout(context.Background(), 30*time.Second)
			err := cl.CommitRecords(commitCtx, done...)
			commitCancel()
			if err != nil {
				log.Emit("commit-failed", map[string]any{"why": "batch", "err": err.Error(), "offs": events.Offsets(next)})
			} else {
				log.Emit("commit", map[string]any{"why": "batch", "offs": events.Offsets(next)})
			}
			log.Flush()
		}
		cl.AllowRebalance()
	}
	log.Emit("closing", map[string]any{"processed": processed})
	log.Flush()
	// Close leaves the group (static members do not send LeaveGroup) after the revoke callback.
	cl.Close()
	log.Emit("closed", map[string]any{"processed": processed})
	return nil
}
