// franz-txn: one member of a franz-go GroupTransactSession consume-transform-produce pipeline, as
// franz-go's own exactly-once example runs it: it reads -in with read_committed in group -group,
// writes each record to -out (key "<partition>:<offset>" of the input, value the input value in
// upper case) and commits its input offsets in the same transaction. A rebalance before the commit
// aborts the transaction, so no output is ever committed twice or without its input offsets.
// Events are JSON lines on stdout; "stop" on stdin leaves the group cleanly.
package main

import (
	"bytes"
	"context"
	"errors"
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
	in := flag.String("in", "", "input topic")
	out := flag.String("out", "", "output topic")
	group := flag.String("group", "", "consumer group")
	member := flag.String("member", "franz-txn", "member name (client id and transactional id suffix)")
	maxRuntime := flag.Duration("max-runtime", 5*time.Minute, "hard bound on the process lifetime")
	flag.Parse()

	log := events.New(*member)
	if err := run(log, *brokers, *in, *out, *group, *member, *maxRuntime); err != nil {
		log.Emit("error", map[string]any{"err": err.Error()})
		log.Flush()
		fmt.Fprintln(os.Stderr, "franz-txn:", err)
		os.Exit(1)
	}
	log.Flush()
}

func run(log *events.Log, brokers, in, out, group, member string, maxRuntime time.Duration) error {
	sess, err := kgo.NewGroupTransactSession(
		kgo.SeedBrokers(strings.Split(brokers, ",")...),
		kgo.ClientID(member),
		kgo.TransactionalID(group+"-"+member),
		kgo.TransactionTimeout(10*time.Second),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.ConsumerGroup(group),
		kgo.ConsumeTopics(in),
		kgo.RequireStableFetchOffsets(),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.SessionTimeout(10*time.Second),
		kgo.HeartbeatInterval(time.Second),
		kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
			log.Emit("assigned", map[string]any{"parts": events.Partitions(m[in])})
			log.Flush()
		}),
		kgo.OnPartitionsRevoked(func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
			log.Emit("revoked", map[string]any{"parts": events.Partitions(m[in])})
			log.Flush()
		}),
	)
	if err != nil {
		return err
	}
	defer sess.Close()
	log.Emit("started", nil)
	log.Flush()

	ctx, cancel := context.WithTimeout(context.Background(), maxRuntime)
	defer cancel()
	stop := events.StopOnStdin()
	go func() {
		<-stop
		cancel()
	}()
	for ctx.Err() == nil {
		pollCtx, pollCancel := context.WithTimeout(ctx, 500*time.Millisecond)
		fetches := sess.PollFetches(pollCtx)
		pollCancel()
		for _, e := range fetches.Errors() {
			if !errors.Is(e.Err, context.DeadlineExceeded) && !errors.Is(e.Err, context.Canceled) {
				log.Emit("fetch-error", map[string]any{"p": e.Partition, "err": e.Err.Error()})
			}
		}
		if fetches.NumRecords() == 0 {
			continue
		}
		if err := sess.Begin(); err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		// One ProduceSync for the whole fetch: the records go out together, so a store whose acks=-1
		// answers take about a second (SeaweedMQ's flush interval) costs one wait per transaction, not
		// one per record, and the transaction ends well within its timeout.
		var outs []*kgo.Record
		fetches.EachRecord(func(r *kgo.Record) {
			key := fmt.Sprintf("%d:%d", r.Partition, r.Offset)
			outs = append(outs, &kgo.Record{Topic: out, Key: []byte(key), Value: bytes.ToUpper(r.Value)})
		})
		produced := len(outs)
		produceErr := sess.ProduceSync(ctx, outs...).FirstErr()
		endCtx, endCancel := context.WithTimeout(context.Background(), 30*time.Second)
		committed, err := sess.End(endCtx, produceErr == nil)
		endCancel()
		fields := map[string]any{"records": produced, "committed": committed}
		if err != nil {
			fields["err"] = err.Error()
		}
		if produceErr != nil {
			fields["produceErr"] = produceErr.Error()
		}
		log.Emit("txn", fields)
		log.Flush()
	}
	log.Emit("closing", nil)
	log.Flush()
	return nil
}
